// Snapshot mode and retention, over real gRPC and a real redis-server: a
// test publisher keeps counters (aggregates) in Redis and writes each change
// with its feed event in one MULTI, as the outbox does.
#include "common/feed/retention.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/feed/snapshot.h"
#include "common/feed/testdata/counter_store.h"
#include "common/feed/testdata/feed_harness.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "gtest/gtest.h"

namespace ks::feed {
namespace {

using ::kerjasosial::common::v1::SnapshotComplete;
using ::ks::feed::testing::CounterStore;
using ::ks::feed::testing::Event;
using ::ks::feed::testing::FeedHarness;
using ::ks::feed::testing::kStreamKey;
using ::ks::feed::testing::StreamEventsRequest;
using ::ks::feed::testing::WaitFor;

// What a consumer builds: aggregate name -> (version, value), plus the
// cursor to resume from.
struct State {
  std::map<std::string, std::pair<int64_t, int64_t>> counters;
  std::string cursor;

  void Apply(const Event& event) {
    if (event.event_type() == SnapshotComplete::descriptor()->full_name()) {
      cursor = event.cursor();
      return;
    }
    google::protobuf::Int64Value value;
    ASSERT_TRUE(event.payload().UnpackTo(&value));
    auto& held = counters[event.aggregate_name()];
    if (event.aggregate_version() > held.first) {
      held = {event.aggregate_version(), value.value()};
    }
    if (!event.snapshot()) cursor = event.cursor();
  }
  friend bool operator==(const State& a, const State& b) {
    return a.counters == b.counters;
  }
};

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FeedServerOptions options;
    options.batch_size = 4;
    options.block = absl::Milliseconds(100);
    options.snapshot_source = &store_;
    std::string error;
    ASSERT_TRUE(harness_.Start(options, &error)) << error;
    store_.set_pool(&harness_.pool());
  }

  grpc::Status ReadAll(const StreamEventsRequest& request,
                       std::vector<Event>* events) {
    grpc::ClientContext context;
    auto reader = harness_.Open(&context, request);
    Event event;
    while (reader->Read(&event)) events->push_back(event);
    return reader->Finish();
  }

  // A registered consumer catching up: resumes after its cursor (which
  // registers that position), applies to the end of the feed.
  grpc::Status CatchUp(const std::string& consumer_id, State* state) {
    StreamEventsRequest request;
    request.set_consumer_id(consumer_id);
    request.set_after_cursor(state->cursor);
    request.set_stop_at_end(true);
    std::vector<Event> events;
    grpc::Status status = ReadAll(request, &events);
    for (const Event& event : events) state->Apply(event);
    return status;
  }

  // Registers `consumer_id` at `cursor` without applying anything.
  void Register(const std::string& consumer_id, const std::string& cursor) {
    StreamEventsRequest request;
    request.set_consumer_id(consumer_id);
    request.set_after_cursor(cursor);
    request.set_stop_at_end(true);
    request.add_event_types("kerjasosial.common.v1.SnapshotComplete");
    std::vector<Event> events;
    grpc::Status status = ReadAll(request, &events);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  std::map<std::string, std::string> Registered() {
    absl::StatusOr<redis::Reply> all =
        harness_.pool().Command({"HGETALL", ConsumersKey(kStreamKey)});
    EXPECT_TRUE(all.ok());
    std::map<std::string, std::string> out;
    for (size_t i = 0; all.ok() && i + 1 < all->elements.size(); i += 2) {
      out[all->elements[i].str] = all->elements[i + 1].str;
    }
    return out;
  }

  std::string FirstRetained() {
    absl::StatusOr<redis::Reply> first =
        harness_.pool().Command({"XRANGE", kStreamKey, "-", "+", "COUNT", "1"});
    EXPECT_TRUE(first.ok());
    return first.ok() && !first->elements.empty()
               ? first->elements[0].elements[0].str
               : "";
  }

  RetentionOptions Options(absl::Duration max_age = absl::ZeroDuration()) {
    RetentionOptions options;
    options.stream_key = kStreamKey;
    options.max_age = max_age;
    return options;
  }

  static void ExpectTrimmedError(const grpc::Status& status) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE)
        << status.error_message();
    EXPECT_NE(status.error_message().find("after_cursor"), std::string::npos);
    EXPECT_NE(status.error_message().find("snapshot"), std::string::npos);
    google::rpc::ErrorInfo info;
    ASSERT_TRUE(ks::GetDetail(status, &info));
    EXPECT_EQ(info.reason(), kReasonCursorTrimmed);
    EXPECT_EQ(info.metadata().at("field"), "after_cursor");
    google::rpc::BadRequest bad_request;
    ASSERT_TRUE(ks::GetDetail(status, &bad_request));
    EXPECT_EQ(bad_request.field_violations(0).field(), "after_cursor");
  }

  CounterStore store_;
  FeedHarness harness_;
};

