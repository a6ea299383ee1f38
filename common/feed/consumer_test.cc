#include "common/feed/consumer.h"

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/feed/consumer_pool.h"
#include "common/feed/retention.h"
#include "common/feed/testdata/counter_store.h"
#include "common/feed/testdata/feed_harness.h"
#include "common/metrics/metrics.h"
#include "gtest/gtest.h"

namespace ks::feed {
namespace {

using ::ks::feed::testing::Event;
using ::ks::feed::testing::FeedHarness;
using ::ks::feed::testing::StreamEventsRequest;
using ::ks::feed::testing::WaitFor;

constexpr char kPrefix[] = "ks:{feed}:consumer:test";
constexpr char kTotals[] = "ks:{feed}:totals";

// The effect of an event: add its Int64Value payload to a per-regency
// counter. An unparseable payload is a permanent error.
absl::StatusOr<RedisOps> AddToTotal(const Event& event) {
  google::protobuf::Int64Value value;
  if (!event.payload().UnpackTo(&value)) {
    return absl::InvalidArgumentError("payload is not an Int64Value");
  }
  return RedisOps{
      {"HINCRBY", kTotals, event.regency_code(), absl::StrCat(value.value())}};
}

class ConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FeedServerOptions options;
    options.batch_size = 4;
    options.block = absl::Milliseconds(100);
    std::string error;
    ASSERT_TRUE(producer_.Start(options, &error)) << error;
    // The consumer's own Redis: a different server from the producer's.
    ASSERT_TRUE(own_redis_.Start().ok());
    own_ = std::make_unique<redis::Pool>(testing::RedisOptionsFor(own_redis_));
  }

  ConsumerOptions Options(Handler handler = AddToTotal) {
    ConsumerOptions options;
    options.key_prefix = kPrefix;
    options.stream = [this](grpc::ClientContext* context,
                            const StreamEventsRequest& request) {
      return std::unique_ptr<grpc::ClientReaderInterface<Event>>(
          producer_.Open(context, request));
    };
    options.handler = std::move(handler);
    options.initial_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(200);
    return options;
  }

  // The consumer's counter, read straight from its Redis.
  int64_t Total(const std::string& regency = "64.01") {
    std::string out =
        own_redis_.Cli(absl::StrCat("HGET ", kTotals, " ", regency));
    int64_t total = 0;
    return absl::SimpleAtoi(absl::StripAsciiWhitespace(out), &total) ? total
                                                                     : -1;
  }
  std::string StoredCursor() {
    return std::string(absl::StripAsciiWhitespace(
        own_redis_.Cli(absl::StrCat("GET ", kPrefix, ":cursor"))));
  }

  bool CaughtUpTo(const Consumer& consumer, const std::string& cursor) {
    return WaitFor([&] { return consumer.stats().cursor == cursor; });
  }

  FeedHarness producer_;
  ks::testing::RedisServer own_redis_;
  std::unique_ptr<redis::Pool> own_;
};

metrics::CounterSeries& AppliedCounter() {
  return metrics::Registry::Global().Counter(
      "ks_feed_events_total", "", {{"feed", kPrefix}, {"outcome", "applied"}});
}

