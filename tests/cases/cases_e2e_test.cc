// The cases service end to end: the real kerjasosial-cases binary over real
// gRPC against a real redis-server, with supervision's events arriving
// through a real feed (common/feed's FeedServer over a second redis-server).
// One environment for the whole file keeps the suite's runtime modest; each
// test uses its own decision numbers.
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/audit/audit.h"
#include "common/testing/race.h"
#include "common/validation/validator.h"
#include "tests/cases/cases_harness.h"

namespace ks::cases::testing {
namespace {

class CasesE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new CasesEnvironment();
    env_->Start(/*with_feed=*/true);
  }
  static void TearDownTestSuite() {
    env_->Stop();
    delete env_;
    env_ = nullptr;
  }

  v1::Cases::Stub& stub() { return *env_->stub_; }
  const std::string& jaksa() { return env_->jaksa_; }

  v1::Case Create(const v1::Case& data) {
    return CreateCaseIn(stub(), jaksa(), "64.01", data);
  }
  v1::Case Order(const v1::Case& c) { return IssueOrder(stub(), jaksa(), c); }
  v1::Case HandOver(const v1::Case& c,
                    const std::string& office = kBapasOffice) {
    return HandOverTo(stub(), jaksa(), c, office);
  }

  v1::Case Get(const std::string& name, const std::string& token = "") {
    return env_->GetCase(name, token);
  }
  v1::Case WaitFor(const std::string& name,
                   const std::function<bool(const v1::Case&)>& pred) {
    return env_->WaitFor(name, pred);
  }
  static sv1::LedgerSnapshot Ledger(const v1::Case& c, int64_t credited,
                                    int32_t sessions) {
    return CasesEnvironment::Ledger(c, credited, sessions);
  }

  // The supervision events that take a handed-over case to
  // COMPLETION_PENDING: the first credited session, then completion.
  v1::Case ServeAllHours(const v1::Case& c) {
    const std::string ledger = c.name() + "/ledger";
    sv1::FirstSessionCredited first;
    first.set_work_session("regencies/64.01/workSessions/" + ids::NewId());
    *first.mutable_start_time() =
        google::protobuf::util::TimeUtil::GetCurrentTime();
    *first.mutable_ledger() = Ledger(c, 240, 1);
    env_->PublishSupervision(first, ledger, "64.01");
    WaitFor(c.name(), [](const v1::Case& x) {
      return x.state() == v1::CASE_STATE_IN_PROGRESS;
    });
    sv1::CompletionReached done;
    *done.mutable_reached_time() =
        google::protobuf::util::TimeUtil::GetCurrentTime();
    *done.mutable_ledger() = Ledger(c, int64_t{c.sentence().hours()} * 60, 5);
    env_->PublishSupervision(done, ledger, "64.01");
    return WaitFor(c.name(), [](const v1::Case& x) {
      return x.state() == v1::CASE_STATE_COMPLETION_PENDING;
    });
  }

