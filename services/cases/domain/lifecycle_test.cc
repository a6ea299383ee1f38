// The lifecycle: the transition table from every state, each command, the
// breach outcomes of KUHP Pasal 85(7), fine payments of Pasal 82, UpdateCase
// masks.
#include "services/cases/domain/lifecycle.h"

#include <map>
#include <set>

#include "common/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "services/cases/domain/eligibility.h"
#include "services/cases/domain/test_util.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;
using testing::AdultCase;
using testing::ChildCase;
using testing::Ctx;
using testing::DefaultPolicy;
using ::testing::ElementsAre;
using testing::ErrorMetadata;
using testing::ErrorReason;
using testing::FineSubstituteCase;
using ::testing::HasSubstr;
using testing::Registered;
using testing::ViolationOf;

google::type::Date D(int y, int m, int d) {
  return DateFromCivilDay(absl::CivilDay(y, m, d));
}

std::vector<std::string> EventTypes(const Transition& t) {
  std::vector<std::string> out;
  for (const auto& e : t.events) out.push_back(e.event_type());
  return out;
}

template <typename T>
T Payload(const Transition& t, size_t i = 0) {
  T out;
  EXPECT_TRUE(t.events.at(i).payload().UnpackTo(&out));
  return out;
}

Case Must(const absl::StatusOr<Transition>& t) {
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? t->after : Case();
}

Case Ordered(Case c) {
  v1::IssueExecutionOrderRequest req;
  req.set_name(c.name());
  req.mutable_execution_order()->set_order_number("PRINT-1/O.4.10/2026");
  *req.mutable_execution_order()->mutable_issued_date() = D(2026, 2, 20);
  req.mutable_execution_order()->set_kejari_code("kejari-64.01");
  return Must(IssueExecutionOrder(c, req, DefaultPolicy(), Ctx()));
}

Case HandedOver(Case c) {
  v1::HandOverToBapasRequest req;
  req.mutable_handover()->set_bapas_office_code("bapas-samarinda");
  *req.mutable_handover()->mutable_handover_date() = D(2026, 2, 25);
  return Must(HandOverToBapas(c, req, DefaultPolicy(), Ctx()));
}

v1::RecordBreachRequest AbsentBreach() {
  v1::RecordBreachRequest req;
  req.set_reason(v1::BREACH_REASON_ABSENT_WITHOUT_REASON);
  req.add_violations("regencies/64.01/violations/v1");
  return req;
}

Case Breached(Case c) {
  return Must(RecordBreach(HandedOver(Ordered(c)), AbsentBreach(), Ctx()));
}

// A case in `state` (adult fixture), built only through the domain's own
// functions, except the feed-driven states which set the state directly.
Case InState(v1::CaseState state) {
  Case c = Registered(AdultCase());
  switch (state) {
    case v1::CASE_STATE_UNSPECIFIED:
      return Case();
    case v1::CASE_STATE_REGISTERED:
      return c;
    case v1::CASE_STATE_EXECUTION_ORDERED:
      return Ordered(c);
    case v1::CASE_STATE_HANDED_OVER:
      return HandedOver(Ordered(c));
    default:
      c = HandedOver(Ordered(c));
      c.set_state(state);
      return c;
  }
}

// The table, written out independently of the implementation.
const std::map<Action, std::set<v1::CaseState>>& Expected() {
  static const auto* kTable = [] {
    const std::set<v1::CaseState> non_terminal = {
        v1::CASE_STATE_REGISTERED,         v1::CASE_STATE_EXECUTION_ORDERED,
        v1::CASE_STATE_HANDED_OVER,        v1::CASE_STATE_IN_PROGRESS,
        v1::CASE_STATE_COMPLETION_PENDING, v1::CASE_STATE_BREACHED};
    return new std::map<Action, std::set<v1::CaseState>>{
        {Action::kRegister, {v1::CASE_STATE_UNSPECIFIED}},
        {Action::kIssueExecutionOrder, {v1::CASE_STATE_REGISTERED}},
        {Action::kHandOver, {v1::CASE_STATE_EXECUTION_ORDERED}},
        {Action::kFirstSessionCredited, {v1::CASE_STATE_HANDED_OVER}},
        {Action::kCompletionReached,
         {v1::CASE_STATE_HANDED_OVER, v1::CASE_STATE_IN_PROGRESS}},
        {Action::kConfirmCompletion, {v1::CASE_STATE_COMPLETION_PENDING}},
        {Action::kRecordBreach,
         {v1::CASE_STATE_HANDED_OVER, v1::CASE_STATE_IN_PROGRESS}},
        {Action::kDecideBreachOutcome, {v1::CASE_STATE_BREACHED}},
        {Action::kRecordFinePayment,
         {v1::CASE_STATE_REGISTERED, v1::CASE_STATE_EXECUTION_ORDERED,
          v1::CASE_STATE_HANDED_OVER, v1::CASE_STATE_IN_PROGRESS,
          v1::CASE_STATE_BREACHED, v1::CASE_STATE_CONVERTED}},
        {Action::kTransfer, non_terminal},
        {Action::kCancel, non_terminal},
        {Action::kUpdate, non_terminal},
    };
  }();
  return *kTable;
}

