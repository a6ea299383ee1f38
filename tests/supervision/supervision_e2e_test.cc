// Supervision end to end (issue #10 acceptance): a case from its first
// session to completion with cases reaching COMPLETION_PENDING from the
// feed; sessions accepted while cases and placements are stopped;
// completion emitted exactly once under retries and under kill -9 of
// supervision mid-burst; a void that takes credit back withdraws it.
#include <signal.h>

#include <thread>

#include "tests/supervision/supervision_harness.h"

namespace ks::supervision::testing {
namespace {

class SupervisionE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.Start(); }
  void TearDown() override { env_.Stop(); }

  // A 16-hour case handed over, assigned and placed from 10 days ago.
  void Prepare(const std::string& decision) {
    case_ = env_.HandedOverCase(decision, 16);
    assignment_ = env_.Assign(case_);
    placement_ = env_.PlaceCase(case_.name(), Today() - 10, Today() + 60,
                                "p-" + decision);
  }

  absl::CivilMinute At(int days_ago, int hour) {
    const absl::CivilDay d = Today() - days_ago;
    return absl::CivilMinute(d.year(), d.month(), d.day(), hour, 0);
  }

  // Records `req`; expects success (and says why not).
  sv1::WorkSession Ok(const sv1::RecordWorkSessionRequest& req) {
    sv1::WorkSession out;
    grpc::Status s = env_.Record(req, &out);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    return out;
  }

  SupervisionEnvironment env_;
  casesv1::Case case_;
  sv1::PkAssignment assignment_;
  std::string placement_;
};

TEST_F(SupervisionE2eTest, FirstSessionToCompletionPendingInCases) {
  Prepare("E2E-1");
  ASSERT_EQ(assignment_.state(), sv1::ASSIGNMENT_STATE_ACTIVE);
  // The person summary is supervision's own copy, from cases.
  EXPECT_FALSE(assignment_.person().full_name().empty());
  sv1::HoursLedger ledger = env_.Ledger(assignment_.ledger());
  EXPECT_EQ(ledger.target_minutes(), 16 * 60);
  EXPECT_EQ(ledger.state(), sv1::LEDGER_STATE_OPEN);

  sv1::WorkSession s1, s2, s3;
  s1 = Ok(SupervisionEnvironment::Session(case_.name(), placement_, At(3, 8),
                                          At(3, 16)));
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(s1.credited_minutes(), 480);
  EXPECT_EQ(s1.site(), kSite);
  EXPECT_EQ(s1.time_zone(), kZone);
  // cases: HANDED_OVER -> IN_PROGRESS from FirstSessionCredited.
  env_.cases_.WaitFor(case_.name(), [](const casesv1::Case& c) {
    return c.state() == casesv1::CASE_STATE_IN_PROGRESS;
  });
  s2 = Ok(SupervisionEnvironment::Session(case_.name(), placement_, At(2, 8),
                                          At(2, 12)));
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(s2.credited_minutes(), 240);
  // The completing session: 240 of its 480 minutes are owed.
  s3 = Ok(SupervisionEnvironment::Session(case_.name(), placement_, At(1, 8),
                                          At(1, 16)));
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(s3.credited_minutes(), 240);
  EXPECT_EQ(s3.excess_minutes(), 240);
  ASSERT_EQ(s3.day_allocations_size(), 1);
  ASSERT_EQ(s3.day_allocations(0).excess_size(), 1);
  EXPECT_EQ(s3.day_allocations(0).excess(0).reason(),
            sv1::EXCESS_REASON_OVER_SENTENCE);

  ledger = env_.Ledger(assignment_.ledger());
  EXPECT_EQ(ledger.credited_minutes(), 960);
  EXPECT_EQ(ledger.owed_minutes(), 0);
  EXPECT_EQ(ledger.excess_minutes(), 240);
  EXPECT_EQ(ledger.state(), sv1::LEDGER_STATE_COMPLETED);
  EXPECT_EQ(ledger.days_size(), 3);
  EXPECT_EQ(env_.FeedEvents("CompletionReached").size(), 1u);
  EXPECT_EQ(env_.FeedEvents("FirstSessionCredited").size(), 1u);
  env_.cases_.WaitFor(case_.name(), [](const casesv1::Case& c) {
    return c.state() == casesv1::CASE_STATE_COMPLETION_PENDING;
  });
}

TEST_F(SupervisionE2eTest, SessionsAcceptedWhileCasesAndPlacementsAreStopped) {
  Prepare("E2E-2");
  sv1::WorkSession s;
  s = Ok(SupervisionEnvironment::Session(case_.name(), placement_, At(3, 8),
                                         At(3, 10)));
  ASSERT_FALSE(HasFailure());
  env_.cases_.binary_->Signal(SIGKILL, absl::Seconds(5));
  env_.placements_service_->feed().Shutdown();
  env_.placements_server_->Shutdown(std::chrono::system_clock::now());
  grpc::Status st =
      env_.Record(SupervisionEnvironment::Session(case_.name(), placement_,
                                                  At(2, 8), At(2, 10)),
                  &s);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_EQ(s.credited_minutes(), 120);
  EXPECT_EQ(env_.Ledger(assignment_.ledger()).credited_minutes(), 240);
}

