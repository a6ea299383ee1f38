#include "services/supervision/programs/domain/referral.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/time/clock.h"

namespace ks::supervision::programs::domain {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;

// The referral after a step from `current` (version `version`) to `state`,
// with its event.
ReferralStep Step(v1::Referral after, int64_t version, v1::ReferralState state,
                  const v1::PartnerProgram& program, absl::string_view regency,
                  int64_t seat_delta, const Context& ctx) {
  after.set_state(state);
  *after.mutable_update_time() = ToProto(ctx.now);
  after.clear_etag();
  v1::ReferralChanged e;
  e.set_case_name(after.case_name());
  e.set_client(after.client());
  e.set_program(after.program());
  e.set_category(program.category());
  e.set_partner_kind(program.partner_kind());
  e.set_state(state);
  e.set_outcome(after.outcome());
  e.set_certified(after.has_certificate());
  ReferralStep step;
  step.outcome.events.push_back(MakeEvent(kReferralAggregate, after.name(),
                                          version + 1, regency, e, ctx.now));
  step.outcome.after = std::move(after);
  step.seat_delta = seat_delta;
  return step;
}

absl::Status Require(const v1::Referral& r,
                     std::initializer_list<v1::ReferralState> from,
                     absl::string_view action) {
  if (std::find(from.begin(), from.end(), r.state()) != from.end()) {
    return absl::OkStatus();
  }
  return TransitionError(r.name(), v1::ReferralState_Name(r.state()), action);
}

}  // namespace

absl::StatusOr<ReferralStep> CreateReferral(const v1::Referral& input,
                                            const v1::PartnerProgram& program,
                                            const Subject& subject,
                                            absl::string_view name,
                                            absl::string_view regency,
                                            const Context& ctx) {
  Validator v;
  CheckSubjectNames(v, "referral.", input.case_name(), input.client(), regency);
  v.ResourceName("referral.program", input.program(),
                 "regencies/{regency}/partnerPrograms/{program}");
  KS_RETURN_IF_ERROR(v.Finish());
  KS_RETURN_IF_ERROR(CheckSubjectActive(subject));
  KS_RETURN_IF_ERROR(CheckReferable(program, subject, ctx));
  v1::Referral r;
  r.set_name(std::string(name));
  r.set_case_name(input.case_name());
  r.set_client(input.client());
  r.set_program(input.program());
  r.set_pk_principal_id(ctx.actor.principal_id());
  *r.mutable_referred_time() = ToProto(ctx.now);
  *r.mutable_create_time() = ToProto(ctx.now);
  return Step(std::move(r), 0, v1::REFERRAL_STATE_REFERRED, program, regency,
              +1, ctx);
}

absl::StatusOr<ReferralStep> AcceptReferral(const v1::Referral& current,
                                            int64_t version,
                                            const v1::PartnerProgram& program,
                                            absl::string_view regency,
                                            const Context& ctx) {
  KS_RETURN_IF_ERROR(
      Require(current, {v1::REFERRAL_STATE_REFERRED}, "AcceptReferral"));
  v1::Referral r = current;
  *r.mutable_accept_time() = ToProto(ctx.now);
  return Step(std::move(r), version, v1::REFERRAL_STATE_ACCEPTED, program,
              regency, 0, ctx);
}

