#include "services/cases/domain/lifecycle.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/policy/policy.h"
#include "common/status/rich_status.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "services/cases/domain/eligibility.h"
#include "services/cases/domain/internal.h"
#include "services/cases/domain/privacy.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;
using internal::AddEvent;
using internal::Begin;
using internal::SetState;

constexpr char kR8[] = "R8, KUHP Pasal 85(7)";
constexpr char kR10[] = "R10, KUHP Pasal 82";
constexpr char kR11Breach[] = "R11, UU SPPA Pasal 76(2)";
constexpr char kR7[] = "R7, KUHP Pasal 85(5)";
constexpr int kMaxViolations = 100;
constexpr size_t kMaxCodeText = 100;

// The transition table: the states each action is allowed from.
const std::vector<CaseState>& AllowedFrom(Action a) {
  using S = CaseState;
  static const auto* kNonTerminal = new std::vector<S>{
      v1::CASE_STATE_REGISTERED,         v1::CASE_STATE_EXECUTION_ORDERED,
      v1::CASE_STATE_HANDED_OVER,        v1::CASE_STATE_IN_PROGRESS,
      v1::CASE_STATE_COMPLETION_PENDING, v1::CASE_STATE_BREACHED};
  static const auto* kRegister = new std::vector<S>{v1::CASE_STATE_UNSPECIFIED};
  static const auto* kOrder = new std::vector<S>{v1::CASE_STATE_REGISTERED};
  static const auto* kHandOver =
      new std::vector<S>{v1::CASE_STATE_EXECUTION_ORDERED};
  static const auto* kFirst = new std::vector<S>{v1::CASE_STATE_HANDED_OVER};
  static const auto* kReached = new std::vector<S>{v1::CASE_STATE_HANDED_OVER,
                                                   v1::CASE_STATE_IN_PROGRESS};
  static const auto* kConfirm =
      new std::vector<S>{v1::CASE_STATE_COMPLETION_PENDING};
  static const auto* kDecide = new std::vector<S>{v1::CASE_STATE_BREACHED};
  static const auto* kPayment = new std::vector<S>{
      v1::CASE_STATE_REGISTERED,  v1::CASE_STATE_EXECUTION_ORDERED,
      v1::CASE_STATE_HANDED_OVER, v1::CASE_STATE_IN_PROGRESS,
      v1::CASE_STATE_BREACHED,    v1::CASE_STATE_CONVERTED};
  switch (a) {
    case Action::kRegister:
      return *kRegister;
    case Action::kIssueExecutionOrder:
      return *kOrder;
    case Action::kHandOver:
      return *kHandOver;
    case Action::kFirstSessionCredited:
      return *kFirst;
    case Action::kCompletionReached:
    case Action::kRecordBreach:
      return *kReached;
    case Action::kConfirmCompletion:
      return *kConfirm;
    case Action::kDecideBreachOutcome:
      return *kDecide;
    case Action::kRecordFinePayment:
      return *kPayment;
    case Action::kTransfer:
    case Action::kCancel:
    case Action::kUpdate:
      return *kNonTerminal;
  }
  return *kRegister;
}

std::optional<absl::CivilDay> CheckDate(Validator& v, absl::string_view field,
                                        bool present,
                                        const google::type::Date& d) {
  if (!v.Required(field, present)) return std::nullopt;
  if (!v.Date(field, d)) return std::nullopt;
  return internal::Day(d);
}

absl::CivilDay Today(const CommandContext& ctx) {
  return LocalDay(ctx.now, ctx.zone);
}

std::string CaseId(const Case& c) {
  const size_t slash = c.name().rfind('/');
  return slash == std::string::npos ? c.name() : c.name().substr(slash + 1);
}

Transition BeginCommand(const Case& c, absl::string_view method,
                        const CommandContext& ctx) {
  return Begin(c, absl::StrCat(kMethodPrefix, method), ctx.request_id,
               &ctx.actor, ctx.now);
}

v1::Breach* OpenBreach(Case& c) {
  if (c.breaches_size() == 0) return nullptr;
  v1::Breach* b = c.mutable_breaches(c.breaches_size() - 1);
  return b->has_outcome() ? nullptr : b;
}

// Payments toward a PAY_FINE outcome: all payments minus those that went to
// the Pasal 82 substitute.
int64_t OutcomePaid(const Case& c) {
  int64_t total = 0;
  for (const v1::FinePayment& p : c.fine_payments()) total += p.amount_rupiah();
  return total - c.fine_substitution().paid_rupiah();
}