TEST_F(ConsumerTest, ResumesAfterRestartWithNoGapAndNoDoubleEffect) {
  const double applied_before = AppliedCounter().value();
  std::string last;
  for (int i = 1; i <= 10; ++i) last = producer_.Append(i);  // 55
  {
    Consumer consumer(*own_, Options());
    consumer.Start();
    ASSERT_TRUE(CaughtUpTo(consumer, last));
    // Live: appended while the consumer follows.
    for (int i = 11; i <= 13; ++i) last = producer_.Append(i);  // +36
    ASSERT_TRUE(CaughtUpTo(consumer, last));
    ConsumerStats stats = consumer.stats();
    EXPECT_EQ(stats.events_applied, 13);
    EXPECT_EQ(stats.events_duplicate, 0);
    EXPECT_TRUE(stats.connected);
    EXPECT_NE(stats.last_event_time, absl::InfinitePast());
    EXPECT_GE(stats.lag, absl::ZeroDuration());
    consumer.Stop();
    EXPECT_FALSE(consumer.stats().connected);
  }
  EXPECT_EQ(Total(), 91);
  EXPECT_EQ(StoredCursor(), last);

  for (int i = 14; i <= 20; ++i) last = producer_.Append(i);  // +119
  Consumer restarted(*own_, Options());
  restarted.Start();
  ASSERT_TRUE(CaughtUpTo(restarted, last));
  EXPECT_EQ(restarted.stats().events_applied, 7);
  EXPECT_EQ(restarted.stats().events_duplicate, 0);
  EXPECT_EQ(Total(), 210);
  restarted.Stop();
  // Both consumer objects counted into the process-wide /metrics registry.
  EXPECT_EQ(AppliedCounter().value() - applied_before, 20);
  EXPECT_NE(metrics::Registry::Global().Render().find(
                absl::StrCat("ks_feed_lag_seconds{feed=\"", kPrefix, "\"}")),
            std::string::npos);
}

TEST_F(ConsumerTest, ServerReplayingFromTheStartHasNoSecondEffect) {
  std::string last;
  for (int i = 1; i <= 6; ++i) last = producer_.Append(i);  // 21
  // An upstream that ignores the cursor and replays everything, every time.
  ConsumerOptions options = Options();
  options.stream = [this](grpc::ClientContext* context,
                          const StreamEventsRequest& request) {
    StreamEventsRequest from_start = request;
    from_start.clear_after_cursor();
    return std::unique_ptr<grpc::ClientReaderInterface<Event>>(
        producer_.Open(context, from_start));
  };
  {
    Consumer consumer(*own_, options);
    consumer.Start();
    ASSERT_TRUE(CaughtUpTo(consumer, last));
  }
  EXPECT_EQ(Total(), 21);
  for (int i = 7; i <= 8; ++i) last = producer_.Append(i);  // +15
  Consumer again(*own_, options);
  again.Start();
  ASSERT_TRUE(CaughtUpTo(again, last));
  EXPECT_EQ(again.stats().events_applied, 2);
  EXPECT_EQ(again.stats().events_duplicate, 6);
  EXPECT_EQ(Total(), 36);
}

TEST_F(ConsumerTest, OlderStoredCursorIsDedupedByEventId) {
  std::vector<std::string> ids;
  for (int i = 1; i <= 8; ++i) ids.push_back(producer_.Append(i));  // 36
  {
    Consumer consumer(*own_, Options());
    consumer.Start();
    ASSERT_TRUE(CaughtUpTo(consumer, ids.back()));
  }
  // A crash image where the cursor is older than the effects (e.g. the
  // cursor key restored from an older snapshot): events 4..8 come again,
  // each with its cursor newer than the stored one; their ids stop them.
  own_redis_.Cli(absl::StrCat("SET ", kPrefix, ":cursor ", ids[2]));
  Consumer again(*own_, Options());
  again.Start();
  ASSERT_TRUE(CaughtUpTo(again, ids.back()));
  EXPECT_EQ(again.stats().events_applied, 0);
  EXPECT_EQ(again.stats().events_duplicate, 5);
  EXPECT_EQ(Total(), 36);
}

TEST_F(ConsumerTest, SameEventRepublishedUnderANewCursorAppliesOnce) {
  Event event = FeedHarness::MakeEvent(5, "64.01", "event-twice");
  producer_.AppendEvent(event);
  std::string last = producer_.AppendEvent(event);
  Consumer consumer(*own_, Options());
  consumer.Start();
  ASSERT_TRUE(CaughtUpTo(consumer, last));
  EXPECT_EQ(consumer.stats().events_applied, 1);
  EXPECT_EQ(consumer.stats().events_duplicate, 1);
  EXPECT_EQ(Total(), 5);
}

