// SupervisionService's assignment history and lists, AdjustHoursLedger, the
// site roll and the at-risk/overdue sweep (issue #10, part 1). Same shape as
// supervision_service.cc: the shared pipeline, the pure rules of domain/
// and one outbox step per change.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/access.h"
#include "common/ids/id.h"
#include "common/outbox/outbox.h"
#include "common/rpc/filter.h"
#include "common/rpc/page_token.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "services/supervision/domain/adjustment.h"
#include "services/supervision/domain/hours.h"
#include "services/supervision/domain/roll.h"
#include "services/supervision/handler_support.h"
#include "services/supervision/store/keys.h"
#include "services/supervision/supervision_service.h"

namespace ks::supervision {
namespace {

namespace sv1 = ::kerjasosial::supervision::v1;
namespace cv1 = ::kerjasosial::common::v1;
using support::EventOf;
using support::FromProto;
using support::kAssignmentPattern;
using support::kCasePattern;
using support::kLedgerPattern;
using support::kSitePattern;
using support::ToProto;
using support::VersionOfEtag;

constexpr char kSweepPrincipal[] = "supervision-sweep";

// The value an AIP-160 filter compares `field` to with "=", if it does.
std::optional<std::string> EqualityValue(absl::string_view filter,
                                         absl::string_view field) {
  absl::StatusOr<std::vector<rpc::filter::Comparison>> terms =
      rpc::filter::Parse(filter);
  if (!terms.ok()) return std::nullopt;
  for (const rpc::filter::Comparison& c : *terms) {
    if (c.field == field && c.op == rpc::filter::Op::kEq) return c.value.text;
  }
  return std::nullopt;
}

// "start_time desc" (default) or "start_time": whether to list newest first.
absl::StatusOr<bool> SessionsDescending(absl::string_view order_by) {
  if (order_by.empty() || order_by == "start_time desc") return true;
  if (order_by == "start_time") return false;
  return InvalidArgumentError(
      {{"order_by", "must be \"start_time desc\" or \"start_time\""}});
}

// The caseload member of an assignment in its PK's index (keys.h).
std::string CaseloadMember(const sv1::PkAssignment& a, absl::string_view id) {
  return absl::StrCat(a.case_name(), "|", id);
}

// The case id of a case name (validated when the record was written).
absl::StatusOr<std::pair<std::string, std::string>> CaseKeyOf(
    absl::string_view case_name) {
  KS_ASSIGN_OR_RETURN(auto vars, ParseResourceName(case_name, kCasePattern));
  return std::make_pair(vars.at("regency"), vars.at("case"));
}

}  // namespace

absl::StatusOr<std::vector<sv1::WorkSession>>
SupervisionService::LiveSessionsOf(const std::string& case_name) {
  KS_ASSIGN_OR_RETURN(std::vector<WorkSession> all,
                      hours_.SessionsOf(case_name));
  std::vector<WorkSession> live;
  for (WorkSession& s : all) {
    if (s.state() == sv1::WORK_SESSION_STATE_RECORDED) {
      live.push_back(std::move(s));
    }
  }
  return live;
}

auth::RelationFacts SupervisionService::AssignmentFacts(const PkAssignment& a) {
  auth::RelationFacts facts;
  facts.assigned_pk = a.pk_principal_id();
  facts.case_regency = support::RegencyOf(a.case_name(), kCasePattern);
  return facts;
}

// ---------------------------------------------------------------------------
// Assignments: list, reassign, end.

grpc::ServerUnaryReactor* SupervisionService::ListPkAssignments(
    grpc::CallbackServerContext* ctx, const sv1::ListPkAssignmentsRequest* req,
    sv1::ListPkAssignmentsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto q, support::BeginList<PkAssignment>(
                    pipeline_, *ctx, "ListPkAssignments", *req, req->parent(),
                    req->filter(), "", req->page_token(), req->page_size(),
                    {"state", "case_name", "pk_principal_id",
                     "bapas_office_code", "kind"},
                    50, 500, &AssignmentFacts));
    KS_ASSIGN_OR_RETURN(
        auto page,
        lists_.Page<PkAssignment>(
            store::RegencyAssignmentsIndex(q.call.vars.at("regency")), "asg",
            q.after, q.page_size, /*descending=*/true, q.predicate));
    for (PkAssignment& a : page.items) {
      *resp->add_pk_assignments() = std::move(a);
    }
    resp->set_next_page_token(support::NextPageToken(q.hash, page.next_after));
    resp->set_total_size(static_cast<int32_t>(page.total_size));
    // The caseload is exact from the PK's own index, whatever the page.
    if (std::optional<std::string> pk =
            EqualityValue(req->filter(), "pk_principal_id")) {
      KS_ASSIGN_OR_RETURN(int64_t n, lists_.Caseload(*pk));
      resp->set_pk_caseload(static_cast<int32_t>(n));
    }
    return absl::OkStatus();
  });
}

