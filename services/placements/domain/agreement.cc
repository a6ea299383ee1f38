#include "services/placements/domain/agreement.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/regions/regions.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;

constexpr char kAgreementPattern[] =
    "regencies/{regency}/agreements/{agreement}";

absl::CivilDay DayOf(const google::type::Date& d) {
  absl::StatusOr<absl::CivilDay> day = CivilDayFromDate(d, "date");
  return day.ok() ? *day : absl::CivilDay(1970, 1, 1);
}

// `day` plus `months` calendar months, clamped to the month's last day.
absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth m = absl::CivilMonth(day) + months;
  const absl::CivilDay last = absl::CivilDay(m + 1) - 1;
  return std::min(absl::CivilDay(m) + (day.day() - 1), last);
}

absl::Status StateError(const CooperationAgreement& a, absl::string_view what) {
  return FailedPreconditionError(
      absl::StrCat("agreement is ", pv1::AgreementState_Name(a.state()), ": ",
                   what),
      "STATE", a.name(), kReasonInvalidState);
}

// The checks of every mutable field; `prefix` is "agreement.".
void CheckFields(Validator& v, const CooperationAgreement& a,
                 const PolicyVersion& policy) {
  v.Name("agreement.agreement_number", a.agreement_number(), 100, true);
  v.Text("agreement.title", a.title(), 300, true);
  if (a.parties_size() < 2) {
    v.AddViolation("agreement.parties", "at least two parties");
  }
  bool pemda = false;
  for (int i = 0; i < a.parties_size(); ++i) {
    const pv1::AgreementParty& p = a.parties(i);
    const std::string f = absl::StrCat("agreement.parties[", i, "]");
    if (p.agency() == cv1::AGENCY_UNSPECIFIED) {
      v.AddViolation(absl::StrCat(f, ".agency"), "required");
    }
    pemda = pemda || p.agency() == cv1::AGENCY_PEMDA;
    v.Name(absl::StrCat(f, ".office_name"), p.office_name(), 200, true);
    if (p.provides().size() > 2000) {
      v.AddViolation(absl::StrCat(f, ".provides"), "at most 2000 characters");
    }
  }
  if (a.parties_size() >= 2 && !pemda) {
    v.AddViolation("agreement.parties", "must include the Pemda");
  }
  if (a.technical_office().size() > 200) {
    v.AddViolation("agreement.technical_office", "at most 200 characters");
  }
  const bool dates = v.Date("agreement.signed_date", a.signed_date()) &
                     v.Date("agreement.effective_date", a.effective_date()) &
                     v.Date("agreement.expiry_date", a.expiry_date());
  if (dates) {
    const absl::CivilDay effective = DayOf(a.effective_date());
    const absl::CivilDay expiry = DayOf(a.expiry_date());
    if (DayOf(a.signed_date()) > effective) {
      v.AddViolation("agreement.effective_date",
                     "must not precede signed_date");
    }
    if (expiry < effective) {
      v.AddViolation("agreement.expiry_date",
                     "must not precede effective_date");
    }
    const int term = policy.reporting().agreement_validity_months();
    if (term > 0 && expiry >= AddMonths(effective, term)) {
      v.AddViolation("agreement.expiry_date",
                     absl::StrCat("at most ", term,
                                  " months after effective_date (the policy's "
                                  "agreement_validity_months)"));
    }
  }
  for (int i = 0; i < a.covered_regency_codes_size(); ++i) {
    v.RegencyCode(absl::StrCat("agreement.covered_regency_codes[", i, "]"),
                  a.covered_regency_codes(i));
  }
}

google::type::Date NextDue(absl::CivilDay from, const PolicyVersion& policy) {
  return DateFromCivilDay(AddMonths(
      from, std::max(1, policy.reporting().agreement_evaluation_months())));
}

}  // namespace

pv1::AgreementState EffectiveState(const CooperationAgreement& a,
                                   absl::CivilDay today) {
  if (a.state() == pv1::AGREEMENT_STATE_IN_FORCE && a.has_expiry_date() &&
      today > DayOf(a.expiry_date())) {
    return pv1::AGREEMENT_STATE_EXPIRED;
  }
  return a.state();
}

CooperationAgreement AsOf(CooperationAgreement a, absl::CivilDay today) {
  a.set_state(EffectiveState(a, today));
  return a;
}

absl::Status CheckInForce(const CooperationAgreement& a,
                          absl::string_view regency, absl::CivilDay today) {
  const pv1::AgreementState state = EffectiveState(a, today);
  if (state != pv1::AGREEMENT_STATE_IN_FORCE ||
      today < DayOf(a.effective_date())) {
    return FailedPreconditionError(
        absl::StrCat("agreement ", a.name(), " is not in force (",
                     pv1::AgreementState_Name(state), ")"),
        "AGREEMENT", a.name(), kReasonAgreementNotInForce);
  }
  if (a.regency_code() != regency &&
      std::find(a.covered_regency_codes().begin(),
                a.covered_regency_codes().end(),
                regency) == a.covered_regency_codes().end()) {
    return FailedPreconditionError(
        absl::StrCat("agreement ", a.name(), " does not cover regency ",
                     regency),
        "AGREEMENT", a.name(), kReasonAgreementNotInForce);
  }
  return absl::OkStatus();
}

