// The programs part inside the real kerjasosial-supervision binary (part 1's
// service class with WithPrograms), on its own redis-server: the rpcs are
// served, part 1's assignment records decide "has an ACTIVE assignment", and
// a program-integrasi client, which has guidance and referrals, is refused a
// work session.
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/token_file.h"
#include "common/ids/id.h"
#include "common/status/grpc_status.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"

namespace ks::supervision {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;

class ProgramsBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "ks_programs_bin_" +
           std::to_string(getpid()) + "_" + ids::NewId();
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(redis_.Start().ok());
    const std::string tokens = dir_ + "/tokens.tsv";
    absl::StatusOr<std::string> t = auth::MintToken(
        tokens, {"pk-1", "bapas-samarinda", auth::Role::PK_BAPAS, {"64.01"}});
    ASSERT_TRUE(t.ok()) << t.status();
    pk_ = *t;
    const int port = ks::testing::PickFreePort();
    binary_ = std::make_unique<ks::testing::Process>(
        KS_BIN_SUPERVISION,
        std::vector<std::string>{
            absl::StrCat("--listen=127.0.0.1:", port),
            "--metrics_listen=127.0.0.1:0", "--token_file=" + tokens,
            absl::StrCat("--redis_port=", redis_.port()),
            "--deployment_id=supervision-programs", "--shutdown_grace=2s"});
    ASSERT_TRUE(binary_->Start().ok());
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                       grpc::InsecureChannelCredentials());
    ASSERT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() +
                                          std::chrono::seconds(20)))
        << binary_->ReadLog();
    stub_ = v1::Supervision::NewStub(channel);
  }

  void TearDown() override {
    if (binary_ && binary_->running()) {
      binary_->Signal(SIGTERM, absl::Seconds(10));
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<grpc::ClientContext> Ctx() const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + pk_);
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(20));
    return ctx;
  }

  static std::string Reason(const grpc::Status& s) {
    google::rpc::ErrorInfo info;
    return GetDetail(s, &info) ? info.reason() : "";
  }

  std::string dir_, pk_;
  ks::testing::RedisServer redis_;
  std::unique_ptr<ks::testing::Process> binary_;
  std::unique_ptr<v1::Supervision::Stub> stub_;
};

TEST_F(ProgramsBinaryTest, IntegrationClientGetsGuidanceAndReferralButNoHours) {
  v1::CreateIntegrationClientRequest create;
  create.set_parent("regencies/64.01");
  create.set_request_id(ids::NewId());
  v1::IntegrationClient* c = create.mutable_integration_client();
  c->set_bapas_office_code("bapas-samarinda");
  c->set_pk_principal_id("pk-1");
  c->set_kind(v1::INTEGRATION_KIND_PRE_RELEASE_LEAVE);
  c->set_decree_reference("PAS-9.PK.01/2026");
  c->mutable_period()->mutable_start_date()->set_year(2025);
  c->mutable_period()->mutable_start_date()->set_month(1);
  c->mutable_period()->mutable_start_date()->set_day(1);
  c->mutable_period()->mutable_end_date()->set_year(2099);
  c->mutable_period()->mutable_end_date()->set_month(1);
  c->mutable_period()->mutable_end_date()->set_day(1);
  c->mutable_person()->set_full_name("Dewi Lestari Testperson");
  v1::IntegrationClient client;
  grpc::Status s = stub_->CreateIntegrationClient(Ctx().get(), create, &client);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::CreateGuidanceSessionRequest guidance;
  guidance.set_parent("regencies/64.01");
  guidance.set_request_id(ids::NewId());
  v1::GuidanceSession* g = guidance.mutable_guidance_session();
  g->set_client(client.name());
  g->mutable_interval()->mutable_start_time()->set_seconds(
      absl::ToUnixSeconds(absl::Now() - absl::Hours(2)));
  g->mutable_interval()->mutable_end_time()->set_seconds(
      absl::ToUnixSeconds(absl::Now() - absl::Hours(1)));
  g->set_mode(v1::GUIDANCE_MODE_AT_BAPAS);
  g->add_topics(v1::GUIDANCE_TOPIC_INDEPENDENCE);
  g->set_attended(true);
  v1::GuidanceSession recorded;
  s = stub_->CreateGuidanceSession(Ctx().get(), guidance, &recorded);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::CreatePartnerProgramRequest program;
  program.set_parent("regencies/64.01");
  program.set_request_id(ids::NewId());
  program.mutable_partner_program()->set_title("Modal usaha mikro");
  program.mutable_partner_program()->set_category(
      v1::PROGRAM_CATEGORY_MICRO_CAPITAL);
  program.mutable_partner_program()->set_partner_name("Bank Rakyat");
  program.mutable_partner_program()->set_partner_kind(v1::PARTNER_KIND_BANK);
  v1::PartnerProgram p;
  ASSERT_TRUE(stub_->CreatePartnerProgram(Ctx().get(), program, &p).ok());
  v1::CreateReferralRequest refer;
  refer.set_parent("regencies/64.01");
  refer.set_request_id(ids::NewId());
  refer.mutable_referral()->set_client(client.name());
  refer.mutable_referral()->set_program(p.name());
  v1::Referral r;
  s = stub_->CreateReferral(Ctx().get(), refer, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // A case without a PK assignment in part 1's records: no guidance.
  guidance.set_request_id(ids::NewId());
  g->clear_client();
  g->set_case_name("regencies/64.01/cases/unassigned");
  s = stub_->CreateGuidanceSession(Ctx().get(), guidance, &recorded);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "NO_ACTIVE_ASSIGNMENT");

  // Never hours: a work session for the client is refused, nothing written.
  v1::RecordWorkSessionRequest work;
  work.set_parent("regencies/64.01");
  work.set_request_id(ids::NewId());
  v1::WorkSession* w = work.mutable_work_session();
  w->set_case_name(client.name());
  w->set_placement("regencies/64.01/placements/p1");
  *w->mutable_start_time() = g->interval().start_time();
  *w->mutable_end_time() = g->interval().end_time();
  w->set_outcome(v1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED);
  v1::WorkSession ws;
  s = stub_->RecordWorkSession(Ctx().get(), work, &ws);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_message();
  // The only rule broken: a client is not a case, so it has no ledger.
  google::rpc::BadRequest bad;
  ASSERT_TRUE(GetDetail(s, &bad));
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "work_session.case_name");
}

}  // namespace
}  // namespace ks::supervision
