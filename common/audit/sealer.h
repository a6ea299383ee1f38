// Sealer: the service's background job that hashes the audit trail (Seal()
// in audit.h) and signs, stores and publishes checkpoints.
//
// One pass (RunOnce): seal every unsealed entry, in batches; then, if a
// signer is set and the sealed head is at least `checkpoint_every` entries
// past the last checkpoint or `checkpoint_interval` has passed since it,
// sign a checkpoint of the sealed head and commit it through the outbox:
// ZADD to <prefix>audit:checkpoints and one feed event (event_type
// "kerjasosial.common.v1.AuditCheckpoint", payload the AuditCheckpoint), in
// one atomic step with request id "audit-checkpoint:<sequence>", so a retry
// after a lost reply writes it once. Checkpoints get no audit entry of their
// own: they would never stop making work for the next pass.
//
// Without a signer (no --audit_key_file: development) entries are sealed but
// no checkpoint is made, and the trail is then only as trustworthy as
// Redis' access control; Runtime logs a warning at start.
//
// Several replicas of one service may each run a sealer: Seal() is a
// compare-and-set on the head, and a checkpoint's request id is its
// sequence.
//
// Thread-safe: Start/Stop from any thread; RunOnce must not run
// concurrently with the background thread (tests call it without Start).
#ifndef KS_COMMON_AUDIT_SEALER_H_
#define KS_COMMON_AUDIT_SEALER_H_

#include <cstdint>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/audit/checkpoint.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"

namespace ks::audit {

// Event type (and aggregate type) of a published checkpoint.
inline constexpr absl::string_view kCheckpointEventType =
    "kerjasosial.common.v1.AuditCheckpoint";

struct SealerOptions {
  // A checkpoint at least every this many entries...
  int checkpoint_every = 1000;
  // ...and at least this often while entries keep coming.
  absl::Duration checkpoint_interval = absl::Seconds(60);
  // Pause between passes of the background thread.
  absl::Duration poll_interval = absl::Milliseconds(200);
  // Entries read and sealed per Seal() call.
  int batch = 512;
};

class Sealer {
 public:
  // `writer` (its key prefix names the trail) and `pool` must outlive the
  // sealer; `signer` may be null (no checkpoints) and must outlive it too.
  Sealer(redis::Pool& pool, outbox::Writer& writer,
         const CheckpointSigner* signer, SealerOptions options);
  ~Sealer();  // Stop()s
  Sealer(const Sealer&) = delete;
  Sealer& operator=(const Sealer&) = delete;

  struct Pass {
    int64_t sealed_sequence = 0;
    int64_t newly_sealed = 0;
    int64_t checkpoint_sequence = 0;  // 0: no checkpoint made by this pass
  };
  // One pass at time `now` (see above). Errors are those of Seal() and of
  // outbox::Writer::Commit(); what was sealed before an error stays sealed.
  absl::StatusOr<Pass> RunOnce(absl::Time now);

  // Starts the background thread (once). It logs failures and retries at
  // the next poll.
  void Start();
  // Stops and joins the thread. Idempotent. Unsealed entries stay for the
  // next sealer.
  void Stop();

 private:
  void Loop();
  absl::Status LoadLastCheckpoint();

  redis::Pool& pool_;
  outbox::Writer& writer_;
  const CheckpointSigner* const signer_;
  const SealerOptions options_;

  // Touched only by RunOnce (one caller at a time).
  bool loaded_ = false;
  int64_t last_checkpoint_sequence_ = 0;
  absl::Time last_checkpoint_time_ = absl::InfinitePast();

  absl::Mutex mu_;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
  absl::Notification stop_;
};

}  // namespace ks::audit

#endif  // KS_COMMON_AUDIT_SEALER_H_
