#include "common/feed/feed_server.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/feed/testdata/feed_harness.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"

namespace ks::feed {
namespace {

using ::ks::feed::testing::Event;
using ::ks::feed::testing::FeedHarness;
using ::ks::feed::testing::StreamEventsRequest;
using ::ks::feed::testing::WaitFor;

class FeedServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FeedServerOptions options;
    // Small batches and blocks: every test crosses batch boundaries and
    // notices cancellation quickly.
    options.batch_size = 4;
    options.block = absl::Milliseconds(100);
    options.max_streams = 3;
    std::string error;
    ASSERT_TRUE(harness_.Start(options, &error)) << error;
  }

  // Reads a whole stop_at_end stream.
  grpc::Status ReadAll(const StreamEventsRequest& request,
                       std::vector<Event>* events) {
    grpc::ClientContext context;
    auto reader = harness_.Open(&context, request);
    Event event;
    while (reader->Read(&event)) events->push_back(event);
    return reader->Finish();
  }

  static std::vector<std::string> Cursors(const std::vector<Event>& events) {
    std::vector<std::string> cursors;
    for (const Event& event : events) cursors.push_back(event.cursor());
    return cursors;
  }

  // Reads up to `n` events of a live stream.
  static std::vector<Event> ReadN(grpc::ClientReader<Event>* reader, int n) {
    std::vector<Event> events;
    Event event;
    while (static_cast<int>(events.size()) < n && reader->Read(&event)) {
      events.push_back(event);
    }
    return events;
  }

  // The status of a call that must be refused before any event.
  grpc::Status Refused(const StreamEventsRequest& request) {
    std::vector<Event> events;
    grpc::Status status = ReadAll(request, &events);
    EXPECT_TRUE(events.empty());
    return status;
  }

  static google::rpc::ErrorInfo ErrorInfoOf(const grpc::Status& status) {
    google::rpc::ErrorInfo info;
    EXPECT_TRUE(ks::GetDetail(status, &info)) << status.error_message();
    return info;
  }

  static std::vector<std::string> Fields(const grpc::Status& status) {
    google::rpc::BadRequest details;
    std::vector<std::string> fields;
    if (!ks::GetDetail(status, &details)) return fields;
    for (const auto& v : details.field_violations()) {
      fields.push_back(v.field());
    }
    return fields;
  }

  FeedHarness harness_;
};

auth::Principal ServiceScopedTo(std::vector<std::string> scope) {
  return {"svc-6401", "bapas-samarinda", auth::Role::SERVICE, std::move(scope)};
}

TEST_F(FeedServerTest, ReplaysFromTheStartAcrossBatches) {
  std::vector<std::string> ids;
  for (int i = 1; i <= 10; ++i) ids.push_back(harness_.Append(i));
  StreamEventsRequest request;
  request.set_stop_at_end(true);
  std::vector<Event> events;
  grpc::Status status = ReadAll(request, &events);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Cursors(events), ids);
  for (const Event& event : events) {
    EXPECT_EQ(event.source(), testing::kSource);
    EXPECT_EQ(event.regency_code(), "64.01");
    EXPECT_EQ(event.event_type(), "google.protobuf.Int64Value");
  }
  EXPECT_FALSE(events[0].event_id().empty());
  absl::StatusOr<std::string> head = harness_.feed().Head();
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(*head, ids.back());
}

TEST_F(FeedServerTest, ReplaysAfterAMiddleCursorExclusive) {
  std::vector<std::string> ids;
  for (int i = 1; i <= 7; ++i) ids.push_back(harness_.Append(i));
  StreamEventsRequest request;
  request.set_after_cursor(ids[2]);
  request.set_stop_at_end(true);
  std::vector<Event> events;
  grpc::Status status = ReadAll(request, &events);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Cursors(events),
            std::vector<std::string>(ids.begin() + 3, ids.end()));
}

TEST_F(FeedServerTest, EmptyFeedAndCursorAtHeadEndAtOnce) {
  StreamEventsRequest request;
  request.set_stop_at_end(true);
  std::vector<Event> events;
  grpc::Status status = ReadAll(request, &events);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(events.empty());
  absl::StatusOr<std::string> head = harness_.feed().Head();
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(*head, "");

  std::string last = harness_.Append(1);
  request.set_after_cursor(last);
  status = ReadAll(request, &events);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(events.empty());
}

