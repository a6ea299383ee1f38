// FeedServer: the server side of every service's `StreamEvents`. It replays a
// Redis Stream (the service's outbox feed) after the caller's cursor, then
// follows it live, one gRPC server-streaming call per reactor.
//
// Guarantees:
//   - Order: events are sent in stream order, which is the order the
//     contract promises per aggregate (event.proto "Ordering"); one stream is
//     the simplest valid implementation. `Event.cursor` is the stream entry
//     id, so a client that resumes after the last cursor it applied misses
//     nothing (at-least-once delivery) — or, if retention trimmed past it,
//     is told so (OUT_OF_RANGE, retention.h) instead of a gap.
//   - Scope: a stream carries only events of regencies inside the reader's
//     scope (its explicit `regency_codes`, each checked against the scope, or
//     the whole scope), plus deployment-level events that have no regency
//     (e.g. audit checkpoints: they carry no personal data, and every
//     consumer needs them to verify what it holds).
//   - Filters: `event_types` keeps only the named types (exact names, each
//     one the server's protobuf pool knows, so a typo is INVALID_ARGUMENT
//     rather than a silently empty feed).
//   - Snapshot (`snapshot`, with a SnapshotSource): takes the head cursor H,
//     sends the source's aggregates (snapshot events, no cursor), then a
//     SnapshotComplete carrying H, then continues after H, skipping replayed
//     events whose aggregate version the snapshot already sent (held in
//     memory, one entry per sent aggregate, until the replay passes the head
//     seen at the snapshot's end).
//   - Retention: a request with `consumer_id` registers the position it
//     resumes from (retention.h); the FeedServer only records it, a Trimmer
//     trims.
//   - Bounded memory: each stream holds at most one batch (`batch_size`
//     entries) read from Redis; the reader waits for the client to take it
//     (gRPC flow control) before reading the next, so a slow client slows its
//     own stream down and never makes the server buffer the feed.
//   - No blocking on gRPC's threads: each active stream has one reader
//     thread and one dedicated Redis connection (not taken from the service's
//     pool, so idle followers can never starve the service's own writes). At
//     most `max_streams` streams run at once; beyond that the call ends with
//     RESOURCE_EXHAUSTED.
//   - Ends: cancellation and the call's deadline end the stream within one
//     `block` period; Redis failing mid-stream ends it with UNAVAILABLE (the
//     client resumes from its cursor); StopStreams() ends every stream with
//     UNAVAILABLE within `block` + `drain` whatever the client does: a
//     stream whose client stopped reading (a write stuck on HTTP/2 flow
//     control) is cancelled server-side after `drain`.
//
// An entry without a parsable `kEventField` (never written by the outbox) is
// still sent, as an Event carrying only its cursor and source, so consumers
// dead-letter it visibly instead of the feed dropping or wedging on it.
//
// Thread-safe. The FeedServer must outlive the gRPC server's use of Stream();
// its destructor calls Shutdown(), so no reactor outlives it.
//
// Example (a service's handler; server::Runtime::StreamEvents does this):
//   grpc::ServerWriteReactor<Event>* StreamEvents(
//       grpc::CallbackServerContext* context,
//       const StreamEventsRequest* request) override {
//     absl::StatusOr<auth::Principal> who = auth_.Authorize(*context, {...});
//     if (!who.ok()) return ks::feed::FinishedStream(ToGrpcStatus(...));
//     return feed_.Stream(context, request, *who);
//   }
#ifndef KS_COMMON_FEED_FEED_SERVER_H_
#define KS_COMMON_FEED_FEED_SERVER_H_

#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/feed/snapshot.h"
#include "common/redis/client.h"
#include "common/status/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "kerjasosial/common/v1/event.pb.h"

namespace ks::feed {

// The field of each stream entry that holds the serialized
// kerjasosial.common.v1.Event (written by common/outbox with XADD). Must equal
// ks::outbox::kEventField; kept here so the feed does not depend on the outbox.
inline constexpr absl::string_view kEventField = "event";

struct FeedServerOptions {
  // Required. The Redis Stream the outbox appends to.
  std::string stream_key;
  // Required. This deployment's id; set as Event.source when the stored
  // event has none.
  std::string source;
  // Entries read from Redis per round trip, and the most a stream buffers.
  int batch_size = 256;
  // Longest XREAD BLOCK: how late a stream notices cancellation or Shutdown.
  absl::Duration block = absl::Milliseconds(500);
  // Most concurrent streams (each holds a thread and a Redis connection).
  int max_streams = 64;
  // On StopStreams, how long a write already in flight may take before the
  // call is cancelled server-side (a client that stopped reading).
  absl::Duration drain = absl::Milliseconds(500);
  // Optional (not owned; must outlive the FeedServer). What snapshot mode
  // enumerates; null: snapshot requests are UNIMPLEMENTED. May also be set
  // later with SetSnapshotSource.
  SnapshotSource* snapshot_source = nullptr;
};

class FeedServer {
 public:
  // `pool` is the service's Redis; streams connect with pool.options().
  // Both must outlive the FeedServer.
  FeedServer(redis::Pool& pool, FeedServerOptions options);
  // Calls Shutdown().
  ~FeedServer();
  FeedServer(const FeedServer&) = delete;
  FeedServer& operator=(const FeedServer&) = delete;

  // The reactor for one StreamEvents call of `reader` (already
  // authenticated and authorised for the feed); gRPC owns it until its
  // OnDone. Finishes with INVALID_ARGUMENT naming the field (after_cursor,
  // regency_codes[i], event_types[i], consumer_id), PERMISSION_DENIED
  // (REGENCY_OUT_OF_SCOPE) for a requested regency outside the reader's
  // scope, UNIMPLEMENTED for a snapshot without a SnapshotSource,
  // OUT_OF_RANGE (FEED_CURSOR_TRIMMED) for a trimmed cursor,
  // RESOURCE_EXHAUSTED beyond max_streams, UNAVAILABLE after StopStreams()
  // or when Redis is unreachable, OK after the replay when `stop_at_end` is
  // set. Never blocks.
  grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* Stream(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request,
      const auth::Principal& reader);

  // Offers snapshot mode from now on (streams already open keep what they
  // had). `source` is not owned and must outlive the FeedServer. For
  // services whose source needs objects made after the FeedServer (e.g. the
  // Runtime's Redis pool).
  void SetSnapshotSource(SnapshotSource* source);

  // The cursor of the newest event, or "" when the feed is empty.
  // UNAVAILABLE when Redis is unreachable.
  absl::StatusOr<std::string> Head();

  // Asks every active stream to end (UNAVAILABLE, "server shutting down")
  // and refuses new ones; returns at once. Each stream then ends within
  // `block` + `drain`, a stalled client's by server-side cancellation.
  // What a server's shutdown calls first, so the feed never holds it.
  void StopStreams();

  // StopStreams(), then waits until every reactor is done. Idempotent.
  void Shutdown();

  // Streams whose reactor has not yet seen OnDone.
  int active_streams() const;

 private:
  class StreamReactor;
  friend class StreamReactor;
  void Unregister(StreamReactor* reactor);

  redis::Pool& pool_;
  const FeedServerOptions options_;
  mutable absl::Mutex mu_;
  std::set<StreamReactor*> streams_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  SnapshotSource* snapshot_source_ ABSL_GUARDED_BY(mu_);
};

// A reactor that finishes at once with `status`: what a handler returns when
// its own checks (authentication, scope) refuse the call.
grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* FinishedStream(
    grpc::Status status);

}  // namespace ks::feed

#endif  // KS_COMMON_FEED_FEED_SERVER_H_
