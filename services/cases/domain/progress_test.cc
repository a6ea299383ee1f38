// Progress from supervision's feed: state moves, mirrors, idempotency.

#include "services/cases/domain/progress.h"

#include <optional>

#include "common/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "kerjasosial/supervision/v1/events.pb.h"
#include "services/cases/domain/internal.h"
#include "services/cases/domain/test_util.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;
namespace sv1 = ::kerjasosial::supervision::v1;
using testing::AdultCase;
using testing::DefaultPolicy;
using ::testing::HasSubstr;
using testing::Registered;

constexpr char kCase[] = "regencies/64.01/cases/c1";

absl::TimeZone Wita() {
  absl::TimeZone z;
  absl::LoadTimeZone("Asia/Makassar", &z);
  return z;
}

Case HandedOverCase() {
  Case c = Registered(AdultCase());
  c.set_state(v1::CASE_STATE_HANDED_OVER);
  c.set_version(3);
  return c;
}

sv1::LedgerSnapshot Ledger(int64_t credited, int64_t owed) {
  sv1::LedgerSnapshot l;
  l.set_case_name(kCase);
  l.set_ledger("regencies/64.01/ledgers/l1");
  l.set_target_minutes(credited + owed);
  l.set_credited_minutes(credited);
  l.set_owed_minutes(owed);
  l.set_sessions_count(credited > 0 ? 1 : 0);
  l.set_time_zone("Asia/Makassar");
  return l;
}

Event Wrap(const google::protobuf::Message& payload, const std::string& cursor,
           int64_t version = 1) {
  Event e;
  e.set_event_id("ev-" + cursor);
  e.set_cursor(cursor);
  e.set_aggregate_type("kerjasosial.supervision.v1.HoursLedger");
  e.set_aggregate_name("regencies/64.01/ledgers/l1");
  e.set_aggregate_version(version);
  e.set_regency_code("64.01");
  e.set_event_type(payload.GetDescriptor()->full_name());
  *e.mutable_event_time() =
      internal::ToProto(absl::FromUnixSeconds(1772500000));
  e.mutable_payload()->PackFrom(payload);
  return e;
}

Event First(const std::string& cursor) {
  sv1::FirstSessionCredited p;
  p.set_work_session("regencies/64.01/workSessions/w1");
  *p.mutable_start_time() =
      internal::ToProto(absl::FromUnixSeconds(1772490000));
  *p.mutable_ledger() = Ledger(240, 6960);
  return Wrap(p, cursor);
}

Event Reached(const std::string& cursor) {
  sv1::CompletionReached p;
  *p.mutable_reached_time() =
      internal::ToProto(absl::FromUnixSeconds(1772499000));
  *p.mutable_ledger() = Ledger(7200, 0);
  return Wrap(p, cursor);
}

std::optional<Transition> Apply(const Case& c, const Event& e) {
  absl::StatusOr<std::optional<Transition>> t =
      ApplySupervisionEvent(c, e, DefaultPolicy(), Wita());
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : std::nullopt;
}

TEST(ApplySupervisionEvent, FirstSessionThenCompletion) {
  const std::optional<Transition> started =
      Apply(HandedOverCase(), First("100-0"));
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->after.state(), v1::CASE_STATE_IN_PROGRESS);
  EXPECT_EQ(started->after.version(), 4);
  EXPECT_EQ(started->after.progress().credited_minutes(), 240);
  EXPECT_EQ(started->after.progress().owed_minutes(), 6960);
  EXPECT_EQ(started->after.progress().source_cursor(), "100-0");
  EXPECT_EQ(started->after.progress().first_session_time().seconds(),
            1772490000);
  EXPECT_EQ(started->history.cause(),
            "kerjasosial.supervision.v1.FirstSessionCredited");
  EXPECT_EQ(started->history.request_id(), "ev-100-0");
  EXPECT_FALSE(started->history.has_actor());
  ASSERT_EQ(started->events.size(), 1u);
  EXPECT_EQ(started->events[0].event_type(),
            "kerjasosial.cases.v1.CaseStarted");

  const std::optional<Transition> done =
      Apply(started->after, Reached("101-0"));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->after.state(), v1::CASE_STATE_COMPLETION_PENDING);
  EXPECT_EQ(done->after.completion().basis(),
            v1::COMPLETION_BASIS_HOURS_SERVED);
  EXPECT_EQ(done->after.completion().credited_minutes(), 7200);
  v1::CaseCompletionPending ev;
  ASSERT_TRUE(done->events.at(0).payload().UnpackTo(&ev));
  EXPECT_EQ(ev.credited_minutes(), 7200);
  EXPECT_EQ(ev.facts().previous_state(), v1::CASE_STATE_IN_PROGRESS);
}