rpc::MutationSteps<sv1::PkAssignment> SupervisionService::ActiveAssignmentSteps(
    AssignmentPlan plan) {
  rpc::MutationSteps<PkAssignment> steps;
  steps.load = [this](const rpc::Call& call) {
    return hours_.GetAssignment(call.vars.at("regency"),
                                call.vars.at("pk_assignment"));
  };
  steps.version = [](const PkAssignment& a) { return VersionOfEtag(a.etag()); };
  steps.plan = [this, plan = std::move(plan)](const rpc::Call& call,
                                              const PkAssignment* current)
      -> absl::StatusOr<rpc::Plan<PkAssignment>> {
    if (current->state() != sv1::ASSIGNMENT_STATE_ACTIVE) {
      return FailedPreconditionError("the assignment is not ACTIVE",
                                     "ASSIGNMENT_STATE", current->name(),
                                     "ASSIGNMENT_NOT_ACTIVE");
    }
    KS_ASSIGN_OR_RETURN(auto case_key, CaseKeyOf(current->case_name()));
    KS_ASSIGN_OR_RETURN(HoursLedger ledger,
                        hours_.GetLedger(case_key.first, case_key.second));
    return plan(call, *current, std::move(ledger));
  };
  return steps;
}

absl::StatusOr<sv1::PkAssignment> SupervisionService::DoReassign(
    grpc::CallbackServerContext& ctx, const sv1::ReassignPkRequest& req) {
  const rpc::MutationSteps<PkAssignment> steps = ActiveAssignmentSteps(
      [&](const rpc::Call& call, const PkAssignment& a,
          HoursLedger ledger) -> absl::StatusOr<rpc::Plan<PkAssignment>> {
        const PkAssignment* current = &a;
        if (req.pk_principal_id() == current->pk_principal_id()) {
          return InvalidArgumentError(
              {{"pk_principal_id", "is already the assignment's PK"}});
        }
        const std::string regency = call.vars.at("regency");
        const std::string old_id = call.vars.at("pk_assignment");
        KS_ASSIGN_OR_RETURN(auto case_key, CaseKeyOf(current->case_name()));
        const int64_t version = VersionOfEtag(current->etag());
        const int64_t ledger_version = VersionOfEtag(ledger.etag());

        const std::string id = ids::NewId();
        PkAssignment next = *current;
        next.set_name(
            absl::StrCat("regencies/", regency, "/pkAssignments/", id));
        next.set_pk_principal_id(req.pk_principal_id());
        next.add_previous_pk_principal_ids(current->pk_principal_id());
        next.set_reassigned_from(current->name());
        next.clear_reassigned_to();
        *next.mutable_start_time() = ToProto(call.now);
        *next.mutable_create_time() = ToProto(call.now);
        *next.mutable_update_time() = ToProto(call.now);
        next.set_etag(outbox::Etag(1));

        PkAssignment old = *current;
        old.set_state(sv1::ASSIGNMENT_STATE_ENDED);
        old.set_end_reason(sv1::ASSIGNMENT_END_REASON_REASSIGNED);
        *old.mutable_end_time() = ToProto(call.now);
        old.set_reassigned_to(next.name());
        *old.mutable_update_time() = ToProto(call.now);
        old.set_etag(outbox::Etag(version + 1));

        ledger.set_pk_principal_id(req.pk_principal_id());
        *ledger.mutable_update_time() = ToProto(call.now);
        ledger.set_etag(outbox::Etag(ledger_version + 1));

        rpc::Plan<PkAssignment> plan;
        plan.txn.records.emplace_back(store::AssignmentKey(regency, old_id),
                                      version, old.SerializeAsString());
        plan.txn.records.emplace_back(store::AssignmentKey(regency, id), 0,
                                      next.SerializeAsString());
        plan.txn.records.emplace_back(
            store::LedgerKey(case_key.first, case_key.second), ledger_version,
            ledger.SerializeAsString());
        plan.txn.index_ops.push_back(outbox::IndexOp::ZAdd(
            store::CaseAssignmentsIndex(current->case_name()), 0,
            store::HoursStore::AssignmentMember(next, regency, id)));
        plan.txn.index_ops.push_back(
            outbox::IndexOp::ZRem(store::PkCaseloadIndex(old.pk_principal_id()),
                                  CaseloadMember(old, old_id)));
        plan.txn.index_ops.push_back(outbox::IndexOp::ZAdd(
            store::PkCaseloadIndex(next.pk_principal_id()), 0,
            CaseloadMember(next, id)));
        store::ListStore::IndexAssignment(plan.txn, next, regency, id);
        sv1::PkReassigned ev;
        ev.set_case_name(next.case_name());
        ev.set_bapas_office_code(next.bapas_office_code());
        ev.set_pk_principal_id(next.pk_principal_id());
        ev.set_previous_pk_principal_id(old.pk_principal_id());
        ev.set_kind(next.kind());
        plan.txn.events.push_back(EventOf("ledger", ledger.name(),
                                          ledger_version + 1, case_key.first,
                                          call.now, ev));
        plan.txn.response = next.SerializeAsString();
        plan.audit_resource = current->name();
        return plan;
      });
  rpc::Envelope envelope("name", kAssignmentPattern, false, [&](Validator& v) {
    v.RequiredString("pk_principal_id", req.pk_principal_id());
    v.RequiredString("etag", req.etag());
  });
  // The step also writes the ledger: a session recorded meanwhile makes it
  // ABORTED, and it is recomputed (a stale client etag stays ABORTED).
  return WithRetry<PkAssignment>([&] {
    return pipeline_.Mutate(ctx, "ReassignPk", req, envelope, steps);
  });
}

