// End-to-end test of the kerjasosial-audit binary (path in $KS_AUDIT_TOOL):
// run as an operator would, against a real redis-server.
#include <sys/wait.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/audit/audit_test_util.h"
#include "common/audit/checkpoint.h"
#include "common/audit/sealer.h"
#include "common/outbox/outbox.h"
#include "common/testing/redis_server.h"
#include "gtest/gtest.h"

namespace ks::audit {
namespace {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class AuditToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tool = std::getenv("KS_AUDIT_TOOL");
    ASSERT_NE(tool, nullptr) << "KS_AUDIT_TOOL must name kerjasosial-audit";
    tool_ = tool;
    ASSERT_TRUE(server_.Start().ok());
    redis::Options o;
    o.host = server_.host();
    o.port = server_.port();
    pool_ = std::make_unique<redis::Pool>(o);
    ASSERT_TRUE(testing::MakeEd25519KeyPair(dir_, "service"));
    auto signer = CheckpointSigner::FromPemFile(dir_.File("service.pem"));
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::move(*signer);
    outbox::Options w;
    w.key_prefix = "ks:{cases}:";
    writer_ = std::make_unique<outbox::Writer>(*pool_, w);
    // Five writes, a checkpoint every two, all sealed.
    SealerOptions options;
    options.checkpoint_every = 2;
    Sealer sealer(*pool_, *writer_, signer_.get(), options);
    for (int i = 1; i <= 5; ++i) {
      Record r;
      r.principal_id = absl::StrCat("jaksa-", i);
      r.role = "JAKSA";
      r.method = "/kerjasosial.cases.v1.Cases/CreateCase";
      r.resource_name = absl::StrCat("regencies/64.01/cases/c", i);
      r.time = absl::FromUnixSeconds(1700000000 + i);
      r.request_id = absl::StrCat("req-", i);
      ASSERT_TRUE(Append(*pool_, "ks:{cases}:", r).ok());
      ASSERT_TRUE(sealer.RunOnce(absl::FromUnixSeconds(1800000000)).ok());
    }
  }

  Result Run(const std::vector<std::string>& args) {
    std::string cmd = "'" + tool_ + "'";
    for (const std::string& a : args) absl::StrAppend(&cmd, " '", a, "'");
    const std::string out = dir_.File("stdout"), err = dir_.File("stderr");
    absl::StrAppend(&cmd, " >'", out, "' 2>'", err, "'");
    int raw = std::system(cmd.c_str());
    Result r;
    r.exit_code = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = testing::ReadFile(out);
    r.err = testing::ReadFile(err);
    return r;
  }

  std::vector<std::string> VerifyArgs() {
    return {"verify", "--redis_host=127.0.0.1",
            absl::StrCat("--redis_port=", server_.port()), "--service=cases",
            "--public_key_file=" + dir_.File("service.pub.pem")};
  }

  std::string tool_;
  ks::testing::RedisServer server_;
  std::unique_ptr<redis::Pool> pool_;
  testing::TempDir dir_;
  std::unique_ptr<CheckpointSigner> signer_;
  std::unique_ptr<outbox::Writer> writer_;
};

TEST_F(AuditToolTest, IntactTrailExitsZero) {
  Result r = Run(VerifyArgs());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "intact: ks:{cases}:audit\n"
            "entries checked: 5\n"
            "sealed up to: 5\n"
            "checkpoints verified: 2 (last at 4)\n");
}

TEST_F(AuditToolTest, TamperedTrailExitsOneNamingTheSequence) {
  // Entry 3 edited in place (a stream entry cannot be edited: re-add it).
  EXPECT_EQ(server_.Cli("XDEL ks:{cases}:audit:log 3-0"), "1\n");
  Result r = Run(VerifyArgs());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(absl::StartsWith(
      r.out, "TAMPERED at sequence 3: entry 3 is missing (found \"4\""))
      << r.out;
}

TEST_F(AuditToolTest, WithoutAPublicKeyItWarns) {
  std::vector<std::string> args = VerifyArgs();
  args.pop_back();
  Result r = Run(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(
      r.out, "WARNING: no --public_key_file: signatures not checked"))
      << r.out;
}

TEST_F(AuditToolTest, UsageAndConnectionErrorsExitTwo) {
  EXPECT_EQ(Run({}).exit_code, 2);
  EXPECT_EQ(Run({"frobnicate"}).exit_code, 2);
  Result r = Run({"verify", absl::StrCat("--redis_port=", server_.port())});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(r.err, "--service is required")) << r.err;
  std::vector<std::string> args = VerifyArgs();
  args.back() = "--public_key_file=" + dir_.File("service.pem");  // private
  r = Run(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(r.err, "--public_key_file")) << r.err;
  args = VerifyArgs();
  args[2] = absl::StrCat("--redis_port=", ks::testing::PickFreePort());
  r = Run(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(r.err, "cannot read the trail")) << r.err;
}

}  // namespace
}  // namespace ks::audit
