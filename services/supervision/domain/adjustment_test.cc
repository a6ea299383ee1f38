// AdjustHoursLedger's rules (adjustment.h) together with the one
// recomputation of the ledger (hours.h): transfer-in credit counts toward
// the target, a repeat (KUHP Pasal 85(7)(a)) restarts the count in a new
// span, completion is announced once when an adjustment crosses the target
// and withdrawn once when a new target moves past the credit, and the ledger
// always equals the sum of its sessions and carried minutes.
#include "services/supervision/domain/adjustment.h"

#include <set>
#include <string>
#include <vector>

#include "common/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "services/supervision/domain/hours.h"
#include "services/supervision/domain/test_util.h"

namespace ks::supervision::domain {
namespace {

using namespace ::ks::supervision::domain::testing;  // NOLINT
namespace cv1 = ::kerjasosial::common::v1;
namespace sv1 = ::kerjasosial::supervision::v1;

constexpr char kZone[] = "Asia/Makassar";

AdjustHoursLedgerRequest Request(sv1::AdjustmentKind kind, int64_t target,
                                 int64_t carried, const std::string& source) {
  AdjustHoursLedgerRequest r;
  r.set_name("regencies/64.01/ledgers/c1");
  r.set_kind(kind);
  r.set_target_minutes(target);
  r.set_carried_minutes(carried);
  r.set_source_id(source);
  r.set_request_id("r1");
  return r;
}

class AdjustmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_ = DefaultPolicy().At(absl::CivilDay(2026, 3, 2));
    ctx_.policy = &policy_;
    ctx_.now = At(Wita(), 2026, 3, 10, 12);
    ledger_.set_name("regencies/64.01/ledgers/c1");
    ledger_.set_case_name("regencies/64.01/cases/c1");
    ledger_.set_kind(cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
    ledger_.set_target_minutes(600);
    ledger_.set_state(sv1::LEDGER_STATE_OPEN);
    ledger_.set_time_zone("Asia/Makassar");
    ledger_.set_etag("v2");
    sv1::LedgerAdjustment* initial = ledger_.add_adjustments();
    initial->set_kind(sv1::ADJUSTMENT_KIND_INITIAL);
    initial->set_target_minutes(600);
    initial->set_source_id("case@1");
  }

  // Applies `req` and recomputes over `live`, as AdjustHoursLedger does.
  HoursResult Adjust(const HoursLedger& ledger,
                     const AdjustHoursLedgerRequest& req,
                     const std::vector<WorkSession>& live) {
    absl::StatusOr<HoursLedger> next =
        Apply(ledger, req, ctx_.now, Wita(), policy_);
    EXPECT_TRUE(next.ok()) << next.status();
    absl::StatusOr<HoursResult> r = Recompute(ctx_, *next, live);
    EXPECT_TRUE(r.ok()) << r.status();
    return *r;
  }