TEST(ApplySupervisionEvent, IdempotentByCursor) {
  const std::optional<Transition> once =
      Apply(HandedOverCase(), First("100-5"));
  ASSERT_TRUE(once.has_value());
  // The same event again, and an older one: nothing to write.
  EXPECT_FALSE(Apply(once->after, First("100-5")).has_value());
  EXPECT_FALSE(Apply(once->after, Reached("100-4")).has_value());
  EXPECT_FALSE(Apply(once->after, Reached("99-9")).has_value());
  // A newer one applies ("100-10" > "100-5" numerically, not as text).
  EXPECT_TRUE(Apply(once->after, Reached("100-10")).has_value());
}

TEST(ApplySupervisionEvent, CountersAndFlags) {
  Case c = HandedOverCase();
  c.set_state(v1::CASE_STATE_IN_PROGRESS);
  sv1::ViolationRecorded v;
  v.set_case_name(kCase);
  v.set_violations_count(2);
  std::optional<Transition> t = Apply(c, Wrap(v, "5-0"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->after.progress().violations_count(), 2);
  EXPECT_EQ(t->events.at(0).event_type(),
            "kerjasosial.cases.v1.CaseProgressChanged");
  sv1::WarningIssued w;
  w.set_case_name(kCase);
  w.set_level(2);
  t = Apply(t->after, Wrap(w, "6-0"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->after.progress().warning_level(), 2);
  w.set_level(1);
  t = Apply(t->after, Wrap(w, "7-0"));
  EXPECT_EQ(t->after.progress().warning_level(), 2);  // highest kept
  sv1::AtRiskChanged r;
  r.set_at_risk(true);
  *r.mutable_ledger() = Ledger(600, 6600);
  r.mutable_ledger()->set_at_risk(true);
  t = Apply(t->after, Wrap(r, "8-0"));
  EXPECT_TRUE(t->after.progress().at_risk());
  sv1::LedgerOverdue o;
  *o.mutable_ledger() = Ledger(600, 6600);
  o.mutable_ledger()->set_overdue(true);
  t = Apply(t->after, Wrap(o, "9-0"));
  EXPECT_TRUE(t->after.progress().overdue());
  v1::CaseProgressChanged ev;
  ASSERT_TRUE(t->events.at(0).payload().UnpackTo(&ev));
  EXPECT_TRUE(ev.overdue());
  EXPECT_EQ(ev.violations_count(), 2);
  EXPECT_EQ(t->after.state(), v1::CASE_STATE_IN_PROGRESS);
}

sv1::ViolationStateChanged ViolationMoved(const std::string& violation,
                                          sv1::ViolationState state) {
  sv1::ViolationStateChanged v;
  v.set_case_name(kCase);
  v.set_violation(violation);
  v.set_state(state);
  v.set_violations_count(2);
  return v;
}

// R8, KUHP Pasal 85(7): the PK's referral makes a breach candidate
// the prosecutor sees; resolving or withdrawing the violation removes it.
TEST(ApplySupervisionEvent, ReferredViolationsAreTheOpenBreachCandidates) {
  Case c = HandedOverCase();
  c.set_state(v1::CASE_STATE_IN_PROGRESS);
  const std::string a = "regencies/64.01/violations/a";
  const std::string b = "regencies/64.01/violations/b";
  std::optional<Transition> t = Apply(
      c, Wrap(ViolationMoved(a, sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR),
              "5-0"));
  ASSERT_TRUE(t.has_value());
  t = Apply(t->after,
            Wrap(ViolationMoved(b, sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR),
                 "6-0"));
  ASSERT_TRUE(t.has_value());
  EXPECT_THAT(t->after.progress().referred_violations(),
              ::testing::ElementsAre(a, b));
  // A redelivered referral (new cursor, same violation) does not duplicate.
  t = Apply(t->after,
            Wrap(ViolationMoved(a, sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR),
                 "7-0"));
  ASSERT_TRUE(t.has_value());
  EXPECT_THAT(t->after.progress().referred_violations(),
              ::testing::ElementsAre(a, b));
  t = Apply(t->after,
            Wrap(ViolationMoved(a, sv1::VIOLATION_STATE_RESOLVED), "8-0"));
  ASSERT_TRUE(t.has_value());
  EXPECT_THAT(t->after.progress().referred_violations(),
              ::testing::ElementsAre(b));
  t = Apply(t->after,
            Wrap(ViolationMoved(b, sv1::VIOLATION_STATE_WITHDRAWN), "9-0"));
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->after.progress().referred_violations().empty());
  EXPECT_EQ(t->after.state(), v1::CASE_STATE_IN_PROGRESS);
}

// A WARNED violation was never referred: nothing to remove or add.
TEST(ApplySupervisionEvent, WarnedViolationIsNoBreachCandidate) {
  Case c = HandedOverCase();
  c.set_state(v1::CASE_STATE_IN_PROGRESS);
  std::optional<Transition> t =
      Apply(c, Wrap(ViolationMoved("regencies/64.01/violations/a",
                                   sv1::VIOLATION_STATE_WARNED),
                    "5-0"));
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->after.progress().referred_violations().empty());
  EXPECT_EQ(t->after.progress().violations_count(), 2);
}