TEST_F(ConsumerTest, TwoConsumersRacingOnOneCursorApplyEachEventOnce) {
  std::string last;
  for (int i = 1; i <= 40; ++i) last = producer_.Append(i);  // 820
  Consumer a(*own_, Options());
  Consumer b(*own_, Options());
  a.Start();
  b.Start();
  ASSERT_TRUE(CaughtUpTo(a, last));
  ASSERT_TRUE(CaughtUpTo(b, last));
  EXPECT_EQ(a.stats().events_applied + b.stats().events_applied, 40);
  EXPECT_EQ(Total(), 820);
}

TEST_F(ConsumerTest, UnparseablePayloadIsDeadLetteredAndTheFeedMovesOn) {
  producer_.Append(1);
  Event bad = FeedHarness::MakeEvent(0, "64.01", "bad-payload");
  bad.mutable_payload()->set_type_url("type.googleapis.com/unknown.Type");
  std::string bad_cursor = producer_.AppendEvent(bad);
  std::string last = producer_.Append(2);
  Consumer consumer(*own_, Options());
  consumer.Start();
  ASSERT_TRUE(CaughtUpTo(consumer, last));
  ConsumerStats stats = consumer.stats();
  EXPECT_EQ(stats.events_applied, 2);
  EXPECT_EQ(stats.events_dead_lettered, 1);
  EXPECT_EQ(stats.last_error.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(stats.last_error.message().find("bad-payload"), std::string::npos)
      << stats.last_error;
  EXPECT_EQ(Total(), 3);
  std::string dead =
      own_redis_.Cli(absl::StrCat("XRANGE ", kPrefix, ":dead - +"));
  EXPECT_NE(dead.find(bad_cursor), std::string::npos) << dead;
  EXPECT_NE(dead.find("payload is not an Int64Value"), std::string::npos)
      << dead;
  EXPECT_EQ(absl::StripAsciiWhitespace(
                own_redis_.Cli(absl::StrCat("XLEN ", kPrefix, ":dead"))),
            "1");
}

TEST_F(ConsumerTest, FailingEffectCommandIsDeadLetteredNotRetried) {
  own_redis_.Cli("SET ks:{feed}:not-a-hash x");
  Handler handler = [](const Event& event) -> absl::StatusOr<RedisOps> {
    if (event.event_id() == "wrong-type") {
      return RedisOps{{"HINCRBY", "ks:{feed}:not-a-hash", "f", "1"}};
    }
    return AddToTotal(event);
  };
  producer_.AppendEvent(FeedHarness::MakeEvent(7, "64.01", "wrong-type"));
  std::string last = producer_.Append(4);
  Consumer consumer(*own_, Options(handler));
  consumer.Start();
  ASSERT_TRUE(CaughtUpTo(consumer, last));
  EXPECT_EQ(consumer.stats().events_applied, 1);
  EXPECT_EQ(consumer.stats().events_dead_lettered, 1);
  EXPECT_NE(consumer.stats().last_error.message().find("WRONGTYPE"),
            std::string::npos)
      << consumer.stats().last_error;
  EXPECT_EQ(Total(), 4);
}

TEST_F(ConsumerTest, TransientHandlerErrorRetriesFromTheCursor) {
  std::atomic<int> failures{0};
  Handler handler = [&](const Event& event) -> absl::StatusOr<RedisOps> {
    if (event.event_id() == "flaky" && failures.fetch_add(1) < 3) {
      return absl::UnavailableError("reference data not reachable");
    }
    return AddToTotal(event);
  };
  producer_.Append(1);
  producer_.AppendEvent(FeedHarness::MakeEvent(10, "64.01", "flaky"));
  std::string last = producer_.Append(100);
  Consumer consumer(*own_, Options(handler));
  consumer.Start();
  ASSERT_TRUE(CaughtUpTo(consumer, last));
  ConsumerStats stats = consumer.stats();
  EXPECT_EQ(stats.events_applied, 3);
  EXPECT_EQ(stats.events_dead_lettered, 0);
  EXPECT_EQ(stats.reconnects, 3);
  EXPECT_EQ(stats.last_error.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Total(), 111);
}

TEST_F(ConsumerTest, ProducerRedisKilledThenBackContinuesWithoutGap) {
  std::string last;
  for (int i = 1; i <= 3; ++i) last = producer_.Append(i);  // 6
  Consumer consumer(*own_, Options());
  consumer.Start();
  ASSERT_TRUE(CaughtUpTo(consumer, last));
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().connected; }));

  producer_.redis().Kill();
  ASSERT_TRUE(WaitFor([&] {
    ConsumerStats stats = consumer.stats();
    return !stats.connected &&
           stats.last_error.code() == absl::StatusCode::kUnavailable;
  }));

  ASSERT_TRUE(producer_.redis().Start().ok());
  ASSERT_TRUE(WaitFor([&] {
    last = producer_.Append(4);
    return last.rfind("XADD failed", 0) != 0;
  }));
  for (int i = 5; i <= 6; ++i) last = producer_.Append(i);  // +15
  ASSERT_TRUE(CaughtUpTo(consumer, last));
  EXPECT_EQ(consumer.stats().events_applied, 6);
  EXPECT_GE(consumer.stats().reconnects, 1);
  EXPECT_EQ(Total(), 21);
}

