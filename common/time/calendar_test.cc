#include "common/time/calendar.h"

#include "gtest/gtest.h"

namespace ks {
namespace {

// R7: a span of N "Bulan" ends on the same day N months later, or on the
// last day of a shorter month.
TEST(AddCalendarMonthsTest, SameDayOrTheShorterMonthsLastDay) {
  EXPECT_EQ(AddCalendarMonths(absl::CivilDay(2026, 1, 15), 6),
            absl::CivilDay(2026, 7, 15));
  EXPECT_EQ(AddCalendarMonths(absl::CivilDay(2026, 8, 31), 6),
            absl::CivilDay(2027, 2, 28));
  EXPECT_EQ(AddCalendarMonths(absl::CivilDay(2027, 8, 31), 6),
            absl::CivilDay(2028, 2, 29));  // a leap year's February
  EXPECT_EQ(AddCalendarMonths(absl::CivilDay(2026, 12, 31), 2),
            absl::CivilDay(2027, 2, 28));  // across a year
  EXPECT_EQ(AddCalendarMonths(absl::CivilDay(2026, 3, 31), 0),
            absl::CivilDay(2026, 3, 31));
}

}  // namespace
}  // namespace ks