TEST(TransitionTable, EveryActionFromEveryState) {
  for (int s = v1::CaseState_MIN; s <= v1::CaseState_MAX; ++s) {
    const auto state = static_cast<v1::CaseState>(s);
    for (Action a : kAllActions) {
      SCOPED_TRACE(absl::StrCat(StateName(state), " ", ActionName(a)));
      const bool allowed = Expected().at(a).count(state) > 0;
      const absl::Status st =
          CheckTransition(state, a, "regencies/64.01/cases/c1");
      if (allowed) {
        EXPECT_TRUE(st.ok()) << st;
        continue;
      }
      EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_THAT(std::string(st.message()), HasSubstr(StateName(state)));
      EXPECT_THAT(std::string(st.message()), HasSubstr(ActionName(a)));
      EXPECT_EQ(ErrorReason(st), "TRANSITION_NOT_ALLOWED");
      const auto md = ErrorMetadata(st);
      EXPECT_EQ(md.at("from_state"), StateName(state));
      EXPECT_EQ(md.at("action"), ActionName(a));
    }
  }
}

TEST(TransitionTable, MessageNamesTheAllowedStates) {
  const absl::Status st =
      CheckTransition(v1::CASE_STATE_IN_PROGRESS, Action::kIssueExecutionOrder);
  EXPECT_EQ(st.message(),
            "IssueExecutionOrder is not allowed in state IN_PROGRESS (allowed "
            "from: REGISTERED)");
}

