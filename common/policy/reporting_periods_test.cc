#include "common/policy/reporting_periods.h"

#include "gtest/gtest.h"

namespace ks::policy {
namespace {

namespace cv1 = kerjasosial::common::v1;
using absl::CivilDay;

TEST(ReportingPeriods, MonthsPerPeriodOfEachKind) {
  EXPECT_EQ(MonthsPerPeriod(cv1::REPORTING_PERIOD_MONTHLY), 1);
  EXPECT_EQ(MonthsPerPeriod(cv1::REPORTING_PERIOD_QUARTERLY), 3);
  EXPECT_EQ(MonthsPerPeriod(cv1::REPORTING_PERIOD_SEMIANNUAL), 6);
  EXPECT_EQ(MonthsPerPeriod(cv1::REPORTING_PERIOD_ANNUAL), 12);
  EXPECT_EQ(MonthsPerPeriod(cv1::REPORTING_PERIOD_UNSPECIFIED), 0);
  EXPECT_EQ(MonthsPerPeriod(static_cast<cv1::ReportingPeriod>(99)), 0);
}

TEST(ReportingPeriods, QuartersAreAlignedOnJanuary) {
  EXPECT_EQ(PeriodHolding(CivilDay(2026, 5, 17), 3),
            (ReportPeriod{CivilDay(2026, 4, 1), CivilDay(2026, 6, 30)}));
  EXPECT_EQ(PeriodHolding(CivilDay(2026, 12, 31), 6),
            (ReportPeriod{CivilDay(2026, 7, 1), CivilDay(2026, 12, 31)}));
  EXPECT_EQ(PeriodHolding(CivilDay(2028, 2, 29), 1),
            (ReportPeriod{CivilDay(2028, 2, 1), CivilDay(2028, 2, 29)}));
}

// An agreement in force from mid-month owes the report of that first,
// partial month, and of the partial month it ends in.
TEST(ReportingPeriods, EveryPeriodTouchingTheSpanIsOwed) {
  const auto months =
      PeriodsOverlapping(CivilDay(2026, 1, 15), CivilDay(2026, 4, 2), 1);
  ASSERT_EQ(months.size(), 4u);
  EXPECT_EQ(months.front().first, CivilDay(2026, 1, 1));
  EXPECT_EQ(months.back().last, CivilDay(2026, 4, 30));
  const auto quarters =
      PeriodsOverlapping(CivilDay(2026, 3, 31), CivilDay(2027, 1, 1), 3);
  ASSERT_EQ(quarters.size(), 5u);
  EXPECT_EQ(quarters[1].first, CivilDay(2026, 4, 1));
  EXPECT_EQ(quarters[4].last, CivilDay(2027, 3, 31));
}

TEST(ReportingPeriods, NoPeriodsForAnEmptySpanOrNoRhythm) {
  EXPECT_TRUE(PeriodsOverlapping(CivilDay(2026, 2, 1), CivilDay(2026, 1, 31), 1)
                  .empty());
  EXPECT_TRUE(
      PeriodsOverlapping(CivilDay(2026, 1, 1), CivilDay(2026, 12, 31), 0)
          .empty());
}

TEST(ReportingPeriods, DueDaysCountFromThePeriodsLastDay) {
  const ReportPeriod december{CivilDay(2026, 12, 1), CivilDay(2026, 12, 31)};
  EXPECT_EQ(ReportDueDay(december, 10), CivilDay(2027, 1, 10));
  EXPECT_EQ(ReportDueDay(december, 0), CivilDay(2026, 12, 31));
}

}  // namespace
}  // namespace ks::policy