const v1::BreachOutcome* LatestOutcome(const Case& c) {
  for (int i = c.breaches_size() - 1; i >= 0; --i) {
    if (c.breaches(i).has_outcome()) return &c.breaches(i).outcome();
  }
  return nullptr;
}

}  // namespace

absl::string_view ActionName(Action a) {
  switch (a) {
    case Action::kRegister:
      return "CreateCase";
    case Action::kIssueExecutionOrder:
      return "IssueExecutionOrder";
    case Action::kHandOver:
      return "HandOverToBapas";
    case Action::kFirstSessionCredited:
      return "FirstSessionCredited";
    case Action::kCompletionReached:
      return "CompletionReached";
    case Action::kConfirmCompletion:
      return "ConfirmCompletion";
    case Action::kRecordBreach:
      return "RecordBreach";
    case Action::kDecideBreachOutcome:
      return "DecideBreachOutcome";
    case Action::kRecordFinePayment:
      return "RecordFinePayment";
    case Action::kTransfer:
      return "TransferCase";
    case Action::kCancel:
      return "CancelCase";
    case Action::kUpdate:
      return "UpdateCase";
  }
  return "?";
}

std::string StateName(CaseState s) {
  const std::string& full = v1::CaseState_Name(s);
  constexpr absl::string_view kPrefix = "CASE_STATE_";
  if (full.empty()) return absl::StrCat(static_cast<int>(s));
  return full.substr(kPrefix.size());
}

bool IsTerminal(CaseState s) {
  return s == v1::CASE_STATE_COMPLETED || s == v1::CASE_STATE_CONVERTED ||
         s == v1::CASE_STATE_TRANSFERRED_OUT || s == v1::CASE_STATE_CANCELLED;
}

