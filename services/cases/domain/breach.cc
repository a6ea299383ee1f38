#include "services/cases/domain/breach.h"

#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/policy/policy.h"
#include "common/status/rich_status.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "services/cases/domain/citations.h"
#include "services/cases/domain/eligibility.h"
#include "services/cases/domain/internal.h"
#include "services/cases/domain/privacy.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;
using cite::kR11Breach;
using cite::kR11Repeat;
using cite::kR7;
using cite::kR8;
using internal::AddEvent;
using internal::BeginCommand;
using internal::CheckDate;
using internal::kMaxViolations;
using internal::OpenBreach;
using internal::SetState;
using internal::Today;

}  // namespace

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
        // A child repeats only on the supervising judge's order.
        const std::string& order = o.repeat().judge_order_reference();
        if (is_child && order.empty()) {
          v.AddViolation(
              "outcome.repeat.judge_order_reference",
              absl::StrCat("is required for a child's repeat: the number of "
                           "the supervising judge's order (",
                           kR11Repeat, ")"));
        } else if (order.size() > internal::kMaxCodeText) {
          v.AddViolation("outcome.repeat.judge_order_reference",
                         absl::StrCat("must be at most ",
                                      internal::kMaxCodeText, " characters"));
        }
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

}  // namespace ks::cases::domain
