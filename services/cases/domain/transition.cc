#include "services/cases/domain/transition.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
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
using internal::AddEvent;
using internal::BeginCommand;
using internal::CaseId;
using internal::CheckDate;
using internal::SetState;
using internal::Today;

}  // namespace

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
    const PolicyVersion& policy, const CommandContext& ctx) {
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
  const internal::SpanDays span = internal::SpanOf(t.after, policy, ctx.zone);
  if (span.start) *ev.mutable_span_start_date() = DateFromCivilDay(*span.start);
  if (span.last) *ev.mutable_deadline_date() = DateFromCivilDay(*span.last);
  if (c.sentence().has_constraints()) {
    *ev.mutable_constraints() = c.sentence().constraints();
  }
  if (c.sentence().has_litmas()) *ev.mutable_litmas() = c.sentence().litmas();
  ev.set_sentence_minutes(CurrentSentenceMinutes(t.after));
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
