// Consumer: follows another deployment's event feed (its StreamEvents) and
// applies each event's effect to this deployment's own Redis exactly once.
//
// Exactly-once effect over at-least-once delivery: the handler turns an event
// into a list of Redis commands (its effect); one Lua script then, in one
// atomic step, checks that the event's cursor is newer than the stored cursor
// and that its event id was not applied before (a window of recent ids), and
// only then runs the commands and stores the new cursor. A crash between
// effect and cursor is impossible, so a redelivered event (a restart, a
// server replaying from an older cursor) is counted as a duplicate and has no
// effect, and no event is lost (the cursor only moves with its effect).
//
// Keys in the consumer's Redis (all under options.key_prefix):
//   <prefix>:cursor  the cursor of the last event handled (string);
//   <prefix>:seen    recent event ids (sorted set, newest seen_window kept);
//   <prefix>:dead    dead letters (stream: cursor, event_id, reason, event).
//
// Error policy:
//   - Handler returns UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED or
//     RESOURCE_EXHAUSTED: transient. Nothing is written; the consumer drops
//     the stream, backs off and resumes from the stored cursor.
//   - Handler returns any other error (e.g. an unparseable payload):
//     permanent. The event is written to <prefix>:dead and the cursor moves
//     past it in the same atomic step; counted in events_dead_lettered and
//     last_error. The feed never wedges on one bad event.
//   - A command of the effect fails inside Redis (e.g. WRONGTYPE): Redis
//     scripts do not roll back, so the commands before it stay applied; the
//     rest are skipped, the event is dead-lettered with the Redis error and
//     the cursor moves on (never applied twice). Effects should therefore be
//     written so each command is valid for its key's type.
//   - The upstream or the own Redis is down: reconnect with exponential
//     backoff and full jitter, from the stored cursor.
//   - The upstream trimmed past the stored cursor (OUT_OF_RANGE,
//     FEED_CURSOR_TRIMMED): with `snapshot_when_trimmed`, the next stream
//     asks for a snapshot; otherwise the error is recorded and retried.
//
// Snapshots (ConsumerOptions::snapshot_*): the handler then also receives
// snapshot events (Event.snapshot true: an aggregate's current state, no
// cursor). Their effects are applied without moving the cursor or touching
// the seen window; the closing SnapshotComplete stores its cursor, and the
// stream continues from there. A crash mid-snapshot leaves the old cursor,
// so the next start takes a new snapshot: handlers must therefore apply an
// aggregate's state only when its aggregate_version is newer than the one
// they hold (which the feed's per-aggregate order asks of them anyway).
//
// Retention: with `consumer_id` the upstream keeps the feed above the cursor
// this consumer resumes from (common/feed/retention.h). That position moves
// when the consumer reconnects, so the stream is reopened every
// `refresh_interval`.
//
// Each effect command must be a Redis command whose first argument is its
// key ({"HINCRBY", key, field, "3"}); that key is declared to the script.
//
// Threads: by default each consumer has its own thread. With
// ConsumerOptions::pool (and async_stream) it has none: a ConsumerPool's
// fixed workers multiplex many consumers' streams (consumer_pool.h), so
// hundreds of upstreams cost a bounded number of threads. Both drivers run
// the same steps below (request, event, end of stream, backoff).
//
// Thread-safe: Start/Stop/stats from any thread. The handler runs on the
// consumer's own thread (or its pool worker), one event at a time, in feed
// order.
#ifndef KS_COMMON_FEED_CONSUMER_H_
#define KS_COMMON_FEED_CONSUMER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/feed/cursor.h"
#include "common/redis/client.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/async_stream.h"
#include "grpcpp/support/sync_stream.h"
#include "kerjasosial/common/v1/event.pb.h"

