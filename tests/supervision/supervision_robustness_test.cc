// Robustness of the hours rpcs over real gRPC (as tests/cases does it): bad
// input names the field and the rule, the derived rules refuse with their
// reason, and callers outside the office, the regency or the site are
// denied — with nothing written.
#include "tests/supervision/supervision_harness.h"

namespace ks::supervision::testing {
namespace {

class SupervisionRobustnessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new SupervisionEnvironment();
    env_->Start();
    case_ = new casesv1::Case(env_->HandedOverCase("ROB-1", 16));
    assignment_ = new sv1::PkAssignment(env_->Assign(*case_));
    placement_ = new std::string(
        env_->PlaceCase(case_->name(), Today() - 4, Today() + 60, "p-rob"));
  }
  static void TearDownTestSuite() {
    env_->Stop();
    delete env_;
    delete case_;
    delete assignment_;
    delete placement_;
  }

  static absl::CivilMinute At(int days_ago, int hour, int minute = 0) {
    const absl::CivilDay d = Today() - days_ago;
    return absl::CivilMinute(d.year(), d.month(), d.day(), hour, minute);
  }
  static sv1::RecordWorkSessionRequest Session(absl::CivilMinute start,
                                               absl::CivilMinute end) {
    return SupervisionEnvironment::Session(case_->name(), *placement_, start,
                                           end);
  }
  // Events in supervision's feed and audit entries: every commit appends
  // to both.
  static std::pair<int64_t, int64_t> Writes() {
    return {std::stoll(env_->redis_.Cli(
                absl::StrCat("XLEN ", kSupervisionPrefix, "events"))),
            std::stoll(env_->redis_.Cli(
                absl::StrCat("XLEN ", kSupervisionPrefix, "audit:log")))};
  }

  static SupervisionEnvironment* env_;
  static casesv1::Case* case_;
  static sv1::PkAssignment* assignment_;
  static std::string* placement_;
};

SupervisionEnvironment* SupervisionRobustnessTest::env_ = nullptr;
casesv1::Case* SupervisionRobustnessTest::case_ = nullptr;
sv1::PkAssignment* SupervisionRobustnessTest::assignment_ = nullptr;
std::string* SupervisionRobustnessTest::placement_ = nullptr;

TEST_F(SupervisionRobustnessTest, BadInputNamesEveryField) {
  const auto before = Writes();
  sv1::RecordWorkSessionRequest req;
  req.set_parent("regencies/64.01");
  req.set_request_id(NewRequestId());
  req.mutable_work_session()->set_case_name("cases/x");
  req.mutable_work_session()->set_credit_partial(true);
  sv1::WorkSession out;
  grpc::Status s = env_->stub_->RecordWorkSession(
      SupervisionEnvironment::Ctx(env_->pk()).get(), req, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::vector<std::string> fields = BadFields(s);
  for (const char* f :
       {"work_session.case_name", "work_session.placement",
        "work_session.start_time", "work_session.end_time",
        "work_session.outcome", "work_session.credit_partial"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }
  EXPECT_EQ(Writes(), before);
}

TEST_F(SupervisionRobustnessTest, DerivedRulesRefuseWithTheirRule) {
  sv1::WorkSession out;
  // In the future beyond the skew.
  const absl::CivilDay tomorrow = Today() + 1;
  grpc::Status s =
      env_->Record(Session(absl::CivilMinute(tomorrow.year(), tomorrow.month(),
                                             tomorrow.day(), 8, 0),
                           absl::CivilMinute(tomorrow.year(), tomorrow.month(),
                                             tomorrow.day(), 9, 0)),
                   &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"work_session.end_time"});
  EXPECT_NE(s.error_message().find("future"), std::string::npos);
  // Outside the placement's period (it starts 4 days ago).
  s = env_->Record(Session(At(5, 8), At(5, 9)), &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"work_session.start_time"});
  // Seconds are refused (credit is counted in whole minutes).
  sv1::RecordWorkSessionRequest odd = Session(At(3, 8), At(3, 9));
  odd.mutable_work_session()->mutable_start_time()->set_seconds(
      odd.work_session().start_time().seconds() + 30);
  s = env_->Record(odd, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"work_session.start_time"});
  // Overlap with a recorded session of the same case.
  ASSERT_TRUE(env_->Record(Session(At(2, 8), At(2, 10)), &out).ok());
  const std::string first = out.name();
  s = env_->Record(Session(At(2, 9, 59), At(2, 11)), &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "SESSION_OVERLAP");
  EXPECT_NE(s.error_message().find(first), std::string::npos);
  // Touching is not overlapping.
  EXPECT_TRUE(env_->Record(Session(At(2, 10), At(2, 11)), &out).ok());
}

