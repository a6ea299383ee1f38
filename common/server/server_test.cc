#include "common/server/server.h"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/redis/client.h"
#include "common/testing/http_get.h"
#include "common/testing/redis_server.h"
#include "common/testing/tls_certs.h"
#include "common/testing/unknown_methods.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "slow_service.grpc.pb.h"

ABSL_DECLARE_FLAG(int, redis_port);
ABSL_DECLARE_FLAG(std::string, listen);

namespace ks::server {
namespace {

using kerjasosial::testing::server::v1::SleepRequest;
using kerjasosial::testing::server::v1::SleepResponse;
using kerjasosial::testing::server::v1::Slow;

// Holds each call for the requested time, or until the server cancels it.
class SlowService final : public Slow::CallbackService {
 public:
  grpc::ServerUnaryReactor* Sleep(grpc::CallbackServerContext* ctx,
                                  const SleepRequest* req,
                                  SleepResponse* resp) override {
    started.Notify();
    auto* reactor = ctx->DefaultReactor();
    std::thread([ctx, req, resp, reactor] {
      absl::Time start = absl::Now();
      absl::Time end = start + absl::Milliseconds(req->millis());
      while (absl::Now() < end && !ctx->IsCancelled()) {
        absl::SleepFor(absl::Milliseconds(5));
      }
      if (ctx->IsCancelled()) {
        reactor->Finish(grpc::Status::CANCELLED);
        return;
      }
      resp->set_slept_millis(absl::ToInt64Milliseconds(absl::Now() - start));
      reactor->Finish(grpc::Status::OK);
    }).detach();
    return reactor;
  }
  absl::Notification started;
};

Config TestConfig() {
  Config c;
  c.name = "test";
  c.listen = "127.0.0.1:0";
  c.metrics_listen = "127.0.0.1:0";
  c.health_interval = absl::Milliseconds(50);
  return c;
}

grpc::health::v1::HealthCheckResponse::ServingStatus Health(
    const std::string& address) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  return s.ok() ? resp.status()
                : grpc::health::v1::HealthCheckResponse::UNKNOWN;
}

// Polls until `pred` holds or 10 s pass.
template <typename Pred>
bool Eventually(Pred pred) {
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    if (pred()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return pred();
}

TEST(ServerTest, HealthFollowsRedisReachability) {
  testing::RedisServer redis;
  ASSERT_TRUE(redis.Start().ok());
  redis::Options options;
  options.port = redis.port();
  options.connect_timeout = absl::Milliseconds(200);
  options.command_timeout = absl::Milliseconds(200);
  options.max_backoff = absl::Milliseconds(100);
  redis::Pool pool(options);
  SlowService service;
  auto server =
      Server::Start(TestConfig(), {&service}, [&] { return pool.Ping(); });
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->dial_address();
  using HS = grpc::health::v1::HealthCheckResponse;
  EXPECT_TRUE(Eventually([&] { return Health(address) == HS::SERVING; }));
  redis.Kill();
  EXPECT_TRUE(Eventually([&] { return Health(address) == HS::NOT_SERVING; }));
  ASSERT_TRUE(redis.Start().ok());
  EXPECT_TRUE(Eventually([&] { return Health(address) == HS::SERVING; }));
}

TEST(ServerTest, GracefulShutdownFinishesAnInFlightCall) {
  SlowService service;
  auto server = Server::Start(TestConfig(), {&service}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Slow::NewStub(grpc::CreateChannel(
      (*server)->dial_address(), grpc::InsecureChannelCredentials()));
  grpc::Status status;
  SleepResponse resp;
  std::thread caller([&] {
    grpc::ClientContext ctx;
    SleepRequest req;
    req.set_millis(300);
    status = stub->Sleep(&ctx, req, &resp);
  });
  service.started.WaitForNotification();
  bool hook_ran = false;
  (*server)->AddShutdownHook([&] { hook_ran = true; });
  (*server)->Shutdown(absl::Seconds(5));
  caller.join();
  EXPECT_TRUE(hook_ran);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_GE(resp.slept_millis(), 300);
}

TEST(ServerTest, ShutdownCancelsCallsThatOutliveTheGrace) {
  SlowService service;
  auto server = Server::Start(TestConfig(), {&service}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Slow::NewStub(grpc::CreateChannel(
      (*server)->dial_address(), grpc::InsecureChannelCredentials()));
  grpc::Status status;
  std::thread caller([&] {
    grpc::ClientContext ctx;
    SleepRequest req;
    req.set_millis(60000);
    SleepResponse resp;
    status = stub->Sleep(&ctx, req, &resp);
  });
  service.started.WaitForNotification();
  absl::Time start = absl::Now();
  (*server)->Shutdown(absl::Milliseconds(200));
  caller.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  // The server cancels the call and closes the connection: the client sees
  // UNAVAILABLE, the code on which gRPC clients retry elsewhere.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST(ServerTest, ExportsRpcCountsByMethodAndCode) {
  SlowService service;
  auto server = Server::Start(TestConfig(), {&service}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Slow::NewStub(grpc::CreateChannel(
      (*server)->dial_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  SleepRequest req;
  SleepResponse resp;
  ASSERT_TRUE(stub->Sleep(&ctx, req, &resp).ok());
  std::string text = testing::HttpGet((*server)->metrics_port(), "/metrics");
  EXPECT_NE(text.find("ks_rpc_total{code=\"OK\",method=\"/"
                      "kerjasosial.testing.server.v1.Slow/Sleep\"}"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("ks_rpc_duration_seconds_bucket{code=\"OK\",method=\"/"
                "kerjasosial.testing.server.v1.Slow/Sleep\",le=\"+Inf\"}"),
      std::string::npos);
}

TEST(ServerTest, UnknownMethodsShareOneLabelAndLeaveNoPathInLogs) {
  std::vector<std::string> lines;
  absl::Mutex lines_mu;
  log::SetSinkForTesting([&](const std::string& l) {
    absl::MutexLock lock(&lines_mu);
    lines.push_back(l);
  });
  SlowService service;
  auto server = Server::Start(TestConfig(), {&service}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Slow::NewStub(grpc::CreateChannel(
      (*server)->dial_address(), grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext ctx;
    SleepRequest req;
    SleepResponse resp;
    ASSERT_TRUE(stub->Sleep(&ctx, req, &resp).ok());
  }
  Health((*server)->dial_address());

  constexpr int kPaths = 10000;
  const absl::Time flood_start = absl::Now();
  EXPECT_EQ(testing::CallUnknownMethods((*server)->dial_address(), kPaths),
            kPaths);
  const int64_t flood_seconds =
      absl::ToInt64Seconds(absl::Now() - flood_start) + 2;
  const std::string text =
      testing::HttpGet((*server)->metrics_port(), "/metrics");
  log::SetSinkForTesting(nullptr);

  // Before the fix each path added 19 series (~3.4 KB); now the whole text
  // stays what a handful of methods take, whatever clients invent.
  EXPECT_LT(text.size(), 64u * 1024) << text.size();
  EXPECT_EQ(testing::MethodLabels(text),
            (std::set<std::string>{"/kerjasosial.testing.server.v1.Slow/Sleep",
                                   "/grpc.health.v1.Health/Check", "unknown"}));
  EXPECT_NE(text.find("ks_rpc_total{code=\"UNIMPLEMENTED\",method=\"unknown\"} "
                      "10000\n"),
            std::string::npos);
  EXPECT_EQ(text.find("Ratna"), std::string::npos);
  EXPECT_EQ(text.find("6401054101900003"), std::string::npos);

  absl::MutexLock lock(&lines_mu);
  int unknown_lines = 0;
  for (const std::string& l : lines) {
    EXPECT_EQ(l.find("Ratna"), std::string::npos) << l;
    EXPECT_EQ(l.find("6401054101900003"), std::string::npos) << l;
    if (l.find("\"method\":\"unknown\"") != std::string::npos) {
      ++unknown_lines;
      EXPECT_NE(l.find("\"service\":\"(other)\""), std::string::npos) << l;
      EXPECT_LT(l.size(), 256u) << l;
    }
  }
  // Logged at most 20 a second (every call is still counted above).
  EXPECT_GE(unknown_lines, 1);
  EXPECT_LE(unknown_lines, 20 * flood_seconds) << flood_seconds << " s";
}

TEST(ServerTest, LogsTheServiceOfAnUnknownPathOnlyUnderOurOwnPackages) {
  std::vector<std::string> lines;
  log::SetSinkForTesting([&](const std::string& l) { lines.push_back(l); });
  SlowService service;
  auto server = Server::Start(TestConfig(), {&service}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::GenericStub stub(grpc::CreateChannel(
      (*server)->dial_address(), grpc::InsecureChannelCredentials()));
  for (const char* path : {"/kerjasosial.testing.server.v2.Slow/Sleep",
                           "/Ratna.Kusumawardani/Sleep"}) {
    grpc::ClientContext ctx;
    grpc::ByteBuffer req = testing::EmptyMessage(), resp;
    absl::Notification done;
    stub.UnaryCall(&ctx, path, grpc::StubOptions(), &req, &resp,
                   [&](grpc::Status) { done.Notify(); });
    done.WaitForNotification();
  }
  (*server)->Shutdown(absl::ZeroDuration());
  log::SetSinkForTesting(nullptr);
  std::vector<std::string> services;
  for (const std::string& l : lines) {
    const size_t at = l.find("\"service\":\"");
    if (l.find("\"method\":\"unknown\"") == std::string::npos) continue;
    ASSERT_NE(at, std::string::npos) << l;
    services.push_back(l.substr(at + 11, l.find('"', at + 11) - at - 11));
  }
  EXPECT_EQ(services, (std::vector<std::string>{
                          "kerjasosial.testing.server.v2.Slow", "(other)"}));
}

TEST(ServerTest, RefusesPlaintextMetricsOffLoopbackUnlessInsecure) {
  SlowService service;
  Config c = TestConfig();
  c.metrics_listen = "0.0.0.0:0";
  auto refused = Server::Start(c, {&service}, nullptr);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("--metrics_listen=0.0.0.0:0"),
            std::string::npos)
      << refused.status();
  EXPECT_NE(refused.status().message().find("--insecure"), std::string::npos);
  // TLS on the gRPC port does not make plaintext /metrics acceptable.
  auto pki = testing::MakeTestPki();
  ASSERT_TRUE(pki.ok()) << pki.status();
  c.tls_cert = ::testing::TempDir() + "/metrics-server.crt";
  c.tls_key = ::testing::TempDir() + "/metrics-server.key";
  std::ofstream(c.tls_cert) << pki->server.cert_pem;
  std::ofstream(c.tls_key) << pki->server.key_pem;
  SlowService service2;
  EXPECT_EQ(Server::Start(c, {&service2}, nullptr).status().code(),
            absl::StatusCode::kFailedPrecondition);
  c.insecure = true;
  SlowService service3;
  auto allowed = Server::Start(c, {&service3}, nullptr);
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_NE(
      testing::HttpGet((*allowed)->metrics_port(), "/metrics").find("200 OK"),
      std::string::npos);
}

TEST(ServerTest, RefusesPlaintextOffLoopbackUnlessInsecure) {
  SlowService service;
  Config c = TestConfig();
  c.listen = "0.0.0.0:0";
  auto refused = Server::Start(c, {&service}, nullptr);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("--insecure"), std::string::npos);
  c.insecure = true;
  SlowService service2;
  auto allowed = Server::Start(c, {&service2}, nullptr);
  EXPECT_TRUE(allowed.ok()) << allowed.status();
}

// Writes `content` to a file under the test's temp dir; returns its path.
std::string WriteTemp(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << content;
  return path;
}

grpc::Status CallSleep(const std::string& address,
                       std::shared_ptr<grpc::ChannelCredentials> creds) {
  grpc::ChannelArguments args;
  // The test server's certificate names localhost; dial 127.0.0.1.
  args.SetSslTargetNameOverride("localhost");
  auto stub = Slow::NewStub(grpc::CreateCustomChannel(address, creds, args));
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  SleepRequest req;
  SleepResponse resp;
  return stub->Sleep(&ctx, req, &resp);
}

TEST(ServerTest, ServesTlsAndRefusesPlaintextClients) {
  auto pki = testing::MakeTestPki();
  ASSERT_TRUE(pki.ok()) << pki.status();
  Config c = TestConfig();
  c.listen = "0.0.0.0:0";  // TLS makes a routable address acceptable
  c.tls_cert = WriteTemp("server.crt", pki->server.cert_pem);
  c.tls_key = WriteTemp("server.key", pki->server.key_pem);
  SlowService service;
  auto server = Server::Start(c, {&service}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->dial_address();

  grpc::SslCredentialsOptions trusting;
  trusting.pem_root_certs = pki->ca.cert_pem;
  EXPECT_TRUE(CallSleep(address, grpc::SslCredentials(trusting)).ok());
  EXPECT_EQ(CallSleep(address, grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  grpc::SslCredentialsOptions untrusting;  // system roots: not our CA
  untrusting.pem_root_certs = pki->client.cert_pem;
  EXPECT_EQ(CallSleep(address, grpc::SslCredentials(untrusting)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(ServerTest, MutualTlsRequiresAClientCertificateFromTheCa) {
  auto pki = testing::MakeTestPki();
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto other = testing::MakeTestPki();  // a client from another CA
  ASSERT_TRUE(other.ok()) << other.status();
  Config c = TestConfig();
  c.tls_cert = WriteTemp("mtls-server.crt", pki->server.cert_pem);
  c.tls_key = WriteTemp("mtls-server.key", pki->server.key_pem);
  c.tls_client_ca = WriteTemp("clients-ca.crt", pki->ca.cert_pem);
  SlowService service;
  auto server = Server::Start(c, {&service}, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->dial_address();

  grpc::SslCredentialsOptions with_cert;
  with_cert.pem_root_certs = pki->ca.cert_pem;
  with_cert.pem_cert_chain = pki->client.cert_pem;
  with_cert.pem_private_key = pki->client.key_pem;
  EXPECT_TRUE(CallSleep(address, grpc::SslCredentials(with_cert)).ok());

  grpc::SslCredentialsOptions without_cert;
  without_cert.pem_root_certs = pki->ca.cert_pem;
  EXPECT_EQ(CallSleep(address, grpc::SslCredentials(without_cert)).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  grpc::SslCredentialsOptions foreign_cert = with_cert;
  foreign_cert.pem_cert_chain = other->client.cert_pem;
  foreign_cert.pem_private_key = other->client.key_pem;
  EXPECT_EQ(CallSleep(address, grpc::SslCredentials(foreign_cert)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(ServerTest, RejectsHalfATlsConfiguration) {
  SlowService service;
  Config c = TestConfig();
  c.tls_cert = "/nonexistent/cert.pem";
  auto s = Server::Start(c, {&service}, nullptr);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  c.tls_key = "/nonexistent/key.pem";
  s = Server::Start(c, {&service}, nullptr);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("--tls_cert"), std::string::npos);
}

TEST(FlagsTest, EnvironmentOverridesDefaultsAndNamesBadValues) {
  setenv("KS_REDIS_PORT", "6402", 1);
  setenv("KS_LISTEN", "127.0.0.1:7777", 1);
  ASSERT_TRUE(ApplyEnvironmentOverrides().ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_redis_port), 6402);
  Config c = ConfigFromFlags({"cases", 7101, 9101});
  EXPECT_EQ(c.listen, "127.0.0.1:7777");
  EXPECT_EQ(c.redis.port, 6402);
  EXPECT_EQ(c.metrics_listen, "127.0.0.1:9101");
  EXPECT_EQ(c.deployment_id, "cases");
  setenv("KS_REDIS_PORT", "not-a-number", 1);
  absl::Status bad = ApplyEnvironmentOverrides();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("KS_REDIS_PORT"), std::string::npos);
  unsetenv("KS_REDIS_PORT");
  unsetenv("KS_LISTEN");
}

TEST(FlagsTest, LoopbackHosts) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

}  // namespace
}  // namespace ks::server
