#include "services/supervision/supervision_service.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/access.h"
#include "common/ids/id.h"
#include "common/outbox/outbox.h"
#include "common/regions/regions.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "google/protobuf/util/time_util.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "services/supervision/domain/adjustment.h"
#include "services/supervision/domain/conduct.h"
#include "services/supervision/domain/hours.h"
#include "services/supervision/domain/planner.h"
#include "services/supervision/domain/session_rules.h"
#include "services/supervision/handler_support.h"
#include "services/supervision/programs/part1_facts.h"
#include "services/supervision/store/keys.h"

namespace ks::supervision {
namespace {

namespace sv1 = ::kerjasosial::supervision::v1;
namespace cv1 = ::kerjasosial::common::v1;
namespace casesv1 = ::kerjasosial::cases::v1;

constexpr char kService[] = "kerjasosial.supervision.v1.Supervision";
using support::ActorOf;
using support::AddSessionWrites;
using support::EventOf;
using support::FromProto;
using support::kAssignmentPattern;
using support::kCasePattern;
using support::kLedgerPattern;
using support::kParent;
using support::kPlacementPattern;
using support::kSessionPattern;
using support::RegencyOf;
using support::ToProto;
using support::VersionOfEtag;

// Whether an outcome is enforceable unless the recorder says otherwise.
bool DefaultEnforceable(sv1::AttendanceOutcome o) {
  return o == sv1::ATTENDANCE_OUTCOME_FAILED_TO_COMPLY ||
         o == sv1::ATTENDANCE_OUTCOME_SENT_HOME ||
         o == sv1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE;
}

// Part 2's options: the same policy, clock and executor, and part 1's
// facts (programs/part1_facts.h).
programs::ProgramsOptions ProgramsOptionsOf(
    const SupervisionServiceOptions& options, store::HoursStore& hours,
    store::ReadModel& read_model) {
  programs::ProgramsOptions out(options.policy);
  out.clock = options.clock;
  out.executor = options.executor;
  out.case_facts = programs::CaseFactsFrom(hours);
  out.case_sessions = programs::CaseSessionsFrom(hours);
  out.site_staff = programs::SiteStaffFrom(read_model);
  return out;
}

}  // namespace

domain::HoursContext SupervisionService::ContextFor(
    const rpc::Call& call, const cv1::PolicyVersion& policy,
    const absl::StatusOr<store::CaseView>& case_view) const {
  domain::HoursContext hctx;
  hctx.policy = &policy;
  hctx.child_working_day = [this](absl::CivilDay d) {
    return options_.policy.IsChildWorkingDay(d);
  };
  if (case_view.ok() && case_view->handover) {
    hctx.decision_hours_per_day =
        case_view->handover->constraints().max_hours_per_day();
  }
  hctx.now = call.now;
  return hctx;
}

SupervisionService::SupervisionService(server::Runtime& runtime,
                                       SupervisionServiceOptions options)
    : conduct_(runtime.redis(), runtime.outbox()),
      runtime_(runtime),
      options_(std::move(options)),
      hours_(runtime.redis(), runtime.outbox()),
      read_model_(runtime.redis(), runtime.outbox()),
      pipeline_(runtime.auth(), runtime.outbox(), kService,
                rpc::PipelineOptions{options_.clock, options_.executor}),
      programs_(runtime.auth(), runtime.outbox(), runtime.redis(),
                ProgramsOptionsOf(options_, hours_, read_model_)),
      lists_(runtime.redis(), runtime.outbox()),
      litmas_(runtime.redis(), runtime.outbox(), "lit", "Litmas report",
              "litmasReports") {}

SupervisionService::SupervisionService(server::Runtime& runtime)
    : SupervisionService(runtime, SupervisionServiceOptions{runtime.policy()}) {
}

auth::RelationFacts SupervisionService::FactsOf(const HoursLedger& ledger) {
  auth::RelationFacts facts;
  if (!ledger.pk_principal_id().empty()) {
    facts.assigned_pk = ledger.pk_principal_id();
  }
  facts.case_regency = RegencyOf(ledger.case_name(), kCasePattern);
  if (!ledger.site().empty()) {
    facts.placement_regency =
        RegencyOf(ledger.site(), "regencies/{regency}/sites/{site}");
    absl::StatusOr<store::SiteView> site = read_model_.GetSite(ledger.site());
    if (site.ok()) facts.site_staff = site->staff_principal_ids;
  }
  return facts;
}

absl::StatusOr<casesv1::CaseForExecution> SupervisionService::FetchCase(
    const std::string& case_name) {
  if (options_.cases == nullptr) {
    return WithErrorInfo(
        absl::UnavailableError("cases cannot be reached: no peer configured"),
        client::kReasonPeerUnavailable, {{"peer", "cases"}});
  }
  std::unique_ptr<casesv1::Cases::Stub> stub =
      casesv1::Cases::NewStub(options_.cases->channel());
  casesv1::GetCaseForExecutionRequest req;
  req.set_name(case_name);
  casesv1::CaseForExecution out;
  KS_RETURN_IF_ERROR(options_.cases->Call([&](grpc::ClientContext* c) {
    return stub->GetCaseForExecution(c, req, &out);
  }));
  return out;
}

absl::StatusOr<domain::Plan> SupervisionService::PlanFor(
    const rpc::Call& call, const HoursLedger& ledger,
    const std::vector<WorkSession>& live, std::optional<absl::CivilDay> from,
    absl::TimeZone* zone_out) {
  if (ledger.placement().empty()) {
    return FailedPreconditionError(
        "the case has no placement yet: there is no schedule to plan on",
        "PLACEMENT", ledger.name(), "NO_PLACEMENT");
  }
  if (!ledger.has_deadline_time()) {
    return FailedPreconditionError(
        "the case's span has not started: there is no deadline to plan to",
        "SPAN", ledger.name(), "NO_DEADLINE");
  }
  KS_ASSIGN_OR_RETURN(store::PlacementView placement,
                      read_model_.GetPlacement(ledger.placement()));
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(placement.facts.schedule().time_zone(), &zone)) {
    return absl::InternalError("the placement's zone is unknown");
  }
  if (zone_out != nullptr) *zone_out = zone;
  KS_ASSIGN_OR_RETURN(std::vector<domain::SessionInput> done,
                      domain::InputsOf(live));
  const absl::StatusOr<store::CaseView> cview =
      read_model_.GetCase(ledger.case_name());
  const domain::HoursContext hctx =
      ContextFor(call, options_.policy.At(call.now, zone), cview);
  domain::CreditRules rules = domain::RulesFor(
      *hctx.policy,
      ledger.kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT,
      domain::SessionTarget(ledger), hctx.decision_hours_per_day,
      hctx.child_working_day);
  if (ledger.has_span_start_time()) {
    rules.span_start = FromProto(ledger.span_start_time());
  }
  rules.deadline = FromProto(ledger.deadline_time());
  return domain::PlanRemaining(rules, done, placement.facts.schedule(), zone,
                               from ? *from : LocalDay(call.now, zone) + 1);
}