absl::StatusOr<CooperationAgreement> NewAgreement(
    const CooperationAgreement& in, const std::string& name,
    const std::string& regency, const Context& ctx) {
  Validator v;
  CheckFields(v, in, *ctx.policy);
  if (in.level() == pv1::AGREEMENT_LEVEL_UNSPECIFIED) {
    v.AddViolation("agreement.level", "required");
  }
  if (!in.parent_agreement().empty()) {
    v.ResourceName("agreement.parent_agreement", in.parent_agreement(),
                   kAgreementPattern);
  }
  KS_RETURN_IF_ERROR(v.Finish());
  CooperationAgreement a;
  a.set_name(name);
  a.set_regency_code(regency);
  a.set_agreement_number(in.agreement_number());
  a.set_title(in.title());
  *a.mutable_parties() = in.parties();
  a.set_technical_office(in.technical_office());
  *a.mutable_signed_date() = in.signed_date();
  *a.mutable_effective_date() = in.effective_date();
  *a.mutable_expiry_date() = in.expiry_date();
  a.set_reporting_period(in.reporting_period());
  if (in.has_document()) *a.mutable_document() = in.document();
  a.set_level(in.level());
  *a.mutable_covered_regency_codes() = in.covered_regency_codes();
  a.set_parent_agreement(in.parent_agreement());
  a.set_state(pv1::AGREEMENT_STATE_DRAFT);
  *a.mutable_next_evaluation_due_date() =
      NextDue(DayOf(a.effective_date()), *ctx.policy);
  *a.mutable_create_time() = ToProto(ctx.now);
  *a.mutable_update_time() = ToProto(ctx.now);
  return a;
}

absl::StatusOr<CooperationAgreement> UpdateAgreement(
    const CooperationAgreement& current, const CooperationAgreement& patch,
    const google::protobuf::FieldMask& mask, const Context& ctx) {
  static const std::set<std::string> kInForcePaths = {
      "reporting_period", "technical_office", "document"};
  static const std::set<std::string> kDraftPaths = {"reporting_period",
                                                    "technical_office",
                                                    "document",
                                                    "agreement_number",
                                                    "title",
                                                    "parties",
                                                    "signed_date",
                                                    "effective_date",
                                                    "expiry_date",
                                                    "covered_regency_codes"};
  const pv1::AgreementState state = EffectiveState(current, ctx.today);
  Validator v;
  CooperationAgreement a = current;
  for (const std::string& path : mask.paths()) {
    if (!kDraftPaths.count(path)) {
      v.AddViolation("update_mask",
                     absl::StrCat("\"", path, "\" cannot be updated"));
      continue;
    }
    if (state != pv1::AGREEMENT_STATE_DRAFT &&
        !(state == pv1::AGREEMENT_STATE_IN_FORCE &&
          kInForcePaths.count(path))) {
      return StateError(current,
                        absl::StrCat("\"", path, "\" cannot change now"));
    }
    if (path == "reporting_period")
      a.set_reporting_period(patch.reporting_period());
    if (path == "technical_office")
      a.set_technical_office(patch.technical_office());
    if (path == "document") *a.mutable_document() = patch.document();
    if (path == "agreement_number")
      a.set_agreement_number(patch.agreement_number());
    if (path == "title") a.set_title(patch.title());
    if (path == "parties") *a.mutable_parties() = patch.parties();
    if (path == "signed_date") *a.mutable_signed_date() = patch.signed_date();
    if (path == "effective_date") {
      *a.mutable_effective_date() = patch.effective_date();
      *a.mutable_next_evaluation_due_date() =
          NextDue(DayOf(a.effective_date()), *ctx.policy);
    }
    if (path == "expiry_date") *a.mutable_expiry_date() = patch.expiry_date();
    if (path == "covered_regency_codes") {
      *a.mutable_covered_regency_codes() = patch.covered_regency_codes();
    }
  }
  KS_RETURN_IF_ERROR(v.Finish());
  CheckFields(v, a, *ctx.policy);
  KS_RETURN_IF_ERROR(v.Finish());
  *a.mutable_update_time() = ToProto(ctx.now);
  return a;
}