namespace ks::feed {

// Opens one StreamEvents call of the upstream on `context`. Any service's
// stub fits:
//   [stub](grpc::ClientContext* c, const StreamEventsRequest& r) {
//     return stub->StreamEvents(c, r);
//   }
using StreamFactory = std::function<std::unique_ptr<
    grpc::ClientReaderInterface<kerjasosial::common::v1::Event>>(
    grpc::ClientContext*, const kerjasosial::common::v1::StreamEventsRequest&)>;

// The same, asynchronous (for a ConsumerPool): prepares one StreamEvents
// call on `cq` without starting it (the stub's PrepareAsyncStreamEvents).
using AsyncStreamFactory = std::function<std::unique_ptr<
    grpc::ClientAsyncReaderInterface<kerjasosial::common::v1::Event>>(
    grpc::ClientContext*, const kerjasosial::common::v1::StreamEventsRequest&,
    grpc::CompletionQueue*)>;

class ConsumerPool;

// Redis commands, each {name, key, args...}.
using RedisOps = std::vector<std::vector<std::string>>;

// The effect of one event. See the error policy above.
using Handler = std::function<absl::StatusOr<RedisOps>(
    const kerjasosial::common::v1::Event&)>;

struct ConsumerOptions {
  // Required. Prefix of the consumer's keys, e.g.
  // "ks:{feed}:reporting:cases-6401".
  std::string key_prefix;
  // Required.
  StreamFactory stream;
  // Required.
  Handler handler;
  // Optional. Passed as StreamEventsRequest.regency_codes.
  std::vector<std::string> regency_codes;
  // Optional. Passed as StreamEventsRequest.event_types.
  std::vector<std::string> event_types;
  // Optional. Passed as StreamEventsRequest.consumer_id: registers this
  // consumer's position with the upstream's retention.
  std::string consumer_id;
  // Rebuild through a snapshot when the upstream trimmed past our cursor.
  bool snapshot_when_trimmed = false;
  // Start from a snapshot when no cursor is stored yet (a new deployment),
  // instead of replaying the whole retained feed.
  bool snapshot_on_first_start = false;
  // Reopen the stream this often, so the upstream records our progress
  // (consumer_id). Zero: keep one stream as long as it lasts.
  absl::Duration refresh_interval = absl::Minutes(10);
  // Recent event ids remembered for deduplication.
  int seen_window = 100000;
  // Dead letters kept (approximately, MAXLEN ~).
  int dead_letter_max = 10000;
  // Reconnect delay: a random duration in [backoff/2, backoff]; backoff
  // doubles per failed attempt up to max_backoff and resets after an event
  // is applied.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(10);
  // Optional. Per-call metadata (e.g. the bearer token) and deadline are set
  // by this hook on each new ClientContext.
  std::function<void(grpc::ClientContext*)> configure_context;
  // Optional, together: run on `pool`'s workers instead of an own thread,
  // streaming through `async_stream` (then `stream` is not used). The pool
  // must outlive the consumer.
  ConsumerPool* pool = nullptr;
  AsyncStreamFactory async_stream;
};

struct ConsumerStats {
  // Cursor of the last event handled (stored in the own Redis); "" if none.
  std::string cursor;
  int64_t events_applied = 0;        // effects applied (this process)
  int64_t events_duplicate = 0;      // redelivered, skipped without effect
  int64_t events_dead_lettered = 0;  // permanent failures recorded
  int64_t snapshots = 0;             // snapshots completed (this process)
  int64_t reconnects = 0;            // streams opened after the first
  // event_time of the last event handled; InfinitePast if none yet.
  absl::Time last_event_time = absl::InfinitePast();
  // How far behind the upstream the consumer was when it handled its last
  // event: handling time - event_time (not growing while the feed is idle).
  absl::Duration lag = absl::ZeroDuration();
  // A stream is open and the upstream answered it.
  bool connected = false;
  // The last failure (upstream, own Redis or handler); OK if none yet.
  absl::Status last_error;
};

class Consumer {
 public:
  // `store` is the consumer's own Redis; it must outlive the Consumer.
  Consumer(redis::Pool& store, ConsumerOptions options);
  // Calls Stop().
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Starts the consumer's thread (or hands it to its pool). Calling it
  // twice is a no-op.
  void Start();
  // Cancels the open stream, wakes a backoff and joins the thread (or waits
  // until its pool let it go). The event being applied finishes first (its
  // script is atomic). Idempotent.
  void Stop();

  ConsumerStats stats() const;

 private:
  // Counts the event by outcome and sets the lag gauges in the process-wide
  // metrics registry (served on /metrics).
  void ExportMetrics(long long code,
                     const kerjasosial::common::v1::Event& event,
                     absl::Time now);

  enum class Outcome { kApplied, kDuplicate, kDeadLettered };
  friend class ConsumerPool;

  bool pooled() const;
  void Run();
  // One stream, from the stored cursor until it ends or fails.
  absl::Status ConsumeOnce(bool* progressed);

  // The steps of one stream, shared by the own thread (ConsumeOnce) and a
  // ConsumerPool's workers:
  //   BeginAttempt, NextRequest, PrepareContext, (SetConnected, OnEvent)*,
  //   EndStream, AfterAttempt -> wait that long, again.
  void BeginAttempt();
  // Sets the caller's hook and the refresh deadline; returns whether the
  // deadline is our own refresh (its DEADLINE_EXCEEDED is no failure).
  bool PrepareContext(grpc::ClientContext* context) const;
  void SetConnected(bool connected);
  // One event read from the stream; an error ends the stream. `known` is
  // the newest cursor handled on this stream.
  absl::Status OnEvent(const kerjasosial::common::v1::Event& event,
                       StreamId* known, bool* progressed);
  // The stream's outcome, from the handler's `failure` (if any) and the
  // server's status.
  absl::Status EndStream(const absl::Status& failure,
                         const grpc::Status& finished, bool refreshing);
  // Records a failure and returns how long to wait before the next stream
  // (exponential backoff with jitter, reset by progress).
  absl::Duration AfterAttempt(const absl::Status& status, bool progressed);
  // The stored cursor and whether to ask for a snapshot instead of it.
  absl::StatusOr<kerjasosial::common::v1::StreamEventsRequest> NextRequest();
  // Stores a SnapshotComplete's cursor: the state now stands at it.
  absl::Status CompleteSnapshot(const kerjasosial::common::v1::Event& event);
  absl::StatusOr<Outcome> Handle(const kerjasosial::common::v1::Event& event);
  absl::StatusOr<Outcome> Commit(const kerjasosial::common::v1::Event& event,
                                 const RedisOps& ops,
                                 const std::string& dead_reason);
  void RecordError(absl::Status status);
  bool stopping() const;

  redis::Pool& store_;
  const ConsumerOptions options_;
  const std::string cursor_key_;
  const std::string seen_key_;
  const std::string dead_key_;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  ConsumerStats stats_ ABSL_GUARDED_BY(mu_);
  // Consumer thread (or its pool worker) only: the upstream said our cursor
  // was trimmed; the attempts so far; the current backoff.
  bool cursor_trimmed_ = false;
  bool attempted_ = false;
  absl::Duration backoff_;
  absl::BitGen random_;
  std::thread thread_;
};

}  // namespace ks::feed

#endif  // KS_COMMON_FEED_CONSUMER_H_