absl::Status SupervisionService::UpdateRiskFlags(
    const rpc::Call& call, const HoursLedger& before, HoursLedger& after,
    const std::vector<WorkSession>& live, absl::string_view regency,
    std::vector<cv1::Event>* events) {
  const int64_t version = VersionOfEtag(after.etag());
  after.set_at_risk(false);
  if (after.state() == sv1::LEDGER_STATE_OPEN && !after.overdue()) {
    absl::StatusOr<domain::Plan> plan =
        PlanFor(call, after, live, std::nullopt, nullptr);
    // No placement, deadline or placement facts yet: nothing to be at risk
    // against (the sweep re-evaluates once they are known).
    if (plan.ok()) after.set_at_risk(domain::IsAtRisk(*plan));
  }
  if (after.at_risk() != before.at_risk()) {
    sv1::AtRiskChanged changed;
    changed.set_at_risk(after.at_risk());
    *changed.mutable_ledger() = domain::SnapshotOf(after);
    events->push_back(
        EventOf("ledger", after.name(), version, regency, call.now, changed));
  }
  if (after.overdue() && !before.overdue()) {
    sv1::LedgerOverdue overdue;
    *overdue.mutable_deadline_time() = after.deadline_time();
    *overdue.mutable_ledger() = domain::SnapshotOf(after);
    events->push_back(
        EventOf("ledger", after.name(), version, regency, call.now, overdue));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// PK assignments.

absl::StatusOr<sv1::PkAssignment> SupervisionService::DoCreateAssignment(
    grpc::CallbackServerContext& ctx,
    const sv1::CreatePkAssignmentRequest& req) {
  const sv1::PkAssignment& in = req.pk_assignment();
  rpc::MutationSteps<PkAssignment> steps;
  steps.plan =
      [&](const rpc::Call& call,
          const PkAssignment*) -> absl::StatusOr<rpc::Plan<PkAssignment>> {
    const std::string regency = call.vars.at("regency");
    KS_ASSIGN_OR_RETURN(auto case_vars,
                        ParseResourceName(in.case_name(), kCasePattern));
    if (case_vars.at("regency") != regency) {
      return InvalidArgumentError({{"pk_assignment.case_name",
                                    "must be a case of the parent regency"}});
    }
    KS_ASSIGN_OR_RETURN(casesv1::CaseForExecution c, FetchCase(in.case_name()));
    if (!c.has_handover() ||
        c.handover().bapas_office_code() != in.bapas_office_code()) {
      return FailedPreconditionError(
          "the case is not handed over to this Bapas office", "CASE_STATE",
          in.case_name(), "CASE_NOT_HANDED_OVER");
    }
    if (call.access.needs_relation()) {
      auth::RelationFacts facts;
      facts.handover_office = c.handover().bapas_office_code();
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, facts));
    }
    KS_RETURN_IF_ERROR(CheckLitmasRequirement(c, call.now));
    const std::string& case_id = case_vars.at("case");
    absl::StatusOr<HoursLedger> existing = hours_.GetLedger(regency, case_id);
    if (!existing.ok() && !absl::IsNotFound(existing.status())) {
      return existing.status();
    }
    if (existing.ok() && !existing->pk_principal_id().empty()) {
      return FailedPreconditionError(
          "the case already has an ACTIVE PK assignment", "ASSIGNMENT",
          in.case_name(), "ASSIGNMENT_ALREADY_ACTIVE");
    }
    const std::string id = ids::NewId();
    PkAssignment a;
    a.set_name(absl::StrCat("regencies/", regency, "/pkAssignments/", id));
    a.set_regency_code(regency);
    a.set_case_name(in.case_name());
    a.set_bapas_office_code(in.bapas_office_code());
    a.set_pk_principal_id(in.pk_principal_id());
    a.set_kind(c.kind());
    a.set_ledger(absl::StrCat("regencies/", regency, "/ledgers/", case_id));
    a.set_state(sv1::ASSIGNMENT_STATE_ACTIVE);
    *a.mutable_start_time() = ToProto(call.now);
    *a.mutable_create_time() = ToProto(call.now);
    *a.mutable_update_time() = ToProto(call.now);
    *a.mutable_person() = c.person();
    a.set_etag(outbox::Etag(1));

    HoursLedger l = existing.ok() ? *existing : HoursLedger();
    const int64_t ledger_version =
        existing.ok() ? VersionOfEtag(existing->etag()) : 0;
    if (!existing.ok()) {
      l.set_name(a.ledger());
      l.set_case_name(in.case_name());
      l.set_kind(c.kind());
      l.set_target_minutes(c.sentence_minutes());
      l.set_owed_minutes(c.sentence_minutes());
      l.set_state(sv1::LEDGER_STATE_OPEN);
      *l.mutable_create_time() = ToProto(call.now);
      absl::StatusOr<absl::TimeZone> zone =
          regions::Regions::Get().TimeZone(regency);
      const absl::TimeZone tz =
          zone.ok() ? *zone : options_.policy.default_time_zone();
      l.set_time_zone(tz.name());
      if (IsValidDate(c.span_start_date())) {
        KS_ASSIGN_OR_RETURN(absl::CivilDay d,
                            CivilDayFromDate(c.span_start_date()));
        *l.mutable_span_start_time() = ToProto(StartOfDay(d, tz));
      }
      if (IsValidDate(c.deadline_date())) {
        // deadline_date is the span's last day: the deadline is the next
        // local midnight.
        KS_ASSIGN_OR_RETURN(absl::CivilDay d,
                            CivilDayFromDate(c.deadline_date()));
        *l.mutable_deadline_time() = ToProto(StartOfDay(d + 1, tz));
      }
      const cv1::PolicyVersion& v = options_.policy.At(call.now, tz);
      l.set_policy_version(v.version());
      sv1::LedgerAdjustment* initial = l.add_adjustments();
      initial->set_kind(sv1::ADJUSTMENT_KIND_INITIAL);
      initial->set_target_minutes(c.sentence_minutes());
      if (l.has_deadline_time()) {
        *initial->mutable_deadline_time() = l.deadline_time();
      }
      initial->set_source_id(absl::StrCat(in.case_name(), "@", c.version()));
      *initial->mutable_time() = ToProto(call.now);
    }
    l.set_pk_principal_id(in.pk_principal_id());
    l.set_bapas_office_code(in.bapas_office_code());
    *l.mutable_update_time() = ToProto(call.now);
    l.set_etag(outbox::Etag(ledger_version + 1));

    rpc::Plan<PkAssignment> plan;
    plan.txn.records.emplace_back(store::AssignmentKey(regency, id), 0,
                                  a.SerializeAsString());
    plan.txn.records.emplace_back(store::LedgerKey(regency, case_id),
                                  ledger_version, l.SerializeAsString());
    plan.txn.index_ops.push_back(outbox::IndexOp::ZAdd(
        store::CaseAssignmentsIndex(in.case_name()), 0,
        store::HoursStore::AssignmentMember(a, regency, id)));
    plan.txn.index_ops.push_back(
        outbox::IndexOp::ZAdd(store::PkCaseloadIndex(in.pk_principal_id()), 0,
                              absl::StrCat(in.case_name(), "|", id)));
    store::ListStore::IndexAssignment(plan.txn, a, regency, id);
    if (!existing.ok()) {
      store::ListStore::IndexLedger(plan.txn, l, regency, case_id);
    }
    sv1::PkAssigned assigned;
    assigned.set_case_name(in.case_name());
    assigned.set_bapas_office_code(in.bapas_office_code());
    *assigned.mutable_ledger() = domain::SnapshotOf(l);
    assigned.set_pk_principal_id(in.pk_principal_id());
    assigned.set_kind(c.kind());
    plan.txn.events.push_back(EventOf("ledger", l.name(), ledger_version + 1,
                                      regency, call.now, assigned));
    plan.txn.response = a.SerializeAsString();
    plan.audit_resource = a.name();
    return plan;
  };
  rpc::Envelope envelope("parent", kParent, false, [&](Validator& v) {
    if (!v.Required("pk_assignment", req.has_pk_assignment())) return;
    v.ResourceName("pk_assignment.case_name", in.case_name(), kCasePattern);
    v.RequiredString("pk_assignment.bapas_office_code", in.bapas_office_code());
    v.RequiredString("pk_assignment.pk_principal_id", in.pk_principal_id());
  });
  return pipeline_.Mutate(ctx, "CreatePkAssignment", req, envelope, steps);
}

