// SupervisionService's Litmas rpcs (issue #10, part 1): create, read, list,
// update by field mask, submit (immutable after; LitmasSubmitted). The rules
// are domain/litmas.h's; the records use programs' generic Table layout
// ("pg:lit:*", store/keys.h). A Litmas is this service's personal data: the
// access options mark these rpcs personal_data, and its event carries no
// more than the case's name, the purpose and the recommendation.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth/access.h"
#include "common/ids/id.h"
#include "common/outbox/outbox.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/validation/validator.h"
#include "services/supervision/domain/litmas.h"
#include "services/supervision/handler_support.h"
#include "services/supervision/supervision_service.h"

namespace ks::supervision {
namespace {

namespace sv1 = ::kerjasosial::supervision::v1;
namespace cv1 = ::kerjasosial::common::v1;
using programs::store::Key;
using support::kCasePattern;
using support::kLitmasPattern;
using support::VersionOfEtag;

Key LitmasKeyOf(const rpc::Call& call) {
  return Key{call.vars.at("regency"), call.vars.at("litmas_report")};
}

}  // namespace

auth::RelationFacts SupervisionService::LitmasFacts(
    const sv1::LitmasReport& l) {
  auth::RelationFacts facts;
  facts.assigned_pk = l.pk_principal_id();
  if (!l.case_name().empty()) {
    facts.case_regency = support::RegencyOf(l.case_name(), kCasePattern);
  }
  return facts;
}

absl::Status SupervisionService::CheckLitmasRequirement(
    const kerjasosial::cases::v1::CaseForExecution& c, absl::Time now) {
  const cv1::PolicyVersion& policy =
      options_.policy.At(now, options_.policy.default_time_zone());
  std::optional<sv1::LitmasReport> local;
  if (!c.litmas().litmas().empty()) {
    absl::StatusOr<std::map<std::string, std::string>> vars =
        ParseResourceName(c.litmas().litmas(), kLitmasPattern);
    if (vars.ok()) {
      absl::StatusOr<sv1::LitmasReport> l =
          litmas_.Get(Key{vars->at("regency"), vars->at("litmas_report")});
      if (l.ok()) {
        local = *std::move(l);
      } else if (!absl::IsNotFound(l.status())) {
        return l.status();
      }
    }
  }
  return domain::RequireLitmas(c.kind(), policy, c.litmas(),
                               local ? &*local : nullptr, c.name());
}

rpc::MutationSteps<sv1::LitmasReport> SupervisionService::LitmasSteps() {
  rpc::MutationSteps<sv1::LitmasReport> steps;
  steps.load = [this](const rpc::Call& call) {
    return litmas_.Get(LitmasKeyOf(call));
  };
  steps.facts = &LitmasFacts;
  steps.version = [](const sv1::LitmasReport& l) {
    return VersionOfEtag(l.etag());
  };
  return steps;
}

grpc::ServerUnaryReactor* SupervisionService::CreateLitmasReport(
    grpc::CallbackServerContext* ctx, const sv1::CreateLitmasReportRequest* req,
    sv1::LitmasReport* resp) {
  return pipeline_.Unary(ctx, [=] {
    const sv1::LitmasReport& in = req->litmas_report();
    rpc::MutationSteps<sv1::LitmasReport> steps;
    steps.plan = [&](const rpc::Call& call, const sv1::LitmasReport*)
        -> absl::StatusOr<rpc::Plan<sv1::LitmasReport>> {
      if (call.access.needs_relation()) {
        // A PK outside the regency may open a Litmas only for a case
        // assigned to it: the relation comes from the case's ledger, never
        // from the PK the request names.
        auth::RelationFacts facts;
        absl::StatusOr<std::map<std::string, std::string>> vars =
            ParseResourceName(in.case_name(), kCasePattern);
        if (vars.ok()) {
          absl::StatusOr<HoursLedger> ledger =
              hours_.GetLedger(vars->at("regency"), vars->at("case"));
          if (ledger.ok()) facts = FactsOf(*ledger);
        }
        KS_RETURN_IF_ERROR(
            auth::CheckRelations(call.principal, call.access, facts));
      }
      const Key key{call.vars.at("regency"), ids::NewId()};
      rpc::Plan<sv1::LitmasReport> plan;
      litmas_.Put(plan.txn, key, 0,
                  domain::NewLitmas(in, litmas_.Name(key), call.now));
      plan.audit_resource = litmas_.Name(key);
      return plan;
    };
    rpc::Envelope envelope(
        "parent", support::kParent, false, [&](Validator& v) {
          if (!v.Required("litmas_report", req->has_litmas_report())) return;
          domain::CheckLitmasFields(in, "litmas_report.", v);
        });
    return rpc::Answer(
        pipeline_.Mutate(*ctx, "CreateLitmasReport", *req, envelope, steps),
        resp);
  });
}

grpc::ServerUnaryReactor* SupervisionService::GetLitmasReport(
    grpc::CallbackServerContext* ctx, const sv1::GetLitmasReportRequest* req,
    sv1::LitmasReport* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(rpc::Call call,
                        pipeline_.Begin(*ctx, "GetLitmasReport", *req,
                                        rpc::Envelope("name", kLitmasPattern)));
    KS_ASSIGN_OR_RETURN(sv1::LitmasReport l, litmas_.Get(LitmasKeyOf(call)));
    if (call.access.needs_relation()) {
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, LitmasFacts(l)));
    }
    *resp = std::move(l);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SupervisionService::ListLitmasReports(
    grpc::CallbackServerContext* ctx, const sv1::ListLitmasReportsRequest* req,
    sv1::ListLitmasReportsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto q, support::BeginList<sv1::LitmasReport>(
                    pipeline_, *ctx, "ListLitmasReports", *req, req->parent(),
                    req->filter(), "", req->page_token(), req->page_size(),
                    {"state", "purpose", "case_name", "pk_principal_id"}, 50,
                    500, &LitmasFacts));
    KS_ASSIGN_OR_RETURN(
        auto page, litmas_.List(q.call.vars.at("regency"), q.after, q.page_size,
                                q.predicate));
    for (sv1::LitmasReport& l : page.items) {
      *resp->add_litmas_reports() = std::move(l);
    }
    resp->set_next_page_token(support::NextPageToken(q.hash, page.next_after));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SupervisionService::UpdateLitmasReport(
    grpc::CallbackServerContext* ctx, const sv1::UpdateLitmasReportRequest* req,
    sv1::LitmasReport* resp) {
  return pipeline_.Unary(ctx, [=] {
    rpc::MutationSteps<sv1::LitmasReport> steps = LitmasSteps();
    steps.plan = [&](const rpc::Call& call, const sv1::LitmasReport* current)
        -> absl::StatusOr<rpc::Plan<sv1::LitmasReport>> {
      KS_ASSIGN_OR_RETURN(sv1::LitmasReport next,
                          domain::UpdateLitmas(*current, req->litmas_report(),
                                               req->update_mask(), call.now));
      rpc::Plan<sv1::LitmasReport> plan;
      litmas_.Put(plan.txn, LitmasKeyOf(call), VersionOfEtag(current->etag()),
                  std::move(next));
      return plan;
    };
    rpc::Envelope envelope("litmas_report.name", kLitmasPattern, false,
                           [&](Validator& v) {
                             v.Required("update_mask", req->has_update_mask());
                             v.RequiredString("etag", req->etag());
                           });
    return rpc::Answer(
        pipeline_.Mutate(*ctx, "UpdateLitmasReport", *req, envelope, steps),
        resp);
  });
}

