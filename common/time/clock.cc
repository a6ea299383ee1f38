#include "common/time/clock.h"

#include <string>

#include "absl/strings/str_format.h"
#include "common/status/rich_status.h"

namespace ks {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

Clock* SystemClock() {
  // Never destroyed, so it stays valid during static destruction of users.
  static RealClock* const clock = new RealClock();
  return clock;
}

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void FakeClock::Set(absl::Time now) {
  absl::MutexLock lock(&mu_);
  now_ = now;
}

void FakeClock::Advance(absl::Duration delta) {
  absl::MutexLock lock(&mu_);
  now_ += delta;
}

absl::CivilDay LocalDay(absl::Time t, absl::TimeZone zone) {
  return absl::ToCivilDay(t, zone);
}

absl::Time StartOfDay(absl::CivilDay day, absl::TimeZone zone) {
  // `trans` is the instant the wall clock first shows 00:00 of `day`, or the
  // transition instant if that time was skipped.
  return zone.At(absl::CivilSecond(day)).trans;
}

bool IsValidDate(const google::type::Date& date) {
  if (date.year() < 1 || date.year() > 9999) return false;
  if (date.month() < 1 || date.month() > 12) return false;
  if (date.day() < 1 || date.day() > 31) return false;
  // CivilDay normalises out-of-range days (31 April -> 1 May); a date is
  // valid exactly when normalisation leaves it unchanged.
  const absl::CivilDay day(date.year(), date.month(), date.day());
  return day.year() == date.year() && day.month() == date.month() &&
         day.day() == date.day();
}

absl::StatusOr<absl::CivilDay> CivilDayFromDate(const google::type::Date& date,
                                                absl::string_view field) {
  if (!IsValidDate(date)) {
    return InvalidArgumentError(
        {{std::string(field),
          absl::StrFormat("%04d-%02d-%02d is not a "
                          "valid calendar date "
                          "(year 1-9999)",
                          date.year(), date.month(), date.day())}});
  }
  return absl::CivilDay(date.year(), date.month(), date.day());
}

google::type::Date DateFromCivilDay(absl::CivilDay day) {
  google::type::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

}  // namespace ks