grpc::ServerUnaryReactor* SupervisionService::CreatePkAssignment(
    grpc::CallbackServerContext* ctx, const sv1::CreatePkAssignmentRequest* req,
    sv1::PkAssignment* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoCreateAssignment(*ctx, *req), resp); });
}

grpc::ServerUnaryReactor* SupervisionService::GetPkAssignment(
    grpc::CallbackServerContext* ctx, const sv1::GetPkAssignmentRequest* req,
    sv1::PkAssignment* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(*ctx, "GetPkAssignment", *req,
                        rpc::Envelope("name", kAssignmentPattern)));
    KS_ASSIGN_OR_RETURN(PkAssignment a,
                        hours_.GetAssignment(call.vars.at("regency"),
                                             call.vars.at("pk_assignment")));
    if (call.access.needs_relation()) {
      auth::RelationFacts facts;
      facts.assigned_pk = a.pk_principal_id();
      facts.case_regency = RegencyOf(a.case_name(), kCasePattern);
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, facts));
    }
    *resp = std::move(a);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------
// Work sessions.

absl::StatusOr<sv1::WorkSession> SupervisionService::DoRecord(
    grpc::CallbackServerContext& ctx, const sv1::RecordWorkSessionRequest& req,
    const std::string& group_session) {
  const WorkSession& in = req.work_session();
  rpc::MutationSteps<WorkSession> steps;
  steps.plan =
      [&](const rpc::Call& call,
          const WorkSession*) -> absl::StatusOr<rpc::Plan<WorkSession>> {
    const std::string regency = call.vars.at("regency");
    KS_ASSIGN_OR_RETURN(auto case_vars,
                        ParseResourceName(in.case_name(), kCasePattern));
    if (case_vars.at("regency") != regency) {
      return InvalidArgumentError(
          {{"work_session.case_name", "must be a case of the parent regency"}});
    }
    KS_ASSIGN_OR_RETURN(HoursLedger ledger,
                        hours_.GetLedger(regency, case_vars.at("case")));
    absl::StatusOr<store::PlacementView> placement =
        read_model_.GetPlacement(in.placement());
    if (absl::IsNotFound(placement.status())) {
      // The feed has not told of it yet; placements is the only other
      // source and this deployment does not call it on the recording path.
      return WithErrorInfo(
          absl::UnavailableError(
              "the placement is not known to supervision yet (placements' "
              "feed); retry later"),
          "PLACEMENT_NOT_YET_KNOWN", {{"placement", in.placement()}});
    }
    KS_RETURN_IF_ERROR(placement.status());
    if (placement->facts.case_name() != in.case_name()) {
      return InvalidArgumentError(
          {{"work_session.placement", "is not a placement of this case"}});
    }
    const std::string& site = placement->facts.site();
    if (call.access.needs_relation()) {
      auth::RelationFacts facts = FactsOf(ledger);
      absl::StatusOr<store::SiteView> sv = read_model_.GetSite(site);
      facts.site_staff =
          sv.ok() ? sv->staff_principal_ids : std::vector<std::string>();
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, facts));
    }
    if (ledger.state() != sv1::LEDGER_STATE_OPEN) {
      return FailedPreconditionError("the ledger is not OPEN", "LEDGER_STATE",
                                     ledger.name(), "LEDGER_NOT_OPEN");
    }
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(placement->facts.schedule().time_zone(), &zone)) {
      return absl::InternalError("the placement's zone is unknown");
    }
    // The placement's period as instants of the site's zone.
    domain::SessionCheck check;
    check.start = FromProto(in.start_time());
    check.end = FromProto(in.end_time());
    check.now = call.now;
    const cv1::PolicyVersion& policy = options_.policy.At(check.start, zone);
    check.clock_skew =
        absl::Seconds(policy.operations().session_clock_skew_seconds());
    {
      absl::StatusOr<absl::CivilDay> first =
          CivilDayFromDate(placement->facts.period().start_date());
      check.placement.period_start =
          first.ok() ? StartOfDay(*first, zone) : absl::InfinitePast();
      absl::StatusOr<absl::CivilDay> last =
          CivilDayFromDate(placement->facts.period().end_date());
      check.placement.period_end =
          last.ok() ? StartOfDay(*last + 1, zone) : absl::InfiniteFuture();
    }
    check.placement.active = placement->active;
    if (ledger.has_span_start_time()) {
      check.span_start = FromProto(ledger.span_start_time());
    }
    check.field_prefix = "work_session.";
    KS_ASSIGN_OR_RETURN(std::vector<WorkSession> all,
                        hours_.SessionsOf(in.case_name()));
    std::vector<WorkSession> live;
    std::vector<domain::BookedSession> booked;
    for (WorkSession& s : all) {
      if (s.state() != sv1::WORK_SESSION_STATE_RECORDED) continue;
      booked.push_back(
          {s.name(), FromProto(s.start_time()), FromProto(s.end_time())});
      live.push_back(std::move(s));
    }
    KS_RETURN_IF_ERROR(domain::CheckSession(check, booked));

    const std::string id = ids::NewId();
    WorkSession s;
    s.set_name(absl::StrCat("regencies/", regency, "/workSessions/", id));
    s.set_case_name(in.case_name());
    s.set_placement(in.placement());
    s.set_site(site);
    *s.mutable_start_time() = in.start_time();
    *s.mutable_end_time() = in.end_time();
    s.set_time_zone(zone.name());
    s.set_outcome(in.outcome());
    s.set_enforceable(in.has_enforceable() ? in.enforceable()
                                           : DefaultEnforceable(in.outcome()));
    s.set_reason_code(in.reason_code());
    s.set_credit_partial(in.credit_partial());
    s.set_activity_type(in.activity_type().empty()
                            ? placement->facts.activity_type()
                            : in.activity_type());
    *s.mutable_recorded_by() = ActorOf(call);
    s.set_state(sv1::WORK_SESSION_STATE_RECORDED);
    *s.mutable_create_time() = ToProto(call.now);
    *s.mutable_update_time() = ToProto(call.now);
    s.set_group_session(group_session);
    // An enforceable failure is a violation, committed with the session
    // (R8; domain/conduct.h).
    const std::optional<sv1::Violation> violation = domain::ViolationOfSession(
        s, absl::StrCat("regencies/", regency, "/violations/", ids::NewId()));
    if (violation) s.set_violation(violation->name());
    live.push_back(s);

    const domain::HoursContext hctx =
        ContextFor(call, policy, read_model_.GetCase(in.case_name()));
    HoursLedger base = ledger;
    base.set_placement(in.placement());
    base.set_site(site);
    KS_ASSIGN_OR_RETURN(domain::HoursResult r,
                        domain::Recompute(hctx, base, live));
    std::vector<cv1::Event> risk_events;
    KS_RETURN_IF_ERROR(
        UpdateRiskFlags(call, ledger, r.ledger, live, regency, &risk_events));

    rpc::Plan<WorkSession> plan;
    const int64_t ledger_version = r.ledger_expected_version + 1;
    plan.txn.records.emplace_back(
        store::LedgerKey(regency, case_vars.at("case")),
        r.ledger_expected_version, r.ledger.SerializeAsString());
    WorkSession answer;
    KS_RETURN_IF_ERROR(AddSessionWrites(r, plan.txn));
    for (const domain::SessionWrite& w : r.sessions) {
      if (w.session.name() == s.name()) answer = w.session;
    }
    plan.txn.index_ops.push_back(outbox::IndexOp::ZAdd(
        store::CaseSessionsIndex(in.case_name()), 0,
        store::HoursStore::SessionMember(s, regency, id)));
    store::ListStore::IndexSession(plan.txn, s, regency, id);
    const sv1::LedgerSnapshot snapshot = domain::SnapshotOf(r.ledger);
    sv1::SessionRecorded recorded;
    recorded.set_work_session(answer.name());
    recorded.set_placement(answer.placement());
    recorded.set_site(answer.site());
    *recorded.mutable_start_time() = answer.start_time();
    *recorded.mutable_end_time() = answer.end_time();
    recorded.set_outcome(answer.outcome());
    recorded.set_enforceable(answer.enforceable());
    recorded.set_worked_minutes(answer.worked_minutes());
    recorded.set_credited_minutes(answer.credited_minutes());
    recorded.set_excess_minutes(answer.excess_minutes());
    *recorded.mutable_ledger() = snapshot;
    *recorded.mutable_local_date() =
        DateFromCivilDay(LocalDay(check.start, zone));
    recorded.set_time_zone(zone.name());
    *recorded.mutable_day_allocations() = answer.day_allocations();
    recorded.set_activity_type(answer.activity_type());
    plan.txn.events.push_back(EventOf("ledger", r.ledger.name(), ledger_version,
                                      regency, call.now, recorded));
    if (r.first_credit) {
      sv1::FirstSessionCredited first;
      first.set_work_session(answer.name());
      *first.mutable_start_time() = r.ledger.first_session_time();
      *first.mutable_ledger() = snapshot;
      plan.txn.events.push_back(EventOf(
          "ledger", r.ledger.name(), ledger_version, regency, call.now, first));
    }
    if (r.completion == domain::CompletionStep::kReached) {
      sv1::CompletionReached reached;
      *reached.mutable_reached_time() = r.ledger.completion_time();
      *reached.mutable_ledger() = snapshot;
      plan.txn.events.push_back(EventOf("ledger", r.ledger.name(),
                                        ledger_version, regency, call.now,
                                        reached));
    }
    for (cv1::Event& e : risk_events) plan.txn.events.push_back(std::move(e));
    if (violation) {
      KS_RETURN_IF_ERROR(AddNewViolation(call, *violation, plan.txn));
    }
    plan.txn.response = answer.SerializeAsString();
    plan.audit_resource = answer.name();
    return plan;
  };
  rpc::Envelope envelope("parent", kParent, false, [&](Validator& v) {
    if (!v.Required("work_session", req.has_work_session())) return;
    v.ResourceName("work_session.case_name", in.case_name(), kCasePattern);
    v.ResourceName("work_session.placement", in.placement(), kPlacementPattern);
    v.Required("work_session.start_time", in.has_start_time());
    v.Required("work_session.end_time", in.has_end_time());
    if (in.outcome() == sv1::ATTENDANCE_OUTCOME_UNSPECIFIED) {
      v.AddViolation("work_session.outcome", "is required");
    }
    if (in.has_enforceable() && !in.enforceable() &&
        DefaultEnforceable(in.outcome()) && in.reason_code().empty()) {
      v.AddViolation("work_session.reason_code",
                     "is required to mark an enforceable outcome not "
                     "enforceable (R8)");
    }
    if (in.outcome() == sv1::ATTENDANCE_OUTCOME_ABSENT_ACCEPTABLE &&
        in.reason_code().empty()) {
      v.AddViolation("work_session.reason_code",
                     "is required for an acceptable absence (R8)");
    }
    if (in.credit_partial() &&
        in.outcome() != sv1::ATTENDANCE_OUTCOME_SENT_HOME) {
      v.AddViolation("work_session.credit_partial",
                     "applies only to SENT_HOME");
    }
  });
  return WithRetry<WorkSession>([&] {
    return pipeline_.Mutate(ctx, "RecordWorkSession", req, envelope, steps);
  });
}