TEST_F(ConsumerTest, OwnRedisKilledThenBackResumesFromStoredCursor) {
  std::string last;
  for (int i = 1; i <= 3; ++i) last = producer_.Append(i);  // 6
  Consumer consumer(*own_, Options());
  consumer.Start();
  ASSERT_TRUE(CaughtUpTo(consumer, last));

  own_redis_.Kill();
  for (int i = 4; i <= 9; ++i) last = producer_.Append(i);  // +39
  ASSERT_TRUE(WaitFor([&] {
    return consumer.stats().last_error.code() == absl::StatusCode::kUnavailable;
  }));
  // AOF with appendfsync always: every acknowledged effect is still there.
  ASSERT_TRUE(own_redis_.Start().ok());
  ASSERT_TRUE(CaughtUpTo(consumer, last));
  EXPECT_EQ(Total(), 45);
  EXPECT_EQ(StoredCursor(), last);
  EXPECT_EQ(consumer.stats().events_applied, 9);
}

TEST_F(ConsumerTest, StopCancelsALiveStream) {
  std::string last = producer_.Append(1);
  Consumer consumer(*own_, Options());
  consumer.Start();
  ASSERT_TRUE(CaughtUpTo(consumer, last));
  ASSERT_TRUE(WaitFor([&] { return producer_.feed().active_streams() == 1; }));
  consumer.Stop();
  EXPECT_FALSE(consumer.stats().connected);
  EXPECT_TRUE(WaitFor([&] { return producer_.feed().active_streams() == 0; }));
  consumer.Stop();  // idempotent
}

TEST_F(ConsumerTest, RegencyFilterIsPassedUpstream) {
  producer_.Append(1, "64.01");
  producer_.Append(2, "91.03");
  std::string last = producer_.Append(3, "91.03");
  ConsumerOptions options = Options();
  options.regency_codes = {"91.03"};
  Consumer consumer(*own_, options);
  consumer.Start();
  ASSERT_TRUE(CaughtUpTo(consumer, last));
  EXPECT_EQ(consumer.stats().events_applied, 2);
  EXPECT_EQ(Total("91.03"), 5);
  EXPECT_EQ(Total("64.01"), -1);
}

// A consumer that mirrors the producer's counters (aggregate state), so
// what it builds from the feed, from a snapshot, or from both can be
// compared with the producer's own state.
class ConsumerSnapshotTest : public ::testing::Test {
 protected:
  static constexpr char kMirror[] = "ks:{feed}:mirror";

  void SetUp() override {
    FeedServerOptions options;
    options.batch_size = 4;
    options.block = absl::Milliseconds(100);
    options.snapshot_source = &store_;
    std::string error;
    ASSERT_TRUE(producer_.Start(options, &error)) << error;
    store_.set_pool(&producer_.pool());
    ASSERT_TRUE(own_redis_.Start().ok());
    own_ = std::make_unique<redis::Pool>(testing::RedisOptionsFor(own_redis_));
  }

