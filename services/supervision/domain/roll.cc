#include "services/supervision/domain/roll.h"

#include "common/time/clock.h"
#include "services/supervision/domain/planner.h"

namespace ks::supervision::domain {

bool ExpectedOn(const ::kerjasosial::placements::v1::PlacementFacts& facts,
                const std::vector<ActiveInterval>& active, absl::CivilDay day,
                absl::TimeZone zone) {
  if (facts.period().has_start_date()) {
    absl::StatusOr<absl::CivilDay> first =
        CivilDayFromDate(facts.period().start_date());
    if (first.ok() && day < *first) return false;
  }
  if (facts.period().has_end_date()) {
    absl::StatusOr<absl::CivilDay> last =
        CivilDayFromDate(facts.period().end_date());
    if (last.ok() && day > *last) return false;
  }
  const absl::Time from = StartOfDay(day, zone);
  const absl::Time until = StartOfDay(day + 1, zone);
  bool was_active = false;
  for (const ActiveInterval& i : active) {
    if (i.from < until && (!i.until || *i.until > from)) was_active = true;
  }
  if (!was_active) return false;
  for (const auto& slot : facts.schedule().slots()) {
    if (slot.weekday() == WeekdayOf(day) &&
        slot.end_minute() > slot.start_minute()) {
      return true;
    }
  }
  return false;
}

}  // namespace ks::supervision::domain