  cv1::PolicyVersion policy_;
  HoursContext ctx_;
  HoursLedger ledger_;
};

TEST_F(AdjustmentTest, TransferInCreditCountsAndSessionsCreditOnlyTheRest) {
  const absl::TimeZone z = Wita();
  // 8 h worked on one day, of which only 600 − 420 = 180 minutes are owed.
  std::vector<WorkSession> live = {
      Session("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 16), "", kZone)};
  HoursResult r = Adjust(
      ledger_, Request(sv1::ADJUSTMENT_KIND_TRANSFER_IN, 600, 420, "t1"), live);
  EXPECT_EQ(CarriedMinutes(r.ledger), 420);
  EXPECT_EQ(SessionTarget(r.ledger), 180);
  ASSERT_EQ(r.sessions.size(), 1u);
  EXPECT_EQ(r.sessions[0].session.credited_minutes(), 180);
  EXPECT_EQ(r.sessions[0].session.excess_minutes(), 300);
  // The ledger is the sum of its entries: the session's credit + carried.
  EXPECT_EQ(r.ledger.credited_minutes(),
            r.sessions[0].session.credited_minutes() + 420);
  EXPECT_EQ(r.ledger.owed_minutes(), 0);
  EXPECT_EQ(r.completion, CompletionStep::kReached);
  EXPECT_EQ(r.ledger.state(), sv1::LEDGER_STATE_COMPLETED);
}

TEST_F(AdjustmentTest, CarriedMinutesAloneReachTheTargetOnceAtTheAdjustment) {
  HoursResult r = Adjust(
      ledger_, Request(sv1::ADJUSTMENT_KIND_TRANSFER_IN, 600, 600, "t1"), {});
  EXPECT_EQ(r.completion, CompletionStep::kReached);
  EXPECT_EQ(r.ledger.completion_time().seconds(),
            absl::ToUnixSeconds(ctx_.now));
  // No session was credited: no FirstSessionCredited either.
  EXPECT_FALSE(r.first_credit);
  // Recomputing the completed ledger again announces nothing.
  absl::StatusOr<HoursResult> again = Recompute(ctx_, r.ledger, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->completion, CompletionStep::kNone);
}

TEST_F(AdjustmentTest,
       SentenceCorrectionAboveTheCreditWithdrawsCompletionOnce) {
  const absl::TimeZone z = Wita();
  std::vector<WorkSession> live = {
      Session("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 16), "", kZone),
      Session("b", At(z, 2026, 3, 3, 8), At(z, 2026, 3, 3, 10), "", kZone)};
  absl::StatusOr<HoursResult> done = Recompute(ctx_, ledger_, live);
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->completion, CompletionStep::kReached);
  for (const SessionWrite& w : done->sessions) {
    for (WorkSession& s : live) {
      if (s.name() == w.session.name()) s = w.session;
    }
  }
  HoursResult r = Adjust(
      done->ledger,
      Request(sv1::ADJUSTMENT_KIND_SENTENCE_CORRECTED, 900, 0, "fix"), live);
  EXPECT_EQ(r.completion, CompletionStep::kWithdrawn);
  EXPECT_EQ(r.ledger.state(), sv1::LEDGER_STATE_OPEN);
  EXPECT_EQ(r.ledger.owed_minutes(), 300);
  EXPECT_FALSE(r.ledger.has_completion_time());
}

TEST_F(AdjustmentTest, Pasal85Ayat7RepeatRestartsTheCountInANewSpan) {
  const absl::TimeZone z = Wita();
  std::vector<WorkSession> live = {
      Session("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 12), "", kZone)};
  HoursLedger with_transfer = ledger_;
  sv1::LedgerAdjustment* t = with_transfer.add_adjustments();
  t->set_kind(sv1::ADJUSTMENT_KIND_TRANSFER_IN);
  t->set_carried_minutes(100);
  t->set_source_id("t1");
  AdjustHoursLedgerRequest repeat =
      Request(sv1::ADJUSTMENT_KIND_REPEAT_ORDERED, 600, 60, "rep");
  *repeat.mutable_span_start_date() =
      DateFromCivilDay(absl::CivilDay(2026, 3, 9));
  HoursResult r = Adjust(with_transfer, repeat, live);
  // The repeat replaces the earlier transfer: only its 60 minutes carry.
  EXPECT_EQ(CarriedMinutes(r.ledger), 60);
  // The session before the new span no longer counts.
  ASSERT_EQ(r.sessions.size(), 1u);
  EXPECT_EQ(r.sessions[0].session.credited_minutes(), 0);
  EXPECT_EQ(r.ledger.credited_minutes(), 60);
  EXPECT_EQ(r.ledger.owed_minutes(), 540);
  EXPECT_EQ(r.ledger.span_start_time().seconds(),
            absl::ToUnixSeconds(At(z, 2026, 3, 9, 0)));
  // The policy's span (R7) from the repeat's first day.
  EXPECT_GT(r.ledger.deadline_time().seconds(),
            absl::ToUnixSeconds(At(z, 2026, 8, 31, 0)));
}

TEST_F(AdjustmentTest, RepeatWithSpanDaysEndsAtThatLocalMidnight) {
  AdjustHoursLedgerRequest repeat =
      Request(sv1::ADJUSTMENT_KIND_REPEAT_ORDERED, 600, 0, "rep");
  *repeat.mutable_span_start_date() =
      DateFromCivilDay(absl::CivilDay(2026, 3, 9));
  repeat.set_span_days(30);
  absl::StatusOr<HoursLedger> next =
      Apply(ledger_, repeat, ctx_.now, Wita(), policy_);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->deadline_time().seconds(),
            absl::ToUnixSeconds(At(Wita(), 2026, 4, 8, 0)));
}

TEST_F(AdjustmentTest, AppliedOncePerSourceId) {
  EXPECT_TRUE(Applied(ledger_, "case@1"));
  EXPECT_FALSE(Applied(ledger_, "t1"));
  absl::StatusOr<HoursLedger> next =
      Apply(ledger_, Request(sv1::ADJUSTMENT_KIND_FINE_PAYMENT, 300, 0, "t1"),
            ctx_.now, Wita(), policy_);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(Applied(*next, "t1"));
  EXPECT_EQ(next->adjustments_size(), 2);
}

TEST_F(AdjustmentTest, CaseClosedFreezesTheLedgerAndRefusesLaterAdjustments) {
  absl::StatusOr<HoursLedger> closed =
      Apply(ledger_, Request(sv1::ADJUSTMENT_KIND_CASE_CLOSED, 0, 0, "close"),
            ctx_.now, Wita(), policy_);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->state(), sv1::LEDGER_STATE_CLOSED);
  EXPECT_EQ(closed->owed_minutes(), 0);
  absl::StatusOr<HoursLedger> again =
      Apply(*closed, Request(sv1::ADJUSTMENT_KIND_FINE_PAYMENT, 60, 0, "x"),
            ctx_.now, Wita(), policy_);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(AdjustmentTest, ValidationNamesEveryBadField) {
  AdjustHoursLedgerRequest bad;
  bad.set_kind(sv1::ADJUSTMENT_KIND_INITIAL);
  bad.set_target_minutes(-1);
  bad.set_span_days(-2);
  Validator v;
  CheckAdjustment(bad, v);
  std::set<std::string> fields;
  for (const auto& f : v.violations()) fields.insert(f.field);
  EXPECT_EQ(fields, (std::set<std::string>{"kind", "target_minutes",
                                           "span_days", "source_id"}));

  AdjustHoursLedgerRequest closed =
      Request(sv1::ADJUSTMENT_KIND_CASE_CLOSED, 5, 3, "c");
  Validator v2;
  CheckAdjustment(closed, v2);
  fields.clear();
  for (const auto& f : v2.violations()) fields.insert(f.field);
  EXPECT_EQ(fields,
            (std::set<std::string>{"target_minutes", "carried_minutes"}));

  Validator v3;
  CheckAdjustment(Request(sv1::ADJUSTMENT_KIND_REPEAT_ORDERED, 600, 0, "r"),
                  v3);
  ASSERT_EQ(v3.violations().size(), 1u);
  EXPECT_EQ(v3.violations()[0].field, "span_start_date");
}

}  // namespace
}  // namespace ks::supervision::domain
