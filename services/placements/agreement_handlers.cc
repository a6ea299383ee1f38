// The agreement rpcs of PlacementsService (see placements_service.h).
#include "services/placements/domain/agreement.h"
#include "services/placements/service_impl.h"

namespace ks::placements {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
using pv1::CooperationAgreement;

// The uniqueness claim of an agreement number in a regency.
void ClaimNumber(store::Batch& batch, const CooperationAgreement& a) {
  outbox::Conflict conflict;
  conflict.reason = "AGREEMENT_NUMBER_EXISTS";
  conflict.message = "an agreement with this number exists in the regency";
  conflict.existing_data_as = "agreement";
  batch.Claim(
      absl::StrCat("number:", a.regency_code(), ":", a.agreement_number()),
      a.name(), std::move(conflict));
}

}  // namespace

grpc::ServerUnaryReactor* PlacementsService::CreateCooperationAgreement(
    grpc::CallbackServerContext* ctx,
    const pv1::CreateCooperationAgreementRequest* req,
    CooperationAgreement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        CreateOne<CooperationAgreement>(
            *ctx, "CreateCooperationAgreement", *req, kParentPattern,
            [=](const rpc::Call& call, const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<CooperationAgreement> {
              const std::string regency = call.vars.at("regency");
              KS_ASSIGN_OR_RETURN(
                  CooperationAgreement a,
                  domain::NewAgreement(
                      req->agreement(),
                      absl::StrCat("regencies/", regency, "/agreements/",
                                   ids::NewId()),
                      regency, c));
              batch.Create(a, store::kAgreements, regency);
              ClaimNumber(batch, a);
              return a;
            },
            [=](Validator& v) {
              v.Required("agreement", req->has_agreement());
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::GetCooperationAgreement(
    grpc::CallbackServerContext* ctx,
    const pv1::GetCooperationAgreementRequest* req,
    CooperationAgreement* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        CooperationAgreement a,
        ReadOne<CooperationAgreement>(*ctx, "GetCooperationAgreement", *req,
                                      kAgreementPattern, "agreement"));
    absl::StatusOr<absl::TimeZone> tz =
        regions::Regions::Get().TimeZone(a.regency_code());
    *resp = domain::AsOf(
        std::move(a),
        LocalDay(options_.clock->Now(),
                 tz.ok() ? *tz : options_.policy->default_time_zone()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementsService::ListCooperationAgreements(
    grpc::CallbackServerContext* ctx,
    const pv1::ListCooperationAgreementsRequest* req,
    pv1::ListCooperationAgreementsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    std::vector<CooperationAgreement> out;
    const absl::Time now = options_.clock->Now();
    int32_t total = 0;
    KS_RETURN_IF_ERROR(ListOf<CooperationAgreement>(
        *ctx, "ListCooperationAgreements", *req, store::kAgreements, &out,
        resp->mutable_next_page_token(), &total,
        [this, now](CooperationAgreement& a) {
          absl::StatusOr<absl::TimeZone> tz =
              regions::Regions::Get().TimeZone(a.regency_code());
          a = domain::AsOf(
              std::move(a),
              LocalDay(now,
                       tz.ok() ? *tz : options_.policy->default_time_zone()));
        }));
    resp->set_total_size(total);
    for (CooperationAgreement& a : out) *resp->add_agreements() = std::move(a);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementsService::UpdateCooperationAgreement(
    grpc::CallbackServerContext* ctx,
    const pv1::UpdateCooperationAgreementRequest* req,
    CooperationAgreement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<CooperationAgreement>(
            *ctx, "UpdateCooperationAgreement", *req, "agreement.name",
            kAgreementPattern, "agreement",
            [=](const rpc::Call&, const CooperationAgreement& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<CooperationAgreement> {
              KS_ASSIGN_OR_RETURN(
                  CooperationAgreement a,
                  domain::UpdateAgreement(current, req->agreement(),
                                          req->update_mask(), c));
              if (a.agreement_number() != current.agreement_number()) {
                ClaimNumber(batch, a);
                batch.Op(outbox::IndexOp::Del(
                    absl::StrCat("number:", current.regency_code(), ":",
                                 current.agreement_number())));
              }
              batch.Put(a, VersionOf(current));
              return a;
            },
            [=](Validator& v) {
              v.Required("update_mask",
                         req->has_update_mask() &&
                             req->update_mask().paths_size() > 0);
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::ActivateCooperationAgreement(
    grpc::CallbackServerContext* ctx,
    const pv1::ActivateCooperationAgreementRequest* req,
    CooperationAgreement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<CooperationAgreement>(
            *ctx, "ActivateCooperationAgreement", *req, "name",
            kAgreementPattern, "agreement",
            [=](const rpc::Call&, const CooperationAgreement& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<CooperationAgreement> {
              KS_ASSIGN_OR_RETURN(CooperationAgreement a,
                                  domain::Activate(current, c));
              const int64_t v = batch.Put(a, VersionOf(current));
              batch.Event(kAgreementType, a.name(), v, a.regency_code(),
                          domain::ActivatedEvent(a, *c.policy));
              return a;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::RecordAgreementEvaluation(
    grpc::CallbackServerContext* ctx,
    const pv1::RecordAgreementEvaluationRequest* req,
    CooperationAgreement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<CooperationAgreement>(
            *ctx, "RecordAgreementEvaluation", *req, "name", kAgreementPattern,
            "agreement",
            [=](const rpc::Call&, const CooperationAgreement& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<CooperationAgreement> {
              KS_ASSIGN_OR_RETURN(
                  CooperationAgreement a,
                  domain::RecordEvaluation(current, req->evaluation(), c));
              const int64_t v = batch.Put(a, VersionOf(current));
              pv1::CooperationAgreementEvaluated e;
              *e.mutable_evaluated_date() = req->evaluation().evaluated_date();
              e.set_continue_agreement(req->evaluation().continue_agreement());
              *e.mutable_next_evaluation_due_date() =
                  a.next_evaluation_due_date();
              batch.Event(kAgreementType, a.name(), v, a.regency_code(), e);
              return a;
            },
            [=](Validator& v) {
              v.Required("evaluation", req->has_evaluation());
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::TerminateCooperationAgreement(
    grpc::CallbackServerContext* ctx,
    const pv1::TerminateCooperationAgreementRequest* req,
    CooperationAgreement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<CooperationAgreement>(
            *ctx, "TerminateCooperationAgreement", *req, "name",
            kAgreementPattern, "agreement",
            [=](const rpc::Call&, const CooperationAgreement& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<CooperationAgreement> {
              KS_ASSIGN_OR_RETURN(CooperationAgreement a,
                                  domain::Terminate(current, c));
              if (req->has_terminated_date()) {
                *a.mutable_terminated_date() = req->terminated_date();
              }
              const int64_t v = batch.Put(a, VersionOf(current));
              batch.Event(kAgreementType, a.name(), v, a.regency_code(),
                          domain::EndedEvent(a));
              return a;
            },
            [=](Validator& v) {
              if (req->has_terminated_date()) {
                v.Date("terminated_date", req->terminated_date());
              }
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::RenewCooperationAgreement(
    grpc::CallbackServerContext* ctx,
    const pv1::RenewCooperationAgreementRequest* req,
    CooperationAgreement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<CooperationAgreement>(
            *ctx, "RenewCooperationAgreement", *req, "name", kAgreementPattern,
            "agreement",
            [=](const rpc::Call&, const CooperationAgreement& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<CooperationAgreement> {
              KS_ASSIGN_OR_RETURN(
                  auto pair,
                  domain::Renew(
                      current,
                      absl::StrCat("regencies/", current.regency_code(),
                                   "/agreements/", ids::NewId()),
                      req->agreement_number(), req->signed_date(),
                      req->expiry_date(), c));
              batch.Put(pair.first, VersionOf(current));
              batch.Create(pair.second, store::kAgreements,
                           pair.second.regency_code());
              ClaimNumber(batch, pair.second);
              return pair.second;
            },
            [=](Validator& v) {
              v.Name("agreement_number", req->agreement_number(), 100, true);
              v.Date("signed_date", req->signed_date());
              v.Date("expiry_date", req->expiry_date());
            }),
        resp);
  });
}

}  // namespace ks::placements
