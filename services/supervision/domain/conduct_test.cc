// The conduct rules: the violation transition table, referral (R8, KUHP
// Pasal 85(7)), the session outcome's violation, the warning ladder and its
// respond-by window.
#include "services/supervision/domain/conduct.h"

#include <optional>
#include <tuple>
#include <vector>

#include "common/status/grpc_status.h"
#include "common/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "services/supervision/domain/test_util.h"

namespace ks::supervision::domain {
namespace {

namespace sv1 = ::kerjasosial::supervision::v1;
namespace cv1 = ::kerjasosial::common::v1;

sv1::Violation InState(sv1::ViolationState s, bool enforceable = true) {
  sv1::Violation v;
  v.set_name("regencies/64.01/violations/v1");
  v.set_state(s);
  v.set_enforceable(enforceable);
  return v;
}

cv1::WarningLadder Ladder(int steps, int days) {
  cv1::WarningLadder l;
  l.set_steps(steps);
  l.set_respond_by_days(days);
  return l;
}

std::string ReasonOf(const absl::Status& s) {
  google::rpc::ErrorInfo info;
  if (!GetDetail(ToGrpcStatus(s), &info)) return "";
  return info.reason();
}

using Move = std::tuple<sv1::ViolationState, ViolationAction,
                        std::optional<sv1::ViolationState>>;

// Every cell of the table in conduct.h: allowed moves land where the table
// says, every other cell is refused naming the state.
TEST(ViolationTransitionTable, EveryCell) {
  const auto O = sv1::VIOLATION_STATE_OPEN;
  const auto W = sv1::VIOLATION_STATE_WARNED;
  const auto R = sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR;
  const auto S = sv1::VIOLATION_STATE_RESOLVED;
  const auto X = sv1::VIOLATION_STATE_WITHDRAWN;
  const std::optional<sv1::ViolationState> no;
  const std::vector<Move> table = {
      {O, ViolationAction::kWarn, W},     {O, ViolationAction::kRefer, R},
      {O, ViolationAction::kResolve, S},  {O, ViolationAction::kWithdraw, X},
      {W, ViolationAction::kWarn, W},     {W, ViolationAction::kRefer, R},
      {W, ViolationAction::kResolve, S},  {W, ViolationAction::kWithdraw, X},
      {R, ViolationAction::kWarn, no},    {R, ViolationAction::kRefer, no},
      {R, ViolationAction::kResolve, no}, {R, ViolationAction::kWithdraw, X},
      {S, ViolationAction::kWarn, no},    {S, ViolationAction::kRefer, no},
      {S, ViolationAction::kResolve, no}, {S, ViolationAction::kWithdraw, no},
      {X, ViolationAction::kWarn, no},    {X, ViolationAction::kRefer, no},
      {X, ViolationAction::kResolve, no}, {X, ViolationAction::kWithdraw, no},
  };
  for (const auto& [from, action, to] : table) {
    absl::StatusOr<sv1::ViolationState> got =
        MoveViolation(InState(from), action);
    SCOPED_TRACE(sv1::ViolationState_Name(from));
    if (to) {
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(*got, *to);
    } else {
      ASSERT_FALSE(got.ok());
      EXPECT_EQ(got.status().code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_NE(got.status().message().find(sv1::ViolationState_Name(from)),
                std::string::npos);
      EXPECT_EQ(ReasonOf(got.status()).rfind("VIOLATION_NOT_", 0), 0u);
    }
  }
}

// R8 / KUHP Pasal 85(7): only an enforceable failure may lead to a breach.
TEST(R8ReferToProsecutor, OnlyEnforceableViolations) {
  absl::StatusOr<sv1::ViolationState> ok =
      ReferViolation(InState(sv1::VIOLATION_STATE_WARNED, true));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR);
  absl::StatusOr<sv1::ViolationState> refused =
      ReferViolation(InState(sv1::VIOLATION_STATE_OPEN, false));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ReasonOf(refused.status()), "VIOLATION_NOT_ENFORCEABLE");
  // The state rule is checked first: a resolved one is not referable at all.
  EXPECT_EQ(
      ReasonOf(ReferViolation(InState(sv1::VIOLATION_STATE_RESOLVED, false))
                   .status()),
      "VIOLATION_NOT_REFERABLE");
}

sv1::WorkSession Session(sv1::AttendanceOutcome o, bool enforceable) {
  sv1::WorkSession s;
  s.set_name("regencies/64.01/workSessions/s1");
  s.set_case_name("regencies/64.01/cases/c1");
  s.set_outcome(o);
  s.set_enforceable(enforceable);
  s.mutable_start_time()->set_seconds(1'780'000'000);
  s.mutable_create_time()->set_seconds(1'780'100'000);
  s.mutable_recorded_by()->set_principal_id("pk-1");
  return s;
}

// R8: an enforceable failure (not complied, sent home, absent without an
// acceptable reason) is a violation of its own kind, OPEN, enforceable.
TEST(R8SessionViolation, EnforceableFailureMakesItsViolation) {
  const std::vector<std::pair<sv1::AttendanceOutcome, sv1::ViolationKind>>
      kinds = {
          {sv1::ATTENDANCE_OUTCOME_FAILED_TO_COMPLY,
           sv1::VIOLATION_KIND_FAILED_TO_COMPLY},
          {sv1::ATTENDANCE_OUTCOME_SENT_HOME, sv1::VIOLATION_KIND_SENT_HOME},
          {sv1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE,
           sv1::VIOLATION_KIND_ABSENT_WITHOUT_REASON}};
  for (const auto& [outcome, kind] : kinds) {
    std::optional<sv1::Violation> v = ViolationOfSession(
        Session(outcome, true), "regencies/64.01/violations/x");
    ASSERT_TRUE(v.has_value()) << sv1::AttendanceOutcome_Name(outcome);
    EXPECT_EQ(v->kind(), kind);
    EXPECT_EQ(v->state(), sv1::VIOLATION_STATE_OPEN);
    EXPECT_TRUE(v->enforceable());
    EXPECT_EQ(v->work_session(), "regencies/64.01/workSessions/s1");
    EXPECT_EQ(v->case_name(), "regencies/64.01/cases/c1");
    EXPECT_EQ(v->occur_time().seconds(), 1'780'000'000);
    EXPECT_EQ(v->recorded_by().principal_id(), "pk-1");
  }
}

// R8: an outcome marked not enforceable (with its reason), and an outcome
// that is no failure even when marked enforceable, make no violation.
TEST(R8SessionViolation, NoViolationWithoutAnEnforceableFailure) {
  EXPECT_FALSE(
      ViolationOfSession(
          Session(sv1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE, false), "v")
          .has_value());
  EXPECT_FALSE(
      ViolationOfSession(
          Session(sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, true), "v")
          .has_value());
  EXPECT_FALSE(
      ViolationOfSession(
          Session(sv1::ATTENDANCE_OUTCOME_ABSENT_ACCEPTABLE, true), "v")
          .has_value());
}

TEST(ViolationsCount, WithdrawnOnesDoNotCount) {
  EXPECT_EQ(CountedViolations({}), 0);
  EXPECT_EQ(
      CountedViolations({InState(sv1::VIOLATION_STATE_OPEN),
                         InState(sv1::VIOLATION_STATE_WITHDRAWN),
                         InState(sv1::VIOLATION_STATE_RESOLVED),
                         InState(sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR)}),
      3);
}

sv1::Warning AtLevel(int level) {
  sv1::Warning w;
  w.set_level(level);
  return w;
}

// The ladder: levels 1..steps in turn; a warning above the top is refused
// naming the rule.
TEST(WarningLadder, LevelsUpToTheTopThenRefused) {
  const cv1::WarningLadder ladder = Ladder(3, 7);
  EXPECT_EQ(*NextWarningLevel({}, ladder), 1);
  EXPECT_EQ(*NextWarningLevel({AtLevel(1)}, ladder), 2);
  // The highest earlier level counts, in any order.
  EXPECT_EQ(*NextWarningLevel({AtLevel(2), AtLevel(1)}, ladder), 3);
  absl::StatusOr<int> top =
      NextWarningLevel({AtLevel(1), AtLevel(3), AtLevel(2)}, ladder);
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(top.status()), "WARNING_LADDER_TOP_REACHED");
  EXPECT_NE(top.status().message().find("policy.warnings.steps"),
            std::string::npos);
  // A one-step ladder: the first warning is also the last.
  EXPECT_EQ(*NextWarningLevel({}, Ladder(1, 7)), 1);
  EXPECT_FALSE(NextWarningLevel({AtLevel(1)}, Ladder(1, 7)).ok());
}

// The respond-by window: after the issue date, at most respond_by_days
// later (boundaries: the issue day itself, day 1, day N, day N+1).
TEST(WarningLadder, RespondByWindowBoundaries) {
  const cv1::WarningLadder ladder = Ladder(3, 7);
  const absl::CivilDay issue(2026, 3, 2);
  EXPECT_EQ(
      CheckRespondBy(issue, issue, ladder, "warning.respond_by_date").code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckRespondBy(issue, issue + 1, ladder, "f").ok());
  EXPECT_TRUE(CheckRespondBy(issue, issue + 7, ladder, "f").ok());
  absl::Status late =
      CheckRespondBy(issue, issue + 8, ladder, "warning.respond_by_date");
  EXPECT_EQ(late.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(late.message().find("warning.respond_by_date"), std::string::npos);
}

// Expiry is computed on read: ISSUED through its respond-by day, EXPIRED
// the day after; reading again changes nothing; a response ends it.
TEST(WarningExpiry, ExpiredTheDayAfterRespondByOnRead) {
  sv1::Warning w;
  w.set_name("regencies/64.01/warnings/w1");
  w.set_state(sv1::WARNING_STATE_ISSUED);
  *w.mutable_respond_by_date() = DateFromCivilDay(absl::CivilDay(2026, 3, 9));
  EXPECT_EQ(EffectiveWarningState(w, absl::CivilDay(2026, 3, 9)),
            sv1::WARNING_STATE_ISSUED);
  EXPECT_TRUE(CheckWarningResponse(w, absl::CivilDay(2026, 3, 9)).ok());
  const sv1::Warning read = WarningAsOf(w, absl::CivilDay(2026, 3, 10));
  EXPECT_EQ(read.state(), sv1::WARNING_STATE_EXPIRED);
  EXPECT_EQ(WarningAsOf(read, absl::CivilDay(2026, 3, 10)).state(),
            sv1::WARNING_STATE_EXPIRED);
  EXPECT_EQ(ReasonOf(CheckWarningResponse(w, absl::CivilDay(2026, 3, 10))),
            "WARNING_EXPIRED");
  w.set_state(sv1::WARNING_STATE_RESPONDED);
  EXPECT_EQ(EffectiveWarningState(w, absl::CivilDay(2026, 4, 1)),
            sv1::WARNING_STATE_RESPONDED);
  EXPECT_EQ(ReasonOf(CheckWarningResponse(w, absl::CivilDay(2026, 3, 5))),
            "WARNING_NOT_ISSUED");
}

// The sweep's expiry at the respond-by boundary in the local zone: a
// warning due on 9 March (regency in WIT, UTC+9) is still ISSUED at 23:59
// WIT that day and expires at 00:00 WIT on 10 March — which is 15:00 UTC
// on 9 March, when the same instant is still 9 March in WIB. The sweep's
// rule agrees with the read's at every instant around the boundary.
TEST(WarningExpiry, SweepExpiresAtLocalMidnightAfterRespondByOnce) {
  using testing::At;
  sv1::Warning w;
  w.set_name("regencies/91.71/warnings/w1");
  w.set_case_name("cases/c1");
  w.set_level(2);
  w.set_state(sv1::WARNING_STATE_ISSUED);
  *w.mutable_respond_by_date() = DateFromCivilDay(absl::CivilDay(2026, 3, 9));
  const google::protobuf::Timestamp at =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(
          absl::ToUnixSeconds(At(testing::Wit(), 2026, 3, 10, 0, 0)));

  const absl::Time last_minute = At(testing::Wit(), 2026, 3, 9, 23, 59);
  const absl::Time midnight = At(testing::Wit(), 2026, 3, 10, 0, 0);
  EXPECT_EQ(midnight, absl::FromCivil(absl::CivilMinute(2026, 3, 9, 15, 0),
                                      absl::UTCTimeZone()));
  EXPECT_FALSE(
      ExpiredWarning(w, LocalDay(last_minute, testing::Wit()), at).has_value());
  const std::optional<sv1::Warning> expired =
      ExpiredWarning(w, LocalDay(midnight, testing::Wit()), at);
  ASSERT_TRUE(expired.has_value());
  EXPECT_EQ(expired->state(), sv1::WARNING_STATE_EXPIRED);
  EXPECT_EQ(expired->update_time().seconds(), at.seconds());
  // The same instant in a WIB regency is still the respond-by day.
  EXPECT_FALSE(
      ExpiredWarning(w, LocalDay(midnight, testing::Wib()), at).has_value());

  for (const absl::Time t :
       {last_minute, midnight, midnight + absl::Hours(30)}) {
    const absl::CivilDay today = LocalDay(t, testing::Wit());
    EXPECT_EQ(ExpiredWarning(w, today, at).has_value(),
              EffectiveWarningState(w, today) == sv1::WARNING_STATE_EXPIRED)
        << t;
  }

  // Committed once: stored EXPIRED (or RESPONDED), it never expires again.
  EXPECT_FALSE(ExpiredWarning(*expired, absl::CivilDay(2026, 4, 1), at));
  sv1::Warning responded = w;
  responded.set_state(sv1::WARNING_STATE_RESPONDED);
  EXPECT_FALSE(ExpiredWarning(responded, absl::CivilDay(2026, 4, 1), at));

  const sv1::WarningClosed closed = WarningClosedOf(*expired);
  EXPECT_EQ(closed.case_name(), "cases/c1");
  EXPECT_EQ(closed.level(), 2);
  EXPECT_EQ(closed.state(), sv1::WARNING_STATE_EXPIRED);
  EXPECT_FALSE(closed.response_accepted());
}

}  // namespace
}  // namespace ks::supervision::domain
