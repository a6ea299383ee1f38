#include "services/placements/domain/schedule.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/placements/domain/test_util.h"

namespace ks::placements::domain {
namespace {

namespace cv1 = ::kerjasosial::common::v1;
using testing::Ctx;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Weekdays;

TEST(ScheduleTest, ShapeNamesEachBadSlotAndOverlaps) {
  WeeklySchedule s = Weekdays(8 * 60, 12 * 60);
  s.mutable_slots(1)->set_end_minute(7 * 60);  // before its start
  auto* overlap = s.add_slots();
  overlap->set_weekday(cv1::WEEKDAY_MONDAY);
  overlap->set_start_minute(11 * 60);
  overlap->set_end_minute(13 * 60);
  s.set_time_zone("Asia/Jakarta");
  Validator v;
  CheckScheduleShape(v, "site.schedule", s, "Asia/Makassar");
  std::vector<std::string> fields;
  for (const auto& f : v.violations()) fields.push_back(f.field);
  EXPECT_THAT(fields, ElementsAre("site.schedule.time_zone",
                                  "site.schedule.slots[1].end_minute",
                                  "site.schedule.slots"));
}

TEST(ScheduleTest, PlacementMustLieInsideTheSiteWindows) {
  const WeeklySchedule site = Weekdays(7 * 60, 15 * 60);
  WeeklySchedule p = Weekdays(8 * 60, 12 * 60);
  Validator ok;
  CheckWithinSite(ok, "placement.schedule", p, site);
  EXPECT_TRUE(ok.ok());
  p.mutable_slots(4)->set_start_minute(6 * 60 + 30);  // Friday 06:30
  auto* saturday = p.add_slots();
  saturday->set_weekday(cv1::WEEKDAY_SATURDAY);
  saturday->set_start_minute(8 * 60);
  saturday->set_end_minute(9 * 60);
  Validator v;
  CheckWithinSite(v, "placement.schedule", p, site);
  ASSERT_EQ(v.violations().size(), 2u);
  EXPECT_EQ(v.violations()[0].field, "placement.schedule.slots[4]");
  EXPECT_THAT(v.violations()[0].description,
              HasSubstr("Fri 06:30-12:00 is outside the site's windows (Fri "
                        "07:00-15:00)"));
  EXPECT_EQ(v.violations()[1].field, "placement.schedule.slots[5]");
  EXPECT_THAT(v.violations()[1].description, HasSubstr("none that day"));
}

TEST(ScheduleTest, ChildOutsideSchoolHoursAndDailyCap) {
  const Context c = Ctx();
  kerjasosial::cases::v1::ScheduleConstraints none;
  // 15:00-18:00 on weekdays: after school (07:00-15:00), 3 h.
  Validator ok;
  CheckConstraints(ok, "placement.schedule", Weekdays(15 * 60, 18 * 60), 180,
                   "placement.max_minutes_per_day", none,
                   cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT, *c.policy);
  EXPECT_TRUE(ok.ok());
  Validator v;
  CheckConstraints(v, "placement.schedule", Weekdays(14 * 60, 16 * 60), 240,
                   "placement.max_minutes_per_day", none,
                   cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT, *c.policy);
  ASSERT_EQ(v.violations().size(), 6u);
  EXPECT_EQ(v.violations()[0].field, "placement.max_minutes_per_day");
  EXPECT_THAT(v.violations()[0].description, HasSubstr("0-180 minutes"));
  EXPECT_EQ(v.violations()[1].field, "placement.schedule.slots[0]");
  EXPECT_THAT(v.violations()[1].description,
              HasSubstr("overlaps school hours 07:00-15:00"));
  // The decision may allow school hours.
  kerjasosial::cases::v1::ScheduleConstraints allowed;
  allowed.set_outside_school_hours(false);
  Validator v2;
  CheckConstraints(v2, "placement.schedule", Weekdays(14 * 60, 16 * 60), 0,
                   "placement.max_minutes_per_day", allowed,
                   cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT, *c.policy);
  EXPECT_TRUE(v2.ok());
}

TEST(ScheduleTest, DecisionDaysPerWeekAndWeekdays) {
  kerjasosial::cases::v1::ScheduleConstraints c;
  c.set_max_days_per_week(3);
  c.add_allowed_weekdays(cv1::WEEKDAY_MONDAY);
  c.add_allowed_weekdays(cv1::WEEKDAY_TUESDAY);
  c.add_allowed_weekdays(cv1::WEEKDAY_WEDNESDAY);
  c.add_allowed_weekdays(cv1::WEEKDAY_THURSDAY);
  Validator v;
  CheckConstraints(v, "placement.schedule", Weekdays(8 * 60, 12 * 60), 0,
                   "placement.max_minutes_per_day", c,
                   cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL, *Ctx().policy);
  std::vector<std::string> fields;
  for (const auto& f : v.violations()) fields.push_back(f.field);
  EXPECT_THAT(fields, ElementsAre("placement.schedule.slots",
                                  "placement.schedule.slots[4]"));
}

TEST(ScheduleTest, WeeklyMinutesHonourTheDailyCap) {
  WeeklySchedule s = Weekdays(8 * 60, 12 * 60);  // 5 x 240
  EXPECT_EQ(WeeklyMinutes(s, 0), 1200);
  EXPECT_EQ(WeeklyMinutes(s, 180), 900);
}

}  // namespace
}  // namespace ks::placements::domain