TEST(TransitionTable, CommandsRefuseForbiddenStates) {
  // Each command function enforces the table, not only CheckTransition.
  const Case done = InState(v1::CASE_STATE_COMPLETED);
  v1::CancelCaseRequest cancel;
  cancel.mutable_cancellation()->set_reason(v1::CANCELLATION_REASON_DEATH);
  EXPECT_EQ(CancelCase(done, cancel, Ctx()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(HandOverToBapas(Registered(AdultCase()), {}, DefaultPolicy(), Ctx())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ConfirmCompletion(InState(v1::CASE_STATE_IN_PROGRESS), {}, Ctx())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RecordBreach(Registered(AdultCase()), AbsentBreach(), Ctx())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(RegisterCase, SetsOutputFieldsAndPublishes) {
  Case input = AdultCase();
  input.set_state(v1::CASE_STATE_COMPLETED);  // Output only: ignored
  input.mutable_progress()->set_credited_minutes(999);
  const absl::StatusOr<Transition> t =
      RegisterCase(input, "regencies/64.01/cases/c1", "64.01", DefaultPolicy(),
                   Ctx(), nullptr);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->after.state(), v1::CASE_STATE_REGISTERED);
  EXPECT_EQ(t->after.version(), 1);
  EXPECT_EQ(t->after.progress().credited_minutes(), 0);
  EXPECT_EQ(t->after.progress().owed_minutes(), 7200);
  EXPECT_EQ(t->after.sentence().replaced_prison_days(), 90);
  EXPECT_EQ(t->history.from_state(), v1::CASE_STATE_UNSPECIFIED);
  EXPECT_EQ(t->history.cause(), "/kerjasosial.cases.v1.Cases/CreateCase");
  ASSERT_THAT(EventTypes(*t),
              ElementsAre("kerjasosial.cases.v1.CaseRegistered"));
  const auto ev = Payload<v1::CaseRegistered>(*t);
  EXPECT_EQ(ev.facts().regency_code(), "64.01");
  EXPECT_EQ(ev.facts().replaced_prison_days(), 90);
  EXPECT_EQ(ev.facts().sentence_hours(), 120);
  EXPECT_EQ(ev.max_prison_threat_months(), 48);
  EXPECT_EQ(t->events[0].aggregate_version(), 1);
  EXPECT_EQ(t->events[0].aggregate_name(), "regencies/64.01/cases/c1");

  Case bad = AdultCase();
  bad.mutable_sentence()->set_hours(241);
  const absl::StatusOr<Transition> refused =
      RegisterCase(bad, "regencies/64.01/cases/c2", "64.01", DefaultPolicy(),
                   Ctx(), nullptr);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Lifecycle, AdultOrderHandoverDeadline) {
  const Case ordered = Ordered(Registered(AdultCase()));
  EXPECT_EQ(ordered.state(), v1::CASE_STATE_EXECUTION_ORDERED);
  EXPECT_EQ(ordered.version(), 2);
  // R7 default: 180 days from the order (2026-02-20) → local midnight of
  // 2026-08-19 in Asia/Makassar (UTC+8).
  absl::TimeZone wita;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Makassar", &wita));
  EXPECT_EQ(absl::FromUnixSeconds(ordered.progress().deadline_time().seconds()),
            absl::FromCivil(absl::CivilDay(2026, 2, 20) + 180, wita));
  const Case handed = HandedOver(ordered);
  EXPECT_EQ(handed.state(), v1::CASE_STATE_HANDED_OVER);
  EXPECT_EQ(handed.handover().bapas_office_code(), "bapas-samarinda");
  EXPECT_EQ(handed.handover().handed_over_by().principal_id(), "jaksa-6401");
}

// events.proto: the handover carries what supervision opens the ledger
// from, so it need not call back (issue #7 §6).
TEST(Lifecycle, HandoverEventCarriesSpanConstraintsLitmasAndMinutes) {
  Case input = ChildCase();
  input.mutable_sentence()->mutable_constraints()->set_max_days_per_week(2);
  v1::HandOverToBapasRequest req;
  req.mutable_handover()->set_bapas_office_code("bapas-samarinda");
  *req.mutable_handover()->mutable_handover_date() = D(2026, 2, 25);
  const absl::StatusOr<Transition> t =
      HandOverToBapas(Ordered(Registered(input)), req, DefaultPolicy(), Ctx());
  ASSERT_TRUE(t.ok()) << t.status();
  const auto ev = Payload<v1::CaseHandedOver>(*t);
  EXPECT_EQ(ev.bapas_office_code(), "bapas-samarinda");
  // R7 default: the span starts at the order (2026-02-20), 180 days.
  EXPECT_EQ(ev.span_start_date().ShortDebugString(),
            D(2026, 2, 20).ShortDebugString());
  EXPECT_EQ(ev.deadline_date().ShortDebugString(),
            D(2026, 8, 18).ShortDebugString());
  EXPECT_EQ(ev.constraints().max_days_per_week(), 2);
  EXPECT_EQ(ev.litmas().number(), "LITMAS-17/2026");
  EXPECT_EQ(ev.sentence_minutes(), 60 * 60);
  EXPECT_EQ(ev.facts().state(), v1::CASE_STATE_HANDED_OVER);

  // A span that starts at the first session has not started at handover.
  PolicyVersion first_session = DefaultPolicy();
  first_session.mutable_adult()->set_span_starts_at(
      cv1::SPAN_START_FIRST_SESSION);
  v1::IssueExecutionOrderRequest order;
  order.mutable_execution_order()->set_order_number("PRINT-2");
  *order.mutable_execution_order()->mutable_issued_date() = D(2026, 2, 20);
  order.mutable_execution_order()->set_kejari_code("kejari-64.01");
  const Case ordered = Must(IssueExecutionOrder(Registered(AdultCase()), order,
                                                first_session, Ctx()));
  const absl::StatusOr<Transition> later =
      HandOverToBapas(ordered, req, first_session, Ctx());
  ASSERT_TRUE(later.ok()) << later.status();
  const auto pending = Payload<v1::CaseHandedOver>(*later);
  EXPECT_FALSE(pending.has_span_start_date());
  EXPECT_FALSE(pending.has_deadline_date());
  EXPECT_FALSE(pending.has_litmas());
  EXPECT_EQ(pending.sentence_minutes(), 120 * 60);
}

TEST(Lifecycle, DecisionFixedShorterSpan) {
  Case input = AdultCase();
  input.mutable_sentence()->mutable_constraints()->set_span_days(60);
  const Case ordered = Ordered(Registered(input));
  absl::TimeZone wita;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Makassar", &wita));
  EXPECT_EQ(absl::FromUnixSeconds(ordered.progress().deadline_time().seconds()),
            absl::FromCivil(absl::CivilDay(2026, 2, 20) + 60, wita));
}

TEST(Lifecycle, ExecutionOrderValidation) {
  const Case c = Registered(AdultCase());
  v1::IssueExecutionOrderRequest req;
  req.mutable_execution_order()->set_order_number("PRINT-1");
  *req.mutable_execution_order()->mutable_issued_date() = D(2026, 2, 9);
  const absl::Status st =
      IssueExecutionOrder(c, req, DefaultPolicy(), Ctx()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolationOf(st, "execution_order.issued_date"),
              HasSubstr("final date"));
  EXPECT_EQ(ViolationOf(st, "execution_order.kejari_code"), "is required");
}

TEST(Lifecycle, ConfirmCompletionIssuesCertificate) {
  Case c = InState(v1::CASE_STATE_COMPLETION_PENDING);
  c.mutable_completion()->set_basis(v1::COMPLETION_BASIS_HOURS_SERVED);
  c.mutable_completion()->set_credited_minutes(7200);
  const absl::StatusOr<Transition> t = ConfirmCompletion(c, {}, Ctx());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->after.state(), v1::CASE_STATE_COMPLETED);
  EXPECT_EQ(t->after.completion().certificate_number(), "KS/64.01/c1");
  const auto ev = Payload<v1::CaseCompleted>(*t);
  EXPECT_EQ(ev.facts().replaced_prison_days(), 90);
  EXPECT_EQ(ev.days_to_complete(), 20);  // 2026-02-10 → 2026-03-02
  EXPECT_EQ(ev.credited_minutes(), 7200);
  v1::ConfirmCompletionRequest req;
  req.mutable_certificate()->set_number("CERT-9");
  EXPECT_EQ(
      Must(ConfirmCompletion(c, req, Ctx())).completion().certificate_number(),
      "CERT-9");
}

TEST(KuhpPasal85Ayat7, BreachNeedsEvidence) {
  const Case c = HandedOver(Ordered(Registered(AdultCase())));
  v1::RecordBreachRequest req;
  req.set_reason(v1::BREACH_REASON_FAILED_TO_COMPLY);
  absl::Status st = RecordBreach(c, req, Ctx()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolationOf(st, "violations"), HasSubstr("R8, KUHP Pasal 85(7)"));
  req.add_violations("not-a-violation");
  EXPECT_THAT(testing::ViolationFields(RecordBreach(c, req, Ctx()).status()),
              ::testing::Contains("violations[0]"));
  v1::RecordBreachRequest other;
  other.set_reason(v1::BREACH_REASON_OTHER);
  EXPECT_EQ(ViolationOf(RecordBreach(c, other, Ctx()).status(), "reason_code"),
            "is required when reason is OTHER");
  // DEADLINE_PASSED before the deadline: a precondition, not an argument.
  v1::RecordBreachRequest late;
  late.set_reason(v1::BREACH_REASON_DEADLINE_PASSED);
  st = RecordBreach(c, late, Ctx()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(st), "DEADLINE_NOT_PASSED");
  Case overdue = c;
  overdue.mutable_progress()->set_overdue(true);
  EXPECT_TRUE(RecordBreach(overdue, late, Ctx()).ok());
}

TEST(KuhpPasal85Ayat7, RecordBreachAppendsAndPublishes) {
  Case c = HandedOver(Ordered(Registered(AdultCase())));
  c.mutable_progress()->set_owed_minutes(5000);
  const absl::StatusOr<Transition> t = RecordBreach(c, AbsentBreach(), Ctx());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->after.state(), v1::CASE_STATE_BREACHED);
  ASSERT_EQ(t->after.breaches_size(), 1);
  EXPECT_EQ(t->after.breaches(0).breach_id(), "b0001");
  EXPECT_EQ(t->after.breaches(0).owed_minutes(), 5000);
  const auto ev = Payload<v1::CaseBreached>(*t);
  EXPECT_EQ(ev.breach_id(), "b0001");
  EXPECT_EQ(ev.facts().previous_state(), v1::CASE_STATE_HANDED_OVER);
}

v1::DecideBreachOutcomeRequest Outcome(v1::BreachOutcomeKind kind,
                                       v1::OutcomeExtent extent) {
  v1::DecideBreachOutcomeRequest req;
  req.mutable_outcome()->set_kind(kind);
  req.mutable_outcome()->set_extent(extent);
  *req.mutable_outcome()->mutable_decided_date() = D(2026, 3, 1);
  return req;
}

TEST(KuhpPasal85Ayat7, ServePrisonAllOrPart) {
  const Case c = Breached(Registered(AdultCase()));  // replaced: 90 days
  struct Row {
    v1::OutcomeExtent extent;
    int days;
    bool ok;
  };
  for (const Row& r : {Row{v1::OUTCOME_EXTENT_ALL, 90, true},
                       Row{v1::OUTCOME_EXTENT_ALL, 89, false},
                       Row{v1::OUTCOME_EXTENT_PART, 89, true},
                       Row{v1::OUTCOME_EXTENT_PART, 90, false},
                       Row{v1::OUTCOME_EXTENT_PART, 91, false},
                       Row{v1::OUTCOME_EXTENT_PART, 0, false}}) {
    SCOPED_TRACE(absl::StrCat(r.extent, " ", r.days));
    auto req = Outcome(v1::BREACH_OUTCOME_KIND_SERVE_PRISON, r.extent);
    req.mutable_outcome()->mutable_serve_prison()->set_prison_days(r.days);
    const absl::StatusOr<Transition> t =
        DecideBreachOutcome(c, req, DefaultPolicy(), Ctx());
    if (r.ok) {
      ASSERT_TRUE(t.ok()) << t.status();
      EXPECT_EQ(t->after.state(), v1::CASE_STATE_CONVERTED);
      EXPECT_EQ(t->after.breaches(0).outcome().serve_prison().prison_days(),
                r.days);
      const auto ev = Payload<v1::BreachOutcomeDecided>(*t);
      EXPECT_EQ(ev.breach_id(), "b0001");
      EXPECT_EQ(ev.facts().state(), v1::CASE_STATE_CONVERTED);
    } else {
      EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(ViolationOf(t.status(), "outcome.serve_prison.prison_days"),
                  HasSubstr("R8, KUHP Pasal 85(7)(b)"));
    }
  }
}

TEST(KuhpPasal85Ayat7, OutcomeMustBeTheDecisionsConsequence) {
  const Case c = Breached(Registered(AdultCase()));  // SERVE_PRISON ordered
  auto req = Outcome(v1::BREACH_OUTCOME_KIND_REPEAT, v1::OUTCOME_EXTENT_ALL);
  req.mutable_outcome()->mutable_repeat()->set_repeat_hours(120);
  req.mutable_outcome()->mutable_repeat()->set_span_days(90);
  const absl::Status st =
      DecideBreachOutcome(c, req, DefaultPolicy(), Ctx()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolationOf(st, "outcome.kind"),
              HasSubstr("R8, KUHP Pasal 85(7)"));
  // Detail must match the kind.
  auto mismatch =
      Outcome(v1::BREACH_OUTCOME_KIND_SERVE_PRISON, v1::OUTCOME_EXTENT_ALL);
  mismatch.mutable_outcome()->mutable_repeat()->set_repeat_hours(1);
  EXPECT_EQ(
      ViolationOf(
          DecideBreachOutcome(c, mismatch, DefaultPolicy(), Ctx()).status(),
          "outcome.serve_prison"),
      "is required");
  // Not BREACHED: a transition error.
  EXPECT_EQ(DecideBreachOutcome(InState(v1::CASE_STATE_IN_PROGRESS), req,
                                DefaultPolicy(), Ctx())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(KuhpPasal85Ayat7, RepeatReopensWithNewHoursAndSpan) {
  Case input = AdultCase();
  input.mutable_sentence()->set_breach_consequence(
      v1::BREACH_CONSEQUENCE_REPEAT);
  const Case c = Breached(Registered(input));
  auto req = Outcome(v1::BREACH_OUTCOME_KIND_REPEAT, v1::OUTCOME_EXTENT_PART);
  req.mutable_outcome()->mutable_repeat()->set_repeat_hours(40);
  req.mutable_outcome()->mutable_repeat()->set_span_days(60);
  const absl::StatusOr<Transition> t =
      DecideBreachOutcome(c, req, DefaultPolicy(), Ctx());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->after.state(), v1::CASE_STATE_IN_PROGRESS);
  EXPECT_EQ(t->after.progress().owed_minutes(), 40 * 60);
  EXPECT_EQ(CurrentSentenceHours(t->after), 40);
  EXPECT_EQ(Payload<v1::BreachOutcomeDecided>(*t).facts().sentence_hours(), 40);
  absl::TimeZone wita;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Makassar", &wita));
  EXPECT_EQ(
      absl::FromUnixSeconds(t->after.progress().deadline_time().seconds()),
      absl::FromCivil(absl::CivilDay(2026, 3, 1) + 60, wita));
  // Bounds: hours 1..120 (PART < 120), span 1..180.
  req.mutable_outcome()->mutable_repeat()->set_repeat_hours(120);
  EXPECT_THAT(
      ViolationOf(DecideBreachOutcome(c, req, DefaultPolicy(), Ctx()).status(),
                  "outcome.repeat.repeat_hours"),
      HasSubstr("PART"));
  req.mutable_outcome()->mutable_repeat()->set_repeat_hours(40);
  req.mutable_outcome()->mutable_repeat()->set_span_days(181);
  EXPECT_THAT(
      ViolationOf(DecideBreachOutcome(c, req, DefaultPolicy(), Ctx()).status(),
                  "outcome.repeat.span_days"),
      HasSubstr("R7"));
}

TEST(KuhpPasal85Ayat7, PayFineThenSettle) {
  Case input = AdultCase();
  input.mutable_sentence()->set_imposed_prison_months(0);
  input.mutable_sentence()->set_imposed_fine_rupiah(2000000);
  input.mutable_sentence()->set_breach_consequence(
      v1::BREACH_CONSEQUENCE_PAY_FINE);
  const Case c = Breached(Registered(input));
  auto req = Outcome(v1::BREACH_OUTCOME_KIND_PAY_FINE, v1::OUTCOME_EXTENT_ALL);
  req.mutable_outcome()->mutable_pay_fine()->set_fine_rupiah(2000001);
  EXPECT_THAT(
      ViolationOf(DecideBreachOutcome(c, req, DefaultPolicy(), Ctx()).status(),
                  "outcome.pay_fine.fine_rupiah"),
      HasSubstr("R8, KUHP Pasal 85(7)(c)"));
  req.mutable_outcome()->mutable_pay_fine()->set_fine_rupiah(2000000);
  req.mutable_outcome()->mutable_pay_fine()->set_substitute_prison_days(30);
  const Case converted =
      Must(DecideBreachOutcome(c, req, DefaultPolicy(), Ctx()));
  EXPECT_EQ(converted.state(), v1::CASE_STATE_CONVERTED);
  // Settling the outcome: CONVERTED stays CONVERTED, amounts bounded.
  v1::RecordFinePaymentRequest pay;
  pay.mutable_payment()->set_amount_rupiah(2000001);
  pay.mutable_payment()->set_receipt_number("BS-1");
  *pay.mutable_payment()->mutable_paid_date() = D(2026, 3, 2);
  EXPECT_EQ(
      RecordFinePayment(converted, pay, DefaultPolicy(), Ctx()).status().code(),
      absl::StatusCode::kInvalidArgument);
  pay.mutable_payment()->set_amount_rupiah(2000000);
  const absl::StatusOr<Transition> paid =
      RecordFinePayment(converted, pay, DefaultPolicy(), Ctx());
  ASSERT_TRUE(paid.ok()) << paid.status();
  EXPECT_EQ(paid->after.state(), v1::CASE_STATE_CONVERTED);
  EXPECT_EQ(Payload<v1::FinePaymentRecorded>(*paid).paid_total_rupiah(),
            2000000);
  const absl::Status again =
      RecordFinePayment(paid->after, pay, DefaultPolicy(), Ctx()).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(again), "FINE_PAYMENT_NOT_APPLICABLE");
}

TEST(KuhpPasal85Ayat7, ExcusedNeedsAValidReasonOfThePolicy) {
  const Case c = Breached(Registered(AdultCase()));
  v1::DecideBreachOutcomeRequest req;
  req.mutable_outcome()->set_kind(v1::BREACH_OUTCOME_KIND_EXCUSED);
  *req.mutable_outcome()->mutable_decided_date() = D(2026, 3, 1);
  req.mutable_outcome()->mutable_excused()->set_valid_reason_code("hangover");
  EXPECT_THAT(
      ViolationOf(DecideBreachOutcome(c, req, DefaultPolicy(), Ctx()).status(),
                  "outcome.excused.valid_reason_code"),
      HasSubstr("R8, KUHP Pasal 85(7)"));
  req.mutable_outcome()->mutable_excused()->set_valid_reason_code("illness");
  const Case resumed =
      Must(DecideBreachOutcome(c, req, DefaultPolicy(), Ctx()));
  EXPECT_EQ(resumed.state(), v1::CASE_STATE_IN_PROGRESS);
  EXPECT_EQ(CurrentSentenceHours(resumed), 120);
}

TEST(UuSppaPasal76Ayat2, ChildMayOnlyRepeat) {
  Case input = ChildCase();
  input.mutable_sentence()->set_imposed_prison_months(2);
  const Case c = Breached(Registered(input));
  auto prison =
      Outcome(v1::BREACH_OUTCOME_KIND_SERVE_PRISON, v1::OUTCOME_EXTENT_ALL);
  prison.mutable_outcome()->mutable_serve_prison()->set_prison_days(60);
  EXPECT_THAT(
      ViolationOf(
          DecideBreachOutcome(c, prison, DefaultPolicy(), Ctx()).status(),
          "outcome.kind"),
      HasSubstr("UU SPPA Pasal 76(2)"));
  auto repeat = Outcome(v1::BREACH_OUTCOME_KIND_REPEAT, v1::OUTCOME_EXTENT_ALL);
  repeat.mutable_outcome()->mutable_repeat()->set_repeat_hours(60);
  repeat.mutable_outcome()->mutable_repeat()->set_span_days(90);
  repeat.mutable_outcome()->mutable_repeat()->set_judge_order_reference(
      "5/Pen.Pid.Sus-Anak/2026/PN Tgt");
  EXPECT_EQ(
      Must(DecideBreachOutcome(c, repeat, DefaultPolicy(), Ctx())).state(),
      v1::CASE_STATE_IN_PROGRESS);
}

// UU SPPA Pasal 76(3): a child repeats only on the supervising judge's
// order, whose number the outcome must carry; an adult's repeat needs none.
TEST(UuSppaPasal76Ayat3, ChildRepeatNeedsTheJudgesOrder) {
  const Case child = Breached(Registered(ChildCase()));
  auto repeat = Outcome(v1::BREACH_OUTCOME_KIND_REPEAT, v1::OUTCOME_EXTENT_ALL);
  repeat.mutable_outcome()->mutable_repeat()->set_repeat_hours(60);
  repeat.mutable_outcome()->mutable_repeat()->set_span_days(90);
  const absl::Status missing =
      DecideBreachOutcome(child, repeat, DefaultPolicy(), Ctx()).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(testing::ViolationFields(missing),
            std::vector<std::string>{"outcome.repeat.judge_order_reference"});
  EXPECT_THAT(ViolationOf(missing, "outcome.repeat.judge_order_reference"),
              HasSubstr("R11, UU SPPA Pasal 76(3)"));
  repeat.mutable_outcome()->mutable_repeat()->set_judge_order_reference(
      std::string(101, 'x'));
  EXPECT_THAT(
      ViolationOf(
          DecideBreachOutcome(child, repeat, DefaultPolicy(), Ctx()).status(),
          "outcome.repeat.judge_order_reference"),
      HasSubstr("at most 100"));

  Case input = AdultCase();
  input.mutable_sentence()->set_breach_consequence(
      v1::BREACH_CONSEQUENCE_REPEAT);
  const Case adult = Breached(Registered(input));
  repeat.mutable_outcome()->mutable_repeat()->clear_judge_order_reference();
  repeat.mutable_outcome()->mutable_repeat()->set_repeat_hours(120);
  EXPECT_EQ(
      Must(DecideBreachOutcome(adult, repeat, DefaultPolicy(), Ctx())).state(),
      v1::CASE_STATE_IN_PROGRESS);
}

TEST(KuhpPasal82, FinePaymentReducesHoursThenCompletes) {
  const Case c = Registered(FineSubstituteCase());  // Rp1,000,000 = 20 h
  v1::RecordFinePaymentRequest pay;
  pay.mutable_payment()->set_amount_rupiah(250000);
  pay.mutable_payment()->set_receipt_number("BS-1");
  *pay.mutable_payment()->mutable_paid_date() = D(2026, 3, 1);
  const absl::StatusOr<Transition> part =
      RecordFinePayment(c, pay, DefaultPolicy(), Ctx());
  ASSERT_TRUE(part.ok()) << part.status();
  EXPECT_EQ(part->after.state(), v1::CASE_STATE_REGISTERED);
  EXPECT_EQ(part->after.fine_substitution().paid_rupiah(), 250000);
  EXPECT_EQ(part->after.fine_substitution().remaining_minutes(), 15 * 60);
  EXPECT_EQ(part->after.fine_payments(0).payment_id(), "p0001");
  EXPECT_EQ(Payload<v1::FinePaymentRecorded>(*part).remaining_minutes(), 900);
  // More than unpaid: INVALID_ARGUMENT naming the amount.
  pay.mutable_payment()->set_amount_rupiah(750001);
  EXPECT_THAT(
      ViolationOf(
          RecordFinePayment(part->after, pay, DefaultPolicy(), Ctx()).status(),
          "payment.amount_rupiah"),
      HasSubstr("Rp750000"));
  pay.mutable_payment()->set_amount_rupiah(750000);
  const absl::StatusOr<Transition> full =
      RecordFinePayment(part->after, pay, DefaultPolicy(), Ctx());
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->after.state(), v1::CASE_STATE_COMPLETION_PENDING);
  EXPECT_EQ(full->after.completion().basis(), v1::COMPLETION_BASIS_FINE_PAID);
  EXPECT_THAT(EventTypes(*full),
              ElementsAre("kerjasosial.cases.v1.FinePaymentRecorded",
                          "kerjasosial.cases.v1.CaseCompletionPending"));
  // A principal case has no fine to pay.
  const absl::Status st =
      RecordFinePayment(Registered(AdultCase()), pay, DefaultPolicy(), Ctx())
          .status();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(st), "FINE_PAYMENT_NOT_APPLICABLE");
}