absl::StatusOr<ReferralStep> RecordReferralAttendance(
    const v1::Referral& current, int64_t version,
    const v1::RecordReferralAttendanceRequest& request,
    const v1::PartnerProgram& program, absl::string_view regency,
    const Context& ctx) {
  const v1::ReferralAttendance& a = request.attendance();
  Validator v;
  if (v.Required("attendance.date", a.has_date()) &&
      v.Date("attendance.date", a.date()) &&
      DateKey(a.date()) > DateKey(DateFromCivilDay(ctx.today))) {
    v.AddViolation("attendance.date", "must not be after today");
  }
  if (a.attended()) {
    if (!a.reason_code().empty()) {
      v.AddViolation("attendance.reason_code",
                     "must be empty when the client attended");
    }
  } else if (v.RequiredString("attendance.reason_code", a.reason_code())) {
    CheckTaxonomy(v, ctx, "attendance.reason_code", "guidance_non_attendance",
                  a.reason_code());
  }
  KS_RETURN_IF_ERROR(v.Finish());
  KS_RETURN_IF_ERROR(Require(current, {v1::REFERRAL_STATE_ACCEPTED},
                             "RecordReferralAttendance"));
  for (const v1::ReferralAttendance& seen : current.attendances()) {
    if (DateKey(seen.date()) == DateKey(a.date())) {
      return Precondition("the meeting of this date is already recorded",
                          "ATTENDANCE", current.name(),
                          "ATTENDANCE_ALREADY_RECORDED");
    }
  }
  v1::Referral r = current;
  v1::ReferralAttendance stored = a;
  *stored.mutable_recorded_by() = ctx.actor;
  // Oldest first, whatever the order of recording.
  auto* list = r.mutable_attendances();
  list->Add(std::move(stored));
  std::stable_sort(
      list->begin(), list->end(),
      [](const v1::ReferralAttendance& x, const v1::ReferralAttendance& y) {
        return DateKey(x.date()) < DateKey(y.date());
      });
  return Step(std::move(r), version, v1::REFERRAL_STATE_ACCEPTED, program,
              regency, 0, ctx);
}

absl::StatusOr<ReferralStep> CompleteReferral(
    const v1::Referral& current, int64_t version,
    const v1::CompleteReferralRequest& request,
    const v1::PartnerProgram& program, absl::string_view regency,
    const Context& ctx) {
  Validator v;
  const v1::ReferralOutcome outcome = request.outcome();
  if (outcome != v1::REFERRAL_OUTCOME_COMPLETED &&
      outcome != v1::REFERRAL_OUTCOME_PARTIALLY_COMPLETED &&
      outcome != v1::REFERRAL_OUTCOME_NOT_ATTENDED) {
    v.AddViolation("outcome",
                   "must be COMPLETED, PARTIALLY_COMPLETED or NOT_ATTENDED "
                   "(withdraw with WithdrawReferral)");
  } else if (request.has_certificate()) {
    if (outcome != v1::REFERRAL_OUTCOME_COMPLETED) {
      v.AddViolation("certificate", "is recorded only for outcome COMPLETED");
    }
    CheckDocument(v, "certificate", request.certificate());
    v.Name("certificate.number", request.certificate().number(), 100, true);
  } else if (outcome == v1::REFERRAL_OUTCOME_COMPLETED &&
             program.certifies_completion()) {
    v.AddViolation("certificate",
                   "is required: the program certifies completion");
  }
  KS_RETURN_IF_ERROR(v.Finish());
  KS_RETURN_IF_ERROR(
      Require(current, {v1::REFERRAL_STATE_ACCEPTED}, "CompleteReferral"));
  v1::Referral r = current;
  r.set_outcome(outcome);
  if (request.has_certificate())
    *r.mutable_certificate() = request.certificate();
  *r.mutable_end_time() = ToProto(ctx.now);
  return Step(std::move(r), version, v1::REFERRAL_STATE_COMPLETED, program,
              regency, -1, ctx);
}

absl::StatusOr<ReferralStep> WithdrawReferral(
    const v1::Referral& current, int64_t version,
    const v1::WithdrawReferralRequest& request,
    const v1::PartnerProgram& program, absl::string_view regency,
    const Context& ctx) {
  Validator v;
  if (v.RequiredString("reason_code", request.reason_code())) {
    CheckTaxonomy(v, ctx, "reason_code", "referral_withdrawal_reason",
                  request.reason_code());
  }
  KS_RETURN_IF_ERROR(v.Finish());
  KS_RETURN_IF_ERROR(Require(
      current, {v1::REFERRAL_STATE_REFERRED, v1::REFERRAL_STATE_ACCEPTED},
      "WithdrawReferral"));
  v1::Referral r = current;
  r.set_outcome(v1::REFERRAL_OUTCOME_WITHDRAWN);
  r.set_end_reason_code(request.reason_code());
  *r.mutable_end_time() = ToProto(ctx.now);
  return Step(std::move(r), version, v1::REFERRAL_STATE_WITHDRAWN, program,
              regency, -1, ctx);
}

}  // namespace ks::supervision::programs::domain
