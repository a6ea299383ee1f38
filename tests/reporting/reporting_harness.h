// Test harness for the reporting service end to end: a real redis-server for
// reporting, one for the upstream feeds, the real kerjasosial-reporting
// binary (spawned, its log captured), and upstream deployments played by
// common/feed's FeedServer behind each kind's real gRPC service (only
// StreamEvents; the test XADDs the events a deployment would publish).
//
// Not thread-safe except the stub, which gRPC makes thread-safe.
#ifndef KS_TESTS_REPORTING_REPORTING_HARNESS_H_
#define KS_TESTS_REPORTING_REPORTING_HARNESS_H_

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/auth/token_file.h"
#include "common/feed/feed_server.h"
#include "common/ids/id.h"
#include "common/redis/client.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"
#include "common/testing/service_binary.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "kerjasosial/placements/v1/placements_service.grpc.pb.h"
#include "kerjasosial/reporting/v1/reporting_service.grpc.pb.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"

namespace ks::reporting::testing {

namespace rv1 = ::kerjasosial::reporting::v1;
using ::kerjasosial::common::v1::Event;

// The StreamEvents of any kind's service, served by a FeedServer over one
// stream key, admitting only the bearer token it was given.
template <typename Service>
class FeedOnly final : public Service::CallbackService {
 public:
  FeedOnly(redis::Pool& pool, std::string stream, std::string source,
           std::string token)
      : token_(std::move(token)),
        feed_(pool,
              feed::FeedServerOptions{std::move(stream), std::move(source)}) {}
  grpc::ServerWriteReactor<Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request) override {
    auto it = context->client_metadata().find("authorization");
    if (it == context->client_metadata().end() ||
        std::string(it->second.data(), it->second.size()) !=
            "Bearer " + token_) {
      return feed::FinishedStream(
          grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "token"));
    }
    return feed_.Stream(
        context, request,
        auth::Principal{
            "svc-reporting", "national", auth::Role::SERVICE, {"*"}});
  }
  feed::FeedServer& feed() { return feed_; }

 private:
  std::string token_;
  feed::FeedServer feed_;
};

