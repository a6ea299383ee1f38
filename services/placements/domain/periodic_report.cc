#include "services/placements/domain/periodic_report.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/csv/csv.h"
#include "common/policy/reporting_periods.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;

constexpr int kNarrativeMax = 10000;

absl::Status NotDraft(const pv1::PeriodicReport& r, absl::string_view what) {
  return FailedPreconditionError(
      absl::StrCat("report is ", pv1::ReportState_Name(r.state()), ": ", what),
      "STATE", r.name(), kReasonInvalidState);
}

// A NIK is 16 digits: a narrative holding such a run likely names a person.
bool HoldsNikLikeNumber(absl::string_view text) {
  int run = 0;
  for (char c : text) {
    run = absl::ascii_isdigit(static_cast<unsigned char>(c)) ? run + 1 : 0;
    if (run >= 16) return true;
  }
  return false;
}

void CheckNarrative(Validator& v, absl::string_view narrative) {
  v.Text("report.narrative", narrative, kNarrativeMax, /*required=*/false);
  if (HoldsNikLikeNumber(narrative)) {
    v.AddViolation("report.narrative",
                   "must not contain personal data: it holds a 16-digit "
                   "number like a NIK");
  }
}

void SetFigures(pv1::PeriodicReport& r, const AgreementReport& figures) {
  *r.mutable_figures() = figures.figures;
  r.clear_site_figures();
  for (const pv1::SiteActivityFigures& row : figures.rows) {
    *r.add_site_figures() = row;
  }
}

}  // namespace

cv1::ReportingPeriod EffectiveReportingPeriod(
    const pv1::CooperationAgreement& agreement, const PolicyVersion& policy) {
  return agreement.reporting_period() != cv1::REPORTING_PERIOD_UNSPECIFIED
             ? agreement.reporting_period()
             : policy.reporting().default_period();
}

void CheckReportPeriod(Validator& v, absl::string_view field,
                       const cv1::DateRange& range,
                       cv1::ReportingPeriod reporting) {
  const std::string start_field = absl::StrCat(field, ".start_date");
  const std::string end_field = absl::StrCat(field, ".end_date");
  if (!v.Date(start_field, range.start_date()) ||
      !v.Date(end_field, range.end_date())) {
    return;
  }
  const int months = policy::MonthsPerPeriod(reporting);
  if (months == 0) {
    v.AddViolation(field, "the agreement has no reporting period");
    return;
  }
  const absl::CivilDay first = *CivilDayFromDate(range.start_date());
  const absl::CivilDay last = *CivilDayFromDate(range.end_date());
  const std::string period_name = cv1::ReportingPeriod_Name(reporting);
  if (first.day() != 1 || (first.month() - 1) % months != 0) {
    v.AddViolation(start_field, absl::StrCat("must be the first day of a ",
                                             period_name, " period (months 1, ",
                                             1 + months, ", ... of a year)"));
    return;
  }
  const absl::CivilDay want_last =
      absl::CivilDay(absl::CivilMonth(first) + months) - 1;
  if (last != want_last) {
    v.AddViolation(
        end_field,
        absl::StrFormat("must be %04d-%02d-%02d, the last day of "
                        "the %s period starting %04d-%02d-%02d",
                        want_last.year(), want_last.month(), want_last.day(),
                        period_name, first.year(), first.month(), first.day()));
  }
}