  // The effect: the counter's state, if newer than the mirrored one. The
  // version check reads the consumer's own Redis; one consumer thread per
  // mirror, so nothing changes it in between.
  absl::StatusOr<RedisOps> Mirror(const std::string& prefix,
                                  const Event& event) {
    google::protobuf::Int64Value value;
    if (!event.payload().UnpackTo(&value)) {
      return absl::InvalidArgumentError("payload is not an Int64Value");
    }
    const std::string key = absl::StrCat(kMirror, ":", prefix);
    absl::StatusOr<redis::Reply> held =
        own_->Command({"HGET", key, event.aggregate_name()});
    if (!held.ok()) return held.status();
    int64_t version = 0;
    if (!held->is_nil()) {
      std::vector<std::string> parts = absl::StrSplit(held->str, '|');
      if (!absl::SimpleAtoi(parts[0], &version)) {
        return absl::InternalError("bad mirror entry");
      }
    }
    if (event.aggregate_version() <= version) return RedisOps{};
    return RedisOps{
        {"HSET", key, event.aggregate_name(),
         absl::StrCat(event.aggregate_version(), "|", value.value())}};
  }

  ConsumerOptions Options(const std::string& prefix) {
    ConsumerOptions options;
    options.key_prefix = absl::StrCat("ks:{feed}:consumer:", prefix);
    options.consumer_id = prefix;
    options.stream = [this](grpc::ClientContext* context,
                            const StreamEventsRequest& request) {
      return std::unique_ptr<grpc::ClientReaderInterface<Event>>(
          producer_.Open(context, request));
    };
    options.handler = [this, prefix](const Event& event) {
      return Mirror(prefix, event);
    };
    options.initial_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(200);
    return options;
  }

  // name -> "version|value", from the producer's store or a mirror.
  std::map<std::string, std::string> ProducerState() {
    absl::StatusOr<redis::Reply> all =
        producer_.pool().Command({"HGETALL", testing::kCountersKey});
    EXPECT_TRUE(all.ok());
    std::map<std::string, std::string> state;
    for (size_t i = 0; all.ok() && i + 1 < all->elements.size(); i += 2) {
      std::vector<std::string> parts =
          absl::StrSplit(all->elements[i + 1].str, '|');
      state[all->elements[i].str] = absl::StrCat(parts[0], "|", parts[1]);
    }
    return state;
  }
  std::map<std::string, std::string> MirrorState(const std::string& prefix) {
    absl::StatusOr<redis::Reply> all =
        own_->Command({"HGETALL", absl::StrCat(kMirror, ":", prefix)});
    EXPECT_TRUE(all.ok());
    std::map<std::string, std::string> state;
    for (size_t i = 0; all.ok() && i + 1 < all->elements.size(); i += 2) {
      state[all->elements[i].str] = all->elements[i + 1].str;
    }
    return state;
  }

  testing::CounterStore store_;
  FeedHarness producer_;
  ks::testing::RedisServer own_redis_;
  std::unique_ptr<redis::Pool> own_;
};