TEST_F(RetentionTest, SnapshotSendsEachAggregateThenTheCursorThenLive) {
  store_.Set("64.01", "a", 1);
  store_.Set("64.01", "b", 2);
  store_.Set("64.01", "a", 3);
  store_.Set("64.02", "c", 4);
  std::string head = store_.Set("71.01", "x", 5);
  harness_.service().set_reader(
      {"svc-64", "bapas", auth::Role::SERVICE, {"64"}});

  grpc::ClientContext context;
  StreamEventsRequest request;
  request.set_snapshot(true);
  auto reader = harness_.Open(&context, request);
  std::vector<Event> events;
  Event event;
  for (int i = 0; i < 4 && reader->Read(&event); ++i) events.push_back(event);
  ASSERT_EQ(events.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(events[i].snapshot());
    EXPECT_EQ(events[i].cursor(), "");
    EXPECT_EQ(events[i].source(), testing::kSource);
  }
  EXPECT_EQ(events[0].aggregate_name(), "regencies/64.01/counters/a");
  EXPECT_EQ(events[0].aggregate_version(), 2);
  EXPECT_EQ(events[1].aggregate_name(), "regencies/64.01/counters/b");
  EXPECT_EQ(events[2].aggregate_name(), "regencies/64.02/counters/c");
  // 71.01 is outside the scope: not in the snapshot either.
  EXPECT_TRUE(events[3].snapshot());
  EXPECT_EQ(events[3].event_type(), "kerjasosial.common.v1.SnapshotComplete");
  EXPECT_EQ(events[3].cursor(), head);
  SnapshotComplete complete;
  ASSERT_TRUE(events[3].payload().UnpackTo(&complete));
  EXPECT_EQ(complete.aggregates(), 3);

  // Then live, from that cursor.
  store_.Set("71.01", "x", 6);
  std::string next = store_.Set("64.01", "b", 7);
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_FALSE(event.snapshot());
  EXPECT_EQ(event.cursor(), next);
  EXPECT_EQ(event.aggregate_version(), 2);
  context.TryCancel();
}

// The head is taken before the enumeration: a change to an aggregate already
// sent arrives after the snapshot; a change the enumeration already saw is
// not sent twice.
TEST_F(RetentionTest, ChangesDuringTheSnapshotAreNeitherMissedNorRepeated) {
  store_.Set("64.01", "a", 1);
  store_.Set("64.01", "b", 1);
  std::string head = store_.Set("64.01", "c", 1);
  std::string a2;
  store_.before_read = [&](int i) {
    if (i == 1) {                        // a was sent (v1), c not yet read
      a2 = store_.Set("64.01", "a", 2);  // arrives after the snapshot
      store_.Set("64.01", "c", 2);       // read by the snapshot as v2
    }
  };
  StreamEventsRequest request;
  request.set_snapshot(true);
  request.set_stop_at_end(true);
  std::vector<Event> events;
  grpc::Status status = ReadAll(request, &events);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<std::string> got;
  for (const Event& event : events) {
    got.push_back(absl::StrCat(
        event.snapshot() ? "snap " : "live ",
        event.aggregate_name().empty()
            ? std::string("complete@") + event.cursor()
            : absl::StrCat(event.aggregate_name().substr(
                               event.aggregate_name().rfind('/') + 1),
                           " v", event.aggregate_version())));
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "snap a v1", "snap b v1", "snap c v2",
                     absl::StrCat("snap complete@", head), "live a v2"}));
  EXPECT_EQ(events.back().cursor(), a2);
}

TEST_F(RetentionTest, NeverTrimsAboveTheSlowestRegisteredConsumer) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(harness_.Append(i));
  // Nobody registered, no age cap: nothing is trimmed.
  absl::StatusOr<TrimResult> result =
      TrimOnce(harness_.pool(), Options(), absl::Now());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->removed, 0);
  EXPECT_EQ(FirstRetained(), ids[0]);

  Register("slow", ids[2]);
  Register("fast", ids[7]);
  result = TrimOnce(harness_.pool(), Options(), absl::Now());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->floor, ids[2]);
  EXPECT_EQ(result->removed, 2);
  EXPECT_EQ(FirstRetained(), ids[2]);

  // The slow consumer resumes from its cursor and misses nothing.
  StreamEventsRequest resume;
  resume.set_after_cursor(ids[2]);
  resume.set_stop_at_end(true);
  std::vector<Event> events;
  ASSERT_TRUE(ReadAll(resume, &events).ok());
  EXPECT_EQ(events.size(), 7u);
  // An older cursor, or none, would silently skip ids[1]: refused instead.
  resume.set_after_cursor(ids[0]);
  events.clear();
  ExpectTrimmedError(ReadAll(resume, &events));
  EXPECT_TRUE(events.empty());
  events.clear();
  ExpectTrimmedError(ReadAll(StreamEventsRequest(), &events));

  // The slow consumer moves on by reconnecting; the floor follows it.
  Register("slow", ids[5]);
  result = TrimOnce(harness_.pool(), Options(), absl::Now());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->floor, ids[5]);
  EXPECT_EQ(FirstRetained(), ids[5]);
  EXPECT_EQ(Registered(),
            (std::map<std::string, std::string>{
                {"svc-national/slow", ids[5]}, {"svc-national/fast", ids[7]}}));
}