absl::StatusOr<CooperationAgreement> Activate(const CooperationAgreement& a,
                                              const Context& ctx) {
  if (a.state() != pv1::AGREEMENT_STATE_DRAFT) {
    return StateError(a, "only a DRAFT agreement can be activated");
  }
  if (ctx.today > DayOf(a.expiry_date())) {
    return FailedPreconditionError("the agreement's expiry date has passed",
                                   "EXPIRY", a.name(),
                                   kReasonAgreementNotInForce);
  }
  CooperationAgreement out = a;
  out.set_state(pv1::AGREEMENT_STATE_IN_FORCE);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<CooperationAgreement> Terminate(const CooperationAgreement& a,
                                               const Context& ctx) {
  const pv1::AgreementState state = EffectiveState(a, ctx.today);
  if (state != pv1::AGREEMENT_STATE_DRAFT &&
      state != pv1::AGREEMENT_STATE_IN_FORCE) {
    return StateError(a, "it has already ended");
  }
  CooperationAgreement out = a;
  out.set_state(pv1::AGREEMENT_STATE_TERMINATED);
  *out.mutable_terminated_date() = DateFromCivilDay(ctx.today);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<CooperationAgreement> RecordEvaluation(
    const CooperationAgreement& a, const pv1::AgreementEvaluation& evaluation,
    const Context& ctx) {
  Validator v;
  if (v.Date("evaluation.evaluated_date", evaluation.evaluated_date()) &&
      DayOf(evaluation.evaluated_date()) > ctx.today) {
    v.AddViolation("evaluation.evaluated_date", "must not be in the future");
  }
  KS_RETURN_IF_ERROR(v.Finish());
  if (EffectiveState(a, ctx.today) != pv1::AGREEMENT_STATE_IN_FORCE) {
    return StateError(a, "only an IN_FORCE agreement is evaluated");
  }
  CooperationAgreement out = a;
  pv1::AgreementEvaluation* e = out.add_evaluations();
  *e = evaluation;
  *e->mutable_recorded_by() = ctx.actor;
  *e->mutable_record_time() = ToProto(ctx.now);
  *out.mutable_next_evaluation_due_date() =
      NextDue(DayOf(evaluation.evaluated_date()), *ctx.policy);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<CooperationAgreement> Expire(const CooperationAgreement& a,
                                            const Context& ctx) {
  if (a.state() != pv1::AGREEMENT_STATE_IN_FORCE ||
      EffectiveState(a, ctx.today) != pv1::AGREEMENT_STATE_EXPIRED) {
    return StateError(a, "it is not past its expiry date");
  }
  CooperationAgreement out = a;
  out.set_state(pv1::AGREEMENT_STATE_EXPIRED);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<std::pair<CooperationAgreement, CooperationAgreement>> Renew(
    const CooperationAgreement& a, const std::string& new_name,
    const std::string& number, const google::type::Date& signed_date,
    const google::type::Date& expiry_date, const Context& ctx) {
  if (a.state() == pv1::AGREEMENT_STATE_TERMINATED) {
    return StateError(a, "a terminated agreement is not renewed");
  }
  if (!a.renewed_by().empty()) {
    return FailedPreconditionError(
        absl::StrCat("already renewed by ", a.renewed_by()), "AGREEMENT",
        a.name(), kReasonAlreadyRenewed);
  }
  CooperationAgreement in = a;
  in.set_agreement_number(number);
  *in.mutable_signed_date() = signed_date;
  *in.mutable_effective_date() = signed_date;
  *in.mutable_expiry_date() = expiry_date;
  in.clear_document();
  absl::StatusOr<CooperationAgreement> next =
      NewAgreement(in, new_name, a.regency_code(), ctx);
  if (!next.ok()) {
    // The request's fields are top-level; say so in the violations.
    Validator v;
    Validator probe;
    CheckFields(probe, in, *ctx.policy);
    for (const FieldViolation& fv : probe.violations()) {
      std::string field = fv.field;
      if (field == "agreement.agreement_number") field = "agreement_number";
      if (field == "agreement.signed_date") field = "signed_date";
      if (field == "agreement.effective_date") field = "signed_date";
      if (field == "agreement.expiry_date") field = "expiry_date";
      v.AddViolation(field, fv.description);
    }
    KS_RETURN_IF_ERROR(v.Finish());
    return next.status();
  }
  next->set_renewed_from(a.name());
  CooperationAgreement old = a;
  old.set_renewed_by(new_name);
  *old.mutable_update_time() = ToProto(ctx.now);
  return std::make_pair(std::move(old), *std::move(next));
}

pv1::CooperationAgreementActivated ActivatedEvent(const CooperationAgreement& a,
                                                  const PolicyVersion& policy) {
  pv1::CooperationAgreementActivated e;
  e.set_agreement_number(a.agreement_number());
  for (const pv1::AgreementParty& p : a.parties())
    e.add_party_agencies(p.agency());
  *e.mutable_effective_date() = a.effective_date();
  *e.mutable_expiry_date() = a.expiry_date();
  e.set_reporting_period(a.reporting_period() !=
                                 cv1::REPORTING_PERIOD_UNSPECIFIED
                             ? a.reporting_period()
                             : policy.reporting().default_period());
  e.set_report_due_days(policy.reporting().report_due_days());
  *e.mutable_next_evaluation_due_date() = a.next_evaluation_due_date();
  return e;
}

pv1::CooperationAgreementEnded EndedEvent(const CooperationAgreement& a) {
  pv1::CooperationAgreementEnded e;
  e.set_state(a.state());
  *e.mutable_end_date() = a.state() == pv1::AGREEMENT_STATE_TERMINATED
                              ? a.terminated_date()
                              : a.expiry_date();
  return e;
}

}  // namespace ks::placements::domain
