#include "services/supervision/domain/span.h"

#include "common/time/calendar.h"
#include "common/time/clock.h"

namespace ks::supervision::domain {

namespace cv1 = ::kerjasosial::common::v1;

absl::CivilDay SpanEndDay(absl::CivilDay start, cv1::SpanUnit unit, int days,
                          int months) {
  if (unit != cv1::SPAN_UNIT_CALENDAR_MONTHS) return start + days;
  return AddCalendarMonths(start, months);
}

absl::Time SpanDeadline(absl::Time start, absl::TimeZone zone,
                        const cv1::PolicyVersion& policy, bool child) {
  const absl::CivilDay first = LocalDay(start, zone);
  const absl::CivilDay end =
      child
          ? SpanEndDay(first, policy.child().span_unit(),
                       policy.child().span_days(), policy.child().span_months())
          : SpanEndDay(first, policy.adult().span_unit(),
                       policy.adult().span_days(),
                       policy.adult().span_months());
  return StartOfDay(end, zone);
}

}  // namespace ks::supervision::domain
