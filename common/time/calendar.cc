#include "common/time/calendar.h"

#include <algorithm>

namespace ks {

absl::CivilDay AddCalendarMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const absl::CivilDay month_last = absl::CivilDay(month + 1) - 1;
  return std::min(absl::CivilDay(month.year(), month.month(), day.day()),
                  month_last);
}

}  // namespace ks