TEST_F(SupervisionE2eTest, CompletionOnceUnderConcurrentRetries) {
  Prepare("E2E-3");
  sv1::WorkSession s;
  s = Ok(SupervisionEnvironment::Session(case_.name(), placement_, At(3, 8),
                                         At(3, 16)));
  ASSERT_FALSE(HasFailure());
  // The completing request, sent 8 times at once with one request id.
  const sv1::RecordWorkSessionRequest completing =
      SupervisionEnvironment::Session(case_.name(), placement_, At(2, 8),
                                      At(2, 16));
  std::vector<std::thread> threads;
  std::vector<sv1::WorkSession> answers(8);
  std::vector<grpc::Status> statuses(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      statuses[i] = env_.stub_->RecordWorkSession(
          SupervisionEnvironment::Ctx(env_.pk()).get(), completing,
          &answers[i]);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(statuses[i].ok())
        << statuses[i].error_code() << " " << statuses[i].error_message();
    EXPECT_EQ(answers[i].name(), answers[0].name());
  }
  EXPECT_EQ(env_.FeedEvents("CompletionReached").size(), 1u);
  EXPECT_EQ(env_.FeedEvents("SessionRecorded").size(), 2u);
  EXPECT_EQ(env_.Ledger(assignment_.ledger()).credited_minutes(), 960);
}

TEST_F(SupervisionE2eTest, CompletionOnceUnderKillNineMidBurst) {
  Prepare("E2E-4");
  // 9 one-hour sessions on 3 days (the span starts at the execution order,
  // 5 days ago), 4 h, then the 3 h that complete the 16 h.
  std::vector<sv1::RecordWorkSessionRequest> burst;
  for (int day = 5; day >= 3; --day) {
    for (int h : {8, 10, 12}) {
      burst.push_back(SupervisionEnvironment::Session(
          case_.name(), placement_, At(day, h), At(day, h + 1)));
    }
  }
  burst.push_back(SupervisionEnvironment::Session(case_.name(), placement_,
                                                  At(2, 8), At(2, 12)));
  burst.push_back(SupervisionEnvironment::Session(case_.name(), placement_,
                                                  At(1, 8), At(1, 11)));
  // Warm the read model, then fire the burst and kill -9 in the middle.
  sv1::WorkSession first;
  first = Ok(burst[0]);
  ASSERT_FALSE(HasFailure());
  std::thread killer([&] {
    absl::SleepFor(absl::Milliseconds(30));
    env_.binary_->Signal(SIGKILL, absl::Seconds(5));
  });
  for (size_t i = 1; i < burst.size(); ++i) {
    sv1::WorkSession out;
    env_.stub_->RecordWorkSession(SupervisionEnvironment::Ctx(env_.pk()).get(),
                                  burst[i], &out);
  }
  killer.join();
  env_.binary_ = std::make_unique<ks::testing::Process>(KS_BIN_SUPERVISION,
                                                        env_.SupervisionArgs());
  env_.StartSupervision();
  // Every request retried with its own request id: each is applied once.
  for (const auto& req : burst) {
    sv1::WorkSession out;
    grpc::Status s = env_.Record(req, &out);
    ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  }
  const sv1::HoursLedger ledger = env_.Ledger(assignment_.ledger());
  EXPECT_EQ(ledger.credited_minutes(), 960);
  EXPECT_EQ(ledger.state(), sv1::LEDGER_STATE_COMPLETED);
  EXPECT_EQ(env_.FeedEvents("SessionRecorded").size(), burst.size());
  EXPECT_EQ(env_.FeedEvents("CompletionReached").size(), 1u);
  // The ledger equals the sum of its days.
  int64_t days = 0;
  for (const auto& d : ledger.days()) days += d.credited_minutes();
  EXPECT_EQ(days, ledger.credited_minutes());
}

TEST_F(SupervisionE2eTest, VoidTakingCreditBackWithdrawsCompletion) {
  Prepare("E2E-5");
  sv1::WorkSession s1, s2;
  s1 = Ok(SupervisionEnvironment::Session(case_.name(), placement_, At(3, 8),
                                          At(3, 16)));
  ASSERT_FALSE(HasFailure());
  s2 = Ok(SupervisionEnvironment::Session(case_.name(), placement_, At(2, 8),
                                          At(2, 16)));
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(env_.Ledger(assignment_.ledger()).state(),
            sv1::LEDGER_STATE_COMPLETED);
  sv1::VoidWorkSessionRequest req;
  req.set_name(s1.name());
  req.set_reason_code("wrong_person");
  req.set_etag(s1.etag());
  req.set_request_id(NewRequestId());
  sv1::WorkSession voided;
  grpc::Status st = env_.stub_->VoidWorkSession(
      SupervisionEnvironment::Ctx(env_.pk()).get(), req, &voided);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_EQ(voided.state(), sv1::WORK_SESSION_STATE_VOIDED);
  const sv1::HoursLedger ledger = env_.Ledger(assignment_.ledger());
  EXPECT_EQ(ledger.credited_minutes(), 480);
  EXPECT_EQ(ledger.state(), sv1::LEDGER_STATE_OPEN);
  const auto voids = env_.FeedEvents("SessionVoided");
  ASSERT_EQ(voids.size(), 1u);
  sv1::SessionVoided payload;
  ASSERT_TRUE(voids[0].payload().UnpackTo(&payload));
  EXPECT_EQ(payload.withdrawn_minutes(), 480);
  EXPECT_EQ(payload.ledger().state(), sv1::LEDGER_STATE_OPEN);
  // A stale etag is ABORTED.
  req.set_request_id(NewRequestId());
  st = env_.stub_->VoidWorkSession(SupervisionEnvironment::Ctx(env_.pk()).get(),
                                   req, &voided);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED);
}

}  // namespace
}  // namespace ks::supervision::testing
