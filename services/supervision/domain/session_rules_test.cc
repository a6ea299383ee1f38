// The derived rules of DESIGN §7 on recording a session: no overlap, not in
// the future, inside the placement's period, ACTIVE at the session's time,
// inside the span (R7, KUHP Pasal 85(5)).
#include "services/supervision/domain/session_rules.h"

#include "common/status/rich_status.h"
#include "gtest/gtest.h"
#include "services/supervision/domain/test_util.h"

namespace ks::supervision::domain {
namespace {

using namespace ::ks::supervision::domain::testing;  // NOLINT

SessionCheck Base() {
  const absl::TimeZone z = Wib();
  SessionCheck c;
  c.start = At(z, 2026, 3, 2, 8);
  c.end = At(z, 2026, 3, 2, 12);
  c.now = At(z, 2026, 3, 2, 12);
  c.clock_skew = absl::Minutes(5);
  c.placement.period_start = At(z, 2026, 3, 1, 0);
  c.placement.period_end = At(z, 2026, 6, 1, 0);
  c.placement.active = {{At(z, 2026, 3, 1, 0), std::nullopt}};
  c.field_prefix = "work_session.";
  return c;
}

void ExpectField(const absl::Status& s, const std::string& field,
                 const std::string& rule_part) {
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find(field), std::string::npos) << s;
  EXPECT_NE(s.message().find(rule_part), std::string::npos) << s;
}

std::string Reason(const absl::Status& s) {
  google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

TEST(DerivedRuleNotInTheFuture, SkewIsTheBoundary) {
  SessionCheck c = Base();
  c.end = c.now + absl::Minutes(5);
  EXPECT_TRUE(CheckSession(c, {}).ok());
  c.end = c.now + absl::Minutes(6);
  ExpectField(CheckSession(c, {}), "work_session.end_time", "future");
}

TEST(DerivedRuleNoOverlap, TouchingIsFineOverlappingByAMinuteIsNot) {
  const SessionCheck c = Base();
  EXPECT_TRUE(CheckSession(c, {{"s1", c.end, c.end + absl::Hours(1)}}).ok());
  const absl::Status s = CheckSession(
      c, {{"s1", c.end - absl::Minutes(1), c.end + absl::Hours(1)}});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(s), "SESSION_OVERLAP");
  EXPECT_NE(s.message().find("s1"), std::string::npos);
}

TEST(DerivedRulePlacementPeriod, OutsideThePeriodIsRefused) {
  SessionCheck c = Base();
  c.start = c.placement.period_start - absl::Minutes(1);
  ExpectField(CheckSession(c, {}), "work_session.start_time",
              "placement's period");
  c = Base();
  c.placement.period_end = c.end - absl::Minutes(1);
  ExpectField(CheckSession(c, {}), "work_session.end_time",
              "placement's period");
}

TEST(DerivedRulePlacementActive, JudgedAtTheSessionsTimeNotNow) {
  SessionCheck c = Base();
  // Ended after the session: a late entry is accepted.
  c.placement.active = {{c.placement.period_start, c.end}};
  c.now = c.end + absl::Hours(72);
  EXPECT_TRUE(CheckSession(c, {}).ok());
  // Ended during the session.
  c.placement.active = {{c.placement.period_start, c.end - absl::Minutes(1)}};
  const absl::Status s = CheckSession(c, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(s), "PLACEMENT_NOT_ACTIVE");
}

TEST(Pasal85Ayat5Span, BeforeTheSpanIsRefused) {
  SessionCheck c = Base();
  c.span_start = c.start + absl::Minutes(1);
  ExpectField(CheckSession(c, {}), "work_session.start_time", "R7");
  c.span_start = c.start;
  EXPECT_TRUE(CheckSession(c, {}).ok());
}

TEST(DerivedRuleShape, MinutesOrderAndLength) {
  SessionCheck c = Base();
  c.start += absl::Seconds(30);
  ExpectField(CheckSession(c, {}), "work_session.start_time", "whole minute");
  c = Base();
  c.end = c.start;
  ExpectField(CheckSession(c, {}), "work_session.end_time", "after start_time");
  c = Base();
  c.start = c.end - absl::Hours(24);
  EXPECT_TRUE(CheckSession(c, {}).ok());
  c.start -= absl::Minutes(1);
  ExpectField(CheckSession(c, {}), "work_session.end_time", "24 hours");
}

}  // namespace
}  // namespace ks::supervision::domain
