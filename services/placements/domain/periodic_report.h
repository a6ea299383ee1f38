// Periodic reports (laporan berkala) of an agreement: the period rule, the
// DRAFT → SUBMITTED lifecycle, the narrative edit, and the CSV form of the
// figures (served over HTTP, see placements_service.proto).
//
// Periods. A report covers exactly one reporting period of its agreement
// (CooperationAgreement.reporting_period: whole calendar months, quarters,
// half years or years, local dates), so two reports never overlap and the
// supervision counters (kept per local month) sum into it exactly.
//
// Errors: INVALID_ARGUMENT naming the field (under "report."); FAILED_
// PRECONDITION INVALID_STATE for a change to a SUBMITTED report, and
// REPORT_PERIOD_OPEN for a submission before the period's last day passed.
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_PERIODIC_REPORT_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_PERIODIC_REPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/validation/validator.h"
#include "google/protobuf/field_mask.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "services/placements/domain/context.h"
#include "services/placements/domain/report.h"

namespace ks::placements::domain {

inline constexpr char kReasonReportPeriodOpen[] = "REPORT_PERIOD_OPEN";

// The agreement's reporting period, or the policy's default when it names
// none (as its events resolve it).
kerjasosial::common::v1::ReportingPeriod EffectiveReportingPeriod(
    const kerjasosial::placements::v1::CooperationAgreement& agreement,
    const PolicyVersion& policy);

// Adds a violation on `field` unless `range` is exactly one period of
// `reporting` (first day of a period-aligned month to the period's last day).
void CheckReportPeriod(Validator& v, absl::string_view field,
                       const kerjasosial::common::v1::DateRange& range,
                       kerjasosial::common::v1::ReportingPeriod reporting);

// The report id of a period: its first day, "YYYY-MM-DD" (one report per
// period, so a second create for it is ALREADY_EXISTS).
std::string ReportId(const kerjasosial::common::v1::DateRange& range);

// A new DRAFT report of `agreement` named `name` from `in` (period,
// narrative, document) with the figures of `figures`. The period must be one
// the agreement owes a report for (it overlaps the days in force); its due
// date comes from the policy (common/policy/reporting_periods.h).
absl::StatusOr<kerjasosial::placements::v1::PeriodicReport> NewPeriodicReport(
    const kerjasosial::placements::v1::PeriodicReport& in,
    const kerjasosial::placements::v1::CooperationAgreement& agreement,
    const std::string& name, const AgreementReport& figures,
    const Context& ctx);

// A DRAFT shows the figures as of now; a SUBMITTED one keeps its frozen ones.
void RefreshFigures(kerjasosial::placements::v1::PeriodicReport& report,
                    const AgreementReport& figures);

// Paths: narrative, document. FAILED_PRECONDITION once SUBMITTED.
absl::StatusOr<kerjasosial::placements::v1::PeriodicReport>
UpdatePeriodicReport(const kerjasosial::placements::v1::PeriodicReport& current,
                     const kerjasosial::placements::v1::PeriodicReport& patch,
                     const google::protobuf::FieldMask& mask,
                     const AgreementReport& figures, const Context& ctx);

// DRAFT → SUBMITTED with `figures` frozen; the period must have ended
// (ctx.today after its last day). On time when ctx.today is not after
// due_date.
absl::StatusOr<kerjasosial::placements::v1::PeriodicReport>
SubmitPeriodicReport(const kerjasosial::placements::v1::PeriodicReport& current,
                     const AgreementReport& figures, const Context& ctx);

// The CSV form: a header row, then one row per site and activity type
// (report.site_figures), RFC 4180, UTF-8.
std::string ReportCsv(
    const kerjasosial::placements::v1::PeriodicReport& report);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_PERIODIC_REPORT_H_
