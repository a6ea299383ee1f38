// Calendar arithmetic on local days that two services must do identically.
//
// Thread-safe (pure functions).
#ifndef KS_COMMON_TIME_CALENDAR_H_
#define KS_COMMON_TIME_CALENDAR_H_

#include "absl/time/civil_time.h"

namespace ks {

// The same day of the month `months` calendar months after `day`, or that
// month's last day when it is shorter (31 Aug + 6 months = 28/29 Feb). This
// is how a span of N "Bulan" ends (R7, KUHP Pasal 85(5)): cases computes the
// deadline when the span starts at the decision, supervision when it starts
// at the first session, and the two must agree to the day.
absl::CivilDay AddCalendarMonths(absl::CivilDay day, int months);

}  // namespace ks

#endif  // KS_COMMON_TIME_CALENDAR_H_