TEST_F(ConsumerSnapshotTest, ATrimmedConsumerRebuildsThroughASnapshot) {
  for (int i = 0; i < 20; ++i) {
    store_.Set(i % 3 ? "64.01" : "64.02", absl::StrCat("k", i % 6), i);
  }
  ConsumerOptions options = Options("a");
  options.snapshot_when_trimmed = true;
  {
    Consumer consumer(*own_, options);
    consumer.Start();
    ASSERT_TRUE(WaitFor([&] { return MirrorState("a") == ProducerState(); }));
    consumer.Stop();
  }
  // While it is down: more changes, then the age cap trims everything.
  std::string newest;
  for (int i = 20; i < 40; ++i) {
    newest = store_.Set("64.01", absl::StrCat("k", i % 4), i * 10);
  }
  RetentionOptions retention;
  retention.stream_key = testing::kStreamKey;
  retention.max_age = absl::Hours(1);
  absl::StatusOr<TrimResult> trimmed =
      TrimOnce(producer_.pool(), retention, absl::Now() + absl::Hours(2));
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  ASSERT_EQ(trimmed->removed, 40);

  Consumer restarted(*own_, options);
  restarted.Start();
  ASSERT_TRUE(WaitFor([&] { return restarted.stats().snapshots == 1; }))
      << restarted.stats().last_error;
  EXPECT_EQ(MirrorState("a"), ProducerState());
  // The feed is empty: the snapshot stands where the trim left it.
  EXPECT_EQ(restarted.stats().cursor, newest);
  // And it follows live from the snapshot's cursor.
  std::string last = store_.Set("64.02", "k9", 99);
  ASSERT_TRUE(WaitFor([&] { return restarted.stats().cursor == last; }));
  EXPECT_EQ(MirrorState("a"), ProducerState());
  EXPECT_EQ(restarted.stats().snapshots, 1);
  restarted.Stop();
}

TEST_F(ConsumerSnapshotTest,
       WithoutTheOptionATrimmedCursorIsReportedNotSkipped) {
  std::string first = store_.Set("64.01", "k", 1);
  store_.Set("64.01", "k", 2);
  own_redis_.Cli(absl::StrCat("SET ks:{feed}:consumer:b:cursor ", first));
  RetentionOptions retention;
  retention.stream_key = testing::kStreamKey;
  retention.max_age = absl::Hours(1);
  ASSERT_TRUE(
      TrimOnce(producer_.pool(), retention, absl::Now() + absl::Hours(2)).ok());
  Consumer consumer(*own_, Options("b"));
  consumer.Start();
  ASSERT_TRUE(WaitFor([&] {
    return consumer.stats().last_error.code() == absl::StatusCode::kOutOfRange;
  }));
  EXPECT_NE(consumer.stats().last_error.message().find("after_cursor"),
            std::string::npos);
  EXPECT_EQ(consumer.stats().cursor, first);  // nothing skipped
  EXPECT_TRUE(MirrorState("b").empty());
  consumer.Stop();
}

TEST_F(ConsumerSnapshotTest, ANewConsumerStartsFromASnapshotAndRegisters) {
  for (int i = 0; i < 12; ++i) store_.Set("64.01", absl::StrCat("k", i % 5), i);
  ConsumerOptions options = Options("fresh");
  options.snapshot_on_first_start = true;
  options.refresh_interval = absl::Milliseconds(300);
  Consumer consumer(*own_, options);
  consumer.Start();
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().snapshots == 1; }));
  EXPECT_EQ(MirrorState("fresh"), ProducerState());
  // Snapshot effects count as applied: one per aggregate, not per change.
  EXPECT_EQ(consumer.stats().events_applied, 5);
  std::string last = store_.Set("64.01", "k0", 100);
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().cursor == last; }));
  // The refresh reopens the stream, so the producer learns our position.
  ASSERT_TRUE(WaitFor([&] {
    absl::StatusOr<redis::Reply> position = producer_.pool().Command(
        {"HGET", ConsumersKey(testing::kStreamKey), "svc-national/fresh"});
    return position.ok() && position->str == last;
  }));
  EXPECT_EQ(consumer.stats().snapshots, 1);  // a refresh is no new snapshot
  EXPECT_EQ(MirrorState("fresh"), ProducerState());
  consumer.Stop();
}

// ---- Consumers on a ConsumerPool (no thread of their own) ----

