#include "common/policy/reporting_periods.h"

namespace ks::policy {

namespace cv1 = kerjasosial::common::v1;

int MonthsPerPeriod(cv1::ReportingPeriod period) {
  switch (period) {
    case cv1::REPORTING_PERIOD_MONTHLY:
      return 1;
    case cv1::REPORTING_PERIOD_QUARTERLY:
      return 3;
    case cv1::REPORTING_PERIOD_SEMIANNUAL:
      return 6;
    case cv1::REPORTING_PERIOD_ANNUAL:
      return 12;
    default:
      return 0;
  }
}

ReportPeriod PeriodHolding(absl::CivilDay day, int months) {
  const absl::CivilMonth first(day.year(),
                               day.month() - (day.month() - 1) % months);
  return {absl::CivilDay(first), absl::CivilDay(first + months) - 1};
}

std::vector<ReportPeriod> PeriodsOverlapping(absl::CivilDay from,
                                             absl::CivilDay to, int months) {
  std::vector<ReportPeriod> out;
  if (months <= 0 || to < from) return out;
  for (ReportPeriod p = PeriodHolding(from, months); p.first <= to;
       p = PeriodHolding(p.last + 1, months)) {
    out.push_back(p);
  }
  return out;
}

absl::CivilDay ReportDueDay(const ReportPeriod& period, int due_days) {
  return period.last + due_days;
}

}  // namespace ks::policy