TEST_F(RetentionTest, RegistrationIsPerPrincipalAndClampedToTheHead) {
  std::string head = harness_.Append(1);
  Register("mirror", "99999999999999-0");  // a made-up future cursor
  harness_.service().set_reader(
      {"svc-other", "bapas", auth::Role::SERVICE, {"*"}});
  Register("mirror", "0-0");
  EXPECT_EQ(Registered(),
            (std::map<std::string, std::string>{{"svc-national/mirror", head},
                                                {"svc-other/mirror", "0-0"}}));
  // svc-other has applied nothing: nothing may go.
  absl::StatusOr<TrimResult> result =
      TrimOnce(harness_.pool(), Options(), absl::Now());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->floor, "0-0");
  EXPECT_EQ(result->removed, 0);
}

TEST_F(RetentionTest, TheAgeCapTrimsEvenBelowASlowConsumer) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(harness_.Append(i));
  Register("stuck", ids[0]);
  // "now" two hours ahead with a one-hour cap: every entry is too old.
  absl::StatusOr<TrimResult> result = TrimOnce(
      harness_.pool(), Options(absl::Hours(1)), absl::Now() + absl::Hours(2));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->removed, 4);
  EXPECT_EQ(FirstRetained(), "");
  StreamEventsRequest resume;
  resume.set_after_cursor(ids[0]);
  std::vector<Event> events;
  ExpectTrimmedError(ReadAll(resume, &events));
  // Resuming from the newest trimmed cursor loses nothing: allowed.
  resume.set_after_cursor(ids[3]);
  resume.set_stop_at_end(true);
  EXPECT_TRUE(ReadAll(resume, &events).ok());
  EXPECT_TRUE(events.empty());
}

// Issue 7 §6: trim, then a fresh consumer rebuilds identical state through
// the snapshot.
TEST_F(RetentionTest, AfterATrimAFreshConsumerRebuildsIdenticalState) {
  State full;  // saw every event
  for (int i = 0; i < 30; ++i) {
    store_.Set(i % 2 ? "64.01" : "71.01", absl::StrCat("k", i % 7), i);
  }
  ASSERT_TRUE(CatchUp("full", &full).ok());
  for (int i = 30; i < 50; ++i) {
    store_.Set("64.01", absl::StrCat("k", i % 5), i * 10);
  }
  ASSERT_TRUE(CatchUp("full", &full).ok());  // registers its position
  ASSERT_TRUE(CatchUp("full", &full).ok());  // at the head now
  absl::StatusOr<TrimResult> trimmed =
      TrimOnce(harness_.pool(), Options(), absl::Now());
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(trimmed->removed, 49);  // all but the head entry

  State fresh;
  ExpectTrimmedError(CatchUp("fresh", &fresh));
  StreamEventsRequest request;
  request.set_snapshot(true);
  request.set_stop_at_end(true);
  request.set_consumer_id("fresh");
  std::vector<Event> events;
  ASSERT_TRUE(ReadAll(request, &events).ok());
  for (const Event& event : events) fresh.Apply(event);
  EXPECT_EQ(fresh.counters.size(), 14u);  // k0..k6 in 71.01 and in 64.01
  EXPECT_EQ(fresh, full);
  EXPECT_EQ(Registered().at("svc-national/fresh"), full.cursor);

  // Both follow the same later changes to the same state.
  store_.Set("64.01", "k1", 1000);
  store_.Set("64.01", "new", 7);
  ASSERT_TRUE(CatchUp("full", &full).ok());
  ASSERT_TRUE(CatchUp("fresh", &fresh).ok());
  EXPECT_EQ(fresh, full);
  EXPECT_EQ(fresh.counters.at("regencies/64.01/counters/new").second, 7);
}

TEST_F(RetentionTest, TrimmerRunsPeriodically) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(harness_.Append(i));
  Register("c", ids[3]);
  RetentionOptions options = Options();
  options.interval = absl::Milliseconds(20);
  Trimmer trimmer(harness_.pool(), options);
  trimmer.Start();
  EXPECT_TRUE(WaitFor([&] { return FirstRetained() == ids[3]; }));
  trimmer.Stop();
}

}  // namespace
}  // namespace ks::feed