TEST(TransferAndCancel, TerminalWithRecord) {
  const Case c = HandedOver(Ordered(Registered(AdultCase())));
  v1::TransferCaseRequest tr;
  tr.mutable_transfer()->set_destination_regency_code("64.01");
  tr.mutable_transfer()->set_reason_code("domicile_changed");
  EXPECT_THAT(ViolationOf(TransferCase(c, tr, "", Ctx()).status(),
                          "transfer.destination_regency_code"),
              HasSubstr("differ"));
  tr.mutable_transfer()->set_destination_regency_code("64.72");
  const absl::StatusOr<Transition> out =
      TransferCase(c, tr, "regencies/64.72/cases/c9", Ctx());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->after.state(), v1::CASE_STATE_TRANSFERRED_OUT);
  EXPECT_EQ(out->after.transfer().destination_case(),
            "regencies/64.72/cases/c9");
  const absl::StatusOr<Transition> in = ReceiveTransferredCase(
      out->after, "regencies/64.72/cases/c9", "64.72", Ctx());
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->after.state(), v1::CASE_STATE_EXECUTION_ORDERED);
  EXPECT_EQ(in->after.transferred_from(), "regencies/64.01/cases/c1");
  EXPECT_EQ(in->after.version(), 1);
  EXPECT_FALSE(in->after.has_handover());
  EXPECT_EQ(Payload<v1::CaseRegistered>(*in).transferred_from(),
            "regencies/64.01/cases/c1");

  v1::CancelCaseRequest cancel;
  EXPECT_EQ(ViolationOf(CancelCase(c, cancel, Ctx()).status(), "cancellation"),
            "is required");
  cancel.mutable_cancellation()->set_reason(
      v1::CANCELLATION_REASON_DECISION_ANNULLED);
  const absl::StatusOr<Transition> done = CancelCase(c, cancel, Ctx());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->after.state(), v1::CASE_STATE_CANCELLED);
  EXPECT_EQ(Payload<v1::CaseCancelled>(*done).reason(),
            v1::CANCELLATION_REASON_DECISION_ANNULLED);
  EXPECT_EQ(done->history.to_state(), v1::CASE_STATE_CANCELLED);
  EXPECT_EQ(done->history.from_state(), v1::CASE_STATE_HANDED_OVER);
}

