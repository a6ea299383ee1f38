#include "services/reporting/domain/summary_order.h"

#include "gtest/gtest.h"

namespace ks::reporting::domain {
namespace {

namespace rv1 = ::kerjasosial::reporting::v1;

rv1::Summary S(const std::string& name, int64_t active, double rate) {
  rv1::Summary s;
  s.set_name(name);
  s.mutable_totals()->set_cases_active(active);
  s.mutable_totals()->set_completion_rate(rate);
  return s;
}

TEST(SummaryOrder, FieldsDirectionAndTies) {
  const rv1::Summary a = S("regencies/64.01/summary", 5, 0.5);
  const rv1::Summary b = S("regencies/64.02/summary", 9, 0.25);
  const rv1::Summary c = S("regencies/64.03/summary", 9, 0.75);
  absl::StatusOr<SummaryLess> less =
      ParseSummaryOrder("totals.cases_active desc", "regency_code");
  ASSERT_TRUE(less.ok()) << less.status();
  EXPECT_TRUE((*less)(b, a));
  EXPECT_TRUE((*less)(b, c)) << "ties by name";
  less = ParseSummaryOrder("completion_rate", "regency_code");
  ASSERT_TRUE(less.ok());
  EXPECT_TRUE((*less)(b, a));
  less = ParseSummaryOrder("regency_code", "regency_code");
  ASSERT_TRUE(less.ok());
  EXPECT_TRUE((*less)(a, b));
  ASSERT_TRUE(ParseSummaryOrder("sites.utilisation desc", "name").ok());
}

TEST(SummaryOrder, Errors) {
  for (const char* bad : {"totals.nope", "totals.cases_active up",
                          "totals.days_to_complete", "a b c", "name"}) {
    EXPECT_EQ(ParseSummaryOrder(bad, "regency_code").status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace ks::reporting::domain