grpc::ServerUnaryReactor* SupervisionService::ReassignPk(
    grpc::CallbackServerContext* ctx, const sv1::ReassignPkRequest* req,
    sv1::PkAssignment* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoReassign(*ctx, *req), resp); });
}

absl::StatusOr<sv1::PkAssignment> SupervisionService::DoEndAssignment(
    grpc::CallbackServerContext& ctx, const sv1::EndPkAssignmentRequest& req) {
  const rpc::MutationSteps<PkAssignment> steps = ActiveAssignmentSteps(
      [&](const rpc::Call& call, const PkAssignment& a,
          HoursLedger ledger) -> absl::StatusOr<rpc::Plan<PkAssignment>> {
        const PkAssignment* current = &a;
        const std::string regency = call.vars.at("regency");
        const std::string id = call.vars.at("pk_assignment");
        KS_ASSIGN_OR_RETURN(auto case_key, CaseKeyOf(current->case_name()));
        const int64_t version = VersionOfEtag(current->etag());
        const int64_t ledger_version = VersionOfEtag(ledger.etag());
        PkAssignment ended = *current;
        ended.set_state(sv1::ASSIGNMENT_STATE_ENDED);
        ended.set_end_reason(req.end_reason());
        *ended.mutable_end_time() = ToProto(call.now);
        *ended.mutable_update_time() = ToProto(call.now);
        ended.set_etag(outbox::Etag(version + 1));
        // No PK until the next CreatePkAssignment, which that check admits.
        ledger.clear_pk_principal_id();
        *ledger.mutable_update_time() = ToProto(call.now);
        ledger.set_etag(outbox::Etag(ledger_version + 1));

        rpc::Plan<PkAssignment> plan;
        plan.txn.records.emplace_back(store::AssignmentKey(regency, id),
                                      version, ended.SerializeAsString());
        plan.txn.records.emplace_back(
            store::LedgerKey(case_key.first, case_key.second), ledger_version,
            ledger.SerializeAsString());
        plan.txn.index_ops.push_back(outbox::IndexOp::ZRem(
            store::PkCaseloadIndex(ended.pk_principal_id()),
            CaseloadMember(ended, id)));
        sv1::PkAssignmentEnded ev;
        ev.set_case_name(ended.case_name());
        ev.set_end_reason(ended.end_reason());
        ev.set_bapas_office_code(ended.bapas_office_code());
        ev.set_pk_principal_id(ended.pk_principal_id());
        ev.set_kind(ended.kind());
        plan.txn.events.push_back(EventOf("ledger", ledger.name(),
                                          ledger_version + 1, case_key.first,
                                          call.now, ev));
        plan.txn.response = ended.SerializeAsString();
        return plan;
      });
  rpc::Envelope envelope("name", kAssignmentPattern, false, [&](Validator& v) {
    if (req.end_reason() == sv1::ASSIGNMENT_END_REASON_UNSPECIFIED) {
      v.AddViolation("end_reason", "is required");
    } else if (req.end_reason() == sv1::ASSIGNMENT_END_REASON_REASSIGNED) {
      v.AddViolation("end_reason", "REASSIGNED is set by ReassignPk");
    }
    v.RequiredString("etag", req.etag());
  });
  return WithRetry<PkAssignment>([&] {
    return pipeline_.Mutate(ctx, "EndPkAssignment", req, envelope, steps);
  });
}