grpc::ServerUnaryReactor* SupervisionService::RecordWorkSession(
    grpc::CallbackServerContext* ctx, const sv1::RecordWorkSessionRequest* req,
    sv1::WorkSession* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoRecord(*ctx, *req), resp); });
}

grpc::ServerUnaryReactor* SupervisionService::GetWorkSession(
    grpc::CallbackServerContext* ctx, const sv1::GetWorkSessionRequest* req,
    sv1::WorkSession* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(*ctx, "GetWorkSession", *req,
                        rpc::Envelope("name", kSessionPattern)));
    KS_ASSIGN_OR_RETURN(WorkSession s,
                        hours_.GetSession(call.vars.at("regency"),
                                          call.vars.at("work_session")));
    if (call.access.needs_relation()) {
      KS_ASSIGN_OR_RETURN(auto case_vars,
                          ParseResourceName(s.case_name(), kCasePattern));
      KS_ASSIGN_OR_RETURN(
          HoursLedger ledger,
          hours_.GetLedger(case_vars.at("regency"), case_vars.at("case")));
      auth::RelationFacts facts = FactsOf(ledger);
      // The session's own site decides SITE_STAFF and PLACEMENT_REGENCY.
      facts.placement_regency =
          RegencyOf(s.site(), "regencies/{regency}/sites/{site}");
      absl::StatusOr<store::SiteView> site = read_model_.GetSite(s.site());
      facts.site_staff =
          site.ok() ? site->staff_principal_ids : std::vector<std::string>();
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, facts));
    }
    *resp = std::move(s);
    return absl::OkStatus();
  });
}

