// Test harness of common/feed: a real producer redis-server, a FeedServer on
// it behind the test-only TestFeed service on a real gRPC server (port 0),
// and helpers to append events the way the outbox does (XADD).
//
// Not thread-safe except where noted; owned by one test fixture.
#ifndef KS_COMMON_FEED_TESTDATA_FEED_HARNESS_H_
#define KS_COMMON_FEED_TESTDATA_FEED_HARNESS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/feed/feed_server.h"
#include "common/redis/client.h"
#include "common/testing/redis_server.h"
#include "feed_test.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "google/protobuf/wrappers.pb.h"
#include "grpcpp/grpcpp.h"

namespace ks::feed::testing {

using ::kerjasosial::common::v1::Event;
using ::kerjasosial::common::v1::StreamEventsRequest;

inline constexpr char kStreamKey[] = "ks:{feed}:events";
inline constexpr char kSource[] = "test-deployment";

// Polls `done` every 10 ms for up to `limit`; true once it holds.
inline bool WaitFor(const std::function<bool()>& done,
                    absl::Duration limit = absl::Seconds(20)) {
  absl::Time end = absl::Now() + limit;
  while (absl::Now() < end) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return done();
}

inline redis::Options RedisOptionsFor(const ks::testing::RedisServer& server) {
  redis::Options options;
  options.host = server.host();
  options.port = server.port();
  options.initial_backoff = absl::Milliseconds(10);
  options.max_backoff = absl::Milliseconds(100);
  return options;
}

// The principal every call of the harness reads as (authentication itself
// is common/auth's and server::Runtime's job, tested there): a national
// SERVICE unless a test narrows it.
inline auth::Principal NationalReader() {
  return {"svc-national", "reporting", auth::Role::SERVICE, {"*"}};
}

class TestFeedService final
    : public kerjasosial::testing::v1::TestFeed::CallbackService {
 public:
  explicit TestFeedService(FeedServer* feed) : feed_(feed) {}
  grpc::ServerWriteReactor<Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const StreamEventsRequest* request) override {
    return feed_->Stream(context, request, reader());
  }
  void set_reader(auth::Principal reader) {
    absl::MutexLock lock(&mu_);
    reader_ = std::move(reader);
  }
  auth::Principal reader() const {
    absl::MutexLock lock(&mu_);
    return reader_;
  }

 private:
  FeedServer* feed_;
  mutable absl::Mutex mu_;
  auth::Principal reader_ ABSL_GUARDED_BY(mu_) = NationalReader();
};

class FeedHarness {
 public:
  // Starts the producer's Redis, the FeedServer and the gRPC server.
  // Returns false (with a gtest-visible message in `error`) on failure.
  bool Start(FeedServerOptions options, std::string* error) {
    absl::Status started = redis_.Start();
    if (!started.ok()) {
      *error = started.ToString();
      return false;
    }
    pool_ = std::make_unique<redis::Pool>(RedisOptionsFor(redis_));
    options.stream_key = kStreamKey;
    options.source = kSource;
    feed_ = std::make_unique<FeedServer>(*pool_, std::move(options));
    service_ = std::make_unique<TestFeedService>(feed_.get());
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || port_ == 0) {
      *error = "gRPC server did not start";
      return false;
    }
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                   grpc::InsecureChannelCredentials());
    stub_ = kerjasosial::testing::v1::TestFeed::NewStub(channel_);
    return true;
  }

  ~FeedHarness() {
    if (feed_) feed_->Shutdown();
    if (server_)
      server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  }

  // Appends an event as the outbox does; returns its stream id (the cursor).
  // The payload is an Int64Value `value` (a consumer's effect).
  std::string Append(int64_t value, const std::string& regency = "64.01",
                     std::string event_id = "") {
    static int counter = 0;
    if (event_id.empty()) event_id = absl::StrCat("ev-", ++counter);
    return AppendEvent(MakeEvent(value, regency, event_id));
  }

  std::string AppendEvent(const Event& event) {
    return AppendRaw(event.SerializeAsString());
  }

  std::string AppendRaw(const std::string& bytes) {
    absl::StatusOr<redis::Reply> id = pool_->Command(
        {"XADD", kStreamKey, "*", std::string(kEventField), bytes});
    return id.ok() ? id->str : "XADD failed: " + id.status().ToString();
  }

  static Event MakeEvent(int64_t value, const std::string& regency,
                         const std::string& event_id,
                         const std::string& counter = "c",
                         int64_t version = 1) {
    Event event;
    event.set_event_id(event_id);
    event.set_aggregate_type("kerjasosial.testing.v1.Counter");
    event.set_aggregate_name(
        absl::StrCat("regencies/", regency, "/counters/", counter));
    event.set_aggregate_version(version);
    event.set_regency_code(regency);
    *event.mutable_event_time() =
        google::protobuf::util::TimeUtil::GetCurrentTime();
    event.set_event_type("google.protobuf.Int64Value");
    google::protobuf::Int64Value payload;
    payload.set_value(value);
    event.mutable_payload()->PackFrom(payload);
    return event;
  }

  // Opens a StreamEvents call on the harness' stub.
  std::unique_ptr<grpc::ClientReader<Event>> Open(
      grpc::ClientContext* context, const StreamEventsRequest& request) {
    return stub_->StreamEvents(context, request);
  }

  ks::testing::RedisServer& redis() { return redis_; }
  redis::Pool& pool() { return *pool_; }
  FeedServer& feed() { return *feed_; }
  TestFeedService& service() { return *service_; }
  kerjasosial::testing::v1::TestFeed::Stub& stub() { return *stub_; }
  int port() const { return port_; }

 private:
  ks::testing::RedisServer redis_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<FeedServer> feed_;
  std::unique_ptr<TestFeedService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<kerjasosial::testing::v1::TestFeed::Stub> stub_;
};

}  // namespace ks::feed::testing

#endif  // KS_COMMON_FEED_TESTDATA_FEED_HARNESS_H_