// A transfer carries the credited minutes across, with the transfer id
// (the request's when unset) and the reason (issue #7 §5, events.proto).
TEST(TransferAndCancel, TransferEventCarriesCreditedMinutesIdAndReason) {
  Case c = HandedOver(Ordered(Registered(AdultCase())));
  c.mutable_progress()->set_credited_minutes(600);
  v1::TransferCaseRequest tr;
  tr.mutable_transfer()->set_destination_regency_code("64.72");
  tr.mutable_transfer()->set_reason_code("domicile_changed");
  const absl::StatusOr<Transition> out = TransferCase(c, tr, "", Ctx());
  ASSERT_TRUE(out.ok()) << out.status();
  const auto ev = Payload<v1::CaseTransferred>(*out);
  EXPECT_EQ(ev.credited_minutes(), 600);
  EXPECT_EQ(ev.transfer_id(), "req-1");  // Ctx()'s request id
  EXPECT_EQ(ev.reason_code(), "domicile_changed");
  EXPECT_EQ(ev.destination_regency_code(), "64.72");
  EXPECT_EQ(out->after.transfer().credited_minutes(), 600);
  EXPECT_EQ(out->after.transfer().transfer_id(), "req-1");

  tr.mutable_transfer()->set_transfer_id("tr-42");
  const absl::StatusOr<Transition> named = TransferCase(c, tr, "", Ctx());
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(Payload<v1::CaseTransferred>(*named).transfer_id(), "tr-42");
}