TEST_F(FeedServerTest, FiltersByRegency) {
  std::vector<std::string> wanted;
  for (int i = 0; i < 9; ++i) {
    std::string regency =
        i % 3 == 0 ? "64.01" : (i % 3 == 1 ? "64.02" : "91.01");
    std::string id = harness_.Append(i, regency);
    if (regency != "64.02") wanted.push_back(id);
  }
  StreamEventsRequest request;
  request.set_stop_at_end(true);
  request.add_regency_codes("64.01");
  request.add_regency_codes("91.01");
  std::vector<Event> events;
  grpc::Status status = ReadAll(request, &events);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Cursors(events), wanted);
}

TEST_F(FeedServerTest, InvalidCursorIsInvalidArgumentNamingTheField) {
  for (const char* bad : {"yesterday", "12", "1-2-3", "-5-1"}) {
    StreamEventsRequest request;
    request.set_after_cursor(bad);
    std::vector<Event> events;
    grpc::Status status = ReadAll(request, &events);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_NE(status.error_message().find("after_cursor"), std::string::npos)
        << status.error_message();
    google::rpc::BadRequest details;
    ASSERT_TRUE(ks::GetDetail(status, &details)) << bad;
    ASSERT_EQ(details.field_violations_size(), 1);
    EXPECT_EQ(details.field_violations(0).field(), "after_cursor");
    EXPECT_TRUE(events.empty());
  }
  EXPECT_EQ(harness_.feed().active_streams(), 0);
}

TEST_F(FeedServerTest, EntryWithoutAnEventIsSentWithItsCursor) {
  std::string good = harness_.Append(1);
  std::string bad = harness_.AppendRaw("\xff\xff not a protobuf");
  StreamEventsRequest request;
  request.set_stop_at_end(true);
  std::vector<Event> events;
  ASSERT_TRUE(ReadAll(request, &events).ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].cursor(), bad);
  EXPECT_EQ(events[1].source(), testing::kSource);
  EXPECT_EQ(events[1].event_id(), "");
  EXPECT_FALSE(events[1].has_payload());
}

