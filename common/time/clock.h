// Time for the domain: an injectable clock and the conversions between
// instants, local civil days and google.type.Date.
//
// Every component that needs "now" takes a `const Clock&` so tests drive time
// with a FakeClock instead of sleeping. Local days are always computed in an
// IANA zone passed by the caller — for the domain that is the zone of the work
// site's regency (DESIGN R14, common/regions), never one derived from a NIK.
//
// Thread safety: SystemClock() and FakeClock are safe to use from any thread;
// the free functions are pure.
#ifndef KS_COMMON_TIME_CLOCK_H_
#define KS_COMMON_TIME_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/type/date.pb.h"

namespace ks {

// A source of the current instant.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The process-wide real-time clock (absl::Now()). Never null; not owned.
Clock* SystemClock();

// A clock that only moves when told to. Thread-safe.
//
// Example:
//   FakeClock clock(absl::FromUnixSeconds(1767312000));
//   clock.Advance(absl::Hours(8));
class FakeClock : public Clock {
 public:
  // Starts at the Unix epoch.
  FakeClock() : FakeClock(absl::UnixEpoch()) {}
  explicit FakeClock(absl::Time now) : now_(now) {}
  FakeClock(const FakeClock&) = delete;
  FakeClock& operator=(const FakeClock&) = delete;

  absl::Time Now() const override;
  void Set(absl::Time now);
  // Moves the clock by `delta`; a negative delta moves it back (to test clock
  // steps).
  void Advance(absl::Duration delta);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// The local calendar day of `t` in `zone`.
absl::CivilDay LocalDay(absl::Time t, absl::TimeZone zone);

// The first instant of `day` in `zone` (local midnight; if a zone skipped
// midnight, the first instant of the day after the skip).
absl::Time StartOfDay(absl::CivilDay day, absl::TimeZone zone);

// True if `date` is a whole calendar date: year 1..9999, month 1..12 and a day
// that exists in that month (29 February only in leap years).
bool IsValidDate(const google::type::Date& date);

// google.type.Date -> absl::CivilDay. INVALID_ARGUMENT (a google.rpc.BadRequest
// naming `field`) when the date is not a whole valid date.
absl::StatusOr<absl::CivilDay> CivilDayFromDate(
    const google::type::Date& date, absl::string_view field = "date");

// absl::CivilDay -> google.type.Date. `day` must lie in years 1..9999.
google::type::Date DateFromCivilDay(absl::CivilDay day);

}  // namespace ks

#endif  // KS_COMMON_TIME_CLOCK_H_
