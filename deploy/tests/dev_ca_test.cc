// deploy/make-dev-ca.sh makes certificates a real kerjasosial-cases serves
// mTLS with: a client holding a certificate of the CA gets through to the
// handlers; one without a client certificate, or trusting another CA, does
// not.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/auth/token_file.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "tools/ksctl/cli.h"

namespace ks {
namespace {

namespace v1 = ::kerjasosial::cases::v1;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class DevCaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "ks_dev_ca_" + std::to_string(getpid());
    std::filesystem::remove_all(dir_);
    std::string out;
    ASSERT_EQ(ks::testing::RunCommand(
                  absl::StrCat(KS_MAKE_DEV_CA, " ", dir_, "/tls"), &out),
              0)
        << out;
    ASSERT_TRUE(redis_.Start().ok());
    const std::string tokens = dir_ + "/tokens.tsv";
    auto token = auth::MintToken(
        tokens, auth::Principal{
                    "jaksa-1", "kejari-64.01", auth::Role::JAKSA, {"64.01"}});
    ASSERT_TRUE(token.ok()) << token.status();
    token_ = *token;
    port_ = ks::testing::PickFreePort();
    const std::string tls = dir_ + "/tls/";
    // The certificate and key file names the sample cases.env uses.
    std::vector<std::string> server_args = {
        absl::StrCat("--listen=127.0.0.1:", port_),
        "--metrics_listen=127.0.0.1:0",
        "--token_file=" + tokens,
        absl::StrCat("--redis_port=", redis_.port()),
        "--tls_cert=" + tls + "cases.crt",
        "--tls_key=" + tls + "cases.key",
        "--shutdown_grace=1s"};
    if (mtls_) server_args.push_back("--tls_client_ca=" + tls + "ca.crt");
    server_ = std::make_unique<ks::testing::Process>(KS_BIN_CASES,
                                                     std::move(server_args));
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Signal(SIGTERM, absl::Seconds(10));
    std::filesystem::remove_all(dir_);
  }

  // GetCase of a case that does not exist, over TLS with `options`:
  // NOT_FOUND means the call passed the handshake and reached the handler.
  grpc::Status Call(const grpc::SslCredentialsOptions& options,
                    const std::string& target_host = "127.0.0.1") {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride(target_host);
    // Each credential gets its own connection: gRPC would otherwise share
    // one already established by an earlier channel of this process.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", port_), grpc::SslCredentials(options), args);
    auto stub = v1::Cases::NewStub(channel);
    v1::GetCaseRequest req;
    req.set_name("regencies/64.01/cases/none");
    v1::Case out;
    // The first call waits for the server to start listening.
    for (int attempt = 0;; ++attempt) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", "Bearer " + token_);
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
      ctx.set_wait_for_ready(attempt == 0);
      grpc::Status s = stub->GetCase(&ctx, req, &out);
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE || attempt == 1) {
        return s;
      }
    }
  }

  grpc::SslCredentialsOptions WithRoots(const std::string& ca = "ca.crt") {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = Slurp(dir_ + "/tls/" + ca);
    return o;
  }

  std::string dir_, token_;
  int port_ = 0;
  bool mtls_ = true;  // serve with --tls_client_ca (client certificates)
  ks::testing::RedisServer redis_;
  std::unique_ptr<ks::testing::Process> server_;
};

TEST_F(DevCaTest, ClientCertificateOfTheCaGetsThrough) {
  grpc::SslCredentialsOptions o = WithRoots();
  o.pem_cert_chain = Slurp(dir_ + "/tls/client-ksctl.crt");
  o.pem_private_key = Slurp(dir_ + "/tls/client-ksctl.key");
  grpc::Status s = Call(o);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND)
      << s.error_message() << "\n"
      << server_->ReadLog();
  // The server certificate names the service too (compose's host names).
  s = Call(o, "kerjasosial-cases");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
}

// The refusals are checked from another process (ksctl, which presents no
// client certificate): within one process gRPC may reuse the TLS connection
// an earlier channel established, and the handshake under test never runs.
TEST_F(DevCaTest, NoClientCertificateOrAnotherCaIsRefused) {
  grpc::SslCredentialsOptions good = WithRoots();
  good.pem_cert_chain = Slurp(dir_ + "/tls/client-partner.crt");
  good.pem_private_key = Slurp(dir_ + "/tls/client-partner.key");
  // The server is up and serving mTLS, so what follows is the handshake's.
  ASSERT_EQ(Call(good).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string ksctl = absl::StrCat(
      KS_BIN_KSCTL, " cases get --name=regencies/64.01/cases/none --timeout=3s",
      " --address=127.0.0.1:", port_, " --token=", token_);
  std::string out;
  // Trusting the server, but no client certificate: refused.
  EXPECT_EQ(ks::testing::RunCommand(
                absl::StrCat(ksctl, " --ca_file=", dir_, "/tls/ca.crt"), &out),
            ksctl::kExitUnavailable)
      << out;
  EXPECT_NE(out.find("UNAVAILABLE"), std::string::npos) << out;
  // Roots of another CA made by the same script do not verify the server.
  ASSERT_EQ(ks::testing::RunCommand(
                absl::StrCat(KS_MAKE_DEV_CA, " ", dir_, "/other"), &out),
            0)
      << out;
  EXPECT_EQ(
      ks::testing::RunCommand(
          absl::StrCat(ksctl, " --ca_file=", dir_, "/other/ca.crt"), &out),
      ksctl::kExitUnavailable)
      << out;
}

// Server TLS alone (no client certificates): ksctl verifies the server with
// the CA of the script and reads its token from KS_TOKEN_FILE.
class ServerTlsTest : public DevCaTest {
 protected:
  void SetUp() override {
    mtls_ = false;
    DevCaTest::SetUp();
  }
};

TEST_F(ServerTlsTest, KsctlVerifiesTheServerWithTheDevCa) {
  ASSERT_EQ(Call(WithRoots()).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string token_file = dir_ + "/jaksa.token";
  std::ofstream(token_file) << token_ << "\n";
  std::string out;
  EXPECT_EQ(ks::testing::RunCommand(
                absl::StrCat("KS_TOKEN_FILE=", token_file, " KS_CA_FILE=", dir_,
                             "/tls/ca.crt KS_CASES_ADDRESS=127.0.0.1:", port_,
                             " ", KS_BIN_KSCTL,
                             " cases get --name=regencies/64.01/cases/none"),
                &out),
            ksctl::kExitNotFound)
      << out;
  EXPECT_NE(out.find("NOT_FOUND"), std::string::npos) << out;
}

}  // namespace
}  // namespace ks