grpc::ServerUnaryReactor* SupervisionService::SubmitLitmasReport(
    grpc::CallbackServerContext* ctx, const sv1::SubmitLitmasReportRequest* req,
    sv1::LitmasReport* resp) {
  return pipeline_.Unary(ctx, [=] {
    rpc::MutationSteps<sv1::LitmasReport> steps = LitmasSteps();
    steps.plan = [&](const rpc::Call& call, const sv1::LitmasReport* current)
        -> absl::StatusOr<rpc::Plan<sv1::LitmasReport>> {
      KS_ASSIGN_OR_RETURN(
          sv1::LitmasReport next,
          domain::SubmitLitmas(*current, req->submitted_date(), call.now));
      const int64_t version = VersionOfEtag(current->etag());
      sv1::LitmasSubmitted ev;
      ev.set_case_name(next.case_name());
      ev.set_purpose(next.purpose());
      ev.set_recommendation(next.recommendation());
      rpc::Plan<sv1::LitmasReport> plan;
      plan.txn.events.push_back(
          support::EventOf("litmas", next.name(), version + 1,
                           call.vars.at("regency"), call.now, ev));
      litmas_.Put(plan.txn, LitmasKeyOf(call), version, std::move(next));
      return plan;
    };
    rpc::Envelope envelope("name", kLitmasPattern, false, [&](Validator& v) {
      if (v.Required("submitted_date", req->has_submitted_date())) {
        v.Date("submitted_date", req->submitted_date());
      }
      v.RequiredString("etag", req->etag());
    });
    return rpc::Answer(
        pipeline_.Mutate(*ctx, "SubmitLitmasReport", *req, envelope, steps),
        resp);
  });
}

}  // namespace ks::supervision
