// KUHP Pasal 85(5) "dapat diangsur dalam waktu paling lama 6 (enam) Bulan"
// (R7): the deadline at its edge under each span unit.
#include "services/supervision/domain/span.h"

#include "gtest/gtest.h"
#include "services/supervision/domain/test_util.h"

namespace ks::supervision::domain {
namespace {

using namespace ::ks::supervision::domain::testing;  // NOLINT
namespace cv1 = ::kerjasosial::common::v1;

TEST(Pasal85Ayat5SpanDays, OneHundredEightyDaysEndAtTheNextLocalMidnight) {
  EXPECT_EQ(SpanEndDay(absl::CivilDay(2026, 3, 2), cv1::SPAN_UNIT_DAYS, 180, 6),
            absl::CivilDay(2026, 8, 29));
}

TEST(Pasal85Ayat5SpanMonths, SameDayOfTheMonthSixMonthsLater) {
  EXPECT_EQ(SpanEndDay(absl::CivilDay(2026, 3, 2),
                       cv1::SPAN_UNIT_CALENDAR_MONTHS, 180, 6),
            absl::CivilDay(2026, 9, 2));
}

TEST(Pasal85Ayat5SpanMonths, EndOfAShorterMonthIsClamped) {
  EXPECT_EQ(SpanEndDay(absl::CivilDay(2026, 8, 31),
                       cv1::SPAN_UNIT_CALENDAR_MONTHS, 180, 6),
            absl::CivilDay(2027, 2, 28));
  EXPECT_EQ(SpanEndDay(absl::CivilDay(2027, 8, 31),
                       cv1::SPAN_UNIT_CALENDAR_MONTHS, 180, 6),
            absl::CivilDay(2028, 2, 29));  // leap year
}

TEST(Pasal85Ayat5SpanDeadline, LocalMidnightOfTheSitesZone) {
  cv1::PolicyVersion v = DefaultPolicy().At(absl::CivilDay(2026, 3, 2));
  v.mutable_adult()->set_span_unit(cv1::SPAN_UNIT_DAYS);
  v.mutable_adult()->set_span_days(180);
  // A first session at 23:30 WIT on 2 March: the span's first day is
  // 2 March in Jayapura, though it is still 2 March 14:30 UTC.
  const absl::TimeZone z = Wit();
  const absl::Time deadline =
      SpanDeadline(At(z, 2026, 3, 2, 23, 30), z, v, /*child=*/false);
  EXPECT_EQ(deadline, At(z, 2026, 8, 29, 0));
  // The last minute inside the span and the first outside it.
  EXPECT_LT(At(z, 2026, 8, 28, 23, 59), deadline);
  EXPECT_GE(At(z, 2026, 8, 29, 0), deadline);
  v.mutable_adult()->set_span_unit(cv1::SPAN_UNIT_CALENDAR_MONTHS);
  v.mutable_adult()->set_span_months(6);
  EXPECT_EQ(SpanDeadline(At(z, 2026, 3, 2, 23, 30), z, v, false),
            At(z, 2026, 9, 2, 0));
}

}  // namespace
}  // namespace ks::supervision::domain
