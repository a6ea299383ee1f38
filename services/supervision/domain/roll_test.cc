// Who is on a site's roll on a local day (roll.h): inside the placement's
// period, ACTIVE during that day, and a schedule window on its weekday.
#include "services/supervision/domain/roll.h"

#include "common/time/clock.h"
#include "gtest/gtest.h"
#include "services/supervision/domain/test_util.h"

namespace ks::supervision::domain {
namespace {

using namespace ::ks::supervision::domain::testing;  // NOLINT
namespace cv1 = ::kerjasosial::common::v1;

::kerjasosial::placements::v1::PlacementFacts Facts() {
  ::kerjasosial::placements::v1::PlacementFacts f;
  *f.mutable_period()->mutable_start_date() =
      DateFromCivilDay(absl::CivilDay(2026, 3, 2));  // a Monday
  *f.mutable_period()->mutable_end_date() =
      DateFromCivilDay(absl::CivilDay(2026, 3, 31));
  f.mutable_schedule()->set_time_zone("Asia/Jayapura");
  cv1::ScheduleSlot* monday = f.mutable_schedule()->add_slots();
  monday->set_weekday(cv1::WEEKDAY_MONDAY);
  monday->set_start_minute(8 * 60);
  monday->set_end_minute(12 * 60);
  return f;
}

TEST(RollTest, ExpectedOnAScheduledDayInsideThePeriodWhileActive) {
  const absl::TimeZone z = Wit();
  const std::vector<ActiveInterval> active = {
      {At(z, 2026, 3, 2, 0), std::nullopt}};
  EXPECT_TRUE(ExpectedOn(Facts(), active, absl::CivilDay(2026, 3, 2), z));
  EXPECT_TRUE(ExpectedOn(Facts(), active, absl::CivilDay(2026, 3, 30), z));
  // Tuesday: no window.
  EXPECT_FALSE(ExpectedOn(Facts(), active, absl::CivilDay(2026, 3, 3), z));
  // A Monday after the period.
  EXPECT_FALSE(ExpectedOn(Facts(), active, absl::CivilDay(2026, 4, 6), z));
  // A Monday before the period.
  EXPECT_FALSE(ExpectedOn(Facts(), active, absl::CivilDay(2026, 2, 23), z));
}

TEST(RollTest, SuspendedForTheWholeDayIsNotExpected) {
  const absl::TimeZone z = Wit();
  // Suspended from Friday 6 March to Tuesday 10 March 09:00 local.
  const std::vector<ActiveInterval> active = {
      {At(z, 2026, 3, 2, 0), At(z, 2026, 3, 6, 10)},
      {At(z, 2026, 3, 10, 9), std::nullopt}};
  EXPECT_FALSE(ExpectedOn(Facts(), active, absl::CivilDay(2026, 3, 9), z));
  EXPECT_TRUE(ExpectedOn(Facts(), active, absl::CivilDay(2026, 3, 16), z));
  EXPECT_FALSE(ExpectedOn(Facts(), {}, absl::CivilDay(2026, 3, 2), z));
}

}  // namespace
}  // namespace ks::supervision::domain
