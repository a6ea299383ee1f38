// End to end: the four real binaries, each with its own real redis-server,
// probed the way an operator would (grpc.health.v1 and server reflection via
// scripts/probe.py), their feeds guarded by tokens, and a clean SIGTERM.
#include <signal.h>
#include <sys/wait.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/testing/http_get.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"

namespace ks {
namespace {

struct Binary {
  std::string name;
  std::string path;
  std::string grpc_service;
};

std::vector<Binary> Binaries() {
  return {
      {"cases", KS_BIN_CASES, "kerjasosial.cases.v1.Cases"},
      {"placements", KS_BIN_PLACEMENTS, "kerjasosial.placements.v1.Placements"},
      {"supervision", KS_BIN_SUPERVISION,
       "kerjasosial.supervision.v1.Supervision"},
      {"reporting", KS_BIN_REPORTING, "kerjasosial.reporting.v1.Reporting"}};
}

class StackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/ks-stack-" + std::to_string(getpid());
    std::string out;
    ASSERT_EQ(testing::RunCommand("mkdir -p " + dir_, &out), 0);
    token_file_ = dir_ + "/tokens.tsv";
    viewer_token_ = Mint("viewer", "NATIONAL_VIEWER");
    pemda_token_ = Mint("pemda", "PEMDA_OFFICER");
    for (const Binary& b : Binaries()) {
      auto redis = std::make_unique<testing::RedisServer>();
      ASSERT_TRUE(redis->Start().ok());
      int port = testing::PickFreePort();
      addresses_.push_back(absl::StrCat("127.0.0.1:", port));
      metrics_ports_.push_back(testing::PickFreePort());
      auto process = std::make_unique<testing::Process>(
          b.path,
          std::vector<std::string>{absl::StrCat("--listen=", addresses_.back()),
                                   absl::StrCat("--metrics_listen=127.0.0.1:",
                                                metrics_ports_.back()),
                                   absl::StrCat("--redis_port=", redis->port()),
                                   "--health_interval=100ms",
                                   "--shutdown_grace=5s"},
          std::vector<std::string>{"KS_TOKEN_FILE=" + token_file_});
      ASSERT_TRUE(process->Start().ok());
      redis_.push_back(std::move(redis));
      processes_.push_back(std::move(process));
    }
  }

  void TearDown() override {
    std::string out;
    testing::RunCommand("rm -rf " + dir_, &out);
  }

  std::string Mint(const std::string& id, const std::string& role) {
    std::string out;
    int rc = testing::RunCommand(
        absl::StrCat(KS_BIN_TOKEN, " mint --token_file=", token_file_, " --id=",
                     id, " --agency=test --role=", role, " --regencies='*'"),
        &out);
    EXPECT_EQ(rc, 0) << out;
    // stdout holds the token, stderr (merged here) a note after it.
    std::string first_line = out.substr(0, out.find('\n'));
    return std::string(absl::StripAsciiWhitespace(first_line));
  }

  std::string dir_, token_file_, viewer_token_, pemda_token_;
  std::vector<std::string> addresses_;
  std::vector<int> metrics_ports_;
  std::vector<std::unique_ptr<testing::RedisServer>> redis_;
  std::vector<std::unique_ptr<testing::Process>> processes_;
};

TEST_F(StackTest, EveryServiceIsServingAndListsItsApiByReflection) {
  std::string cmd = absl::StrCat("/usr/bin/python3 ", KS_SOURCE_DIR,
                                 "/scripts/probe.py --wait 30");
  for (const auto& a : addresses_) absl::StrAppend(&cmd, " ", a);
  std::string out;
  int rc = testing::RunCommand(cmd, &out);
  EXPECT_EQ(rc, 0) << out;
  for (const Binary& b : Binaries()) {
    EXPECT_NE(out.find(b.grpc_service), std::string::npos) << out;
  }
  EXPECT_NE(out.find("grpc.health.v1.Health"), std::string::npos);
  EXPECT_EQ(out.find("NOT_SERVING"), std::string::npos) << out;
}

