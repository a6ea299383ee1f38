// FeedServer: the server side of every service's `StreamEvents`. It replays a
// Redis Stream (the service's outbox feed) after the caller's cursor, then
// follows it live, one gRPC server-streaming call per reactor.
//
// Guarantees:
//   - Order: events are sent in stream order; `Event.cursor` is the stream
//     entry id, so a client that resumes after the last cursor it applied
//     misses nothing (at-least-once delivery).
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
//     client resumes from its cursor); Shutdown() ends every stream with
//     UNAVAILABLE and waits for their reactors to be gone.
//
// An entry without a parsable `kEventField` (never written by the outbox) is
// still sent, as an Event carrying only its cursor and source, so consumers
// dead-letter it visibly instead of the feed dropping or wedging on it.
//
// Thread-safe. The FeedServer must outlive the gRPC server's use of Stream();
// its destructor calls Shutdown(), so no reactor outlives it.
//
// Example (a service's handler):
//   grpc::ServerWriteReactor<Event>* StreamEvents(
//       grpc::CallbackServerContext* context,
//       const StreamEventsRequest* request) override {
//     if (absl::Status s = auth_.Check(context, ...); !s.ok())
//       return ks::feed::FinishedStream(ks::ToGrpcStatus(s));
//     return feed_.Stream(context, request);
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
#include "common/redis/client.h"
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

  // The reactor for one StreamEvents call; gRPC owns it until its OnDone.
  // Finishes with INVALID_ARGUMENT (naming `after_cursor`) for a malformed
  // cursor, RESOURCE_EXHAUSTED beyond max_streams, UNAVAILABLE after
  // Shutdown() or when Redis is unreachable, OK after the replay when
  // `stop_at_end` is set. Never blocks.
  grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* Stream(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request);

  // The cursor of the newest event, or "" when the feed is empty.
  // UNAVAILABLE when Redis is unreachable.
  absl::StatusOr<std::string> Head();

  // Ends every active stream (UNAVAILABLE, "server shutting down"), refuses
  // new ones, and returns once every reactor is done. Idempotent. A stream
  // blocked on a client that stopped reading ends when gRPC cancels it (the
  // grpc::Server's own Shutdown with a deadline does).
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
};

// A reactor that finishes at once with `status`: what a handler returns when
// its own checks (authentication, scope) refuse the call.
grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* FinishedStream(
    grpc::Status status);

}  // namespace ks::feed

#endif  // KS_COMMON_FEED_FEED_SERVER_H_