TEST_F(FeedServerTest, FollowsLiveThenClientCancelEndsTheReactor) {
  std::vector<std::string> ids = {harness_.Append(1), harness_.Append(2)};
  grpc::ClientContext context;
  auto reader = harness_.Open(&context, StreamEventsRequest());
  Event event;
  for (const std::string& id : ids) {
    ASSERT_TRUE(reader->Read(&event));
    EXPECT_EQ(event.cursor(), id);
  }
  // Appended after the stream caught up: arrive through XREAD BLOCK.
  for (int i = 3; i <= 9; ++i) {
    std::string id = harness_.Append(i);
    ASSERT_TRUE(reader->Read(&event));
    EXPECT_EQ(event.cursor(), id);
    google::protobuf::Int64Value value;
    ASSERT_TRUE(event.payload().UnpackTo(&value));
    EXPECT_EQ(value.value(), i);
  }
  EXPECT_EQ(harness_.feed().active_streams(), 1);
  context.TryCancel();
  while (reader->Read(&event)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(WaitFor([&] { return harness_.feed().active_streams() == 0; }));
}

TEST_F(FeedServerTest, DeadlineEndsALiveStream) {
  harness_.Append(1);
  grpc::ClientContext context;
  context.set_deadline(
      absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
  auto reader = harness_.Open(&context, StreamEventsRequest());
  Event event;
  int read = 0;
  while (reader->Read(&event)) ++read;
  EXPECT_EQ(read, 1);
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(WaitFor([&] { return harness_.feed().active_streams() == 0; }));
}

TEST_F(FeedServerTest, MaxStreamsIsResourceExhausted) {
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<Event>>> readers;
  for (int i = 0; i < 3; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(
        harness_.Open(contexts.back().get(), StreamEventsRequest()));
    readers.back()->WaitForInitialMetadata();
  }
  EXPECT_EQ(harness_.feed().active_streams(), 3);
  StreamEventsRequest request;
  std::vector<Event> events;
  grpc::Status refused = ReadAll(request, &events);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << refused.error_message();
  for (auto& context : contexts) context->TryCancel();
  for (auto& reader : readers) {
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  EXPECT_TRUE(WaitFor([&] { return harness_.feed().active_streams() == 0; }));
}

TEST_F(FeedServerTest, ShutdownEndsLiveStreamsWithUnavailable) {
  harness_.Append(1);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<Event>>> readers;
  Event event;
  for (int i = 0; i < 2; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(
        harness_.Open(contexts.back().get(), StreamEventsRequest()));
    ASSERT_TRUE(readers.back()->Read(&event));
  }
  EXPECT_EQ(harness_.feed().active_streams(), 2);
  harness_.feed().Shutdown();  // returns once every reactor is done
  EXPECT_EQ(harness_.feed().active_streams(), 0);
  for (auto& reader : readers) {
    EXPECT_FALSE(reader->Read(&event));
    grpc::Status status = reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(status.error_message(), "server shutting down");
  }
  std::vector<Event> events;
  EXPECT_EQ(ReadAll(StreamEventsRequest(), &events).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(FeedServerTest, RedisKilledDuringALiveStreamIsUnavailable) {
  std::string first = harness_.Append(1);
  grpc::ClientContext context;
  auto reader = harness_.Open(&context, StreamEventsRequest());
  Event event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.cursor(), first);
  harness_.redis().Kill();
  EXPECT_FALSE(reader->Read(&event));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_TRUE(WaitFor([&] { return harness_.feed().active_streams() == 0; }));

  // Opening while Redis is down: UNAVAILABLE too.
  std::vector<Event> events;
  EXPECT_EQ(ReadAll(StreamEventsRequest(), &events).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  absl::StatusOr<std::string> head = harness_.feed().Head();
  EXPECT_EQ(head.status().code(), absl::StatusCode::kUnavailable);

  // Back up (AOF): the client resumes from its cursor and misses nothing.
  ASSERT_TRUE(harness_.redis().Start().ok());
  std::string second;
  ASSERT_TRUE(WaitFor([&] {
    second = harness_.Append(2);
    return second.rfind("XADD failed", 0) != 0;
  }));
  StreamEventsRequest resume;
  resume.set_after_cursor(first);
  resume.set_stop_at_end(true);
  ASSERT_TRUE(ReadAll(resume, &events).ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].cursor(), second);
}

// Issue 8: a SERVICE principal scoped to 64.01 received every regency.
TEST_F(FeedServerTest, NoFilterMeansOnlyTheReadersScope) {
  harness_.service().set_reader(ServiceScopedTo({"64.01"}));
  std::vector<std::string> wanted;
  wanted.push_back(harness_.Append(1, "64.01"));
  harness_.Append(2, "71.01");
  harness_.Append(3, "64.02");
  wanted.push_back(harness_.Append(4, ""));  // deployment-level
  wanted.push_back(harness_.Append(5, "64.01"));
  StreamEventsRequest request;
  request.set_stop_at_end(true);
  std::vector<Event> events;
  ASSERT_TRUE(ReadAll(request, &events).ok());
  EXPECT_EQ(Cursors(events), wanted);

  // Live too: a 71.01 event appended while following never arrives; the
  // next 64.01 event does, right after the earlier ones.
  grpc::ClientContext context;
  auto reader = harness_.Open(&context, StreamEventsRequest());
  ASSERT_EQ(Cursors(ReadN(reader.get(), 3)), wanted);
  harness_.Append(6, "71.01");
  std::string mine = harness_.Append(7, "64.01");
  std::vector<Event> live = ReadN(reader.get(), 1);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].cursor(), mine);
  EXPECT_EQ(live[0].regency_code(), "64.01");
  context.TryCancel();
}

TEST_F(FeedServerTest, AProvinceScopeReadsItsRegenciesOnly) {
  harness_.service().set_reader(ServiceScopedTo({"64"}));
  std::string a = harness_.Append(1, "64.01");
  std::string b = harness_.Append(2, "64.02");
  harness_.Append(3, "65.01");
  StreamEventsRequest request;
  request.set_stop_at_end(true);
  std::vector<Event> events;
  ASSERT_TRUE(ReadAll(request, &events).ok());
  EXPECT_EQ(Cursors(events), (std::vector<std::string>{a, b}));
  request.add_regency_codes("64.02");
  events.clear();
  ASSERT_TRUE(ReadAll(request, &events).ok());
  EXPECT_EQ(Cursors(events), (std::vector<std::string>{b}));
}

TEST_F(FeedServerTest, AskingForARegencyOutsideTheScopeIsPermissionDenied) {
  harness_.service().set_reader(ServiceScopedTo({"64.01"}));
  harness_.Append(1, "71.01");
  StreamEventsRequest request;
  request.set_stop_at_end(true);
  request.add_regency_codes("64.01");
  request.add_regency_codes("71.01");
  grpc::Status status = Refused(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("71.01"), std::string::npos)
      << status.error_message();
  google::rpc::ErrorInfo info = ErrorInfoOf(status);
  EXPECT_EQ(info.reason(), "REGENCY_OUT_OF_SCOPE");
  EXPECT_EQ(info.metadata().at("regency"), "71.01");
  EXPECT_EQ(info.metadata().at("scope"), "64.01");
  EXPECT_EQ(harness_.feed().active_streams(), 0);
}

TEST_F(FeedServerTest, MalformedRegencyIsInvalidArgumentNamingTheEntry) {
  StreamEventsRequest request;
  request.add_regency_codes("64.01");
  request.add_regency_codes("64-01");
  grpc::Status status = Refused(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Fields(status), std::vector<std::string>{"regency_codes[1]"});
}

TEST_F(FeedServerTest, FiltersByExactEventType) {
  std::vector<std::string> strings;
  for (int i = 0; i < 6; ++i) {
    if (i % 2 == 0) {
      harness_.Append(i);  // google.protobuf.Int64Value
    } else {
      Event event = FeedHarness::MakeEvent(i, "64.01", absl::StrCat("s", i));
      google::protobuf::StringValue text;
      text.set_value(absl::StrCat("v", i));
      event.mutable_payload()->PackFrom(text);
      event.set_event_type("google.protobuf.StringValue");
      strings.push_back(harness_.AppendEvent(event));
    }
  }
  StreamEventsRequest request;
  request.set_stop_at_end(true);
  request.add_event_types("google.protobuf.StringValue");
  std::vector<Event> events;
  ASSERT_TRUE(ReadAll(request, &events).ok());
  EXPECT_EQ(Cursors(events), strings);
  for (const Event& event : events) {
    EXPECT_EQ(event.event_type(), "google.protobuf.StringValue");
  }
  // Two types: everything.
  request.add_event_types("google.protobuf.Int64Value");
  events.clear();
  ASSERT_TRUE(ReadAll(request, &events).ok());
  EXPECT_EQ(events.size(), 6u);
}

TEST_F(FeedServerTest, UnknownOrMalformedEventTypeIsInvalidArgument) {
  StreamEventsRequest request;
  request.add_event_types("google.protobuf.Int64Value");
  request.add_event_types("kerjasosial.cases.v1.CaseRegisterd");  // typo
  request.add_event_types("Int64Value");     // not fully qualified
  request.add_event_types("google..Int64");  // malformed
  grpc::Status status = Refused(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Fields(status),
            (std::vector<std::string>{"event_types[1]", "event_types[2]",
                                      "event_types[3]"}));
  EXPECT_NE(status.error_message().find("event_types[1]"), std::string::npos);
}

TEST_F(FeedServerTest, InvalidConsumerIdIsInvalidArgument) {
  for (const std::string& bad :
       {std::string(65, 'a'), std::string("a b"), std::string("x/y")}) {
    StreamEventsRequest request;
    request.set_consumer_id(bad);
    grpc::Status status = Refused(request);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(Fields(status), std::vector<std::string>{"consumer_id"});
  }
}

TEST_F(FeedServerTest, SnapshotWithoutASourceIsUnimplementedUntilOneIsSet) {
  StreamEventsRequest request;
  request.set_snapshot(true);
  EXPECT_EQ(Refused(request).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  request.set_after_cursor("1-0");
  grpc::Status status = Refused(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Fields(status), std::vector<std::string>{"after_cursor"});

  // A source set later (as Runtime::SetSnapshotSource does) is offered.
  class NoAggregates final : public SnapshotSource {
    absl::Status Enumerate(const SnapshotEmit&) override {
      return absl::OkStatus();
    }
  } none;
  harness_.feed().SetSnapshotSource(&none);
  std::string head = harness_.Append(1);
  request.clear_after_cursor();
  request.set_stop_at_end(true);
  std::vector<Event> events;
  ASSERT_TRUE(ReadAll(request, &events).ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_type(), "kerjasosial.common.v1.SnapshotComplete");
  EXPECT_EQ(events[0].cursor(), head);
  harness_.feed().SetSnapshotSource(nullptr);
}

// The contract (event.proto "Ordering"): versions strictly increase per
// aggregate on every path a consumer takes — a replay, a resume from a cursor
// in the middle, and the live follow after it.
TEST_F(FeedServerTest, VersionsIncreasePerAggregateAcrossReplayResumeAndLive) {
  const std::vector<std::string> counters = {"a", "b", "c"};
  absl::flat_hash_map<std::string, int64_t> versions;
  std::vector<std::string> cursors;
  int n = 0;
  auto commit = [&](const std::string& counter) {
    ++n;
    Event event = FeedHarness::MakeEvent(
        n, "64.01", absl::StrCat("o", n), counter,
        ++versions[absl::StrCat("regencies/64.01/counters/", counter)]);
    cursors.push_back(harness_.AppendEvent(event));
  };
  // Interleaved, unevenly: a a b c a b b c ...
  for (int i = 0; i < 12; ++i) commit(counters[(i * i + i / 3) % 3]);

  auto check = [](const std::vector<Event>& events,
                  absl::flat_hash_map<std::string, int64_t>* seen) {
    for (const Event& event : events) {
      int64_t& last = (*seen)[event.aggregate_name()];
      EXPECT_GT(event.aggregate_version(), last) << event.aggregate_name();
      last = event.aggregate_version();
    }
  };
  StreamEventsRequest request;
  request.set_stop_at_end(true);
  std::vector<Event> replay;
  ASSERT_TRUE(ReadAll(request, &replay).ok());
  ASSERT_EQ(replay.size(), 12u);
  absl::flat_hash_map<std::string, int64_t> seen;
  check(replay, &seen);

  // Resume mid-way (after the 5th event), then follow live while more
  // changes arrive.
  absl::flat_hash_map<std::string, int64_t> resumed;
  for (int i = 0; i < 5; ++i) {
    resumed[replay[i].aggregate_name()] = replay[i].aggregate_version();
  }
  grpc::ClientContext context;
  StreamEventsRequest resume;
  resume.set_after_cursor(cursors[4]);
  auto reader = harness_.Open(&context, resume);
  std::vector<Event> tail = ReadN(reader.get(), 7);
  ASSERT_EQ(tail.size(), 7u);
  for (int i = 0; i < 9; ++i) commit(counters[(i * 7) % 3]);
  std::vector<Event> live = ReadN(reader.get(), 9);
  ASSERT_EQ(live.size(), 9u);
  check(tail, &resumed);
  check(live, &resumed);
  EXPECT_EQ(resumed, versions);  // every change arrived, none twice
  context.TryCancel();
}

// Issue 8: FeedServer::Shutdown waited for a reactor blocked in a write to a
// client that stopped reading, for as long as the client liked.
TEST_F(FeedServerTest, ShutdownEndsAStreamWhoseClientStoppedReading) {
  // Far more than the HTTP/2 windows and socket buffers hold.
  const std::string big(256 * 1024, 'x');
  for (int i = 0; i < 64; ++i) {
    Event event = FeedHarness::MakeEvent(i, "64.01", absl::StrCat("big", i));
    google::protobuf::StringValue text;
    text.set_value(big);
    event.mutable_payload()->PackFrom(text);
    harness_.AppendEvent(event);
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 * 1024);
  args.SetMaxReceiveMessageSize(-1);
  auto channel =
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", harness_.port()),
                                grpc::InsecureChannelCredentials(), args);
  auto stub = kerjasosial::testing::v1::TestFeed::NewStub(channel);
  grpc::ClientContext context;
  auto reader = stub->StreamEvents(&context, StreamEventsRequest());
  reader->WaitForInitialMetadata();
  // Never Read(): the server's writes stall once the windows are full.
  ASSERT_TRUE(WaitFor([&] { return harness_.feed().active_streams() == 1; }));
  absl::SleepFor(absl::Milliseconds(300));  // let the writer fill them

  const absl::Time start = absl::Now();
  harness_.feed().Shutdown();
  // Bound, not a benchmark: block (100 ms) + drain (500 ms) + slack.
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(harness_.feed().active_streams(), 0);
  context.TryCancel();
}

}  // namespace
}  // namespace ks::feed