absl::StatusOr<sv1::WorkSession> SupervisionService::DoVoid(
    grpc::CallbackServerContext& ctx, const sv1::VoidWorkSessionRequest& req) {
  rpc::MutationSteps<WorkSession> steps;
  steps.load = [this](const rpc::Call& call) {
    return hours_.GetSession(call.vars.at("regency"),
                             call.vars.at("work_session"));
  };
  steps.version = [](const WorkSession& s) { return VersionOfEtag(s.etag()); };
  steps.facts = [this](const WorkSession& s) {
    auth::RelationFacts facts;
    absl::StatusOr<std::map<std::string, std::string>> v =
        ParseResourceName(s.case_name(), kCasePattern);
    if (!v.ok()) return facts;
    absl::StatusOr<HoursLedger> l =
        hours_.GetLedger(v->at("regency"), v->at("case"));
    return l.ok() ? FactsOf(*l) : facts;
  };
  steps.plan = [&](const rpc::Call& call, const WorkSession* current)
      -> absl::StatusOr<rpc::Plan<WorkSession>> {
    if (current->state() != sv1::WORK_SESSION_STATE_RECORDED) {
      return FailedPreconditionError("the work session is already VOIDED",
                                     "SESSION_STATE", current->name(),
                                     "SESSION_ALREADY_VOIDED");
    }
    KS_ASSIGN_OR_RETURN(auto case_vars,
                        ParseResourceName(current->case_name(), kCasePattern));
    KS_ASSIGN_OR_RETURN(
        HoursLedger ledger,
        hours_.GetLedger(case_vars.at("regency"), case_vars.at("case")));
    if (ledger.state() == sv1::LEDGER_STATE_CLOSED) {
      return FailedPreconditionError("the ledger is CLOSED", "LEDGER_STATE",
                                     ledger.name(), "LEDGER_NOT_OPEN");
    }
    absl::StatusOr<store::CaseView> cview =
        read_model_.GetCase(current->case_name());
    if (cview.ok() && cview->facts.state() == casesv1::CASE_STATE_COMPLETED) {
      return FailedPreconditionError(
          "the case is COMPLETED in cases; its credit can no longer be "
          "withdrawn",
          "CASE_STATE", current->case_name(), "CASE_ALREADY_COMPLETED");
    }
    KS_ASSIGN_OR_RETURN(std::vector<WorkSession> all,
                        hours_.SessionsOf(current->case_name()));
    std::vector<WorkSession> live;
    for (WorkSession& s : all) {
      if (s.state() == sv1::WORK_SESSION_STATE_RECORDED &&
          s.name() != current->name()) {
        live.push_back(std::move(s));
      }
    }
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(current->time_zone(), &zone)) {
      return absl::InternalError("the session's zone is unknown");
    }
    const cv1::PolicyVersion& policy =
        options_.policy.At(FromProto(current->start_time()), zone);
    const domain::HoursContext hctx = ContextFor(call, policy, cview);
    KS_ASSIGN_OR_RETURN(domain::HoursResult r,
                        domain::Recompute(hctx, ledger, live));
    std::vector<cv1::Event> risk_events;
    KS_RETURN_IF_ERROR(UpdateRiskFlags(call, ledger, r.ledger, live,
                                       case_vars.at("regency"), &risk_events));
    WorkSession voided = *current;
    voided.set_state(sv1::WORK_SESSION_STATE_VOIDED);
    voided.set_void_reason_code(req.reason_code());
    *voided.mutable_update_time() = ToProto(call.now);
    const int64_t session_version = VersionOfEtag(current->etag());
    voided.set_etag(outbox::Etag(session_version + 1));

    rpc::Plan<WorkSession> plan;
    plan.txn.records.emplace_back(
        store::SessionKey(call.vars.at("regency"),
                          call.vars.at("work_session")),
        session_version, voided.SerializeAsString());
    plan.txn.records.emplace_back(
        store::LedgerKey(case_vars.at("regency"), case_vars.at("case")),
        r.ledger_expected_version, r.ledger.SerializeAsString());
    KS_RETURN_IF_ERROR(AddSessionWrites(r, plan.txn));
    sv1::SessionVoided ev;
    ev.set_work_session(current->name());
    ev.set_site(current->site());
    ev.set_withdrawn_minutes(current->credited_minutes());
    ev.set_reason_code(req.reason_code());
    *ev.mutable_ledger() = domain::SnapshotOf(r.ledger);
    *ev.mutable_local_date() =
        DateFromCivilDay(LocalDay(FromProto(current->start_time()), zone));
    *ev.mutable_day_allocations() = current->day_allocations();
    plan.txn.events.push_back(EventOf("ledger", r.ledger.name(),
                                      r.ledger_expected_version + 1,
                                      case_vars.at("regency"), call.now, ev));
    for (cv1::Event& e : risk_events) plan.txn.events.push_back(std::move(e));
    plan.txn.response = voided.SerializeAsString();
    return plan;
  };
  rpc::Envelope envelope("name", kSessionPattern, false, [&](Validator& v) {
    v.RequiredString("reason_code", req.reason_code());
    v.RequiredString("etag", req.etag());
  });
  // No retry on ABORTED here: the client's etag is what is stale.
  return pipeline_.Mutate(ctx, "VoidWorkSession", req, envelope, steps);
}

