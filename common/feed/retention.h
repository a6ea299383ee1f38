// Feed retention: the publisher keeps the positions of its registered
// consumers and trims its feed stream below the slowest of them, with an
// optional age cap.
//
// The rule:
//   - A consumer registers by calling StreamEvents with a `consumer_id`. Each
//     such call records, under "<principal id>/<consumer_id>", the cursor the
//     consumer resumes from (its `after_cursor`: what it has applied; in
//     snapshot mode the snapshot's cursor), clamped to the feed's head so a
//     made-up future cursor cannot let everything be trimmed. A consumer
//     advances its recorded position only by reconnecting.
//   - TrimOnce removes the entries strictly older than
//       floor = max(slowest registered position, now - max_age)
//     where the consumer term is absent when no consumer is registered and
//     the age term when max_age is zero. With neither, nothing is trimmed.
//     So retention never trims above the slowest registered consumer unless
//     the age cap says so.
//   - The newest entry removed is recorded ("trimmed through"). A stream that
//     would have to deliver an event after a cursor older than that (an
//     empty cursor included) ends with OUT_OF_RANGE (reason
//     FEED_CURSOR_TRIMMED) instead of skipping the gap silently; the client
//     rebuilds through snapshot mode.
//
// Keys (next to the stream, in its hash slot):
//   <stream>:consumers  hash "<principal>/<consumer_id>" -> cursor;
//   <stream>:trimmed    the id of the newest entry ever trimmed.
//
// Thread-safety: the functions are thread-safe; Trimmer's methods may be
// called from any thread.
#ifndef KS_COMMON_FEED_RETENTION_H_
#define KS_COMMON_FEED_RETENTION_H_

#include <cstdint>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/redis/client.h"

namespace ks::feed {

// ErrorInfo reason of a cursor whose following events were trimmed.
inline constexpr absl::string_view kReasonCursorTrimmed = "FEED_CURSOR_TRIMMED";

std::string ConsumersKey(absl::string_view stream_key);
std::string TrimmedKey(absl::string_view stream_key);

// True if `id` is a valid consumer_id: 1..64 characters of [A-Za-z0-9._-].
bool IsValidConsumerId(absl::string_view id);

// Records `cursor` ("<ms>-<seq>", "0-0" for "nothing applied yet") as the
// position of consumer `field` ("<principal>/<consumer_id>"), clamped to
// the stream's head. Runs on `redis` (the caller's connection).
absl::Status RegisterConsumer(redis::Connection& redis,
                              absl::string_view stream_key,
                              absl::string_view field,
                              absl::string_view cursor);

// The id of the newest trimmed entry, or "" if nothing was ever trimmed.
absl::StatusOr<std::string> TrimmedThrough(redis::Connection& redis,
                                           absl::string_view stream_key);

// OUT_OF_RANGE (ErrorInfo FEED_CURSOR_TRIMMED, BadRequest on `after_cursor`)
// for a stream that would resume after `cursor` ("0-0": from the start) while
// entries up to `trimmed_through` are gone.
absl::Status CursorTrimmedError(absl::string_view cursor,
                                absl::string_view trimmed_through);

struct RetentionOptions {
  // Required. The feed stream (the outbox's).
  std::string stream_key;
  // Entries older than this are trimmed even if a registered consumer still
  // needs them (it then rebuilds through a snapshot). Zero: no age cap.
  // The deployment's policy carries the default.
  absl::Duration max_age = absl::ZeroDuration();
  // How often Trimmer runs TrimOnce.
  absl::Duration interval = absl::Minutes(1);
};

struct TrimResult {
  std::string floor;    // entries older than this id were removed; "" = none
  int64_t removed = 0;  // entries removed by this call
};

// One trimming pass (see the rule above), atomic in one Lua script.
// UNAVAILABLE when Redis is unreachable.
absl::StatusOr<TrimResult> TrimOnce(redis::Pool& pool,
                                    const RetentionOptions& options,
                                    absl::Time now);

// Runs TrimOnce every options.interval on its own thread; failures are
// logged and retried at the next interval.
class Trimmer {
 public:
  // `pool` must outlive the Trimmer.
  Trimmer(redis::Pool& pool, RetentionOptions options);
  // Calls Stop().
  ~Trimmer();
  Trimmer(const Trimmer&) = delete;
  Trimmer& operator=(const Trimmer&) = delete;

  void Start();
  // Wakes the thread and joins it; a pass in progress finishes first (one
  // script, bounded by the Redis command timeout). Idempotent.
  void Stop();

 private:
  void Run();

  redis::Pool& pool_;
  const RetentionOptions options_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace ks::feed

#endif  // KS_COMMON_FEED_RETENTION_H_
