// Sortable unique ids for every resource and event.
//
// Layout (ULID): 48 bits of Unix time in milliseconds, then 80 random bits;
// encoded as 26 characters of lowercase Crockford base32
// ("0123456789abcdefghjkmnpqrstvwxyz"), lowercase because AIP resource ids are
// `[a-z0-9-]`. Ids sort (as strings) by creation time; ids made by one
// generator are strictly increasing, even within one millisecond or when the
// clock steps back: the generator then increments the previous id's random
// part instead of drawing a new one.
//
// Randomness comes from OpenSSL's CSPRNG (RAND_bytes), so ids are not
// guessable from one another except inside a same-millisecond run.
//
// Thread safety: IdGenerator and NewId() may be called from any thread.
#ifndef KS_COMMON_IDS_ID_H_
#define KS_COMMON_IDS_ID_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/time/clock.h"

namespace ks::ids {

// Length of every id.
inline constexpr int kIdLength = 26;

// Makes ids from a clock. Non-copyable: the monotonic state belongs to one
// generator.
class IdGenerator {
 public:
  // `clock` must outlive the generator; not owned.
  explicit IdGenerator(const Clock* clock = SystemClock()) : clock_(clock) {}
  IdGenerator(const IdGenerator&) = delete;
  IdGenerator& operator=(const IdGenerator&) = delete;

  // A new id, greater than every id this generator returned before.
  std::string Next();

 private:
  const Clock* const clock_;
  absl::Mutex mu_;
  uint64_t last_ms_ ABSL_GUARDED_BY(mu_) = 0;
  uint16_t last_hi_ ABSL_GUARDED_BY(mu_) = 0;  // top 16 of the 80 random bits
  uint64_t last_lo_ ABSL_GUARDED_BY(mu_) = 0;  // low 64 of the 80 random bits
  bool has_last_ ABSL_GUARDED_BY(mu_) = false;
};

// A new id from the process-wide generator on the system clock.
//
// Example:
//   std::string case_id = ks::ids::NewId();  // "01kdz3q8d5x0m6t9c2a7b4e1fh"
std::string NewId();

// An id that is a function of its arguments: the time part is `time`'s
// milliseconds, the 80 other bits come from SHA-256 of `seed`. For a
// resource a retried request must name identically without having stored
// anything yet (e.g. a group session whose work sessions are committed, one
// by one, before the group itself): the same (time, seed) always gives the
// same id, and distinct seeds give distinct ids with overwhelming
// probability. It sorts by `time` like any other id.
std::string DerivedId(absl::Time time, absl::string_view seed);

// True if `id` is 26 lowercase Crockford base32 characters whose value fits
// 128 bits (first character 0-7).
bool IsValidId(absl::string_view id);

// The creation time (millisecond precision) encoded in `id`.
// INVALID_ARGUMENT if `id` is not a valid id.
absl::StatusOr<absl::Time> IdTime(absl::string_view id);

}  // namespace ks::ids

#endif  // KS_COMMON_IDS_ID_H_