// One upstream deployment: its stream in the upstream redis and a gRPC
// server on a fixed port, which can be stopped and started again (a
// deployment going down and coming back at the same address).
class Upstream {
 public:
  virtual ~Upstream() { Stop(); }
  virtual void Start() = 0;
  void Stop() {
    if (server_ == nullptr) return;
    StopFeed();
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(2));
    server_.reset();
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  // Offers snapshot mode from `source` (not owned; must outlive the
  // upstream), as a deployment with a SnapshotSource does.
  virtual void SetSnapshotSource(feed::SnapshotSource* source) = 0;
  const std::string& stream() const { return stream_; }
  int64_t published() const { return published_; }
  // XADDs `event` (no cursor) to this upstream's feed.
  void Publish(Event event, redis::Pool& pool) {
    event.set_source(source_);
    absl::StatusOr<redis::Reply> r = pool.Command(
        {"XADD", stream_, "*", "event", event.SerializeAsString()});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->ToStatus().ok()) << r->str;
    ++published_;
  }

 protected:
  Upstream(std::string source, std::string token)
      : source_(std::move(source)),
        stream_(absl::StrCat("ks:{", source_, "}:events")),
        token_(std::move(token)),
        port_(ks::testing::PickFreePort()) {}
  template <typename S>
  void StartServer(std::unique_ptr<FeedOnly<S>>& service, redis::Pool& pool) {
    service = std::make_unique<FeedOnly<S>>(pool, stream_, source_, token_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address(), grpc::InsecureServerCredentials());
    builder.RegisterService(service.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  virtual void StopFeed() = 0;

  const std::string source_;
  const std::string stream_;
  const std::string token_;
  const int port_;
  int64_t published_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

template <typename S>
class UpstreamOf final : public Upstream {
 public:
  UpstreamOf(redis::Pool& pool, std::string source, std::string token)
      : Upstream(std::move(source), std::move(token)), pool_(pool) {}
  ~UpstreamOf() override { Stop(); }
  void Start() override { StartServer(service_, pool_); }
  void SetSnapshotSource(feed::SnapshotSource* source) override {
    service_->feed().SetSnapshotSource(source);
  }

 private:
  void StopFeed() override { service_->feed().Shutdown(); }
  redis::Pool& pool_;
  std::unique_ptr<FeedOnly<S>> service_;
};

class ReportingEnvironment {
 public:
  // `extra_flags` are appended to the binary's command line.
  void Start(std::vector<std::string> extra_flags = {}) {
    dir_ = ::testing::TempDir() + "ks_reporting_e2e_" +
           std::to_string(getpid()) + "_" + ids::NewId();
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(reporting_redis_.Start().ok());
    ASSERT_TRUE(upstream_redis_.Start().ok());
    token_file_ = dir_ + "/tokens.tsv";
    admin_ = Mint("admin-01", "kejagung", auth::Role::ADMIN, {"*"});
    viewer_ = Mint("viewer-01", "kejagung", auth::Role::NATIONAL_VIEWER, {"*"});
    jaksa_ = Mint("jaksa-6401", "kejari-64.01", auth::Role::JAKSA, {"64.01"});
    // The token the upstreams expect from reporting (their SERVICE
    // principal for reporting).
    feed_token_ = "feed-token-" + ids::NewId();
    {
      std::FILE* f = std::fopen((dir_ + "/credentials").c_str(), "w");
      ASSERT_NE(f, nullptr);
      std::fputs(("feed " + feed_token_ + "\n").c_str(), f);
      std::fclose(f);
    }
    redis::Options up;
    up.port = upstream_redis_.port();
    upstream_pool_ = std::make_unique<redis::Pool>(up);
    port_ = ks::testing::PickFreePort();
    std::vector<std::string> flags = {
        absl::StrCat("--listen=127.0.0.1:", port_),
        "--metrics_listen=127.0.0.1:0",
        "--token_file=" + token_file_,
        absl::StrCat("--redis_port=", reporting_redis_.port()),
        "--deployment_id=reporting-e2e",
        "--shutdown_grace=2s",
        "--upstream_credentials_file=" + dir_ + "/credentials"};
    flags.insert(flags.end(), extra_flags.begin(), extra_flags.end());
    binary_ = std::make_unique<ks::testing::Process>(KS_BIN_REPORTING,
                                                     std::move(flags));
    StartBinary();
  }
  void StartBinary() {
    ASSERT_TRUE(binary_->Start().ok());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                   grpc::InsecureChannelCredentials());
    ASSERT_TRUE(channel_->WaitForConnected(std::chrono::system_clock::now() +
                                           std::chrono::seconds(20)))
        << binary_->ReadLog();
    stub_ = rv1::Reporting::NewStub(channel_);
  }
  void StopBinary() {
    if (binary_ && binary_->running()) {
      binary_->Signal(SIGTERM, absl::Seconds(10));
    }
  }
  void Stop() {
    StopBinary();
    upstreams_.clear();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  template <typename S>
  Upstream* AddUpstream(const std::string& source) {
    upstreams_.push_back(
        std::make_unique<UpstreamOf<S>>(*upstream_pool_, source, feed_token_));
    upstreams_.back()->Start();
    return upstreams_.back().get();
  }

  std::string Mint(const std::string& id, const std::string& agency,
                   auth::Role role, std::vector<std::string> regencies) {
    return ks::testing::MintFor(token_file_, id, agency, role,
                                std::move(regencies));
  }
  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    return ks::testing::CallContext(token);
  }

  // Registers `u` as an upstream of `kind` (credential "feed").
  // `regencies`: the upstream's regency_codes (empty: all).
  rv1::Upstream Register(const Upstream& u, rv1::UpstreamKind kind,
                         const std::string& id,
                         const std::vector<std::string>& regencies = {}) {
    rv1::CreateUpstreamRequest req;
    for (const std::string& r : regencies) {
      req.mutable_upstream()->add_regency_codes(r);
    }
    req.set_upstream_id(id);
    req.set_request_id("create-" + id);
    req.mutable_upstream()->set_kind(kind);
    req.mutable_upstream()->set_address(u.address());
    req.mutable_upstream()->set_credential_name("feed");
    req.mutable_upstream()->set_display_name(id);
    rv1::Upstream out;
    grpc::Status s = stub_->CreateUpstream(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    return out;
  }

  rv1::Upstream GetUpstream(const std::string& id) {
    rv1::GetUpstreamRequest req;
    req.set_name("upstreams/" + id);
    rv1::Upstream out;
    grpc::Status s = stub_->GetUpstream(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    return out;
  }

  // Waits until upstream `id` handled (applied or rejected) `count` events;
  // fails the test after 30 s.
  void WaitHandled(const std::string& id, int64_t count) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    rv1::Upstream u;
    while (absl::Now() < deadline) {
      u = GetUpstream(id);
      if (u.events_applied() + u.events_rejected() >= count) {
        EXPECT_EQ(u.events_applied() + u.events_rejected(), count)
            << u.ShortDebugString();
        return;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << "upstream " << id << " did not reach " << count
                  << " events: " << u.ShortDebugString() << "\n"
                  << binary_->ReadLog().substr(0, 4000);
  }

  rv1::Reporting::Stub& stub() { return *stub_; }
  redis::Pool& upstream_pool() { return *upstream_pool_; }
  ks::testing::RedisServer& reporting_redis() { return reporting_redis_; }
  const std::string& admin() const { return admin_; }
  const std::string& viewer() const { return viewer_; }
  const std::string& jaksa() const { return jaksa_; }
  ks::testing::Process& binary() { return *binary_; }

 private:
  std::string dir_;
  ks::testing::RedisServer reporting_redis_;
  ks::testing::RedisServer upstream_redis_;
  std::unique_ptr<redis::Pool> upstream_pool_;
  std::string token_file_;
  std::string admin_, viewer_, jaksa_, feed_token_;
  int port_ = 0;
  std::unique_ptr<ks::testing::Process> binary_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<rv1::Reporting::Stub> stub_;
  std::vector<std::unique_ptr<Upstream>> upstreams_;
};

}  // namespace ks::reporting::testing

#endif  // KS_TESTS_REPORTING_REPORTING_HARNESS_H_
