#include "common/time/clock.h"

#include <thread>
#include <vector>

#include "common/status/rich_status.h"
#include "gtest/gtest.h"

namespace ks {
namespace {

google::type::Date MakeDate(int y, int m, int d) {
  google::type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

TEST(FakeClockTest, SetAndAdvance) {
  const absl::Time start = absl::FromUnixSeconds(1767312000);
  FakeClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Hours(8));
  EXPECT_EQ(clock.Now(), start + absl::Hours(8));
  clock.Advance(-absl::Minutes(30));
  EXPECT_EQ(clock.Now(), start + absl::Hours(8) - absl::Minutes(30));
  clock.Set(absl::UnixEpoch());
  EXPECT_EQ(clock.Now(), absl::UnixEpoch());
  EXPECT_EQ(FakeClock().Now(), absl::UnixEpoch());
}

TEST(FakeClockTest, ConcurrentAdvanceLosesNothing) {
  FakeClock clock;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) clock.Advance(absl::Seconds(1));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.Now(), absl::UnixEpoch() + absl::Seconds(4000));
}

TEST(SystemClockTest, IsTheRealClock) {
  const absl::Time before = absl::Now();
  const absl::Time now = SystemClock()->Now();
  EXPECT_GE(now, before);
  EXPECT_EQ(SystemClock(), SystemClock());
}

TEST(LocalDayTest, SameInstantDiffersAcrossIndonesianZones) {
  absl::TimeZone wib, wita, wit;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Jakarta", &wib));
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Makassar", &wita));
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Jayapura", &wit));
  // 2026-01-01 16:30 UTC = 23:30 WIB, 00:30 WITA and 01:30 WIT on 2 January.
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 1, 1, 16, 30, 0),
                                       absl::UTCTimeZone());
  EXPECT_EQ(LocalDay(t, wib), absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(LocalDay(t, wita), absl::CivilDay(2026, 1, 2));
  EXPECT_EQ(LocalDay(t, wit), absl::CivilDay(2026, 1, 2));
}

TEST(LocalDayTest, StartOfDayIsLocalMidnight) {
  absl::TimeZone wit;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Jayapura", &wit));
  // Midnight WIT (UTC+9) is 15:00 UTC of the previous day.
  EXPECT_EQ(StartOfDay(absl::CivilDay(2026, 1, 2), wit),
            absl::FromCivil(absl::CivilSecond(2026, 1, 1, 15, 0, 0),
                            absl::UTCTimeZone()));
  const absl::Time t = StartOfDay(absl::CivilDay(2026, 1, 2), wit);
  EXPECT_EQ(LocalDay(t, wit), absl::CivilDay(2026, 1, 2));
  EXPECT_EQ(LocalDay(t - absl::Nanoseconds(1), wit),
            absl::CivilDay(2026, 1, 1));
}

TEST(DateTest, ValidDates) {
  EXPECT_TRUE(IsValidDate(MakeDate(2026, 1, 2)));
  EXPECT_TRUE(IsValidDate(MakeDate(2024, 2, 29)));  // leap year
  EXPECT_TRUE(IsValidDate(MakeDate(2000, 2, 29)));  // 400-year leap
  EXPECT_TRUE(IsValidDate(MakeDate(1, 1, 1)));
  EXPECT_TRUE(IsValidDate(MakeDate(9999, 12, 31)));
  EXPECT_TRUE(IsValidDate(MakeDate(2026, 4, 30)));
}

TEST(DateTest, InvalidDates) {
  EXPECT_FALSE(IsValidDate(MakeDate(2026, 2, 29)));  // not a leap year
  EXPECT_FALSE(IsValidDate(MakeDate(1900, 2, 29)));  // century, not leap
  EXPECT_FALSE(IsValidDate(MakeDate(2026, 4, 31)));
  EXPECT_FALSE(IsValidDate(MakeDate(2026, 13, 1)));
  EXPECT_FALSE(IsValidDate(MakeDate(2026, 0, 1)));
  EXPECT_FALSE(IsValidDate(MakeDate(2026, 1, 0)));
  EXPECT_FALSE(IsValidDate(MakeDate(2026, 1, 32)));
  EXPECT_FALSE(IsValidDate(MakeDate(0, 1, 1)));
  EXPECT_FALSE(IsValidDate(MakeDate(10000, 1, 1)));
  EXPECT_FALSE(IsValidDate(google::type::Date()));  // all zero: unset
}

TEST(DateTest, RoundTrip) {
  const google::type::Date date = MakeDate(2026, 1, 2);
  absl::StatusOr<absl::CivilDay> day = CivilDayFromDate(date);
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(*day, absl::CivilDay(2026, 1, 2));
  const google::type::Date back = DateFromCivilDay(*day);
  EXPECT_EQ(back.year(), 2026);
  EXPECT_EQ(back.month(), 1);
  EXPECT_EQ(back.day(), 2);
}

TEST(DateTest, InvalidDateNamesTheField) {
  absl::StatusOr<absl::CivilDay> day =
      CivilDayFromDate(MakeDate(2026, 2, 30), "decision.decided_on");
  ASSERT_EQ(day.status().code(), absl::StatusCode::kInvalidArgument);
  const google::rpc::Status rpc = ToRpcStatus(day.status());
  google::rpc::BadRequest bad;
  ASSERT_EQ(rpc.details_size(), 1);
  ASSERT_TRUE(rpc.details(0).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "decision.decided_on");
  EXPECT_EQ(bad.field_violations(0).description(),
            "2026-02-30 is not a valid calendar date (year 1-9999)");
}

}  // namespace
}  // namespace ks
