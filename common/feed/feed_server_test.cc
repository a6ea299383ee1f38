#include "common/feed/feed_server.h"

#include <memory>
#include <string>
#include <vector>

#include "common/feed/testdata/feed_harness.h"
#include "common/status/rich_status.h"
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

  FeedHarness harness_;
};

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

}  // namespace
}  // namespace ks::feed
