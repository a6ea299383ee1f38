// The outreach event, joint evaluation and monitoring visit rpcs of
// PlacementsService (see placements_service.h).
#include "services/placements/domain/records.h"
#include "services/placements/service_impl.h"

namespace ks::placements {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
using pv1::JointEvaluation;
using pv1::MonitoringVisit;
using pv1::OutreachEvent;

constexpr char kOutreachPattern[] =
    "regencies/{regency}/outreachEvents/{outreach_event}";
constexpr char kJointPattern[] =
    "regencies/{regency}/agreements/{agreement}/jointEvaluations/"
    "{joint_evaluation}";
constexpr char kVisitPattern[] =
    "regencies/{regency}/sites/{site}/monitoringVisits/{monitoring_visit}";

}  // namespace

// ---------------------------------------------------------------------------
// Outreach events.

grpc::ServerUnaryReactor* PlacementsService::CreateOutreachEvent(
    grpc::CallbackServerContext* ctx,
    const pv1::CreateOutreachEventRequest* req, OutreachEvent* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        CreateOne<OutreachEvent>(
            *ctx, "CreateOutreachEvent", *req, kParentPattern,
            [=](const rpc::Call& call, const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<OutreachEvent> {
              const std::string regency = call.vars.at("regency");
              KS_ASSIGN_OR_RETURN(
                  OutreachEvent e,
                  domain::NewOutreachEvent(
                      req->outreach_event(),
                      absl::StrCat("regencies/", regency, "/outreachEvents/",
                                   ids::NewId()),
                      c));
              batch.Create(e, store::kOutreach, regency);
              return e;
            },
            [=](Validator& v) {
              v.Required("outreach_event", req->has_outreach_event());
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::GetOutreachEvent(
    grpc::CallbackServerContext* ctx, const pv1::GetOutreachEventRequest* req,
    OutreachEvent* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        ReadOne<OutreachEvent>(*ctx, "GetOutreachEvent", *req, kOutreachPattern,
                               "outreach event"),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::ListOutreachEvents(
    grpc::CallbackServerContext* ctx, const pv1::ListOutreachEventsRequest* req,
    pv1::ListOutreachEventsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    std::vector<OutreachEvent> out;
    KS_RETURN_IF_ERROR(ListOf<OutreachEvent>(
        *ctx, "ListOutreachEvents", *req, store::kOutreach, &out,
        resp->mutable_next_page_token(), nullptr));
    for (OutreachEvent& e : out) *resp->add_outreach_events() = std::move(e);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementsService::UpdateOutreachEvent(
    grpc::CallbackServerContext* ctx,
    const pv1::UpdateOutreachEventRequest* req, OutreachEvent* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<OutreachEvent>(
            *ctx, "UpdateOutreachEvent", *req, "outreach_event.name",
            kOutreachPattern, "outreach event",
            [=](const rpc::Call&, const OutreachEvent& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<OutreachEvent> {
              KS_ASSIGN_OR_RETURN(
                  OutreachEvent e,
                  domain::UpdateOutreachEvent(current, req->outreach_event(),
                                              req->update_mask(), c));
              batch.Put(e, VersionOf(current));
              return e;
            }),
        resp);
  });
}

// ---------------------------------------------------------------------------
// Joint evaluations.

grpc::ServerUnaryReactor* PlacementsService::CreateJointEvaluation(
    grpc::CallbackServerContext* ctx,
    const pv1::CreateJointEvaluationRequest* req, JointEvaluation* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        CreateOne<JointEvaluation>(
            *ctx, "CreateJointEvaluation", *req, kAgreementPattern,
            [=](const rpc::Call& call, const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<JointEvaluation> {
              KS_ASSIGN_OR_RETURN(pv1::CooperationAgreement agreement,
                                  store_.Get<pv1::CooperationAgreement>(
                                      call.resource, "agreement"));
              KS_ASSIGN_OR_RETURN(
                  pv1::ReportFigures figures,
                  AgreementFigures(agreement,
                                   req->joint_evaluation().period()));
              KS_ASSIGN_OR_RETURN(
                  JointEvaluation e,
                  domain::NewJointEvaluation(
                      req->joint_evaluation(),
                      absl::StrCat(call.resource, "/jointEvaluations/",
                                   ids::NewId()),
                      std::move(figures), c));
              batch.Put(e, 0);
              batch.IndexUnder(store::kJointEvaluations,
                               agreement.regency_code(), call.resource,
                               e.name());
              return e;
            },
            [=](Validator& v) {
              v.Required("joint_evaluation", req->has_joint_evaluation());
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::GetJointEvaluation(
    grpc::CallbackServerContext* ctx, const pv1::GetJointEvaluationRequest* req,
    JointEvaluation* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        ReadOne<JointEvaluation>(*ctx, "GetJointEvaluation", *req,
                                 kJointPattern, "joint evaluation"),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::ListJointEvaluations(
    grpc::CallbackServerContext* ctx,
    const pv1::ListJointEvaluationsRequest* req,
    pv1::ListJointEvaluationsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    std::vector<JointEvaluation> out;
    KS_RETURN_IF_ERROR(ListOf<JointEvaluation>(
        *ctx, "ListJointEvaluations", *req, store::kJointEvaluations, &out,
        resp->mutable_next_page_token(), nullptr, {}, {}, kAgreementPattern));
    for (JointEvaluation& e : out)
      *resp->add_joint_evaluations() = std::move(e);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementsService::UpdateJointEvaluation(
    grpc::CallbackServerContext* ctx,
    const pv1::UpdateJointEvaluationRequest* req, JointEvaluation* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<JointEvaluation>(
            *ctx, "UpdateJointEvaluation", *req, "joint_evaluation.name",
            kJointPattern, "joint evaluation",
            [=](const rpc::Call&, const JointEvaluation& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<JointEvaluation> {
              KS_ASSIGN_OR_RETURN(
                  JointEvaluation e,
                  domain::UpdateJointEvaluation(
                      current, req->joint_evaluation(), req->update_mask(), c));
              batch.Put(e, VersionOf(current));
              return e;
            }),
        resp);
  });
}

// ---------------------------------------------------------------------------
// Monitoring visits.

grpc::ServerUnaryReactor* PlacementsService::RecordMonitoringVisit(
    grpc::CallbackServerContext* ctx,
    const pv1::RecordMonitoringVisitRequest* req, MonitoringVisit* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        CreateOne<MonitoringVisit>(
            *ctx, "RecordMonitoringVisit", *req, kSitePattern,
            [=](const rpc::Call& call, const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<MonitoringVisit> {
              KS_ASSIGN_OR_RETURN(pv1::Site site,
                                  store_.Get<pv1::Site>(call.resource, "site"));
              KS_ASSIGN_OR_RETURN(
                  MonitoringVisit e,
                  domain::NewMonitoringVisit(
                      req->monitoring_visit(),
                      absl::StrCat(call.resource, "/monitoringVisits/",
                                   ids::NewId()),
                      c));
              batch.Put(e, 0);
              batch.IndexUnder(store::kVisits, site.regency_code(),
                               call.resource, e.name());
              return e;
            },
            [=](Validator& v) {
              v.Required("monitoring_visit", req->has_monitoring_visit());
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::GetMonitoringVisit(
    grpc::CallbackServerContext* ctx, const pv1::GetMonitoringVisitRequest* req,
    MonitoringVisit* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        ReadOne<MonitoringVisit>(*ctx, "GetMonitoringVisit", *req,
                                 kVisitPattern, "monitoring visit"),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::ListMonitoringVisits(
    grpc::CallbackServerContext* ctx,
    const pv1::ListMonitoringVisitsRequest* req,
    pv1::ListMonitoringVisitsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    std::vector<MonitoringVisit> out;
    KS_RETURN_IF_ERROR(ListOf<MonitoringVisit>(
        *ctx, "ListMonitoringVisits", *req, store::kVisits, &out,
        resp->mutable_next_page_token(), nullptr, {}, {}, kSitePattern));
    for (MonitoringVisit& e : out)
      *resp->add_monitoring_visits() = std::move(e);
    return absl::OkStatus();
  });
}

}  // namespace ks::placements