grpc::ServerUnaryReactor* SupervisionService::EndPkAssignment(
    grpc::CallbackServerContext* ctx, const sv1::EndPkAssignmentRequest* req,
    sv1::PkAssignment* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoEndAssignment(*ctx, *req), resp); });
}

// ---------------------------------------------------------------------------
// Lists of sessions and ledgers.

grpc::ServerUnaryReactor* SupervisionService::ListWorkSessions(
    grpc::CallbackServerContext* ctx, const sv1::ListWorkSessionsRequest* req,
    sv1::ListWorkSessionsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    // The session's own site decides SITE_STAFF and PLACEMENT_REGENCY, as
    // in GetWorkSession.
    auto facts = [this](const WorkSession& s) {
      absl::StatusOr<std::pair<std::string, std::string>> key =
          CaseKeyOf(s.case_name());
      if (!key.ok()) return auth::RelationFacts{};
      absl::StatusOr<HoursLedger> ledger =
          hours_.GetLedger(key->first, key->second);
      if (!ledger.ok()) return auth::RelationFacts{};
      auth::RelationFacts f = FactsOf(*ledger);
      f.placement_regency = support::RegencyOf(s.site(), kSitePattern);
      absl::StatusOr<store::SiteView> site = read_model_.GetSite(s.site());
      f.site_staff =
          site.ok() ? site->staff_principal_ids : std::vector<std::string>();
      return f;
    };
    KS_ASSIGN_OR_RETURN(
        auto q,
        support::BeginList<WorkSession>(
            pipeline_, *ctx, "ListWorkSessions", *req, req->parent(),
            req->filter(), req->order_by(), req->page_token(), req->page_size(),
            {"case_name", "placement", "site", "outcome", "state", "start_time",
             "group_session"},
            100, 1000, facts));
    KS_ASSIGN_OR_RETURN(const bool descending,
                        SessionsDescending(req->order_by()));
    // One case's sessions come from its own index (every session it ever
    // had); otherwise the regency's.
    const std::optional<std::string> one_case =
        EqualityValue(req->filter(), "case_name");
    const std::string index =
        one_case ? store::CaseSessionsIndex(*one_case)
                 : store::RegencySessionsIndex(q.call.vars.at("regency"));
    KS_ASSIGN_OR_RETURN(
        auto page, lists_.Page<WorkSession>(index, "ws", q.after, q.page_size,
                                            descending, q.predicate));
    for (WorkSession& s : page.items) *resp->add_work_sessions() = std::move(s);
    resp->set_next_page_token(support::NextPageToken(q.hash, page.next_after));
    resp->set_total_size(static_cast<int32_t>(page.total_size));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SupervisionService::ListHoursLedgers(
    grpc::CallbackServerContext* ctx, const sv1::ListHoursLedgersRequest* req,
    sv1::ListHoursLedgersResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto q,
        support::BeginList<HoursLedger>(
            pipeline_, *ctx, "ListHoursLedgers", *req, req->parent(),
            req->filter(), req->order_by(), req->page_token(), req->page_size(),
            {"state", "kind", "at_risk", "overdue", "deadline_time",
             "pk_principal_id", "bapas_office_code", "placement", "site"},
            50, 500, [this](const HoursLedger& l) { return FactsOf(l); }));
    // The index orders ledgers by creation; ordering by deadline or owed
    // minutes needs an index kept on every credit change (not built).
    if (!req->order_by().empty()) {
      return InvalidArgumentError(
          {{"order_by",
            "is not supported yet: ledgers are listed newest first"}});
    }
    KS_ASSIGN_OR_RETURN(
        auto page,
        lists_.Page<HoursLedger>(
            store::RegencyLedgersIndex(q.call.vars.at("regency")), "led",
            q.after, q.page_size, /*descending=*/true, q.predicate));
    for (HoursLedger& l : page.items) {
      l.clear_days();
      *resp->add_ledgers() = std::move(l);
    }
    resp->set_next_page_token(support::NextPageToken(q.hash, page.next_after));
    resp->set_total_size(static_cast<int32_t>(page.total_size));
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------
// Adjustments.

absl::StatusOr<sv1::HoursLedger> SupervisionService::DoAdjust(
    grpc::CallbackServerContext& ctx,
    const sv1::AdjustHoursLedgerRequest& req) {
  rpc::MutationSteps<HoursLedger> steps;
  steps.load = [this](const rpc::Call& call) {
    return hours_.GetLedger(call.vars.at("regency"), call.vars.at("ledger"));
  };
  steps.version = [](const HoursLedger& l) { return VersionOfEtag(l.etag()); };
  steps.plan = [&](const rpc::Call& call, const HoursLedger* current)
      -> absl::StatusOr<rpc::Plan<HoursLedger>> {
    rpc::Plan<HoursLedger> plan;
    if (domain::Applied(*current, req.source_id())) {
      // Applied once per source id: a redelivery changes nothing.
      plan.dry_run = *current;
      return plan;
    }
    const std::string regency = call.vars.at("regency");
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(current->time_zone(), &zone)) {
      return absl::InternalError("the ledger's zone is unknown");
    }
    const cv1::PolicyVersion& policy = options_.policy.At(call.now, zone);
    KS_ASSIGN_OR_RETURN(HoursLedger adjusted,
                        domain::Apply(*current, req, call.now, zone, policy));
    KS_ASSIGN_OR_RETURN(std::vector<WorkSession> live,
                        LiveSessionsOf(current->case_name()));
    domain::HoursResult r;
    if (adjusted.state() == sv1::LEDGER_STATE_CLOSED) {
      // Frozen as it stands: no re-allocation, no completion step.
      r.ledger = adjusted;
      r.ledger_expected_version = VersionOfEtag(current->etag());
      r.ledger.set_etag(outbox::Etag(r.ledger_expected_version + 1));
      *r.ledger.mutable_update_time() = ToProto(call.now);
    } else {
      const domain::HoursContext hctx =
          ContextFor(call, policy, read_model_.GetCase(current->case_name()));
      KS_ASSIGN_OR_RETURN(r, domain::Recompute(hctx, adjusted, live));
    }
    std::vector<cv1::Event> risk_events;
    KS_RETURN_IF_ERROR(
        UpdateRiskFlags(call, *current, r.ledger, live, regency, &risk_events));
    const int64_t version = r.ledger_expected_version + 1;
    plan.txn.records.emplace_back(
        store::LedgerKey(regency, call.vars.at("ledger")),
        r.ledger_expected_version, r.ledger.SerializeAsString());
    KS_RETURN_IF_ERROR(support::AddSessionWrites(r, plan.txn));
    const sv1::LedgerSnapshot snapshot = domain::SnapshotOf(r.ledger);
    sv1::LedgerAdjusted adjusted_event;
    *adjusted_event.mutable_adjustment() =
        r.ledger.adjustments(r.ledger.adjustments_size() - 1);
    *adjusted_event.mutable_ledger() = snapshot;
    plan.txn.events.push_back(EventOf("ledger", r.ledger.name(), version,
                                      regency, call.now, adjusted_event));
    // Completion is announced by the step that reaches the target, once
    // (the ledger's state is committed with the event). Its withdrawal is
    // the snapshot above going from COMPLETED to OPEN, as after a void.
    if (r.completion == domain::CompletionStep::kReached) {
      sv1::CompletionReached reached;
      *reached.mutable_reached_time() = r.ledger.completion_time();
      *reached.mutable_ledger() = snapshot;
      plan.txn.events.push_back(EventOf("ledger", r.ledger.name(), version,
                                        regency, call.now, reached));
    }
    for (cv1::Event& e : risk_events) plan.txn.events.push_back(std::move(e));
    plan.txn.response = r.ledger.SerializeAsString();
    return plan;
  };
  rpc::Envelope envelope("name", kLedgerPattern, false, [&](Validator& v) {
    domain::CheckAdjustment(req, v);
  });
  envelope.etag_optional = true;
  return pipeline_.Mutate(ctx, "AdjustHoursLedger", req, envelope, steps);
}

