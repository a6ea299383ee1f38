#include "services/cases/domain/payment.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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
using cite::kR10;
using internal::AddEvent;
using internal::BeginCommand;
using internal::CheckDate;
using internal::LatestOutcome;
using internal::OutcomePaid;
using internal::SetState;
using internal::Today;

}  // namespace

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

}  // namespace ks::cases::domain