class ConsumerPoolTest : public ConsumerTest {
 protected:
  // A consumer of the harness' feed, on `pool`, with its own keys and its
  // own totals hash (so each one's effect is checked alone).
  ConsumerOptions Pooled(ConsumerPool& pool, int i) {
    ConsumerOptions options;
    options.key_prefix = absl::StrCat("ks:{feed}:consumer:pooled-", i);
    options.handler = [i](const Event& event) -> absl::StatusOr<RedisOps> {
      google::protobuf::Int64Value value;
      if (!event.payload().UnpackTo(&value)) {
        return absl::InvalidArgumentError("payload is not an Int64Value");
      }
      return RedisOps{{"HINCRBY", absl::StrCat(kTotals, ":", i),
                       event.regency_code(), absl::StrCat(value.value())}};
    };
    options.pool = &pool;
    options.async_stream = [this](grpc::ClientContext* context,
                                  const StreamEventsRequest& request,
                                  grpc::CompletionQueue* cq) {
      return producer_.stub().PrepareAsyncStreamEvents(context, request, cq);
    };
    options.initial_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(200);
    return options;
  }
  int64_t TotalOf(int i) {
    int64_t total = 0;
    return absl::SimpleAtoi(
               absl::StripAsciiWhitespace(own_redis_.Cli(
                   absl::StrCat("HGET ", kTotals, ":", i, " 64.01"))),
               &total)
               ? total
               : -1;
  }
};

TEST_F(ConsumerPoolTest, FewWorkersFollowManyFeedsExactlyOnce) {
  constexpr int kConsumers = 30;
  std::string last;
  for (int i = 1; i <= 10; ++i) last = producer_.Append(i);  // 55
  ConsumerPool pool(2);
  std::vector<std::unique_ptr<Consumer>> consumers;
  for (int i = 0; i < kConsumers; ++i) {
    consumers.push_back(std::make_unique<Consumer>(*own_, Pooled(pool, i)));
    consumers.back()->Start();
  }
  // One whose upstream is down (nothing listens on its port): it backs off
  // on its own and holds no worker.
  ConsumerOptions dead_options = Pooled(pool, kConsumers);
  auto dead_channel =
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  auto dead_stub = kerjasosial::testing::v1::TestFeed::NewStub(dead_channel);
  dead_options.async_stream = [&dead_stub](grpc::ClientContext* context,
                                           const StreamEventsRequest& request,
                                           grpc::CompletionQueue* cq) {
    return dead_stub->PrepareAsyncStreamEvents(context, request, cq);
  };
  Consumer dead(*own_, dead_options);
  dead.Start();
  EXPECT_EQ(pool.size(), kConsumers + 1);
  for (auto& c : consumers) ASSERT_TRUE(CaughtUpTo(*c, last));
  // Live events reach every consumer too.
  for (int i = 11; i <= 12; ++i) last = producer_.Append(i);  // +23
  for (auto& c : consumers) ASSERT_TRUE(CaughtUpTo(*c, last));
  for (int i = 0; i < kConsumers; ++i) {
    EXPECT_EQ(TotalOf(i), 78) << i;
    EXPECT_EQ(consumers[i]->stats().events_applied, 12) << i;
    EXPECT_TRUE(consumers[i]->stats().connected) << i;
  }
  EXPECT_FALSE(dead.stats().connected);
  EXPECT_EQ(dead.stats().last_error.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(TotalOf(kConsumers), -1);

  // Removing one (and the dead one) leaves the others following.
  consumers[0]->Stop();
  dead.Stop();
  EXPECT_EQ(pool.size(), kConsumers - 1);
  last = producer_.Append(100);
  for (int i = 1; i < kConsumers; ++i) {
    ASSERT_TRUE(CaughtUpTo(*consumers[i], last));
    EXPECT_EQ(TotalOf(i), 178) << i;
  }
  EXPECT_EQ(TotalOf(0), 78);
  // The stopped one, started again, resumes from its cursor: no gap, no
  // double effect.
  consumers[0] = std::make_unique<Consumer>(*own_, Pooled(pool, 0));
  consumers[0]->Start();
  ASSERT_TRUE(CaughtUpTo(*consumers[0], last));
  EXPECT_EQ(TotalOf(0), 178);
  for (auto& c : consumers) c->Stop();
  EXPECT_EQ(pool.size(), 0);
}

}  // namespace
}  // namespace ks::feed