v1::UpdateCaseRequest Mask(const Case& data, std::vector<std::string> paths) {
  v1::UpdateCaseRequest req;
  *req.mutable_case_data() = data;
  for (auto& p : paths) req.mutable_update_mask()->add_paths(p);
  return req;
}

TEST(UpdateCase, MasksPerState) {
  const Case reg = Registered(AdultCase());
  Case data;
  data.mutable_sentence()->set_hours(200);
  data.mutable_person()->set_address("Jl. Baru 1");
  // REGISTERED: registration data may change, and is re-validated.
  const absl::StatusOr<Transition> t = UpdateCase(
      reg, Mask(data, {"sentence.hours"}), DefaultPolicy(), Ctx(), nullptr);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->after.sentence().hours(), 200);
  EXPECT_EQ(t->after.person().address(), testing::kAddress);
  EXPECT_EQ(t->after.version(), reg.version() + 1);
  EXPECT_THAT(t->history.changed_fields(), ElementsAre("sentence.hours"));
  data.mutable_sentence()->set_hours(241);
  EXPECT_THAT(ViolationOf(UpdateCase(reg, Mask(data, {"sentence.hours"}),
                                     DefaultPolicy(), Ctx(), nullptr)
                              .status(),
                          "case_data.sentence.hours"),
              HasSubstr("R5, KUHP Pasal 85(4)"));
  // After handover only contact data.
  const Case handed = HandedOver(Ordered(reg));
  const absl::Status st = UpdateCase(handed, Mask(data, {"sentence.hours"}),
                                     DefaultPolicy(), Ctx(), nullptr)
                              .status();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(st), "PATH_NOT_MUTABLE_IN_STATE");
  EXPECT_EQ(ErrorMetadata(st).at("path"), "sentence.hours");
  const absl::StatusOr<Transition> addr = UpdateCase(
      handed, Mask(data, {"person.address"}), DefaultPolicy(), Ctx(), nullptr);
  ASSERT_TRUE(addr.ok()) << addr.status();
  EXPECT_EQ(addr->after.person().address(), "Jl. Baru 1");
  const auto ev = Payload<v1::CaseCorrected>(*addr);
  EXPECT_THAT(ev.changed_fields(), ElementsAre("person"));
  // Bad masks.
  for (const auto& [path, why] :
       std::vector<std::pair<std::string, std::string>>{
           {"sentence.kind", "Immutable or Output only"},
           {"state", "Immutable or Output only"},
           {"progress.credited_minutes", "Immutable or Output only"},
           {"sentence.colour", "unknown path"}}) {
    SCOPED_TRACE(path);
    const absl::Status bad =
        UpdateCase(reg, Mask(data, {path}), DefaultPolicy(), Ctx(), nullptr)
            .status();
    EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(ViolationOf(bad, "update_mask"), HasSubstr(why));
  }
  EXPECT_EQ(ViolationOf(
                UpdateCase(reg, Mask(data, {}), DefaultPolicy(), Ctx(), nullptr)
                    .status(),
                "update_mask"),
            "is required: name the paths to change");
  // Terminal: no update at all.
  EXPECT_EQ(ErrorReason(UpdateCase(InState(v1::CASE_STATE_COMPLETED),
                                   Mask(data, {"person.address"}),
                                   DefaultPolicy(), Ctx(), nullptr)
                            .status()),
            "TRANSITION_NOT_ALLOWED");
}

}  // namespace
}  // namespace ks::cases::domain