grpc::ServerUnaryReactor* SupervisionService::VoidWorkSession(
    grpc::CallbackServerContext* ctx, const sv1::VoidWorkSessionRequest* req,
    sv1::WorkSession* resp) {
  return pipeline_.Unary(ctx,
                         [=] { return rpc::Answer(DoVoid(*ctx, *req), resp); });
}

grpc::ServerUnaryReactor* SupervisionService::GetHoursLedger(
    grpc::CallbackServerContext* ctx, const sv1::GetHoursLedgerRequest* req,
    sv1::HoursLedger* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(rpc::Call call,
                        pipeline_.Begin(*ctx, "GetHoursLedger", *req,
                                        rpc::Envelope("name", kLedgerPattern)));
    KS_ASSIGN_OR_RETURN(
        HoursLedger l,
        hours_.GetLedger(call.vars.at("regency"), call.vars.at("ledger")));
    if (call.access.needs_relation()) {
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, FactsOf(l)));
    }
    if (!req->include_days()) l.clear_days();
    *resp = std::move(l);
    return absl::OkStatus();
  });
}

absl::Status SupervisionService::DoPlan(
    grpc::CallbackServerContext& ctx,
    const sv1::PlanRemainingSessionsRequest& req,
    sv1::PlanRemainingSessionsResponse* resp) {
  KS_ASSIGN_OR_RETURN(rpc::Call call,
                      pipeline_.Begin(ctx, "PlanRemainingSessions", req,
                                      rpc::Envelope("ledger", kLedgerPattern)));
  KS_ASSIGN_OR_RETURN(
      HoursLedger ledger,
      hours_.GetLedger(call.vars.at("regency"), call.vars.at("ledger")));
  if (call.access.needs_relation()) {
    KS_RETURN_IF_ERROR(
        auth::CheckRelations(call.principal, call.access, FactsOf(ledger)));
  }
  std::optional<absl::CivilDay> from;
  if (req.has_from_date()) {
    KS_ASSIGN_OR_RETURN(from, CivilDayFromDate(req.from_date(), "from_date"));
  }
  KS_ASSIGN_OR_RETURN(std::vector<WorkSession> live,
                      LiveSessionsOf(ledger.case_name()));
  absl::TimeZone zone;
  KS_ASSIGN_OR_RETURN(const domain::Plan plan,
                      PlanFor(call, ledger, live, from, &zone));
  for (const domain::PlannedSlot& p : plan.sessions) {
    sv1::PlannedSession* out = resp->add_sessions();
    *out->mutable_local_date() = DateFromCivilDay(p.day);
    *out->mutable_start_time() = ToProto(p.start);
    *out->mutable_end_time() = ToProto(p.end);
    out->set_credited_minutes(p.credited);
  }
  resp->set_owed_minutes(plan.owed);
  resp->set_shortfall_minutes(plan.shortfall);
  *resp->mutable_deadline_date() = DateFromCivilDay(
      LocalDay(FromProto(ledger.deadline_time()) - absl::Nanoseconds(1), zone));
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* SupervisionService::PlanRemainingSessions(
    grpc::CallbackServerContext* ctx,
    const sv1::PlanRemainingSessionsRequest* req,
    sv1::PlanRemainingSessionsResponse* resp) {
  return pipeline_.Unary(ctx, [=] { return DoPlan(*ctx, *req, resp); });
}

// ledger_handlers.cc retries its assignment steps the same way.
template absl::StatusOr<sv1::PkAssignment>
SupervisionService::WithRetry<sv1::PkAssignment>(
    const std::function<absl::StatusOr<sv1::PkAssignment>()>& f);

}  // namespace ks::supervision
