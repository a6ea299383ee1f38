// Query parameters -> request fields, by descriptor.
#include "services/reporting/web/query.h"

#include "common/status/rich_status.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "kerjasosial/reporting/v1/reporting_service.pb.h"
#include "services/reporting/domain/violation_test_util.h"

namespace ks::reporting::web {
namespace {

namespace rv1 = ::kerjasosial::reporting::v1;

using testing::Violation;

TEST(QueryTest, FillsEnumsRepeatedDatesAndNestedFields) {
  rv1::GetTimeSeriesRequest r;
  ASSERT_TRUE(
      FillFromQuery({{"metrics", "CASES_REGISTERED,METRIC_AT_RISK_CASES"},
                     {"metrics", "PRISON_DAYS_AVERTED"},
                     {"granularity", "MONTH"},
                     {"range.start_date", "2026-01-01"},
                     {"range.end_date", "2026-06-30"},
                     {"kind", "CHILD_PELAYANAN_MASYARAKAT"}},
                    &r)
          .ok());
  ASSERT_EQ(r.metrics_size(), 3);
  EXPECT_EQ(r.metrics(0), rv1::METRIC_CASES_REGISTERED);
  EXPECT_EQ(r.metrics(1), rv1::METRIC_AT_RISK_CASES);
  EXPECT_EQ(r.metrics(2), rv1::METRIC_PRISON_DAYS_AVERTED);
  EXPECT_EQ(r.granularity(), rv1::GRANULARITY_MONTH);
  EXPECT_EQ(r.range().start_date().month(), 1);
  EXPECT_EQ(r.range().end_date().day(), 30);
  EXPECT_TRUE(r.has_kind());
  EXPECT_EQ(r.kind(),
            kerjasosial::common::v1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT);
}

TEST(QueryTest, FillsIntsBoolsAndTimestamps) {
  rv1::RankScopesRequest r;
  ASSERT_TRUE(FillFromQuery({{"page_size", "25"},
                             {"ascending", "true"},
                             {"silent_since", "2026-11-29T00:00:00Z"},
                             {"within", "provinces/64"}},
                            &r)
                  .ok());
  EXPECT_EQ(r.page_size(), 25);
  EXPECT_TRUE(r.ascending());
  EXPECT_EQ(r.silent_since().seconds(), 1795910400);
  EXPECT_EQ(r.within(), "provinces/64");
}

TEST(QueryTest, NamesTheParameterOfEveryBadValue) {
  rv1::GetTimeSeriesRequest r;
  absl::Status s = FillFromQuery({{"bogus", "1"}}, &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Violation(s, "bogus"),
            "unknown parameter: kerjasosial.reporting.v1.GetTimeSeriesRequest "
            "has no field \"bogus\"");
  s = FillFromQuery({{"granularity", "DAY"}}, &r);
  EXPECT_EQ(Violation(s, "granularity"),
            "expected a value of kerjasosial.reporting.v1.Granularity, got "
            "\"DAY\"");
  s = FillFromQuery({{"range.start_date", "2026-13-01"}}, &r);
  EXPECT_EQ(Violation(s, "range.start_date"),
            "expected a date YYYY-MM-DD, got \"2026-13-01\"");
  s = FillFromQuery({{"range", "x"}}, &r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(Violation(s, "range").find("name one of its fields"),
            std::string::npos);
  s = FillFromQuery({{"scope.x", "1"}}, &r);
  EXPECT_EQ(Violation(s, "scope.x"), "\"scope\" has no fields");
  rv1::RankScopesRequest rank;
  s = FillFromQuery({{"page_size", "ten"}}, &rank);
  EXPECT_EQ(Violation(s, "page_size"), "expected an integer, got \"ten\"");
  s = FillFromQuery({{"ascending", "yes"}}, &rank);
  EXPECT_EQ(Violation(s, "ascending"), "expected true or false, got \"yes\"");
}

}  // namespace
}  // namespace ks::reporting::web