  v1::Case Confirm(const v1::Case& c) {
    v1::ConfirmCompletionRequest req;
    req.set_name(c.name());
    req.set_etag(c.etag());
    req.set_request_id(NewRequestId());
    v1::Case out;
    grpc::Status s =
        stub().ConfirmCompletion(env_->Ctx(jaksa()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    EXPECT_EQ(out.state(), v1::CASE_STATE_COMPLETED);
    return out;
  }

  v1::Case Breach(const v1::Case& c) {
    v1::RecordBreachRequest req;
    req.set_name(c.name());
    req.set_etag(c.etag());
    req.set_request_id(NewRequestId());
    req.set_reason(v1::BREACH_REASON_ABSENT_WITHOUT_REASON);
    req.add_violations("regencies/64.01/violations/" + ids::NewId());
    v1::Case out;
    grpc::Status s = stub().RecordBreach(env_->Ctx(jaksa()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    EXPECT_EQ(out.state(), v1::CASE_STATE_BREACHED);
    return out;
  }

  grpc::Status Decide(const v1::Case& c, const v1::BreachOutcome& outcome,
                      v1::Case* out) {
    v1::DecideBreachOutcomeRequest req;
    req.set_name(c.name());
    req.set_etag(c.etag());
    req.set_request_id(NewRequestId());
    *req.mutable_outcome() = outcome;
    return stub().DecideBreachOutcome(env_->Ctx(jaksa()).get(), req, out);
  }

  std::vector<v1::CaseState> HistoryStates(const std::string& name) {
    std::vector<v1::CaseState> states;
    v1::ListCaseHistoryRequest req;
    req.set_name(name);
    req.set_page_size(2);  // several pages: paging is exercised too
    for (int page = 0; page < 20; ++page) {
      v1::ListCaseHistoryResponse resp;
      grpc::Status s =
          stub().ListCaseHistory(env_->Ctx(jaksa()).get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      for (const auto& e : resp.entries()) states.push_back(e.to_state());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return states;
  }

  // The cases feed over gRPC as `token` reads it, up to its current end
  // (stop_at_end), filtered to `types` when given.
  std::vector<Event> ReadFeed(const std::string& token,
                              std::vector<std::string> types = {},
                              bool snapshot = false) {
    kerjasosial::common::v1::StreamEventsRequest req;
    req.set_stop_at_end(true);
    req.set_snapshot(snapshot);
    for (std::string& t : types) req.add_event_types(std::move(t));
    auto ctx = env_->Ctx(token);
    std::unique_ptr<grpc::ClientReader<Event>> reader =
        stub().StreamEvents(ctx.get(), req);
    std::vector<Event> out;
    Event e;
    while (reader->Read(&e)) out.push_back(e);
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    return out;
  }

  static CasesEnvironment* env_;
};

CasesEnvironment* CasesE2eTest::env_ = nullptr;

TEST_F(CasesE2eTest, AdultCaseGoesFromRegistrationToCompleted) {
  v1::Case c = Create(AdultCase("101/Pid.B/2026/PN Tgt"));
  ASSERT_FALSE(c.name().empty());
  c = HandOver(Order(c));
  c = ServeAllHours(c);
  EXPECT_EQ(c.progress().credited_minutes(), 40 * 60);
  EXPECT_EQ(c.completion().basis(), v1::COMPLETION_BASIS_HOURS_SERVED);
  c = Confirm(c);
  EXPECT_FALSE(c.completion().certificate_number().empty());
  EXPECT_EQ(HistoryStates(c.name()),
            (std::vector<v1::CaseState>{
                v1::CASE_STATE_REGISTERED, v1::CASE_STATE_EXECUTION_ORDERED,
                v1::CASE_STATE_HANDED_OVER, v1::CASE_STATE_IN_PROGRESS,
                v1::CASE_STATE_COMPLETION_PENDING, v1::CASE_STATE_COMPLETED}));
}

TEST_F(CasesE2eTest, ChildCaseGoesFromRegistrationToCompleted) {
  v1::Case c = Create(ChildCase("7/Pid.Sus-Anak/2026/PN Tgt"));
  ASSERT_FALSE(c.name().empty());
  EXPECT_EQ(c.sentence().kind(),
            kerjasosial::common::v1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT);
  c = Confirm(ServeAllHours(HandOver(Order(c))));
  EXPECT_EQ(HistoryStates(c.name()).back(), v1::CASE_STATE_COMPLETED);
}

TEST_F(CasesE2eTest, BreachOutcomeRepeatResumesTheCase) {
  v1::Case c =
      Breach(HandOver(Order(Create(AdultCase("201/Pid.B/2026/PN Tgt")))));
  v1::BreachOutcome outcome;
  outcome.set_kind(v1::BREACH_OUTCOME_KIND_REPEAT);
  outcome.set_extent(v1::OUTCOME_EXTENT_PART);
  outcome.mutable_repeat()->set_repeat_hours(10);
  outcome.mutable_repeat()->set_span_days(30);
  *outcome.mutable_decided_date() = DateOf(Today());
  v1::Case out;
  grpc::Status s = Decide(c, outcome, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::CASE_STATE_IN_PROGRESS);
  ASSERT_EQ(out.breaches_size(), 1);
  EXPECT_EQ(out.breaches(0).outcome().kind(), v1::BREACH_OUTCOME_KIND_REPEAT);
  EXPECT_EQ(HistoryStates(c.name()).back(), v1::CASE_STATE_IN_PROGRESS);
}

TEST_F(CasesE2eTest, BreachOutcomeServePrisonConvertsTheCase) {
  v1::Case c = Breach(HandOver(Order(Create(AdultCase(
      "202/Pid.B/2026/PN Tgt", v1::BREACH_CONSEQUENCE_SERVE_PRISON)))));
  v1::BreachOutcome outcome;
  outcome.set_kind(v1::BREACH_OUTCOME_KIND_SERVE_PRISON);
  outcome.set_extent(v1::OUTCOME_EXTENT_PART);
  outcome.mutable_serve_prison()->set_prison_days(30);
  *outcome.mutable_decided_date() = DateOf(Today());
  v1::Case out;
  grpc::Status s = Decide(c, outcome, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::CASE_STATE_CONVERTED);
}

TEST_F(CasesE2eTest, BreachOutcomePayFineConvertsTheCase) {
  v1::Case c = Breach(HandOver(Order(Create(
      AdultCase("203/Pid.B/2026/PN Tgt", v1::BREACH_CONSEQUENCE_PAY_FINE)))));
  v1::BreachOutcome outcome;
  outcome.set_kind(v1::BREACH_OUTCOME_KIND_PAY_FINE);
  outcome.set_extent(v1::OUTCOME_EXTENT_ALL);
  outcome.mutable_pay_fine()->set_fine_rupiah(5000000);
  *outcome.mutable_decided_date() = DateOf(Today());
  v1::Case out;
  grpc::Status s = Decide(c, outcome, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::CASE_STATE_CONVERTED);

  // A decision naming PAY_FINE refuses another outcome kind.
  v1::Case other = Breach(HandOver(Order(Create(
      AdultCase("204/Pid.B/2026/PN Tgt", v1::BREACH_CONSEQUENCE_PAY_FINE)))));
  v1::BreachOutcome wrong;
  wrong.set_kind(v1::BREACH_OUTCOME_KIND_SERVE_PRISON);
  wrong.set_extent(v1::OUTCOME_EXTENT_ALL);
  wrong.mutable_serve_prison()->set_prison_days(90);
  *wrong.mutable_decided_date() = DateOf(Today());
  const CasesEnvironment::Counts before = env_->CountsNow();
  s = Decide(other, wrong, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(env_->CountsNow(), before);
}

TEST_F(CasesE2eTest, TransferCreatesTheReceivingCaseAndKeepsHistory) {
  v1::Case c = Order(Create(AdultCase("301/Pid.B/2026/PN Tgt")));
  v1::TransferCaseRequest req;
  req.set_name(c.name());
  req.set_etag(c.etag());
  req.set_request_id(NewRequestId());
  req.mutable_transfer()->set_destination_regency_code("64.02");
  req.mutable_transfer()->set_reason_code("domicile_changed");
  v1::Case out;
  grpc::Status s = stub().TransferCase(env_->Ctx(jaksa()).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::CASE_STATE_TRANSFERRED_OUT);
  ASSERT_TRUE(absl::StartsWith(out.transfer().destination_case(),
                               "regencies/64.02/cases/"));
  v1::Case received = Get(out.transfer().destination_case());
  EXPECT_EQ(received.transferred_from(), c.name());
  EXPECT_EQ(received.regency_code(), "64.02");
  EXPECT_EQ(HistoryStates(c.name()),
            (std::vector<v1::CaseState>{v1::CASE_STATE_REGISTERED,
                                        v1::CASE_STATE_EXECUTION_ORDERED,
                                        v1::CASE_STATE_TRANSFERRED_OUT}));
}

// Issue #7 §6: a consumer of the feed acts on the handover and the
// transfer without calling back. Read over gRPC as supervision would.
TEST_F(CasesE2eTest, HandoverAndTransferEventsCarryCompletePayloads) {
  v1::Case data = ChildCase("321/Pid.Sus-Anak/2026/PN Tgt");
  data.mutable_sentence()->mutable_constraints()->set_max_days_per_week(2);
  const v1::Case handed = HandOver(Order(Create(data)));
  sv1::FirstSessionCredited first;
  first.set_work_session("regencies/64.01/workSessions/" + ids::NewId());
  *first.mutable_start_time() =
      google::protobuf::util::TimeUtil::GetCurrentTime();
  *first.mutable_ledger() = Ledger(handed, 240, 1);
  env_->PublishSupervision(first, handed.name() + "/ledger", "64.01");
  const v1::Case started = WaitFor(handed.name(), [](const v1::Case& x) {
    return x.progress().credited_minutes() == 240;
  });
  v1::TransferCaseRequest req;
  req.set_name(started.name());
  req.set_etag(started.etag());
  req.set_request_id(NewRequestId());
  req.mutable_transfer()->set_destination_regency_code("64.02");
  req.mutable_transfer()->set_reason_code("domicile_changed");
  req.mutable_transfer()->set_transfer_id("tr-" + ids::NewId());
  v1::Case out;
  grpc::Status s = stub().TransferCase(env_->Ctx(jaksa()).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();

  std::optional<v1::CaseHandedOver> handover;
  std::optional<v1::CaseTransferred> transfer;
  for (const Event& e :
       ReadFeed(env_->service_, {"kerjasosial.cases.v1.CaseHandedOver",
                                 "kerjasosial.cases.v1.CaseTransferred"})) {
    if (e.aggregate_name() != handed.name()) continue;
    if (e.payload().Is<v1::CaseHandedOver>()) {
      handover.emplace();
      ASSERT_TRUE(e.payload().UnpackTo(&*handover));
    } else if (e.payload().Is<v1::CaseTransferred>()) {
      transfer.emplace();
      ASSERT_TRUE(e.payload().UnpackTo(&*transfer));
    }
  }
  ASSERT_TRUE(handover.has_value());
  EXPECT_EQ(handover->bapas_office_code(), kBapasOffice);
  // The span started with the execution order (default policy, R7): 180
  // days, the last one inclusive.
  const absl::CivilDay start = Today() - 5;
  EXPECT_EQ(handover->span_start_date().ShortDebugString(),
            DateOf(start).ShortDebugString());
  EXPECT_EQ(handover->deadline_date().ShortDebugString(),
            DateOf(start + 179).ShortDebugString());
  EXPECT_EQ(handover->constraints().max_days_per_week(), 2);
  EXPECT_EQ(handover->litmas().number(), data.sentence().litmas().number());
  EXPECT_EQ(handover->sentence_minutes(), 20 * 60);
  ASSERT_TRUE(transfer.has_value());
  EXPECT_EQ(transfer->credited_minutes(), 240);
  EXPECT_EQ(transfer->transfer_id(), req.transfer().transfer_id());
  EXPECT_EQ(transfer->reason_code(), "domicile_changed");
  EXPECT_EQ(transfer->destination_case(), out.transfer().destination_case());
}

TEST_F(CasesE2eTest, CancelEndsTheCaseAndFurtherTransitionsFail) {
  v1::Case c = Create(AdultCase("401/Pid.B/2026/PN Tgt"));
  v1::CancelCaseRequest req;
  req.set_name(c.name());
  req.set_etag(c.etag());
  req.set_request_id(NewRequestId());
  req.mutable_cancellation()->set_reason(
      v1::CANCELLATION_REASON_DECISION_ANNULLED);
  v1::Case out;
  grpc::Status s = stub().CancelCase(env_->Ctx(jaksa()).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::CASE_STATE_CANCELLED);

  const CasesEnvironment::Counts before = env_->CountsNow();
  v1::IssueExecutionOrderRequest order;
  order.set_name(out.name());
  order.set_etag(out.etag());
  order.set_request_id(NewRequestId());
  order.mutable_execution_order()->set_order_number("X");
  *order.mutable_execution_order()->mutable_issued_date() = DateOf(Today());
  order.mutable_execution_order()->set_kejari_code("kejari-64.01");
  s = stub().IssueExecutionOrder(env_->Ctx(jaksa()).get(), order, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "CANCELLED"))
      << s.error_message();
  EXPECT_EQ(env_->CountsNow(), before);
}

TEST_F(CasesE2eTest,
       MissingOrBadFieldsAreInvalidArgumentNamingThemAndWriteNothing) {
  struct Case {
    std::string label;
    std::function<void(v1::CreateCaseRequest&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"no parent", [](auto& r) { r.clear_parent(); }, "parent"},
      {"bad parent", [](auto& r) { r.set_parent("regencies/99.99"); },
       "parent"},
      {"no request id", [](auto& r) { r.clear_request_id(); }, "request_id"},
      {"no case", [](auto& r) { r.clear_case_data(); }, "case_data"},
      {"no name",
       [](auto& r) {
         r.mutable_case_data()->mutable_person()->clear_full_name();
       },
       "case_data.person.full_name"},
      {"bad nik",
       [](auto& r) {
         r.mutable_case_data()->mutable_person()->set_nik("12345");
       },
       "case_data.person.nik"},
      {"no court",
       [](auto& r) {
         r.mutable_case_data()->mutable_decision()->clear_court_name();
       },
       "case_data.decision.court_name"},
      {"no decision number",
       [](auto& r) {
         r.mutable_case_data()->mutable_decision()->clear_decision_number();
       },
       "case_data.decision.decision_number"},
      {"no consent",
       [](auto& r) {
         r.mutable_case_data()
             ->mutable_decision()
             ->mutable_considerations()
             ->set_consent_given(false);
       },
       "case_data.decision.considerations.consent_given"},
      {"no article",
       [](auto& r) {
         r.mutable_case_data()->mutable_offence()->clear_article();
       },
       "case_data.offence.article"},
      {"threat 60 months",
       [](auto& r) {
         r.mutable_case_data()->mutable_offence()->set_max_prison_threat_months(
             60);
       },
       "case_data.offence.max_prison_threat_months"},
      {"241 hours",
       [](auto& r) {
         r.mutable_case_data()->mutable_sentence()->set_hours(241);
       },
       "case_data.sentence.hours"},
      {"7 hours adult",
       [](auto& r) { r.mutable_case_data()->mutable_sentence()->set_hours(7); },
       "case_data.sentence.hours"},
      {"no kind",
       [](auto& r) { r.mutable_case_data()->mutable_sentence()->clear_kind(); },
       "case_data.sentence.kind"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.label);
    v1::CreateCaseRequest req;
    req.set_parent("regencies/64.01");
    *req.mutable_case_data() = AdultCase("501/Pid.B/2026/PN Tgt");
    req.set_request_id(NewRequestId());
    tc.mutate(req);
    const CasesEnvironment::Counts before = env_->CountsNow();
    v1::Case out;
    grpc::Status s = stub().CreateCase(env_->Ctx(jaksa()).get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << s.error_message();
    std::vector<std::string> fields = BadFields(s);
    EXPECT_NE(std::find(fields.begin(), fields.end(), tc.field), fields.end())
        << s.error_message();
    EXPECT_EQ(env_->CountsNow(), before);
  }

  // Transition requests: etag, request id and the payload are required.
  v1::Case c = Create(AdultCase("502/Pid.B/2026/PN Tgt"));
  v1::IssueExecutionOrderRequest order;
  order.set_name(c.name());
  const CasesEnvironment::Counts before = env_->CountsNow();
  v1::Case out;
  grpc::Status s =
      stub().IssueExecutionOrder(env_->Ctx(jaksa()).get(), order, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields = BadFields(s);
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, (std::vector<std::string>{"etag", "execution_order",
                                              "request_id"}));
  EXPECT_EQ(env_->CountsNow(), before);

  v1::ListCasesRequest list;
  list.set_parent("regencies/64.01");
  list.set_page_token("not-a-token");
  v1::ListCasesResponse listed;
  s = stub().ListCases(env_->Ctx(jaksa()).get(), list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"page_token"});
}

TEST_F(CasesE2eTest, DuplicateRequestIdReplaysTheFirstAnswer) {
  v1::CreateCaseRequest req;
  req.set_parent("regencies/64.01");
  *req.mutable_case_data() = AdultCase("601/Pid.B/2026/PN Tgt");
  req.set_request_id(NewRequestId());
  v1::Case first, second;
  ASSERT_TRUE(stub().CreateCase(env_->Ctx(jaksa()).get(), req, &first).ok());
  const CasesEnvironment::Counts before = env_->CountsNow();
  grpc::Status s = stub().CreateCase(env_->Ctx(jaksa()).get(), req, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(second.name(), first.name());
  EXPECT_EQ(second.etag(), first.etag());
  EXPECT_EQ(env_->CountsNow(), before);

  // The same id with another body: ALREADY_EXISTS, nothing written.
  req.mutable_case_data()->mutable_sentence()->set_hours(50);
  s = stub().CreateCase(env_->Ctx(jaksa()).get(), req, &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(env_->CountsNow(), before);

  // A transition retried after the case moved on still replays.
  v1::IssueExecutionOrderRequest order;
  order.set_name(first.name());
  order.set_etag(first.etag());
  order.set_request_id(NewRequestId());
  order.mutable_execution_order()->set_order_number("PRINT-02");
  *order.mutable_execution_order()->mutable_issued_date() = DateOf(Today());
  order.mutable_execution_order()->set_kejari_code("kejari-64.01");
  v1::Case ordered, again;
  ASSERT_TRUE(
      stub()
          .IssueExecutionOrder(env_->Ctx(jaksa()).get(), order, &ordered)
          .ok());
  const CasesEnvironment::Counts after_order = env_->CountsNow();
  s = stub().IssueExecutionOrder(env_->Ctx(jaksa()).get(), order, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.etag(), ordered.etag());
  EXPECT_EQ(env_->CountsNow(), after_order);

  // A second registration of the same court decision.
  v1::CreateCaseRequest dup;
  dup.set_parent("regencies/64.01");
  *dup.mutable_case_data() = AdultCase("601/Pid.B/2026/PN Tgt");
  dup.set_request_id(NewRequestId());
  s = stub().CreateCase(env_->Ctx(jaksa()).get(), dup, &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(env_->CountsNow(), after_order);
}

// Identical retries racing each other: the idempotency claim wins before
// the decision's uniqueness claim, so all twelve get the first answer.
TEST_F(CasesE2eTest, RacingIdenticalCreatesAllGetTheFirstAnswer) {
  constexpr int kRounds = 20, kRacers = 12;
  const int64_t cases_before = env_->CountCases();
  for (int round = 0; round < kRounds; ++round) {
    v1::CreateCaseRequest req;
    req.set_parent("regencies/64.01");
    *req.mutable_case_data() =
        AdultCase(absl::StrCat("R", round, "/Pid.B/2026/PN Tgt"));
    req.set_request_id(NewRequestId());
    std::vector<grpc::Status> status(kRacers);
    std::vector<v1::Case> got(kRacers);
    ks::testing::RunTogether(kRacers, [&](int i) {
      status[i] = stub().CreateCase(env_->Ctx(jaksa()).get(), req, &got[i]);
    });
    for (int i = 0; i < kRacers; ++i) {
      ASSERT_TRUE(status[i].ok())
          << "round " << round << " racer " << i << ": "
          << status[i].error_code() << " " << status[i].error_message();
      EXPECT_EQ(got[i].name(), got[0].name());
      EXPECT_EQ(got[i].etag(), got[0].etag());
    }
  }
  EXPECT_EQ(env_->CountCases(), cases_before + kRounds);
}

// Different requests racing for one court decision: one wins; every other
// gets DECISION_ALREADY_REGISTERED naming the winner, whether the conflict
// was caught early or inside the commit script, and never a Redis key.
TEST_F(CasesE2eTest, RacingRegistrationsOfOneDecisionAreClientSafe) {
  constexpr int kRounds = 10, kRacers = 12;
  for (int round = 0; round < kRounds; ++round) {
    const v1::Case data =
        AdultCase(absl::StrCat("D", round, "/Pid.B/2026/PN Tgt"));
    std::vector<grpc::Status> status(kRacers);
    std::vector<v1::Case> got(kRacers);
    ks::testing::RunTogether(kRacers, [&](int i) {
      v1::CreateCaseRequest req;
      req.set_parent("regencies/64.01");
      *req.mutable_case_data() = data;
      req.set_request_id(NewRequestId());
      status[i] = stub().CreateCase(env_->Ctx(jaksa()).get(), req, &got[i]);
    });
    std::string winner;
    for (int i = 0; i < kRacers; ++i) {
      if (status[i].ok()) {
        EXPECT_TRUE(winner.empty()) << "two winners in round " << round;
        winner = got[i].name();
      }
    }
    ASSERT_FALSE(winner.empty());
    for (int i = 0; i < kRacers; ++i) {
      if (status[i].ok()) continue;
      EXPECT_EQ(status[i].error_code(), grpc::StatusCode::ALREADY_EXISTS);
      EXPECT_EQ(Reason(status[i]), "DECISION_ALREADY_REGISTERED");
      EXPECT_EQ(ErrorMetadata(status[i], "case"), winner);
      EXPECT_EQ(status[i].error_message(),
                "a case with this court and decision number exists");
      EXPECT_FALSE(absl::StrContains(status[i].error_message(), "ks:{"));
    }
  }
}

// UpdateCase over gRPC: correcting the decision number moves the
// uniqueness claim in the same step — the old number is free again, the new
// one is taken, and a correction onto a taken number is refused whole.
TEST_F(CasesE2eTest, UpdateCaseMovesTheDecisionClaimAtomically) {
  const v1::Case a = Create(AdultCase("U1/Pid.B/2026/PN Tgt"));
  const v1::Case b = Create(AdultCase("U2/Pid.B/2026/PN Tgt"));
  v1::UpdateCaseRequest update;
  *update.mutable_case_data() = a;
  update.mutable_case_data()->mutable_decision()->set_decision_number(
      "U3/Pid.B/2026/PN Tgt");
  update.mutable_update_mask()->add_paths("decision.decision_number");
  update.set_etag(a.etag());
  update.set_request_id(NewRequestId());
  v1::Case updated;
  grpc::Status s =
      stub().UpdateCase(env_->Ctx(jaksa()).get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.decision().decision_number(), "U3/Pid.B/2026/PN Tgt");
  EXPECT_EQ(updated.version(), a.version() + 1);

  // The old number is free: a new registration of it succeeds.
  Create(AdultCase("U1/Pid.B/2026/PN Tgt"));
  // The new number is taken.
  v1::CreateCaseRequest dup;
  dup.set_parent("regencies/64.01");
  *dup.mutable_case_data() = AdultCase("U3/Pid.B/2026/PN Tgt");
  dup.set_request_id(NewRequestId());
  v1::Case out;
  s = stub().CreateCase(env_->Ctx(jaksa()).get(), dup, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorMetadata(s, "case"), a.name());

  // Correcting b onto a's number: refused, nothing written, b keeps its own.
  const CasesEnvironment::Counts before = env_->CountsNow();
  v1::UpdateCaseRequest clash;
  *clash.mutable_case_data() = b;
  clash.mutable_case_data()->mutable_decision()->set_decision_number(
      "U3/Pid.B/2026/PN Tgt");
  clash.mutable_update_mask()->add_paths("decision.decision_number");
  clash.set_etag(b.etag());
  clash.set_request_id(NewRequestId());
  s = stub().UpdateCase(env_->Ctx(jaksa()).get(), clash, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(s), "DECISION_ALREADY_REGISTERED");
  EXPECT_EQ(env_->CountsNow(), before);
  EXPECT_EQ(Get(b.name()).decision().decision_number(), "U2/Pid.B/2026/PN Tgt");
}

TEST_F(CasesE2eTest, ListOrdersByUpdateTime) {
  const v1::Case x = Create(AdultCase("T1/Pid.B/2026/PN Tgt"));
  const v1::Case y = Create(AdultCase("T2/Pid.B/2026/PN Tgt"));
  v1::ListCasesRequest req;
  req.set_parent("regencies/64.01");
  req.set_order_by("update_time desc");
  req.set_page_size(1);
  v1::ListCasesResponse resp;
  grpc::Status s = stub().ListCases(env_->Ctx(jaksa()).get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.cases_size(), 1);
  EXPECT_EQ(resp.cases(0).name(), y.name());
  // Changing x makes it the most recently updated.
  Order(x);
  resp.Clear();
  ASSERT_TRUE(stub().ListCases(env_->Ctx(jaksa()).get(), req, &resp).ok());
  ASSERT_EQ(resp.cases_size(), 1);
  EXPECT_EQ(resp.cases(0).name(), x.name());
  req.set_order_by("update_time sideways");
  s = stub().ListCases(env_->Ctx(jaksa()).get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"order_by"});
}

// RecordFinePayment over gRPC (R10, KUHP Pasal 82): a partial payment
// reduces the hours owed in proportion; paying the rest completes the case.
TEST_F(CasesE2eTest, FinePaymentsReduceThenSettleTheSubstitute) {
  v1::Case c = Create(FineSubstituteCase("F1/Pid.B/2026/PN Tgt"));
  auto pay = [&](const v1::Case& at, int64_t rupiah, const std::string& receipt,
                 v1::Case* out) {
    v1::RecordFinePaymentRequest req;
    req.set_name(at.name());
    req.set_etag(at.etag());
    req.set_request_id(NewRequestId());
    req.mutable_payment()->set_amount_rupiah(rupiah);
    *req.mutable_payment()->mutable_paid_date() = DateOf(Today());
    req.mutable_payment()->set_receipt_number(receipt);
    return stub().RecordFinePayment(env_->Ctx(jaksa()).get(), req, out);
  };
  v1::Case half;
  grpc::Status s = pay(c, 500000, "KW-001", &half);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(half.fine_substitution().remaining_minutes(), 10 * 60);
  EXPECT_EQ(half.state(), c.state());

  // More than is unpaid: INVALID_ARGUMENT naming the amount.
  v1::Case out;
  s = pay(half, 600000, "KW-002", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"payment.amount_rupiah"});

  v1::Case paid;
  s = pay(half, 500000, "KW-003", &paid);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(paid.fine_substitution().remaining_minutes(), 0);
  EXPECT_EQ(paid.state(), v1::CASE_STATE_COMPLETION_PENDING);
  EXPECT_EQ(paid.fine_payments_size(), 2);
}

TEST_F(CasesE2eTest, ValidateOnlyWritesNothingAndSaysIfTheDecisionIsTaken) {
  v1::CreateCaseRequest req;
  req.set_parent("regencies/64.01");
  *req.mutable_case_data() = AdultCase("V1/Pid.B/2026/PN Tgt");
  req.set_request_id(NewRequestId());
  req.set_validate_only(true);
  const CasesEnvironment::Counts before = env_->CountsNow();
  v1::Case out;
  grpc::Status s = stub().CreateCase(env_->Ctx(jaksa()).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::CASE_STATE_REGISTERED);
  EXPECT_EQ(env_->CountsNow(), before);

  const v1::Case taken = Create(AdultCase("V2/Pid.B/2026/PN Tgt"));
  const CasesEnvironment::Counts after = env_->CountsNow();
  *req.mutable_case_data() = AdultCase("V2/Pid.B/2026/PN Tgt");
  req.set_request_id(NewRequestId());
  s = stub().CreateCase(env_->Ctx(jaksa()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(s), "DECISION_ALREADY_REGISTERED");
  EXPECT_EQ(ErrorMetadata(s, "case"), taken.name());
  EXPECT_EQ(env_->CountsNow(), after);
}

TEST_F(CasesE2eTest, StaleEtagIsAbortedAndWritesNothing) {
  v1::Case c = Create(AdultCase("701/Pid.B/2026/PN Tgt"));
  v1::Case ordered = Order(c);
  ASSERT_NE(ordered.etag(), c.etag());
  v1::CancelCaseRequest req;
  req.set_name(c.name());
  req.set_etag(c.etag());  // stale
  req.set_request_id(NewRequestId());
  req.mutable_cancellation()->set_reason(
      v1::CANCELLATION_REASON_REGISTRATION_ERROR);
  const CasesEnvironment::Counts before = env_->CountsNow();
  v1::Case out;
  grpc::Status s = stub().CancelCase(env_->Ctx(jaksa()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(env_->CountsNow(), before);
  EXPECT_EQ(Get(c.name()).state(), v1::CASE_STATE_EXECUTION_ORDERED);
}

TEST_F(CasesE2eTest, OtherRegencyAndRolesAreDeniedAndWriteNothing) {
  v1::Case c = Create(AdultCase("801/Pid.B/2026/PN Tgt"));
  const CasesEnvironment::Counts before = env_->CountsNow();
  v1::Case out;
  v1::CreateCaseRequest create;
  create.set_parent("regencies/64.01");
  *create.mutable_case_data() = AdultCase("802/Pid.B/2026/PN Tgt");
  create.set_request_id(NewRequestId());
  EXPECT_EQ(stub()
                .CreateCase(env_->Ctx(env_->other_jaksa_).get(), create, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      stub().CreateCase(env_->Ctx(env_->pk_).get(), create, &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub().CreateCase(env_->Ctx("").get(), create, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::CancelCaseRequest cancel;
  cancel.set_name(c.name());
  cancel.set_etag(c.etag());
  cancel.set_request_id(NewRequestId());
  cancel.mutable_cancellation()->set_reason(
      v1::CANCELLATION_REASON_REGISTRATION_ERROR);
  EXPECT_EQ(stub()
                .CancelCase(env_->Ctx(env_->other_jaksa_).get(), cancel, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::GetCaseRequest get;
  get.set_name(c.name());
  EXPECT_EQ(stub()
                .GetCase(env_->Ctx(env_->other_jaksa_).get(), get, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // PK_BAPAS reads only cases handed over to its office.
  EXPECT_EQ(stub().GetCase(env_->Ctx(env_->pk_).get(), get, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(env_->CountsNow(), before);

  // PK_BAPAS reaches a case only by the HANDOVER_OFFICE relation.
  v1::GetCaseForExecutionRequest exec;
  exec.set_name(c.name());
  v1::CaseForExecution view;
  grpc::Status s =
      stub().GetCaseForExecution(env_->Ctx(env_->pk_).get(), exec, &view);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(s), "BAPAS_OFFICE_REQUIRED");

  v1::Case handed = HandOver(Order(c));
  // GetCase returns the whole person: JAKSA and ADMIN only (the access
  // option of GetCase; the PK reads the execution view).
  get.set_name(handed.name());
  s = stub().GetCase(env_->Ctx(env_->pk_).get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(s), "ROLE_REQUIRED");
  exec.set_name(handed.name());
  s = stub().GetCaseForExecution(env_->Ctx(env_->pk_).get(), exec, &view);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(absl::StrContains(view.SerializeAsString(), kNik));
  s = stub().GetCaseForExecution(env_->Ctx(env_->service_).get(), exec, &view);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(view.state(), v1::CASE_STATE_HANDED_OVER);
  EXPECT_EQ(view.sentence_minutes(), 40 * 60);
  // The person summary, never the full NIK or the address.
  EXPECT_EQ(view.person().full_name(), kPersonName);
  EXPECT_FALSE(absl::StrContains(view.SerializeAsString(), kNik));
  EXPECT_FALSE(absl::StrContains(view.SerializeAsString(), kAddress));
}

// DESIGN §6 over gRPC: GetCaseForExecution gives the PersonSummary to the
// PK of the handover office and to SERVICE (in its regencies, or as the
// handover office's deployment elsewhere), to nobody else; everyone
// admitted gets the span, deadline, constraints and Litmas reference.
TEST_F(CasesE2eTest, ExecutionViewGivesThePersonOnlyToTheHandoverOffice) {
  v1::Case data = ChildCase("811/Pid.Sus-Anak/2026/PN Tgt");
  v1::Guardian* g = data.mutable_person()->mutable_guardian();
  g->set_full_name("Siti Ibu");
  g->set_relationship("ibu");
  data.mutable_sentence()->mutable_constraints()->set_max_days_per_week(2);
  const v1::Case handed = HandOver(Order(Create(data)));
  v1::GetCaseForExecutionRequest req;
  req.set_name(handed.name());
  const auto view_as = [&](const std::string& token, v1::CaseForExecution* x) {
    return stub().GetCaseForExecution(env_->Ctx(token).get(), req, x);
  };

  const std::string handover_service = env_->role_tokens_[auth::Role::SERVICE];
  v1::CaseForExecution x;
  for (const std::string& token : {env_->pk_, handover_service, env_->service_,
                                   env_->office_service_abroad_}) {
    x.Clear();
    grpc::Status s = view_as(token, &x);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_TRUE(x.has_person());
    EXPECT_EQ(x.person().full_name(), "Rina Anak");
    EXPECT_EQ(x.person().nik_masked(), "************0002");
    EXPECT_EQ(x.person().guardian().full_name(), "Siti Ibu");
    EXPECT_EQ(x.person().phone_number(), data.person().phone_number());
    EXPECT_FALSE(absl::StrContains(x.SerializeAsString(), kAddress));
    EXPECT_FALSE(absl::StrContains(x.SerializeAsString(), "6401015003100002"));
  }
  for (const std::string& token :
       {jaksa(), env_->role_tokens_[auth::Role::PEMDA_OFFICER],
        env_->role_tokens_[auth::Role::ADMIN]}) {
    x.Clear();
    grpc::Status s = view_as(token, &x);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_FALSE(x.has_person());
    EXPECT_FALSE(absl::StrContains(x.SerializeAsString(), "Rina Anak"));
    // What carrying the sentence out needs is there for every reader: the
    // span started with the execution order (default policy, R7).
    EXPECT_EQ(x.span_start_date().ShortDebugString(),
              DateOf(Today() - 5).ShortDebugString());
    EXPECT_EQ(x.deadline_date().ShortDebugString(),
              DateOf(Today() - 5 + 179).ShortDebugString());
    EXPECT_EQ(x.constraints().max_days_per_week(), 2);
    EXPECT_EQ(x.litmas().number(), data.sentence().litmas().number());
  }
  // The relation decides for callers outside the regency.
  for (const std::string& token : {env_->other_pk_, env_->foreign_service_}) {
    grpc::Status s = view_as(token, &x);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Reason(s), "BAPAS_OFFICE_REQUIRED");
  }
}

TEST_F(CasesE2eTest, ListFiltersPagesAndMasksNik) {
  for (int i = 0; i < 3; ++i) {
    Create(AdultCase(absl::StrCat("90", i, "/Pid.B/2026/PN Tgt")));
  }
  v1::ListCasesRequest req;
  req.set_parent("regencies/64.01");
  req.set_filter("state = REGISTERED");
  req.set_page_size(2);
  std::set<std::string> names;
  int32_t total = 0;
  for (int page = 0; page < 50; ++page) {
    v1::ListCasesResponse resp;
    grpc::Status s = stub().ListCases(env_->Ctx(jaksa()).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    total = resp.total_size();
    for (const v1::Case& c : resp.cases()) {
      EXPECT_EQ(c.state(), v1::CASE_STATE_REGISTERED);
      EXPECT_EQ(c.person().nik(), kNik);  // JAKSA sees the NIK
      EXPECT_TRUE(names.insert(c.name()).second) << "twice: " << c.name();
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_GE(names.size(), 3u);
  EXPECT_EQ(static_cast<int32_t>(names.size()), total);

  // A token of one filter is refused with another.
  v1::ListCasesRequest first;
  first.set_parent("regencies/64.01");
  first.set_page_size(1);
  v1::ListCasesResponse resp;
  ASSERT_TRUE(stub().ListCases(env_->Ctx(jaksa()).get(), first, &resp).ok());
  ASSERT_FALSE(resp.next_page_token().empty());
  first.set_page_token(resp.next_page_token());
  first.set_filter("state = CANCELLED");
  grpc::Status s = stub().ListCases(env_->Ctx(jaksa()).get(), first, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"page_token"});

  // National viewers see no personal data at all.
  v1::ListCasesRequest all;
  all.set_parent("regencies/-");
  resp.Clear();
  s = stub().ListCases(env_->Ctx(env_->viewer_).get(), all, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GT(resp.cases_size(), 0);
  EXPECT_FALSE(absl::StrContains(resp.SerializeAsString(), kNik));
  EXPECT_FALSE(absl::StrContains(resp.SerializeAsString(), kPersonName));

  v1::ListCasesRequest bad;
  bad.set_parent("regencies/64.01");
  bad.set_filter("nonsense >< 3");
  s = stub().ListCases(env_->Ctx(jaksa()).get(), bad, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"filter"});
}

// issue #7 §2: ListCases filters by the Bapas office a case was handed to;
// a PK sees only its own office's cases whatever the filter says.
TEST_F(CasesE2eTest, ListFiltersByHandoverOffice) {
  const v1::Case ours =
      HandOver(Order(Create(AdultCase("911/Pid.B/2026/PN Tgt"))));
  const v1::Case theirs = HandOver(
      Order(Create(AdultCase("912/Pid.B/2026/PN Tgt"))), "bapas-samarinda");
  const auto names = [&](const std::string& token, const std::string& filter) {
    v1::ListCasesRequest req;
    req.set_parent("regencies/-");
    req.set_filter(filter);
    req.set_page_size(500);
    v1::ListCasesResponse resp;
    grpc::Status s = stub().ListCases(env_->Ctx(token).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::set<std::string> out;
    for (const v1::Case& c : resp.cases()) {
      EXPECT_TRUE(c.has_handover());
      out.insert(c.name());
    }
    return out;
  };
  const std::string smd = "handover.bapas_office_code = \"bapas-samarinda\"";
  const std::string bpp =
      absl::StrCat("handover.bapas_office_code = \"", kBapasOffice, "\"");
  std::set<std::string> found = names(jaksa(), smd);
  EXPECT_EQ(found.count(theirs.name()), 1u);
  EXPECT_EQ(found.count(ours.name()), 0u);
  found = names(jaksa(), bpp);
  EXPECT_EQ(found.count(ours.name()), 1u);
  EXPECT_EQ(found.count(theirs.name()), 0u);
  // The PK of kBapasOffice asking for another office's cases gets none.
  EXPECT_TRUE(names(env_->pk_, smd).empty());
  EXPECT_EQ(names(env_->pk_, bpp).count(ours.name()), 1u);
}

// Issue #7 §6: the snapshot over gRPC sends the current state of every
// case, as ListCases shows it, then a SnapshotComplete with the feed cursor
// it was taken at; no person in it.
TEST_F(CasesE2eTest, SnapshotSendsEveryCaseAsListCasesShowsIt) {
  Create(AdultCase("961/Pid.B/2026/PN Tgt"));
  HandOver(Order(Create(AdultCase("962/Pid.B/2026/PN Tgt"))));
  CreateCaseIn(stub(), jaksa(), "64.02", AdultCase("963/Pid.B/2026/PN Tgt"));

  std::map<std::string, v1::Case> listed;
  v1::ListCasesRequest list;
  list.set_parent("regencies/-");
  list.set_page_size(500);
  for (int page = 0; page < 100; ++page) {
    v1::ListCasesResponse resp;
    grpc::Status s =
        stub().ListCases(env_->Ctx(env_->viewer_).get(), list, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const v1::Case& c : resp.cases()) listed[c.name()] = c;
    if (resp.next_page_token().empty()) break;
    list.set_page_token(resp.next_page_token());
  }
  ASSERT_GE(listed.size(), 3u);

  std::map<std::string, v1::CaseStateSnapshot> snapshot;
  int completes = 0;
  for (const Event& e : ReadFeed(env_->service_, {}, /*snapshot=*/true)) {
    if (!e.snapshot()) continue;  // the live part after the snapshot
    if (e.event_type() == "kerjasosial.common.v1.SnapshotComplete") {
      ++completes;
      EXPECT_FALSE(e.cursor().empty());
      continue;
    }
    ASSERT_EQ(e.event_type(), "kerjasosial.cases.v1.CaseStateSnapshot");
    EXPECT_EQ(e.aggregate_type(), "kerjasosial.cases.v1.Case");
    EXPECT_FALSE(absl::StrContains(e.SerializeAsString(), kNik));
    EXPECT_FALSE(absl::StrContains(e.SerializeAsString(), kPersonName));
    v1::CaseStateSnapshot state;
    ASSERT_TRUE(e.payload().UnpackTo(&state));
    EXPECT_EQ(state.name(), e.aggregate_name());
    EXPECT_EQ(state.version(), e.aggregate_version());
    EXPECT_EQ(state.regency_code(), e.regency_code());
    EXPECT_TRUE(snapshot.emplace(state.name(), state).second)
        << "twice: " << state.name();
  }
  EXPECT_EQ(completes, 1);
  // Nothing changes the cases between the two reads: one state per listed
  // case, equal to it.
  EXPECT_EQ(snapshot.size(), listed.size());
  for (const auto& [name, c] : listed) {
    SCOPED_TRACE(name);
    auto it = snapshot.find(name);
    ASSERT_NE(it, snapshot.end());
    const v1::CaseStateSnapshot& s = it->second;
    EXPECT_EQ(s.version(), c.version());
    EXPECT_EQ(s.state(), c.state());
    EXPECT_EQ(s.regency_code(), c.regency_code());
    EXPECT_EQ(s.kind(), c.sentence().kind());
    EXPECT_EQ(s.credited_minutes(), c.progress().credited_minutes());
    EXPECT_EQ(s.deadline_time().seconds(),
              c.progress().deadline_time().seconds());
    EXPECT_EQ(s.bapas_office_code(), c.handover().bapas_office_code());
  }
}

// Exactly-once effect: the binary restarts with its feed cursor erased, so
// supervision's whole feed is delivered again; no case changes twice.
TEST_F(CasesE2eTest, ZyRedeliveredSupervisionFeedHasNoSecondEffect) {
  v1::Case c = ServeAllHours(
      HandOver(Order(Create(AdultCase("951/Pid.B/2026/PN Tgt")))));
  const std::string cursor_key =
      absl::StrCat(kCasesPrefix, "feed:supervision:cursor");
  ASSERT_GE(env_->binary_->Signal(SIGTERM, absl::Seconds(10)), 0);
  const CasesEnvironment::Counts before = env_->CountsNow();
  const std::string last = std::string(absl::StripAsciiWhitespace(
      env_->cases_redis_.Cli(absl::StrCat("GET ", cursor_key))));
  ASSERT_FALSE(last.empty());
  env_->cases_redis_.Cli(absl::StrCat("DEL ", cursor_key));
  env_->StartBinary();
  // Wait until the consumer is back at the last event it had applied.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline &&
         std::string(absl::StripAsciiWhitespace(env_->cases_redis_.Cli(
             absl::StrCat("GET ", cursor_key)))) != last) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(std::string(absl::StripAsciiWhitespace(
                env_->cases_redis_.Cli(absl::StrCat("GET ", cursor_key)))),
            last);
  // Nothing was written again: same keys, same feed, same audit trail.
  EXPECT_EQ(env_->CountsNow(), before);
  v1::Case after = Get(c.name());
  EXPECT_EQ(after.version(), c.version());
  EXPECT_EQ(HistoryStates(c.name()).size(), 5u);
}

// Self-contained: drives one case through its whole life (registration,
// order, handover, supervision's progress, completion), then checks that
// nothing personal left the record, whatever other tests ran before.
TEST_F(CasesE2eTest, ZzNoPersonalDataInFeedOrLogsAndAuditChainVerifies) {
  const size_t events_before = env_->FeedEntries().size();
  Confirm(ServeAllHours(
      HandOver(Order(Create(AdultCase("999/Pid.B/2026/PN Tgt"))))));
  const auto entries = env_->FeedEntries();
  ASSERT_GE(entries.size(), events_before + 5);
  for (const auto& [bytes, event] : entries) {
    EXPECT_FALSE(absl::StrContains(bytes, kNik)) << event.event_type();
    EXPECT_FALSE(absl::StrContains(bytes, kPersonName)) << event.event_type();
    EXPECT_FALSE(absl::StrContains(bytes, kAddress)) << event.event_type();
  }
  // Every supervision event was applied or skipped, none dead-lettered.
  EXPECT_EQ(std::string(absl::StripAsciiWhitespace(env_->cases_redis_.Cli(
                absl::StrCat("XLEN ", kCasesPrefix, "feed:supervision:dead")))),
            "0");
  const std::string log = env_->binary_->ReadLog();
  EXPECT_FALSE(log.empty());
  EXPECT_FALSE(absl::StrContains(log, kNik));
  EXPECT_FALSE(absl::StrContains(log, kPersonName));

  absl::StatusOr<audit::VerifyReport> report =
      audit::Verify(*env_->cases_pool_, kCasesPrefix);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->first_broken_sequence, 0) << report->reason;
  EXPECT_GE(report->entries_checked, 4);
  // Audit entries hold no personal data either.
  const std::string audit_log = env_->cases_redis_.Cli(
      absl::StrCat("XRANGE ", kCasesPrefix, "audit:log - +"));
  EXPECT_FALSE(absl::StrContains(audit_log, kNik));
  EXPECT_FALSE(absl::StrContains(audit_log, kPersonName));
}

}  // namespace
}  // namespace ks::cases::testing
