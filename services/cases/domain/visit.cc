#include "services/cases/domain/visit.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "services/cases/domain/internal.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;

bool UnderSupervision(v1::CaseState s) {
  return s == v1::CASE_STATE_HANDED_OVER || s == v1::CASE_STATE_IN_PROGRESS;
}

}  // namespace

absl::StatusOr<v1::SupervisionVisit> NewSupervisionVisit(
    const Case& c, const v1::SupervisionVisit& input, absl::string_view name,
    const CommandContext& ctx) {
  if (!UnderSupervision(c.state())) {
    return FailedPreconditionError(
        absl::StrCat("a supervision visit is recorded while the case is "
                     "HANDED_OVER or IN_PROGRESS, not in state ",
                     StateName(c.state()), " (KUHP Pasal 85(8))"),
        "STATE", c.name(), "CASE_NOT_UNDER_SUPERVISION");
  }
  Validator v;
  const std::optional<absl::CivilDay> day = internal::CheckDate(
      v, "visit.visit_date", input.has_visit_date(), input.visit_date());
  if (day.has_value()) {
    if (*day > LocalDay(ctx.now + kVisitClockSkew, ctx.zone)) {
      v.AddViolation("visit.visit_date", "must not be in the future");
    }
    if (IsValidDate(c.execution_order().issued_date()) &&
        *day < internal::Day(c.execution_order().issued_date())) {
      v.AddViolation("visit.visit_date",
                     "must not be before the execution order's issued date");
    }
  }
  if (input.mode() == v1::SUPERVISION_VISIT_MODE_UNSPECIFIED ||
      !v1::SupervisionVisitMode_IsValid(input.mode())) {
    v.AddViolation("visit.mode", "is required");
  }
  if (!input.site().empty()) {
    if (input.mode() != v1::SUPERVISION_VISIT_MODE_SITE_VISIT) {
      v.AddViolation("visit.site", "is given only for a SITE_VISIT");
    } else {
      v.ResourceName("visit.site", input.site(),
                     "regencies/{regency}/sites/{site}");
    }
  }
  v.Text("visit.findings", input.findings(), kMaxVisitText, true);
  v.Text("visit.follow_up", input.follow_up(), kMaxVisitText, false);
  if (input.has_next_visit_date() &&
      v.Date("visit.next_visit_date", input.next_visit_date()) &&
      day.has_value() && internal::Day(input.next_visit_date()) <= *day) {
    v.AddViolation("visit.next_visit_date", "must be after visit_date");
  }
  KS_RETURN_IF_ERROR(v.Finish());

  v1::SupervisionVisit out = input;
  out.set_name(std::string(name));
  *out.mutable_recorded_by() = ctx.actor;
  *out.mutable_create_time() = internal::ToProto(ctx.now);
  out.clear_etag();
  return out;
}

absl::StatusOr<VisitFilter> VisitFilter::Parse(absl::string_view filter) {
  KS_ASSIGN_OR_RETURN(std::vector<rpc::filter::Comparison> comparisons,
                      rpc::filter::Parse(filter));
  VisitFilter out;
  for (const rpc::filter::Comparison& c : comparisons) {
    Term term;
    term.op = c.op;
    if (c.field == "visit_date") {
      term.is_date = true;
      if (!c.value.quoted || !absl::ParseCivilTime(c.value.text, &term.day)) {
        return rpc::filter::Bad(
            "visit_date compares to a quoted date, e.g. \"2026-03-01\"");
      }
    } else if (c.field == "mode") {
      KS_RETURN_IF_ERROR(rpc::filter::RequireEquality(c));
      KS_ASSIGN_OR_RETURN(
          term.mode,
          rpc::filter::EnumValue(c, *v1::SupervisionVisitMode_descriptor(),
                                 "SUPERVISION_VISIT_MODE_"));
    } else {
      return rpc::filter::Bad(
          absl::StrCat("unknown field; filter on visit_date or mode"));
    }
    out.terms_.push_back(term);
  }
  return out;
}

bool VisitFilter::Matches(const v1::SupervisionVisit& v) const {
  for (const Term& t : terms_) {
    if (t.is_date) {
      if (!IsValidDate(v.visit_date()) ||
          !rpc::filter::Compare(internal::Day(v.visit_date()), t.op, t.day)) {
        return false;
      }
    } else if (!rpc::filter::Compare(static_cast<int>(v.mode()), t.op,
                                     t.mode)) {
      return false;
    }
  }
  return true;
}

}  // namespace ks::cases::domain
