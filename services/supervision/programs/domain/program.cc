#include "services/supervision/programs/domain/program.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/time/clock.h"

namespace ks::supervision::programs::domain {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;

void CheckAgreementFields(Validator& v, const v1::PartnerAgreement& a) {
  const std::string p = "partner_agreement.";
  v.Name(p + "number", a.number(), 100, true);
  v.Name(p + "partner_name", a.partner_name(), 200, true);
  if (a.partner_kind() == v1::PARTNER_KIND_UNSPECIFIED) {
    v.AddViolation(p + "partner_kind", "is required");
  }
  CheckDateRange(v, p + "validity", a.validity(), /*required=*/true);
  v.Text(p + "partner_provides", a.partner_provides(), 2000, true);
  v.Text(p + "bapas_provides", a.bapas_provides(), 2000, false);
  if (a.has_document()) CheckDocument(v, p + "document", a.document());
}

void CheckProgramFields(Validator& v, const v1::PartnerProgram& p) {
  const std::string f = "partner_program.";
  v.Name(f + "title", p.title(), 200, true);
  if (p.category() == v1::PROGRAM_CATEGORY_UNSPECIFIED) {
    v.AddViolation(f + "category", "is required");
  }
  v.Name(f + "partner_name", p.partner_name(), 200, true);
  if (p.partner_kind() == v1::PARTNER_KIND_UNSPECIFIED) {
    v.AddViolation(f + "partner_kind", "is required");
  }
  v.Name(f + "agreement_number", p.agreement_number(), 100, false);
  v.Text(f + "description", p.description(), 2000, false);
  if (p.capacity() < 0) {
    v.AddViolation(f + "capacity", "must be 0 (unlimited) or more");
  }
  CheckDateRange(v, f + "period", p.period(), /*required=*/false);
}

}  // namespace

absl::StatusOr<v1::PartnerAgreement> NewAgreement(
    const v1::PartnerAgreement& input, absl::string_view name,
    const Context& ctx) {
  Validator v;
  CheckAgreementFields(v, input);
  KS_RETURN_IF_ERROR(v.Finish());
  v1::PartnerAgreement a = input;
  a.set_name(std::string(name));
  a.clear_programs();
  *a.mutable_create_time() = ToProto(ctx.now);
  *a.mutable_update_time() = ToProto(ctx.now);
  a.clear_etag();
  return a;
}

absl::StatusOr<v1::PartnerAgreement> UpdateAgreement(
    const v1::PartnerAgreement& current,
    const v1::UpdatePartnerAgreementRequest& request, const Context& ctx) {
  Validator v;
  CheckMask(v, request.update_mask(),
            {"partner_name", "partner_kind", "validity", "partner_provides",
             "bapas_provides", "document"});
  KS_RETURN_IF_ERROR(v.Finish());
  v1::PartnerAgreement a = current;
  ApplyMask(request.update_mask(), request.partner_agreement(), a);
  CheckAgreementFields(v, a);
  KS_RETURN_IF_ERROR(v.Finish());
  *a.mutable_update_time() = ToProto(ctx.now);
  a.clear_etag();
  return a;
}

absl::StatusOr<v1::PartnerProgram> NewProgram(
    const v1::PartnerProgram& input, const v1::PartnerAgreement* agreement,
    absl::string_view name, const Context& ctx) {
  Validator v;
  CheckProgramFields(v, input);
  if (agreement != nullptr &&
      input.partner_kind() != agreement->partner_kind()) {
    v.AddViolation("partner_program.partner_kind",
                   "must be the partner kind of its partner_agreement");
  }
  KS_RETURN_IF_ERROR(v.Finish());
  if (agreement != nullptr) {
    const int today = DateKey(DateFromCivilDay(ctx.today));
    if (today < DateKey(agreement->validity().start_date()) ||
        today > DateKey(agreement->validity().end_date())) {
      return Precondition("the partner agreement is not in force today",
                          "VALIDITY", agreement->name(),
                          "AGREEMENT_NOT_IN_FORCE");
    }
  }
  v1::PartnerProgram p = input;
  p.set_name(std::string(name));
  if (agreement != nullptr && p.agreement_number().empty()) {
    p.set_agreement_number(agreement->number());
  }
  p.set_state(v1::PROGRAM_STATE_OPEN);
  p.set_active_referrals(0);
  *p.mutable_create_time() = ToProto(ctx.now);
  *p.mutable_update_time() = ToProto(ctx.now);
  p.clear_etag();
  return p;
}

absl::StatusOr<v1::PartnerProgram> UpdateProgram(
    const v1::PartnerProgram& current,
    const v1::UpdatePartnerProgramRequest& request, int64_t held,
    const Context& ctx) {
  Validator v;
  CheckMask(v, request.update_mask(),
            {"title", "category", "partner_name", "partner_kind",
             "agreement_number", "description", "capacity", "period",
             "accepts_children", "certifies_completion"});
  KS_RETURN_IF_ERROR(v.Finish());
  if (current.state() != v1::PROGRAM_STATE_OPEN) {
    return TransitionError(current.name(),
                           v1::ProgramState_Name(current.state()),
                           "UpdatePartnerProgram");
  }
  v1::PartnerProgram p = current;
  ApplyMask(request.update_mask(), request.partner_program(), p);
  CheckProgramFields(v, p);
  KS_RETURN_IF_ERROR(v.Finish());
  if (p.capacity() > 0 && p.capacity() < held) {
    return Precondition(absl::StrCat("the capacity must not fall below the ",
                                     held, " seats held by referrals"),
                        "CAPACITY", current.name(), kReasonCapacityBelowHeld);
  }
  *p.mutable_update_time() = ToProto(ctx.now);
  p.clear_etag();
  return p;
}

absl::StatusOr<v1::PartnerProgram> CloseProgram(
    const v1::PartnerProgram& current, const Context& ctx) {
  if (current.state() != v1::PROGRAM_STATE_OPEN) {
    return TransitionError(current.name(),
                           v1::ProgramState_Name(current.state()),
                           "ClosePartnerProgram");
  }
  v1::PartnerProgram p = current;
  p.set_state(v1::PROGRAM_STATE_CLOSED);
  *p.mutable_update_time() = ToProto(ctx.now);
  p.clear_etag();
  return p;
}

absl::Status CheckReferable(const v1::PartnerProgram& program,
                            const Subject& subject, const Context& ctx) {
  if (program.state() != v1::PROGRAM_STATE_OPEN) {
    return Precondition("the program is CLOSED", "STATE", program.name(),
                        kReasonProgramClosed);
  }
  if (program.has_period() && program.period().has_end_date() &&
      DateKey(DateFromCivilDay(ctx.today)) >
          DateKey(program.period().end_date())) {
    return Precondition("the program's period has ended", "PERIOD",
                        program.name(), kReasonProgramEnded);
  }
  if (subject.child && !program.accepts_children()) {
    return Precondition("the program does not accept children (UU SPPA)",
                        "ELIGIBILITY", program.name(),
                        kReasonProgramNotForChildren);
  }
  return absl::OkStatus();
}

int64_t SeatLimit(const v1::PartnerProgram& program) {
  return program.capacity() > 0 ? program.capacity()
                                : std::numeric_limits<int32_t>::max();
}

}  // namespace ks::supervision::programs::domain
