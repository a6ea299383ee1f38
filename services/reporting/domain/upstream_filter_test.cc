#include "services/reporting/domain/upstream_filter.h"

#include "gtest/gtest.h"

namespace ks::reporting::domain {
namespace {

namespace rv1 = ::kerjasosial::reporting::v1;

rv1::Upstream U(rv1::UpstreamKind kind, rv1::UpstreamState state, int64_t lag) {
  rv1::Upstream u;
  u.set_kind(kind);
  u.set_state(state);
  u.set_lag_seconds(lag);
  return u;
}

TEST(UpstreamFilter, KindStateAndLag) {
  absl::StatusOr<UpstreamPredicate> p =
      ParseUpstreamFilter("state != LIVE AND lag_seconds > 300");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(
      (*p)(U(rv1::UPSTREAM_KIND_CASES, rv1::UPSTREAM_STATE_FAILING, 301)));
  EXPECT_FALSE(
      (*p)(U(rv1::UPSTREAM_KIND_CASES, rv1::UPSTREAM_STATE_LIVE, 301)));
  EXPECT_FALSE(
      (*p)(U(rv1::UPSTREAM_KIND_CASES, rv1::UPSTREAM_STATE_FAILING, 300)));
  p = ParseUpstreamFilter("kind = UPSTREAM_KIND_SUPERVISION");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(
      (*p)(U(rv1::UPSTREAM_KIND_SUPERVISION, rv1::UPSTREAM_STATE_LIVE, 0)));
  EXPECT_FALSE((*p)(U(rv1::UPSTREAM_KIND_CASES, rv1::UPSTREAM_STATE_LIVE, 0)));
  p = ParseUpstreamFilter("");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE((*p)(rv1::Upstream()));
}

TEST(UpstreamFilter, Errors) {
  for (const char* bad : {"kind > CASES", "state = SLEEPING", "address = x",
                          "lag_seconds > \"5\"", "lag_seconds > soon"}) {
    absl::StatusOr<UpstreamPredicate> p = ParseUpstreamFilter(bad);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace ks::reporting::domain
