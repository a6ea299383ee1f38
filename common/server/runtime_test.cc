// Runtime's audit sealer lifecycle: started by Serve, stopped by shutdown,
// checkpoints signed with --audit_key_file.
#include "common/server/runtime.h"

#include <signal.h>
#include <stdlib.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/audit/audit.h"
#include "common/audit/audit_test_util.h"
#include "common/audit/checkpoint.h"
#include "common/auth/token_file.h"
#include "common/testing/redis_server.h"
#include "gtest/gtest.h"

ABSL_DECLARE_FLAG(absl::Duration, startup_redis_wait);

namespace ks::server {
namespace {

class RuntimeAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start().ok());
    config_.name = "rt";
    config_.listen = "127.0.0.1:0";
    config_.deployment_id = "rt-test";
    config_.token_file = dir_.File("tokens.tsv");
    config_.shutdown_grace = absl::Seconds(1);
    config_.health_interval = absl::Milliseconds(100);
    config_.redis.port = redis_.port();
    config_.audit_checkpoint_every = 2;
    config_.audit_checkpoint_interval = absl::Hours(1);
    auth::Principal p{"jaksa-1", "kejari-64.01", auth::Role::JAKSA, {"64.01"}};
    ASSERT_TRUE(auth::MintToken(config_.token_file, p).ok());
    ASSERT_TRUE(audit::testing::MakeEd25519KeyPair(dir_, "audit"));
  }

  // Polls the integer `cli` prints (bounded, not timed: the sealer runs every
  // 200 ms) until it reaches `want`.
  bool WaitForInt(const std::string& cli, int64_t want) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      int64_t n = 0;
      std::string out = redis_.Cli(cli);
      if (!out.empty() && out.back() == '\n') out.pop_back();
      if (absl::SimpleAtoi(out, &n) && n >= want) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  ks::testing::RedisServer redis_;
  audit::testing::TempDir dir_;
  Config config_;
};

TEST_F(RuntimeAuditTest, BadKeyFileIsRefusedNamingTheFlag) {
  config_.audit_key_file = dir_.File("tokens.tsv");  // not a PEM key
  auto runtime = Runtime::Create(config_, /*publishes_feed=*/true);
  EXPECT_EQ(runtime.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      absl::StartsWith(runtime.status().message(), "--audit_key_file: "))
      << runtime.status();
}

// A restarted stack brings Redis and the services up together; a service that
// reads its store at start waits for Redis instead of exiting.
TEST_F(RuntimeAuditTest, AwaitRedisWaitsForARedisThatComesUpLater) {
  auto runtime = Runtime::Create(config_, /*publishes_feed=*/false);
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  redis_.Kill();
  std::thread late_start([&] {
    absl::SleepFor(absl::Milliseconds(700));
    ASSERT_TRUE(redis_.Start().ok());
  });
  absl::Status waited = (*runtime)->AwaitRedis();
  late_start.join();
  EXPECT_TRUE(waited.ok()) << waited;
  EXPECT_TRUE((*runtime)->redis().Ping().ok());
}

TEST_F(RuntimeAuditTest, AwaitRedisGivesUpNamingTheFlag) {
  auto runtime = Runtime::Create(config_, /*publishes_feed=*/false);
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  redis_.Kill();
  absl::SetFlag(&FLAGS_startup_redis_wait, absl::Milliseconds(300));
  absl::Status waited = (*runtime)->AwaitRedis();
  absl::SetFlag(&FLAGS_startup_redis_wait, absl::Minutes(2));
  EXPECT_EQ(waited.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(waited.message(), "--startup_redis_wait"))
      << waited;
}

TEST_F(RuntimeAuditTest, ServeSealsAndSignsWritesUntilShutdown) {
  config_.audit_key_file = dir_.File("audit.pem");
  auto runtime = Runtime::Create(config_, /*publishes_feed=*/true);
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  // Serve takes SIGTERM with sigwait: block it in this thread before any
  // thread that would inherit the mask is created (as InitProcess does).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &set, nullptr), 0);
  int exit_code = -1;
  std::thread serving([&] { exit_code = (*runtime)->Serve({}); });

  for (int i = 1; i <= 5; ++i) {
    outbox::Transaction txn;
    txn.records.push_back({absl::StrCat("thing:", i), 0, "x"});
    txn.audit = audit::Record{"jaksa-1",
                              "JAKSA",
                              "kejari-64.01",
                              "/m",
                              absl::StrCat("things/", i),
                              absl::Now(),
                              "peer",
                              absl::StrCat("req-", i)};
    ASSERT_TRUE((*runtime)->outbox().Commit(txn).ok());
  }
  EXPECT_TRUE(WaitForInt("HGET ks:{rt}:audit:sealed seq", 5));
  // Passes may seal several entries at once: the last checkpoint is at 4
  // or 5 (at least every 2 entries), never older.
  EXPECT_TRUE(WaitForInt("ZCOUNT ks:{rt}:audit:checkpoints 4 5", 1));

  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  serving.join();
  EXPECT_EQ(exit_code, 0);

  auto key = audit::CheckpointVerifier::FromPemFile(dir_.File("audit.pub.pem"));
  ASSERT_TRUE(key.ok());
  audit::VerifyOptions options;
  options.keys = {key->get()};
  redis::Options o;
  o.port = redis_.port();
  redis::Pool pool(o);
  absl::StatusOr<audit::VerifyReport> report =
      audit::Verify(pool, "ks:{rt}:", options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->first_broken_sequence, 0) << report->reason;
  EXPECT_EQ(report->sealed_sequence, 5);
  EXPECT_GE(report->last_checkpoint_sequence, 4);
  // The checkpoint went out on the feed, through the outbox.
  EXPECT_TRUE(absl::StrContains(redis_.Cli("XRANGE ks:{rt}:events - +"),
                                "kerjasosial.common.v1.AuditCheckpoint"));
}

}  // namespace
}  // namespace ks::server