TEST_F(StackTest, FeedsNeedAFeedRole) {
  auto stub = kerjasosial::cases::v1::Cases::NewStub(
      grpc::CreateChannel(addresses_[0], grpc::InsecureChannelCredentials()));
  auto read_feed = [&](const std::string& token) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    ctx.set_wait_for_ready(true);  // the binary may still be starting
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    kerjasosial::common::v1::StreamEventsRequest req;
    req.set_stop_at_end(true);
    auto reader = stub->StreamEvents(&ctx, req);
    kerjasosial::common::v1::Event event;
    int n = 0;
    while (reader->Read(&event)) ++n;
    grpc::Status s = reader->Finish();
    EXPECT_EQ(n, 0);  // nothing has been written yet
    return s.error_code();
  };
  EXPECT_EQ(read_feed(""), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(read_feed("ks_not-a-real-token"),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(read_feed(pemda_token_), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(read_feed(viewer_token_), grpc::StatusCode::OK);
}

TEST_F(StackTest, MetricsShowRpcsAndRedisRoundTrips) {
  std::string out;
  std::string cmd = absl::StrCat("/usr/bin/python3 ", KS_SOURCE_DIR,
                                 "/scripts/probe.py --wait 30 ", addresses_[0]);
  ASSERT_EQ(testing::RunCommand(cmd, &out), 0) << out;
  std::string text = testing::HttpGet(metrics_ports_[0], "/metrics");
  // The probe's health check and reflection calls, and the readiness PINGs.
  EXPECT_NE(text.find("ks_rpc_total{code=\"OK\",method=\"/grpc.health.v1."
                      "Health/Check\"}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ks_redis_command_duration_seconds_count{command=\"PING\""
                      ",result=\"ok\"}"),
            std::string::npos)
      << text;
}

TEST_F(StackTest, SighupLoadsNewlyMintedTokens) {
  auto stub = kerjasosial::cases::v1::Cases::NewStub(
      grpc::CreateChannel(addresses_[0], grpc::InsecureChannelCredentials()));
  auto feed_code = [&](const std::string& token) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    ctx.set_wait_for_ready(true);
    ctx.AddMetadata("authorization", "Bearer " + token);
    kerjasosial::common::v1::StreamEventsRequest req;
    req.set_stop_at_end(true);
    auto reader = stub->StreamEvents(&ctx, req);
    kerjasosial::common::v1::Event event;
    while (reader->Read(&event)) {
    }
    return reader->Finish().error_code();
  };
  ASSERT_EQ(feed_code(viewer_token_), grpc::StatusCode::OK);
  std::string late = Mint("late-viewer", "NATIONAL_VIEWER");
  EXPECT_EQ(feed_code(late), grpc::StatusCode::UNAUTHENTICATED);
  processes_[0]->Send(SIGHUP);
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  grpc::StatusCode code = grpc::StatusCode::UNAUTHENTICATED;
  while (absl::Now() < deadline &&
         (code = feed_code(late)) != grpc::StatusCode::OK) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(code, grpc::StatusCode::OK) << processes_[0]->ReadLog();
  EXPECT_TRUE(processes_[0]->running());
}

TEST_F(StackTest, SigtermStopsEveryServiceCleanly) {
  std::string out;
  std::string cmd = absl::StrCat("/usr/bin/python3 ", KS_SOURCE_DIR,
                                 "/scripts/probe.py --wait 30");
  for (const auto& a : addresses_) absl::StrAppend(&cmd, " ", a);
  ASSERT_EQ(testing::RunCommand(cmd, &out), 0) << out;
  for (auto& p : processes_) {
    int status = p->Signal(SIGTERM, absl::Seconds(10));
    ASSERT_NE(status, -1) << "did not stop within 10 s\n" << p->ReadLog();
    EXPECT_TRUE(WIFEXITED(status)) << p->ReadLog();
    EXPECT_EQ(WEXITSTATUS(status), 0) << p->ReadLog();
    EXPECT_NE(p->ReadLog().find("\"event\":\"server_stopped\""),
              std::string::npos);
  }
}

}  // namespace
}  // namespace ks