TEST(ApplySupervisionEvent, StateMoveNotInTableOnlyMirrors) {
  Case c = HandedOverCase();
  c.set_state(v1::CASE_STATE_BREACHED);
  const std::optional<Transition> t = Apply(c, Reached("10-0"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->after.state(), v1::CASE_STATE_BREACHED);
  EXPECT_EQ(t->after.progress().credited_minutes(), 7200);
  EXPECT_FALSE(t->after.has_completion());
}

TEST(ApplySupervisionEvent, IgnoredAndRefused) {
  // Terminal case: ignored.
  Case done = HandedOverCase();
  done.set_state(v1::CASE_STATE_CANCELLED);
  EXPECT_FALSE(Apply(done, First("1-0")).has_value());
  // An event that does not concern progress: ignored.
  sv1::GuidanceSessionRecorded g;
  g.set_case_name(kCase);
  EXPECT_FALSE(Apply(HandedOverCase(), Wrap(g, "1-0")).has_value());
  EXPECT_EQ(SupervisionEventCaseName(Wrap(g, "1-0")).status().code(),
            absl::StatusCode::kNotFound);
  // Another case's event, a missing cursor, a broken payload: permanent.
  Event other = First("1-0");
  sv1::FirstSessionCredited p;
  ASSERT_TRUE(other.payload().UnpackTo(&p));
  p.mutable_ledger()->set_case_name("regencies/64.01/cases/zz");
  other.mutable_payload()->PackFrom(p);
  EXPECT_EQ(SupervisionEventCaseName(other).value(),
            "regencies/64.01/cases/zz");
  auto st =
      ApplySupervisionEvent(HandedOverCase(), other, DefaultPolicy(), Wita());
  EXPECT_EQ(st.status().code(), absl::StatusCode::kInvalidArgument);
  Event no_cursor = First("");
  EXPECT_EQ(ApplySupervisionEvent(HandedOverCase(), no_cursor, DefaultPolicy(),
                                  Wita())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  Event broken = First("2-0");
  broken.mutable_payload()->set_value("\xff\xff\xff");
  EXPECT_THAT(std::string(ApplySupervisionEvent(HandedOverCase(), broken,
                                                DefaultPolicy(), Wita())
                              .status()
                              .message()),
              HasSubstr("does not parse"));
}

TEST(ApplySupervisionEvent, SpanStartsAtFirstSessionPerPolicy) {
  PolicyVersion p = DefaultPolicy();
  p.mutable_adult()->set_span_starts_at(cv1::SPAN_START_FIRST_SESSION);
  const auto t =
      ApplySupervisionEvent(HandedOverCase(), First("1-0"), p, Wita());
  ASSERT_TRUE(t.ok() && t->has_value());
  // First session 2026-03-02 (local) + 180 days, local midnight.
  const absl::CivilDay first =
      LocalDay(absl::FromUnixSeconds(1772490000), Wita());
  EXPECT_EQ(
      absl::FromUnixSeconds((*t)->after.progress().deadline_time().seconds()),
      absl::FromCivil(first + 180, Wita()));
}

}  // namespace
}  // namespace ks::cases::domain