absl::Status CheckTransition(CaseState from, Action action,
                             absl::string_view case_name) {
  const std::vector<CaseState>& allowed = AllowedFrom(action);
  if (std::find(allowed.begin(), allowed.end(), from) != allowed.end()) {
    return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (CaseState s : allowed) names.push_back(StateName(s));
  const std::string message = absl::StrCat(
      ActionName(action), " is not allowed in state ", StateName(from),
      " (allowed from: ", absl::StrJoin(names, ", "), ")");
  absl::Status st = FailedPreconditionError(message, "STATE", case_name,
                                            "TRANSITION_NOT_ALLOWED");
  return WithErrorInfo(std::move(st), "TRANSITION_NOT_ALLOWED",
                       {{"from_state", StateName(from)},
                        {"action", std::string(ActionName(action))}});
}

absl::StatusOr<Transition> RegisterCase(const Case& input,
                                        absl::string_view name,
                                        absl::string_view regency_code,
                                        const PolicyVersion& policy,
                                        const CommandContext& ctx,
                                        std::vector<std::string>* warnings) {
  absl::Status st = ValidateNewCase(input, policy, Today(ctx), warnings);
  if (!st.ok()) return st;
  // Keep only the Required/Optional fields the client may send.
  Case c;
  *c.mutable_person() = input.person();
  c.mutable_person()->clear_nik_date_mismatch();
  *c.mutable_decision() = input.decision();
  *c.mutable_offence() = input.offence();
  *c.mutable_sentence() = input.sentence();
  c.mutable_sentence()->clear_replaced_prison_days();
  c.mutable_sentence()->clear_policy_version();
  if (input.has_fine_substitution()) {
    *c.mutable_fine_substitution() = input.fine_substitution();
    c.mutable_fine_substitution()->clear_paid_rupiah();
    c.mutable_fine_substitution()->clear_remaining_minutes();
  }
  c.set_name(std::string(name));
  c.set_regency_code(std::string(regency_code));
  c.set_state(v1::CASE_STATE_UNSPECIFIED);
  c.set_version(0);
  c = WithDerivedFields(std::move(c), policy);
  *c.mutable_create_time() = internal::ToProto(ctx.now);

  Transition t = BeginCommand(c, "CreateCase", ctx);
  SetState(t, v1::CASE_STATE_REGISTERED);
  v1::CaseRegistered ev;
  *ev.mutable_facts() = Facts(t.after, v1::CASE_STATE_UNSPECIFIED);
  *ev.mutable_final_date() = t.after.decision().final_date();
  ev.set_max_prison_threat_months(t.after.offence().max_prison_threat_months());
  AddEvent(t, ev, ctx.now);
  return t;
}

absl::StatusOr<Transition> IssueExecutionOrder(
    const Case& c, const v1::IssueExecutionOrderRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx) {
  absl::Status st =
      CheckTransition(c.state(), Action::kIssueExecutionOrder, c.name());
  if (!st.ok()) return st;
  Validator v;
  const v1::ExecutionOrder& o = req.execution_order();
  if (v.Required("execution_order", req.has_execution_order())) {
    v.RequiredString("execution_order.order_number", o.order_number());
    v.RequiredString("execution_order.kejari_code", o.kejari_code());
    const std::optional<absl::CivilDay> day = CheckDate(
        v, "execution_order.issued_date", o.has_issued_date(), o.issued_date());
    if (day.has_value()) {
      if (*day > Today(ctx)) {
        v.AddViolation("execution_order.issued_date",
                       "must not be in the future");
      }
      if (IsValidDate(c.decision().final_date()) &&
          *day < internal::Day(c.decision().final_date())) {
        v.AddViolation("execution_order.issued_date",
                       "must not be before the decision's final date");
      }
    }
  }
  st = v.Finish();
  if (!st.ok()) return st;

  Transition t = BeginCommand(c, "IssueExecutionOrder", ctx);
  SetState(t, v1::CASE_STATE_EXECUTION_ORDERED);
  v1::ExecutionOrder* order = t.after.mutable_execution_order();
  *order = o;
  *order->mutable_issued_by() = ctx.actor;
  *order->mutable_record_time() = internal::ToProto(ctx.now);
  // R7: the span starts at the decision's final date or the order.
  const cv1::SpanStart start = policy.adult().span_starts_at();
  if (start == cv1::SPAN_START_DECISION_FINAL ||
      start == cv1::SPAN_START_EXECUTION_ORDER) {
    const absl::CivilDay from = internal::Day(
        start == cv1::SPAN_START_DECISION_FINAL ? c.decision().final_date()
                                                : o.issued_date());
    *t.after.mutable_progress()->mutable_deadline_time() =
        internal::ToProto(internal::SpanDeadline(c, from, policy, ctx.zone));
  }
  t.history.add_changed_fields("execution_order");
  v1::ExecutionOrderIssued ev;
  *ev.mutable_facts() = Facts(t.after, c.state());
  *ev.mutable_issued_date() = o.issued_date();
  AddEvent(t, ev, ctx.now);
  return t;
}

absl::StatusOr<Transition> HandOverToBapas(
    const Case& c, const v1::HandOverToBapasRequest& req,
    const CommandContext& ctx) {
  absl::Status st = CheckTransition(c.state(), Action::kHandOver, c.name());
  if (!st.ok()) return st;
  Validator v;
  const v1::Handover& h = req.handover();
  if (v.Required("handover", req.has_handover())) {
    v.RequiredString("handover.bapas_office_code", h.bapas_office_code());
    const std::optional<absl::CivilDay> day = CheckDate(
        v, "handover.handover_date", h.has_handover_date(), h.handover_date());
    if (day.has_value()) {
      if (*day > Today(ctx)) {
        v.AddViolation("handover.handover_date", "must not be in the future");
      }
      if (IsValidDate(c.execution_order().issued_date()) &&
          *day < internal::Day(c.execution_order().issued_date())) {
        v.AddViolation("handover.handover_date",
                       "must not be before the execution order's date");
      }
    }
  }
  st = v.Finish();
  if (!st.ok()) return st;

  Transition t = BeginCommand(c, "HandOverToBapas", ctx);
  SetState(t, v1::CASE_STATE_HANDED_OVER);
  v1::Handover* stored = t.after.mutable_handover();
  *stored = h;
  *stored->mutable_handed_over_by() = ctx.actor;
  *stored->mutable_record_time() = internal::ToProto(ctx.now);
  t.history.add_changed_fields("handover");
  v1::CaseHandedOver ev;
  *ev.mutable_facts() = Facts(t.after, c.state());
  ev.set_bapas_office_code(h.bapas_office_code());
  *ev.mutable_handover_date() = h.handover_date();
  AddEvent(t, ev, ctx.now);
  return t;
}

std::string CertificateNumber(const Case& c) {
  return absl::StrCat("KS/", c.regency_code(), "/", CaseId(c));
}

absl::StatusOr<Transition> ConfirmCompletion(
    const Case& c, const v1::ConfirmCompletionRequest& req,
    const CommandContext& ctx) {
  absl::Status st =
      CheckTransition(c.state(), Action::kConfirmCompletion, c.name());
  if (!st.ok()) return st;
  if (req.has_certificate() && req.certificate().has_date() &&
      !IsValidDate(req.certificate().date())) {
    return InvalidArgumentError(
        {{"certificate.date", "must be a valid calendar date"}});
  }
  Transition t = BeginCommand(c, "ConfirmCompletion", ctx);
  SetState(t, v1::CASE_STATE_COMPLETED);
  v1::Completion* done = t.after.mutable_completion();
  done->set_certificate_number(req.certificate().number().empty()
                                   ? CertificateNumber(c)
                                   : req.certificate().number());
  if (req.has_certificate()) *done->mutable_certificate() = req.certificate();
  *done->mutable_confirm_time() = internal::ToProto(ctx.now);
  *done->mutable_confirmed_by() = ctx.actor;
  t.history.add_changed_fields("completion");
  v1::CaseCompleted ev;
  *ev.mutable_facts() = Facts(t.after, c.state());
  ev.set_basis(done->basis());
  ev.set_credited_minutes(done->credited_minutes());
  if (IsValidDate(c.decision().final_date())) {
    ev.set_days_to_complete(static_cast<int32_t>(
        Today(ctx) - internal::Day(c.decision().final_date())));
  }
  AddEvent(t, ev, ctx.now);
  return t;
}

absl::StatusOr<Transition> RecordBreach(const Case& c,
                                        const v1::RecordBreachRequest& req,
                                        const CommandContext& ctx) {
  absl::Status st = CheckTransition(c.state(), Action::kRecordBreach, c.name());
  if (!st.ok()) return st;
  Validator v;
  if (req.reason() == v1::BREACH_REASON_UNSPECIFIED ||
      !v1::BreachReason_IsValid(req.reason())) {
    v.AddViolation("reason", absl::StrCat("is required (", kR8, ")"));
  }
  if (req.reason() == v1::BREACH_REASON_OTHER || !req.reason_code().empty()) {
    if (!internal::IsTaxonomyCode(req.reason_code())) {
      v.AddViolation(
          "reason_code",
          req.reason() == v1::BREACH_REASON_OTHER && req.reason_code().empty()
              ? "is required when reason is OTHER"
              : "must match [a-z][a-z0-9_]*, at most 64 "
                "characters");
    }
  }
  const bool needs_evidence =
      req.reason() == v1::BREACH_REASON_ABSENT_WITHOUT_REASON ||
      req.reason() == v1::BREACH_REASON_FAILED_TO_COMPLY ||
      req.reason() == v1::BREACH_REASON_WARNINGS_EXHAUSTED;
  if (needs_evidence && req.violations_size() == 0) {
    v.AddViolation("violations",
                   absl::StrCat("at least one supervision violation is the "
                                "evidence of this reason (",
                                kR8, ")"));
  }
  if (req.violations_size() > kMaxViolations) {
    v.AddViolation("violations",
                   absl::StrCat("at most ", kMaxViolations, " entries"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < req.violations_size() && i < kMaxViolations; ++i) {
    const std::string field = absl::StrCat("violations[", i, "]");
    if (v.ResourceName(field, req.violations(i),
                       "regencies/{regency}/violations/{violation}") &&
        !seen.insert(req.violations(i)).second) {
      v.AddViolation(field, "is listed twice");
    }
  }
  st = v.Finish();
  if (!st.ok()) return st;
  if (req.reason() == v1::BREACH_REASON_DEADLINE_PASSED) {
    const v1::Progress& p = c.progress();
    const bool passed =
        p.overdue() || (p.has_deadline_time() &&
                        ctx.now >= internal::FromProto(p.deadline_time()));
    if (!passed) {
      return FailedPreconditionError(
          absl::StrCat("reason DEADLINE_PASSED: the span's deadline has not "
                       "passed (",
                       kR7, ")"),
          "DEADLINE", c.name(), "DEADLINE_NOT_PASSED");
    }
  }

  Transition t = BeginCommand(c, "RecordBreach", ctx);
  SetState(t, v1::CASE_STATE_BREACHED);
  v1::Breach* b = t.after.add_breaches();
  b->set_breach_id(absl::StrFormat("b%04d", t.after.breaches_size()));
  b->set_reason(req.reason());
  b->set_reason_code(req.reason_code());
  *b->mutable_violations() = req.violations();
  b->set_owed_minutes(c.progress().owed_minutes());
  *b->mutable_record_time() = internal::ToProto(ctx.now);
  *b->mutable_recorded_by() = ctx.actor;
  t.history.add_changed_fields("breaches");
  v1::CaseBreached ev;
  *ev.mutable_facts() = Facts(t.after, c.state());
  ev.set_breach_id(b->breach_id());
  ev.set_reason(b->reason());
  ev.set_owed_minutes(b->owed_minutes());
  AddEvent(t, ev, ctx.now);
  return t;
}

namespace {

// Checks `amount` against 1..`max` and the extent (ALL: equal; PART: less).
void CheckExtentAmount(Validator& v, absl::string_view field, int64_t amount,
                       int64_t max, v1::OutcomeExtent extent,
                       absl::string_view what, absl::string_view rule) {
  if (max <= 0) {
    v.AddViolation(field, absl::StrCat("the decision replaced no ", what, " (",
                                       rule, ")"));
    return;
  }
  if (!v.InRange(field, amount, 1, max, rule)) return;
  if (extent == v1::OUTCOME_EXTENT_ALL && amount != max) {
    v.AddViolation(field, absl::StrCat("extent ALL means all ", max, " ", what,
                                       " (", rule, "), got ", amount));
  }
  if (extent == v1::OUTCOME_EXTENT_PART && amount == max) {
    v.AddViolation(field, absl::StrCat("extent PART must be less than all ",
                                       max, " ", what, " (", rule, ")"));
  }
}

v1::BreachOutcomeKind KindForConsequence(v1::BreachConsequence c) {
  switch (c) {
    case v1::BREACH_CONSEQUENCE_REPEAT:
      return v1::BREACH_OUTCOME_KIND_REPEAT;
    case v1::BREACH_CONSEQUENCE_SERVE_PRISON:
      return v1::BREACH_OUTCOME_KIND_SERVE_PRISON;
    case v1::BREACH_CONSEQUENCE_PAY_FINE:
      return v1::BREACH_OUTCOME_KIND_PAY_FINE;
    default:
      return v1::BREACH_OUTCOME_KIND_UNSPECIFIED;
  }
}

}  // namespace

absl::StatusOr<Transition> DecideBreachOutcome(
    const Case& c, const v1::DecideBreachOutcomeRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx) {
  absl::Status st =
      CheckTransition(c.state(), Action::kDecideBreachOutcome, c.name());
  if (!st.ok()) return st;
  Case probe = c;
  if (OpenBreach(probe) == nullptr) {
    return FailedPreconditionError("the case has no breach awaiting an outcome",
                                   "BREACH", c.name(), "NO_OPEN_BREACH");
  }
  Validator v;
  const v1::BreachOutcome& o = req.outcome();
  const bool is_child =
      c.sentence().kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
  if (!v.Required("outcome", req.has_outcome())) return v.Finish();
  const v1::BreachOutcomeKind kind = o.kind();
  const bool excused = kind == v1::BREACH_OUTCOME_KIND_EXCUSED;
  if (kind == v1::BREACH_OUTCOME_KIND_UNSPECIFIED ||
      !v1::BreachOutcomeKind_IsValid(kind)) {
    v.AddViolation("outcome.kind", absl::StrCat("is required (", kR8, ")"));
  } else if (is_child && kind != v1::BREACH_OUTCOME_KIND_REPEAT && !excused) {
    v.AddViolation("outcome.kind",
                   absl::StrCat("a child's failure may only be answered by a "
                                "repeat (",
                                kR11Breach, ")"));
  } else if (!excused) {
    const v1::BreachOutcomeKind ordered =
        KindForConsequence(c.sentence().breach_consequence());
    if (ordered != v1::BREACH_OUTCOME_KIND_UNSPECIFIED && kind != ordered) {
      v.AddViolation(
          "outcome.kind",
          absl::StrCat(
              "the decision orders ",
              v1::BreachConsequence_Name(c.sentence().breach_consequence()),
              " on failure; the outcome must be that or EXCUSED (", kR8, ")"));
    }
  }
  if (!excused && kind != v1::BREACH_OUTCOME_KIND_UNSPECIFIED &&
      o.extent() != v1::OUTCOME_EXTENT_ALL &&
      o.extent() != v1::OUTCOME_EXTENT_PART) {
    v.AddViolation("outcome.extent",
                   absl::StrCat("is required: ALL or PART (", kR8, ")"));
  }
  const std::optional<absl::CivilDay> decided = CheckDate(
      v, "outcome.decided_date", o.has_decided_date(), o.decided_date());
  if (decided.has_value() && *decided > Today(ctx)) {
    v.AddViolation("outcome.decided_date", "must not be in the future");
  }
  switch (kind) {
    case v1::BREACH_OUTCOME_KIND_REPEAT:
      if (v.Required("outcome.repeat", o.has_repeat())) {
        CheckExtentAmount(v, "outcome.repeat.repeat_hours",
                          o.repeat().repeat_hours(), CurrentSentenceHours(c),
                          o.extent(), "hours", absl::StrCat(kR8, "(a)"));
        v.InRange("outcome.repeat.span_days", o.repeat().span_days(), 1,
                  policy.adult().span_days(), kR7);
      }
      break;
    case v1::BREACH_OUTCOME_KIND_SERVE_PRISON:
      if (v.Required("outcome.serve_prison", o.has_serve_prison())) {
        CheckExtentAmount(v, "outcome.serve_prison.prison_days",
                          o.serve_prison().prison_days(),
                          c.sentence().replaced_prison_days(), o.extent(),
                          "prison days", absl::StrCat(kR8, "(b)"));
      }
      break;
    case v1::BREACH_OUTCOME_KIND_PAY_FINE:
      if (v.Required("outcome.pay_fine", o.has_pay_fine())) {
        const int64_t unpaid =
            ReplacedFineRupiah(c) - c.fine_substitution().paid_rupiah();
        CheckExtentAmount(v, "outcome.pay_fine.fine_rupiah",
                          o.pay_fine().fine_rupiah(), unpaid, o.extent(),
                          "rupiah of the fine", absl::StrCat(kR8, "(c)"));
        if (o.pay_fine().substitute_prison_days() < 0) {
          v.AddViolation("outcome.pay_fine.substitute_prison_days",
                         "must not be negative");
        }
        if (o.pay_fine().has_pay_by_date()) {
          v.Date("outcome.pay_fine.pay_by_date", o.pay_fine().pay_by_date());
        }
      }
      break;
    case v1::BREACH_OUTCOME_KIND_EXCUSED:
      if (v.Required("outcome.excused", o.has_excused()) &&
          policy::PolicySet::FindValidReason(
              policy, o.excused().valid_reason_code()) == nullptr) {
        v.AddViolation(
            "outcome.excused.valid_reason_code",
            absl::StrCat("must be a valid reason of the policy's taxonomy (",
                         kR8, ")"));
      }
      break;
    default:
      break;
  }
  st = v.Finish();
  if (!st.ok()) return st;

  Transition t = BeginCommand(c, "DecideBreachOutcome", ctx);
  v1::Breach* b = OpenBreach(t.after);
  v1::BreachOutcome* stored = b->mutable_outcome();
  *stored = o;
  *stored->mutable_decided_by() = ctx.actor;
  *stored->mutable_record_time() = internal::ToProto(ctx.now);
  if (excused) stored->clear_extent();
  v1::Progress* p = t.after.mutable_progress();
  switch (kind) {
    case v1::BREACH_OUTCOME_KIND_REPEAT:
      SetState(t, v1::CASE_STATE_IN_PROGRESS);
      // The ledger restarts at the repeat's hours and span (supervision
      // follows with LedgerAdjusted); mirror the new target now.
      p->set_credited_minutes(0);
      p->set_excess_minutes(0);
      p->set_owed_minutes(int64_t{o.repeat().repeat_hours()} * 60);
      p->set_at_risk(false);
      p->set_overdue(false);
      *p->mutable_deadline_time() = internal::ToProto(
          StartOfDay(*decided + o.repeat().span_days(), ctx.zone));
      break;
    case v1::BREACH_OUTCOME_KIND_EXCUSED:
      SetState(t, v1::CASE_STATE_IN_PROGRESS);
      break;
    default:
      SetState(t, v1::CASE_STATE_CONVERTED);
      break;
  }
  t.history.add_changed_fields("breaches");
  v1::BreachOutcomeDecided ev;
  *ev.mutable_facts() = Facts(t.after, c.state());
  ev.set_breach_id(b->breach_id());
  *ev.mutable_outcome() = *stored;
  AddEvent(t, ev, ctx.now);
  return t;
}

absl::StatusOr<Transition> RecordFinePayment(
    const Case& c, const v1::RecordFinePaymentRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx) {
  absl::Status st =
      CheckTransition(c.state(), Action::kRecordFinePayment, c.name());
  if (!st.ok()) return st;
  const bool substitute =
      c.sentence().basis() == v1::SENTENCE_BASIS_FINE_SUBSTITUTE &&
      c.state() != v1::CASE_STATE_CONVERTED;
  const v1::BreachOutcome* outcome = LatestOutcome(c);
  const bool pay_fine_outcome =
      c.state() == v1::CASE_STATE_CONVERTED && outcome != nullptr &&
      outcome->kind() == v1::BREACH_OUTCOME_KIND_PAY_FINE;
  int64_t unpaid = 0;
  if (substitute) {
    unpaid = c.fine_substitution().fine_rupiah() -
             c.fine_substitution().paid_rupiah();
  } else if (pay_fine_outcome) {
    unpaid = outcome->pay_fine().fine_rupiah() - OutcomePaid(c);
  }
  if ((!substitute && !pay_fine_outcome) || unpaid <= 0) {
    return FailedPreconditionError(
        absl::StrCat("a fine payment applies to a fine-substitute case (", kR10,
                     ") or a CONVERTED case with a PAY_FINE outcome, with an "
                     "amount unpaid; case is ",
                     StateName(c.state())),
        "FINE", c.name(), "FINE_PAYMENT_NOT_APPLICABLE");
  }
  Validator v;
  const v1::FinePayment& pay = req.payment();
  if (v.Required("payment", req.has_payment())) {
    if (pay.amount_rupiah() <= 0 || pay.amount_rupiah() > unpaid) {
      v.AddViolation("payment.amount_rupiah",
                     absl::StrCat("must be between 1 and the unpaid Rp", unpaid,
                                  ", got Rp", pay.amount_rupiah()));
    }
    v.RequiredString("payment.receipt_number", pay.receipt_number());
    const std::optional<absl::CivilDay> day =
        CheckDate(v, "payment.paid_date", pay.has_paid_date(), pay.paid_date());
    if (day.has_value() && *day > Today(ctx)) {
      v.AddViolation("payment.paid_date", "must not be in the future");
    }
  }
  st = v.Finish();
  if (!st.ok()) return st;

  Transition t = BeginCommand(c, "RecordFinePayment", ctx);
  v1::FinePayment* stored = t.after.add_fine_payments();
  *stored = pay;
  stored->set_payment_id(
      absl::StrFormat("p%04d", t.after.fine_payments_size()));
  *stored->mutable_record_time() = internal::ToProto(ctx.now);
  *stored->mutable_recorded_by() = ctx.actor;
  t.history.add_changed_fields("fine_payments");
  int64_t paid_total = 0;
  int64_t remaining = 0;
  if (substitute) {
    v1::FineSubstitution* fs = t.after.mutable_fine_substitution();
    fs->set_paid_rupiah(fs->paid_rupiah() + pay.amount_rupiah());
    fs->set_remaining_minutes(RemainingMinutesAfterPayment(
        fs->substitute_hours(), fs->fine_rupiah(), fs->paid_rupiah(), policy));
    paid_total = fs->paid_rupiah();
    remaining = fs->remaining_minutes();
    t.history.add_changed_fields("fine_substitution");
    if (internal::LatestRepeat(t.after) == nullptr) {
      t.after.mutable_progress()->set_owed_minutes(std::max<int64_t>(
          remaining - t.after.progress().credited_minutes(), 0));
    }
  } else {
    paid_total = OutcomePaid(t.after);
  }
  v1::FinePaymentRecorded ev;
  ev.set_amount_rupiah(pay.amount_rupiah());
  ev.set_paid_total_rupiah(paid_total);
  ev.set_remaining_minutes(remaining);
  if (substitute && paid_total >= c.fine_substitution().fine_rupiah()) {
    // Pasal 82: the fine paid in full ends the substitute work.
    SetState(t, v1::CASE_STATE_COMPLETION_PENDING);
    v1::Completion* done = t.after.mutable_completion();
    done->set_basis(v1::COMPLETION_BASIS_FINE_PAID);
    *done->mutable_reached_time() = internal::ToProto(ctx.now);
    done->set_credited_minutes(t.after.progress().credited_minutes());
    t.history.add_changed_fields("completion");
    *ev.mutable_facts() = Facts(t.after, c.state());
    AddEvent(t, ev, ctx.now);
    v1::CaseCompletionPending pending;
    *pending.mutable_facts() = Facts(t.after, c.state());
    pending.set_basis(v1::COMPLETION_BASIS_FINE_PAID);
    pending.set_credited_minutes(done->credited_minutes());
    AddEvent(t, pending, ctx.now);
    return t;
  }
  *ev.mutable_facts() = Facts(t.after, c.state());
  AddEvent(t, ev, ctx.now);
  return t;
}

absl::StatusOr<Transition> TransferCase(const Case& c,
                                        const v1::TransferCaseRequest& req,
                                        absl::string_view destination_case,
                                        const CommandContext& ctx) {
  absl::Status st = CheckTransition(c.state(), Action::kTransfer, c.name());
  if (!st.ok()) return st;
  Validator v;
  const v1::Transfer& tr = req.transfer();
  if (v.Required("transfer", req.has_transfer())) {
    if (v.RegencyCode("transfer.destination_regency_code",
                      tr.destination_regency_code()) &&
        tr.destination_regency_code() == c.regency_code()) {
      v.AddViolation("transfer.destination_regency_code",
                     "must differ from the case's regency");
    }
    if (!internal::IsTaxonomyCode(tr.reason_code())) {
      v.AddViolation("transfer.reason_code",
                     tr.reason_code().empty()
                         ? "is required"
                         : "must match [a-z][a-z0-9_]*, at most 64 characters");
    }
    if (tr.destination_address().size() > kMaxCodeText * 5) {
      v.AddViolation("transfer.destination_address", "is too long");
    }
  }
  st = v.Finish();
  if (!st.ok()) return st;
  Transition t = BeginCommand(c, "TransferCase", ctx);
  SetState(t, v1::CASE_STATE_TRANSFERRED_OUT);
  v1::Transfer* stored = t.after.mutable_transfer();
  *stored = tr;
  stored->set_destination_case(std::string(destination_case));
  *stored->mutable_record_time() = internal::ToProto(ctx.now);
  *stored->mutable_transferred_by() = ctx.actor;
  t.history.add_changed_fields("transfer");
  v1::CaseTransferred ev;
  *ev.mutable_facts() = Facts(t.after, c.state());
  ev.set_destination_regency_code(tr.destination_regency_code());
  ev.set_destination_case(std::string(destination_case));
  AddEvent(t, ev, ctx.now);
  return t;
}

absl::StatusOr<Transition> ReceiveTransferredCase(
    const Case& source, absl::string_view name, absl::string_view regency_code,
    const CommandContext& ctx) {
  Case c = source;
  c.set_name(std::string(name));
  c.set_regency_code(std::string(regency_code));
  c.set_transferred_from(source.name());
  c.clear_transfer();
  c.clear_handover();
  c.clear_cancellation();
  c.clear_completion();
  c.clear_etag();
  // Credited minutes and the deadline stay; the supervision links do not
  // (the person is handed over again in the new regency).
  v1::Progress* p = c.mutable_progress();
  p->clear_placement();
  p->clear_pk_assignment();
  p->clear_source_cursor();
  p->clear_source_event_time();
  p->clear_at_risk();
  c.set_state(v1::CASE_STATE_UNSPECIFIED);
  c.set_version(0);
  *c.mutable_create_time() = internal::ToProto(ctx.now);
  Transition t = Begin(c, absl::StrCat(kMethodPrefix, "TransferCase"),
                       ctx.request_id, &ctx.actor, ctx.now);
  SetState(t, source.has_execution_order() ? v1::CASE_STATE_EXECUTION_ORDERED
                                           : v1::CASE_STATE_REGISTERED);
  v1::CaseRegistered ev;
  *ev.mutable_facts() = Facts(t.after, v1::CASE_STATE_UNSPECIFIED);
  *ev.mutable_final_date() = t.after.decision().final_date();
  ev.set_max_prison_threat_months(t.after.offence().max_prison_threat_months());
  ev.set_transferred_from(source.name());
  AddEvent(t, ev, ctx.now);
  return t;
}

absl::StatusOr<Transition> CancelCase(const Case& c,
                                      const v1::CancelCaseRequest& req,
                                      const CommandContext& ctx) {
  absl::Status st = CheckTransition(c.state(), Action::kCancel, c.name());
  if (!st.ok()) return st;
  Validator v;
  const v1::Cancellation& k = req.cancellation();
  if (v.Required("cancellation", req.has_cancellation())) {
    if (k.reason() == v1::CANCELLATION_REASON_UNSPECIFIED ||
        !v1::CancellationReason_IsValid(k.reason())) {
      v.AddViolation("cancellation.reason", "is required");
    }
    if (k.reason() == v1::CANCELLATION_REASON_OTHER ||
        !k.reason_code().empty()) {
      if (!internal::IsTaxonomyCode(k.reason_code())) {
        v.AddViolation("cancellation.reason_code",
                       k.reason_code().empty()
                           ? "is required when reason is OTHER"
                           : "must match [a-z][a-z0-9_]*, at most 64 "
                             "characters");
      }
    }
  }
  st = v.Finish();
  if (!st.ok()) return st;
  Transition t = BeginCommand(c, "CancelCase", ctx);
  SetState(t, v1::CASE_STATE_CANCELLED);
  v1::Cancellation* stored = t.after.mutable_cancellation();
  *stored = k;
  *stored->mutable_record_time() = internal::ToProto(ctx.now);
  *stored->mutable_cancelled_by() = ctx.actor;
  t.history.add_changed_fields("cancellation");
  v1::CaseCancelled ev;
  *ev.mutable_facts() = Facts(t.after, c.state());
  ev.set_reason(k.reason());
  AddEvent(t, ev, ctx.now);
  return t;
}

}  // namespace ks::cases::domain