TEST_F(SupervisionRobustnessTest, RequestIdReusedWithAnotherBody) {
  sv1::RecordWorkSessionRequest req = Session(At(1, 8), At(1, 9));
  sv1::WorkSession out, again;
  ASSERT_TRUE(env_->Record(req, &out).ok());
  ASSERT_TRUE(env_->Record(req, &again).ok());
  EXPECT_EQ(again.name(), out.name());
  req.mutable_work_session()->mutable_end_time()->set_seconds(
      req.work_session().end_time().seconds() + 60);
  grpc::Status s = env_->Record(req, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(s), "REQUEST_ID_REUSED");
}

TEST_F(SupervisionRobustnessTest,
       CallersOutsideTheOfficeRegencyOrSiteAreDenied) {
  const auto before = Writes();
  sv1::WorkSession out;
  // A PK of another office, scoped to another province.
  grpc::Status s =
      env_->Record(Session(At(3, 13), At(3, 14)), &out, env_->other_office_pk_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A site supervisor who is not on the site's staff.
  s = env_->Record(Session(At(3, 13), At(3, 14)), &out,
                   env_->other_site_supervisor_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  sv1::GetHoursLedgerRequest get;
  get.set_name(assignment_->ledger());
  sv1::HoursLedger ledger;
  s = env_->stub_->GetHoursLedger(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), get, &ledger);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Writes(), before);
  // The site's own supervisor records there.
  s = env_->Record(Session(At(3, 13), At(3, 14)), &out, env_->site_supervisor_);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(out.recorded_by().principal_id(), "site-sup-01");
}

TEST_F(SupervisionRobustnessTest, AssignmentRefusals) {
  // A second ACTIVE assignment of the same case.
  sv1::CreatePkAssignmentRequest req;
  req.set_parent("regencies/64.01");
  req.mutable_pk_assignment()->set_case_name(case_->name());
  req.mutable_pk_assignment()->set_bapas_office_code(kBapasOffice);
  req.mutable_pk_assignment()->set_pk_principal_id("pk-bpp-02");
  req.set_request_id(NewRequestId());
  sv1::PkAssignment out;
  grpc::Status s = env_->stub_->CreatePkAssignment(
      SupervisionEnvironment::Ctx(env_->pk()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "ASSIGNMENT_ALREADY_ACTIVE");
  // Another office than the handover's.
  req.mutable_pk_assignment()->set_bapas_office_code("bapas-samarinda");
  req.set_request_id(NewRequestId());
  s = env_->stub_->CreatePkAssignment(
      SupervisionEnvironment::Ctx(env_->pk()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "CASE_NOT_HANDED_OVER");
}

// The placement's schedule is every day 08:00-12:00 WITA: the plan from
// tomorrow is one 4 h session a day until the owed minutes are done.
TEST_F(SupervisionRobustnessTest, PlanOverGrpcFollowsTheSchedule) {
  const sv1::HoursLedger ledger = env_->Ledger(assignment_->ledger());
  ASSERT_GT(ledger.owed_minutes(), 0);
  sv1::PlanRemainingSessionsRequest req;
  req.set_ledger(assignment_->ledger());
  *req.mutable_from_date() = DateFromCivilDay(Today() + 1);
  sv1::PlanRemainingSessionsResponse plan;
  grpc::Status s = env_->stub_->PlanRemainingSessions(
      SupervisionEnvironment::Ctx(env_->pk()).get(), req, &plan);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(plan.owed_minutes(), ledger.owed_minutes());
  EXPECT_EQ(plan.shortfall_minutes(), 0);
  const int64_t days = (ledger.owed_minutes() + 239) / 240;
  ASSERT_EQ(plan.sessions_size(), days);
  absl::TimeZone zone;
  absl::LoadTimeZone(kZone, &zone);
  int64_t total = 0;
  for (int i = 0; i < plan.sessions_size(); ++i) {
    const absl::CivilDay day = Today() + 1 + i;
    EXPECT_EQ(plan.sessions(i).start_time().seconds(),
              absl::ToUnixSeconds(absl::FromCivil(
                  absl::CivilMinute(day.year(), day.month(), day.day(), 8, 0),
                  zone)));
    total += plan.sessions(i).credited_minutes();
  }
  EXPECT_EQ(total, ledger.owed_minutes());
  // A planning date past the deadline leaves everything owed short.
  *req.mutable_from_date() = plan.deadline_date();
  req.mutable_from_date()->set_year(req.from_date().year() + 1);
  ASSERT_TRUE(env_->stub_
                  ->PlanRemainingSessions(
                      SupervisionEnvironment::Ctx(env_->pk()).get(), req, &plan)
                  .ok());
  EXPECT_EQ(plan.shortfall_minutes(), ledger.owed_minutes());
}

}  // namespace
}  // namespace ks::supervision::testing
