// The calendar of an agreement's periodic reports (laporan berkala), shared
// by placements, which checks a report's period and stamps its due date, and
// reporting, which counts the reports due and those submitted on time.
//
// Periods are whole calendar months, quarters, half years or years of local
// dates (policy.proto ReportingPeriod), aligned on January: a quarter starts
// in January, April, July or October. An agreement owes one report for
// every period that overlaps the days it is in force, due
// `Reporting.report_due_days` days after the period's last day (the policy's
// choice: the law sets no rhythm, LEGAL.md open point 5).
//
// Thread-safe: pure functions.
#ifndef KS_COMMON_POLICY_REPORTING_PERIODS_H_
#define KS_COMMON_POLICY_REPORTING_PERIODS_H_

#include <vector>

#include "absl/time/civil_time.h"
#include "kerjasosial/common/v1/policy.pb.h"

namespace ks::policy {

// Months in one period of `period`; 0 for UNSPECIFIED or an unknown value.
int MonthsPerPeriod(kerjasosial::common::v1::ReportingPeriod period);

// One reporting period: its first and last local day.
struct ReportPeriod {
  absl::CivilDay first;
  absl::CivilDay last;
  bool operator==(const ReportPeriod& o) const {
    return first == o.first && last == o.last;
  }
};

// The period of `months` months (1, 3, 6 or 12) holding `day`.
ReportPeriod PeriodHolding(absl::CivilDay day, int months);

// The periods of `months` months overlapping [from, to], oldest first; none
// when months is not positive or to < from.
std::vector<ReportPeriod> PeriodsOverlapping(absl::CivilDay from,
                                             absl::CivilDay to, int months);

// The day by which the report of `period` is due: `due_days` after its last
// day (a report is submitted only once its period has ended).
absl::CivilDay ReportDueDay(const ReportPeriod& period, int due_days);

}  // namespace ks::policy

#endif  // KS_COMMON_POLICY_REPORTING_PERIODS_H_