grpc::ServerUnaryReactor* SupervisionService::AdjustHoursLedger(
    grpc::CallbackServerContext* ctx, const sv1::AdjustHoursLedgerRequest* req,
    sv1::HoursLedger* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoAdjust(*ctx, *req), resp); });
}

// ---------------------------------------------------------------------------
// The site roll.

absl::Status SupervisionService::DoListSiteRoll(
    grpc::CallbackServerContext& ctx, const sv1::ListSiteRollRequest& req,
    sv1::ListSiteRollResponse* resp) {
  int page_size = 200;
  KS_ASSIGN_OR_RETURN(
      rpc::Call call,
      pipeline_.Begin(
          ctx, "ListSiteRoll", req,
          rpc::Envelope("site", kSitePattern, false, [&](Validator& v) {
            if (req.has_date()) {
              v.Date("date", req.date());
            }
            const int size = v.PageSize("page_size", req.page_size(), 1000);
            if (req.page_size() != 0) {
              page_size = size;
            }
          })));
  KS_ASSIGN_OR_RETURN(store::SiteView site, read_model_.GetSite(req.site()));
  if (call.access.needs_relation()) {
    auth::RelationFacts facts;
    facts.site_staff = site.staff_principal_ids;
    KS_RETURN_IF_ERROR(
        auth::CheckRelations(call.principal, call.access, facts));
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(site.time_zone, &zone)) {
    zone = options_.policy.default_time_zone();
  }
  absl::CivilDay day = LocalDay(call.now, zone);
  if (req.has_date()) {
    KS_ASSIGN_OR_RETURN(day, CivilDayFromDate(req.date(), "date"));
  }
  const std::string hash =
      rpc::QueryHash({"ListSiteRoll", req.site(), absl::FormatCivilTime(day)});
  KS_ASSIGN_OR_RETURN(int64_t offset,
                      rpc::DecodeIntPageToken(req.page_token(), "roll", hash));
  KS_ASSIGN_OR_RETURN(std::vector<std::string> placements,
                      read_model_.PlacementsAt(req.site()));
  std::vector<sv1::SiteRollEntry> roll;
  for (const std::string& name : placements) {
    KS_ASSIGN_OR_RETURN(store::PlacementView p, read_model_.GetPlacement(name));
    if (p.facts.site() != req.site() ||
        !domain::ExpectedOn(p.facts, p.active, day, zone)) {
      continue;
    }
    // The name comes from the person summary of the case's latest
    // assignment; a case supervision was never assigned has none here.
    KS_ASSIGN_OR_RETURN(std::vector<PkAssignment> history,
                        hours_.AssignmentsOf(p.facts.case_name()));
    if (history.empty()) continue;
    sv1::SiteRollEntry e;
    e.set_case_name(p.facts.case_name());
    e.set_placement(name);
    e.set_full_name(history.back().person().full_name());
    e.set_kind(p.facts.kind());
    roll.push_back(std::move(e));
  }
  for (int64_t i = offset;
       i < static_cast<int64_t>(roll.size()) && i < offset + page_size; ++i) {
    *resp->add_entries() = std::move(roll[i]);
  }
  if (offset + page_size < static_cast<int64_t>(roll.size())) {
    resp->set_next_page_token(
        rpc::EncodePageToken("roll", hash, absl::StrCat(offset + page_size)));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* SupervisionService::ListSiteRoll(
    grpc::CallbackServerContext* ctx, const sv1::ListSiteRollRequest* req,
    sv1::ListSiteRollResponse* resp) {
  return pipeline_.Unary(ctx, [=] { return DoListSiteRoll(*ctx, *req, resp); });
}

// ---------------------------------------------------------------------------
// The at-risk/overdue sweep.

absl::StatusOr<bool> SupervisionService::SweepLedger(const HoursLedger& ledger,
                                                     absl::Time now) {
  KS_ASSIGN_OR_RETURN(auto vars,
                      ParseResourceName(ledger.name(), kLedgerPattern));
  const std::string regency = vars.at("regency");
  rpc::Call call;
  call.now = now;
  call.principal.id = kSweepPrincipal;
  KS_ASSIGN_OR_RETURN(std::vector<WorkSession> live,
                      LiveSessionsOf(ledger.case_name()));
  const int64_t version = VersionOfEtag(ledger.etag());
  HoursLedger after = ledger;
  after.set_etag(outbox::Etag(version + 1));
  if (after.has_deadline_time()) {
    after.set_overdue(after.owed_minutes() > 0 &&
                      now >= FromProto(after.deadline_time()));
  }
  std::vector<cv1::Event> events;
  KS_RETURN_IF_ERROR(
      UpdateRiskFlags(call, ledger, after, live, regency, &events));
  if (after.at_risk() == ledger.at_risk() &&
      after.overdue() == ledger.overdue()) {
    return false;
  }
  *after.mutable_update_time() = ToProto(now);
  outbox::Transaction txn;
  txn.records.emplace_back(store::LedgerKey(regency, vars.at("ledger")),
                           version, after.SerializeAsString());
  txn.events = std::move(events);
  txn.audit = SweepAudit("sweep:ledger_risk", ledger.name(), now);
  absl::Status st = runtime_.outbox().Commit(txn).status();
  // A concurrent change committed first; it recomputed the flags itself,
  // and the next sweep re-reads the ledger.
  if (absl::IsAborted(st)) return false;
  KS_RETURN_IF_ERROR(st);
  return true;
}

audit::Record SupervisionService::SweepAudit(absl::string_view method,
                                             const std::string& resource_name,
                                             absl::Time now) {
  audit::Record record;
  record.principal_id = kSweepPrincipal;
  record.role = "SYSTEM";
  record.method = std::string(method);
  record.resource_name = resource_name;
  record.time = now;
  return record;
}

absl::StatusOr<int> SupervisionService::SweepRisk() {
  const absl::Time now = options_.clock->Now();
  int changed = 0;
  std::string after;
  while (true) {
    KS_ASSIGN_OR_RETURN(auto page,
                        lists_.Page<HoursLedger>(
                            store::RegencyLedgersIndex("-"), "led", after, 200,
                            /*descending=*/false, [](const HoursLedger& l) {
                              return l.state() == sv1::LEDGER_STATE_OPEN;
                            }));
    for (const HoursLedger& l : page.items) {
      KS_ASSIGN_OR_RETURN(const bool c, SweepLedger(l, now));
      if (c) ++changed;
    }
    if (page.next_after.empty()) break;
    after = page.next_after;
  }
  return changed;
}

}  // namespace ks::supervision
