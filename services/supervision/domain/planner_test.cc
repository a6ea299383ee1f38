// The planner (issue #10, PlanRemainingSessions) against a hand-computed
// schedule, and the shortfall that makes a case at risk (DESIGN §7; R6 and
// R7, KUHP Pasal 85(5)).
#include "services/supervision/domain/planner.h"

#include "gtest/gtest.h"
#include "services/supervision/domain/test_util.h"

namespace ks::supervision::domain {
namespace {

using namespace ::ks::supervision::domain::testing;  // NOLINT
namespace cv1 = ::kerjasosial::common::v1;

cv1::WeeklySchedule MonWedFriMorningsAndSaturday() {
  cv1::WeeklySchedule s;
  s.set_time_zone("Asia/Makassar");
  for (cv1::Weekday d :
       {cv1::WEEKDAY_MONDAY, cv1::WEEKDAY_WEDNESDAY, cv1::WEEKDAY_FRIDAY}) {
    cv1::ScheduleSlot* slot = s.add_slots();
    slot->set_weekday(d);
    slot->set_start_minute(8 * 60);
    slot->set_end_minute(12 * 60);
  }
  cv1::ScheduleSlot* sat = s.add_slots();
  sat->set_weekday(cv1::WEEKDAY_SATURDAY);
  sat->set_start_minute(8 * 60);
  sat->set_end_minute(18 * 60);  // a 10 h window: the cap leaves 8 h
  return s;
}

CreditRules Adult(int64_t target, absl::Time deadline) {
  CreditRules r;
  r.day_rule = cv1::DAY_RULE_ROLLING_24H;
  r.daily_cap_minutes = 480;
  r.target_minutes = target;
  r.deadline = deadline;
  return r;
}

// 20 hours owed from Monday 2 March 2026 (WITA): Mon, Wed, Fri 08-12 (12 h)
// and Saturday 08-16 (8 h: the rolling cap ends the 10 h window at 16:00).
TEST(Pasal85Ayat5Planner, HandComputedScheduleFinishesOnSaturday) {
  const absl::TimeZone z = Wita();
  const Plan plan = PlanRemaining(Adult(1200, At(z, 2026, 3, 8, 0)), {},
                                  MonWedFriMorningsAndSaturday(), z,
                                  absl::CivilDay(2026, 3, 2));
  EXPECT_EQ(plan.owed, 1200);
  EXPECT_EQ(plan.shortfall, 0);
  ASSERT_EQ(plan.sessions.size(), 4u);
  const struct {
    int day, from, to;
  } want[] = {{2, 8, 12}, {4, 8, 12}, {6, 8, 12}, {7, 8, 16}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(plan.sessions[i].day, absl::CivilDay(2026, 3, want[i].day));
    EXPECT_EQ(plan.sessions[i].start,
              At(z, 2026, 3, want[i].day, want[i].from));
    EXPECT_EQ(plan.sessions[i].end, At(z, 2026, 3, want[i].day, want[i].to));
  }
  EXPECT_FALSE(IsAtRisk(plan));
}

// The same case with a deadline on Saturday 00:00: 12 h fit, 8 h short.
TEST(Pasal85Ayat5Planner, ShortfallBeforeTheDeadlineMeansAtRisk) {
  const absl::TimeZone z = Wita();
  const Plan plan = PlanRemaining(Adult(1200, At(z, 2026, 3, 7, 0)), {},
                                  MonWedFriMorningsAndSaturday(), z,
                                  absl::CivilDay(2026, 3, 2));
  EXPECT_EQ(plan.sessions.size(), 3u);
  EXPECT_EQ(plan.shortfall, 480);
  EXPECT_TRUE(IsAtRisk(plan));
}

// Work already done counts: 8 h credited on Sunday 1 March leave 12 h, and
// its minutes stay in Monday's rolling window until 08:00.
TEST(Pasal85Ayat5Planner, DoneSessionsCountAndShareTheWindow) {
  const absl::TimeZone z = Wita();
  const std::vector<SessionInput> done = {
      {"s1", At(z, 2026, 3, 1, 4), At(z, 2026, 3, 1, 12), z, true}};
  const Plan plan = PlanRemaining(Adult(1200, At(z, 2026, 3, 8, 0)), done,
                                  MonWedFriMorningsAndSaturday(), z,
                                  absl::CivilDay(2026, 3, 2));
  EXPECT_EQ(plan.owed, 720);
  EXPECT_EQ(plan.shortfall, 0);
  ASSERT_EQ(plan.sessions.size(), 3u);  // Mon, Wed, Fri
  EXPECT_EQ(plan.sessions.back().day, absl::CivilDay(2026, 3, 6));
}

}  // namespace
}  // namespace ks::supervision::domain