std::string ReportId(const cv1::DateRange& range) {
  const google::type::Date& d = range.start_date();
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

absl::StatusOr<pv1::PeriodicReport> NewPeriodicReport(
    const pv1::PeriodicReport& in, const pv1::CooperationAgreement& agreement,
    const std::string& name, const AgreementReport& figures,
    const Context& ctx) {
  Validator v;
  if (v.Required("report.period", in.has_period())) {
    CheckReportPeriod(v, "report.period", in.period(),
                      EffectiveReportingPeriod(agreement, *ctx.policy));
  }
  CheckNarrative(v, in.narrative());
  KS_RETURN_IF_ERROR(v.Finish());
  const absl::CivilDay first = *CivilDayFromDate(in.period().start_date());
  const absl::CivilDay last = *CivilDayFromDate(in.period().end_date());
  // Only the periods the agreement owes a report for: the schedule reporting
  // counts as due must be the one placements accepts.
  const absl::StatusOr<absl::CivilDay> effective =
      CivilDayFromDate(agreement.effective_date());
  const absl::StatusOr<absl::CivilDay> last_in_force =
      CivilDayFromDate(agreement.state() == pv1::AGREEMENT_STATE_TERMINATED
                           ? agreement.terminated_date()
                           : agreement.expiry_date());
  if (effective.ok() && last_in_force.ok() &&
      (last < *effective || first > *last_in_force)) {
    v.AddViolation(
        "report.period",
        absl::StrCat("the agreement is in force from ",
                     absl::FormatCivilTime(*effective), " to ",
                     absl::FormatCivilTime(*last_in_force),
                     "; a report covers a period overlapping those days"));
    KS_RETURN_IF_ERROR(v.Finish());
  }
  pv1::PeriodicReport r;
  r.set_name(name);
  *r.mutable_period() = in.period();
  *r.mutable_due_date() = DateFromCivilDay(policy::ReportDueDay(
      {first, last}, ctx.policy->reporting().report_due_days()));
  r.set_narrative(in.narrative());
  if (in.has_document()) *r.mutable_document() = in.document();
  r.set_state(pv1::REPORT_STATE_DRAFT);
  *r.mutable_create_time() = ToProto(ctx.now);
  *r.mutable_update_time() = ToProto(ctx.now);
  SetFigures(r, figures);
  return r;
}

void RefreshFigures(pv1::PeriodicReport& report,
                    const AgreementReport& figures) {
  if (report.state() == pv1::REPORT_STATE_DRAFT) SetFigures(report, figures);
}

absl::StatusOr<pv1::PeriodicReport> UpdatePeriodicReport(
    const pv1::PeriodicReport& current, const pv1::PeriodicReport& patch,
    const google::protobuf::FieldMask& mask, const AgreementReport& figures,
    const Context& ctx) {
  Validator v;
  pv1::PeriodicReport r = current;
  for (const std::string& path : mask.paths()) {
    if (path == "narrative") {
      r.set_narrative(patch.narrative());
    } else if (path == "document") {
      *r.mutable_document() = patch.document();
    } else {
      // The period names the report; the figures are the service's.
      v.AddViolation("update_mask",
                     absl::StrCat("\"", path, "\" cannot be updated"));
    }
  }
  if (mask.paths_size() == 0) v.AddViolation("update_mask", "required");
  CheckNarrative(v, r.narrative());
  KS_RETURN_IF_ERROR(v.Finish());
  if (current.state() != pv1::REPORT_STATE_DRAFT) {
    return NotDraft(current, "a submitted report cannot change");
  }
  SetFigures(r, figures);
  *r.mutable_update_time() = ToProto(ctx.now);
  return r;
}

absl::StatusOr<pv1::PeriodicReport> SubmitPeriodicReport(
    const pv1::PeriodicReport& current, const AgreementReport& figures,
    const Context& ctx) {
  if (current.state() != pv1::REPORT_STATE_DRAFT) {
    return NotDraft(current, "it was submitted already");
  }
  KS_ASSIGN_OR_RETURN(
      absl::CivilDay last,
      CivilDayFromDate(current.period().end_date(), "report.period.end_date"));
  if (ctx.today <= last) {
    return FailedPreconditionError(
        absl::StrCat("the period ends on ", absl::FormatCivilTime(last),
                     "; a report is submitted after its period"),
        "PERIOD", current.name(), kReasonReportPeriodOpen);
  }
  pv1::PeriodicReport r = current;
  SetFigures(r, figures);
  r.set_state(pv1::REPORT_STATE_SUBMITTED);
  *r.mutable_submit_time() = ToProto(ctx.now);
  // Reports drafted before due dates were stamped have none: their due day
  // is computed the same way now.
  if (!r.has_due_date()) {
    const absl::CivilDay first = *CivilDayFromDate(r.period().start_date());
    *r.mutable_due_date() = DateFromCivilDay(policy::ReportDueDay(
        {first, last}, ctx.policy->reporting().report_due_days()));
  }
  r.set_submitted_on_time(ctx.today <= *CivilDayFromDate(r.due_date()));
  *r.mutable_submitted_by() = ctx.actor;
  *r.mutable_update_time() = ToProto(ctx.now);
  return r;
}

std::string ReportCsv(const pv1::PeriodicReport& report) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"report", "period_start", "period_end", "state", "site",
                  "activity_type", "placements_active", "sessions_recorded",
                  "credited_minutes", "attended_complied", "failed_to_comply",
                  "sent_home", "absent_acceptable", "absent_unacceptable",
                  "violations_recorded", "warnings_issued"});
  const std::string start = ReportId(report.period());
  const google::type::Date& e = report.period().end_date();
  const std::string end =
      absl::StrFormat("%04d-%02d-%02d", e.year(), e.month(), e.day());
  const std::string state = pv1::ReportState_Name(report.state());
  for (const pv1::SiteActivityFigures& f : report.site_figures()) {
    const pv1::AttendanceFigures& a = f.attendance();
    rows.push_back({report.name(), start, end, state, f.site(),
                    f.activity_type(), absl::StrCat(f.placements_active()),
                    absl::StrCat(f.sessions_recorded()),
                    absl::StrCat(f.credited_minutes()),
                    absl::StrCat(a.attended_complied()),
                    absl::StrCat(a.failed_to_comply()),
                    absl::StrCat(a.sent_home()),
                    absl::StrCat(a.absent_acceptable()),
                    absl::StrCat(a.absent_unacceptable()),
                    absl::StrCat(f.violations_recorded()),
                    absl::StrCat(f.warnings_issued())});
  }
  return csv::Rows(rows);
}

}  // namespace ks::placements::domain
