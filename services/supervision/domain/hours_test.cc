// One change of a case's hours as records (hours.h): the ledger equals the
// sum of its entries, completion is announced once and withdrawn once
// (KUHP Pasal 85(4): the sentence is served when its hours are), and a span
// that starts at the first session gets its deadline from it (R7, KUHP
// Pasal 85(5)).
#include "services/supervision/domain/hours.h"

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "services/supervision/domain/test_util.h"

namespace ks::supervision::domain {
namespace {

using namespace ::ks::supervision::domain::testing;  // NOLINT
using ::google::protobuf::util::TimeUtil;
namespace cv1 = ::kerjasosial::common::v1;
namespace sv1 = ::kerjasosial::supervision::v1;

class HoursTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_ = DefaultPolicy().At(absl::CivilDay(2026, 3, 2));
    ctx_.policy = &policy_;
    ctx_.now = At(Wib(), 2026, 3, 10, 12);
    ledger_.set_name("regencies/31.71/ledgers/c1");
    ledger_.set_case_name("regencies/31.71/cases/c1");
    ledger_.set_kind(cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
    ledger_.set_target_minutes(600);
    ledger_.set_state(sv1::LEDGER_STATE_OPEN);
    ledger_.set_time_zone("Asia/Jakarta");
    ledger_.set_etag("v3");
  }
  cv1::PolicyVersion policy_;
  HoursContext ctx_;
  HoursLedger ledger_;
};

TEST_F(HoursTest, Pasal85Ayat4CompletionOnceThenWithdrawnByAVoid) {
  const absl::TimeZone z = Wib();
  std::vector<WorkSession> live = {
      Session("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 16), "v1"),
      Session("b", At(z, 2026, 3, 3, 8), At(z, 2026, 3, 3, 12))};
  absl::StatusOr<HoursResult> r = Recompute(ctx_, ledger_, live);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->completion, CompletionStep::kReached);
  EXPECT_EQ(r->ledger.state(), sv1::LEDGER_STATE_COMPLETED);
  EXPECT_EQ(r->ledger.credited_minutes(), 600);
  EXPECT_EQ(r->ledger.excess_minutes(), 120);
  EXPECT_EQ(r->ledger.etag(), "v4");
  EXPECT_EQ(r->ledger_expected_version, 3);
  // Completed at the end of the session that reached the target.
  EXPECT_EQ(r->ledger.completion_time().seconds(),
            absl::ToUnixSeconds(At(z, 2026, 3, 3, 12)));
  // Both are written: "a" had no stored allocation yet, "b" is new.
  ASSERT_EQ(r->sessions.size(), 2u);
  EXPECT_EQ(r->sessions[1].session.etag(), "v1");
  EXPECT_EQ(r->sessions[1].expected_version, 0);

  // Recomputing the same set again announces nothing.
  HoursLedger completed = r->ledger;
  std::vector<WorkSession> stored = {r->sessions[0].session,
                                     r->sessions[1].session};
  r = Recompute(ctx_, completed, stored);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->completion, CompletionStep::kNone);
  EXPECT_TRUE(r->sessions.empty());

  // Voiding "a" takes 480 back: withdrawn once.
  r = Recompute(ctx_, completed, {stored[1]});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->completion, CompletionStep::kWithdrawn);
  EXPECT_EQ(r->ledger.state(), sv1::LEDGER_STATE_OPEN);
  EXPECT_EQ(r->ledger.credited_minutes(), 240);
  EXPECT_FALSE(r->ledger.has_completion_time());
}

TEST_F(HoursTest, LedgerDaysSumToTheTotals) {
  const absl::TimeZone z = Wib();
  ledger_.set_target_minutes(6000);
  absl::StatusOr<HoursResult> r =
      Recompute(ctx_, ledger_,
                {Session("a", At(z, 2026, 3, 2, 20), At(z, 2026, 3, 3, 6)),
                 Session("b", At(z, 2026, 3, 4, 8), At(z, 2026, 3, 4, 9))});
  ASSERT_TRUE(r.ok());
  int64_t credited = 0, excess = 0;
  for (const sv1::LedgerDay& d : r->ledger.days()) {
    credited += d.credited_minutes();
    excess += d.excess_minutes();
  }
  EXPECT_EQ(credited, r->ledger.credited_minutes());
  EXPECT_EQ(excess, r->ledger.excess_minutes());
  EXPECT_EQ(r->ledger.credited_minutes(), 480 + 60);  // 10 h, capped at 8
  EXPECT_EQ(r->ledger.sessions_count(), 2);
  EXPECT_TRUE(r->first_credit);
}

TEST_F(HoursTest, Pasal85Ayat5SpanStartingAtTheFirstSessionSetsTheDeadline) {
  policy_.mutable_adult()->set_span_starts_at(cv1::SPAN_START_FIRST_SESSION);
  policy_.mutable_adult()->set_span_unit(cv1::SPAN_UNIT_DAYS);
  policy_.mutable_adult()->set_span_days(180);
  const absl::TimeZone z = Wib();
  absl::StatusOr<HoursResult> r =
      Recompute(ctx_, ledger_,
                {Session("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 10))});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ledger.span_start_time().seconds(),
            absl::ToUnixSeconds(At(z, 2026, 3, 2, 8)));
  EXPECT_EQ(r->ledger.deadline_time().seconds(),
            absl::ToUnixSeconds(At(z, 2026, 8, 29, 0)));
}

TEST_F(HoursTest, OverdueWhenTheDeadlinePassedWithMinutesOwed) {
  const absl::TimeZone z = Wib();
  *ledger_.mutable_deadline_time() =
      TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(At(z, 2026, 3, 10, 0)));
  absl::StatusOr<HoursResult> r =
      Recompute(ctx_, ledger_,
                {Session("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 10))});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ledger.overdue());
  ctx_.now = At(z, 2026, 3, 9, 23, 59);
  r = Recompute(ctx_, ledger_,
                {Session("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 10))});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ledger.overdue());
}

}  // namespace
}  // namespace ks::supervision::domain
