#include "services/supervision/domain/planner.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/time/clock.h"

namespace ks::supervision::domain {

namespace cv1 = ::kerjasosial::common::v1;

// absl's weekday as the proto's.
cv1::Weekday WeekdayOf(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return cv1::WEEKDAY_MONDAY;
    case absl::Weekday::tuesday:
      return cv1::WEEKDAY_TUESDAY;
    case absl::Weekday::wednesday:
      return cv1::WEEKDAY_WEDNESDAY;
    case absl::Weekday::thursday:
      return cv1::WEEKDAY_THURSDAY;
    case absl::Weekday::friday:
      return cv1::WEEKDAY_FRIDAY;
    case absl::Weekday::saturday:
      return cv1::WEEKDAY_SATURDAY;
    case absl::Weekday::sunday:
      return cv1::WEEKDAY_SUNDAY;
  }
  return cv1::WEEKDAY_UNSPECIFIED;
}

Plan PlanRemaining(const CreditRules& rules,
                   const std::vector<SessionInput>& done,
                   const cv1::WeeklySchedule& schedule, absl::TimeZone zone,
                   absl::CivilDay from) {
  std::vector<SessionInput> all = done;
  const absl::CivilDay last = LocalDay(*rules.deadline, zone);
  int n = 0;
  for (absl::CivilDay day = from; day <= last; ++day) {
    const absl::Time midnight = StartOfDay(day, zone);
    for (const cv1::ScheduleSlot& slot : schedule.slots()) {
      if (slot.weekday() != WeekdayOf(day)) continue;
      SessionInput s;
      // "~" sorts after every real id: a candidate never takes a tie from
      // a recorded session.
      s.id = absl::StrCat("~plan", n++);
      s.start = midnight + absl::Minutes(slot.start_minute());
      s.end = std::min(midnight + absl::Minutes(slot.end_minute()),
                       *rules.deadline);
      s.zone = zone;
      if (s.end > s.start) all.push_back(s);
    }
  }
  const std::vector<SessionCredit> credits = Allocate(rules, all);
  Plan plan;
  int64_t done_credit = 0, planned = 0;
  for (const SessionCredit& c : credits) {
    if (c.id.rfind("~plan", 0) != 0) {
      done_credit += c.credited;
      continue;
    }
    for (const MinuteRun& run : c.credited_runs) {
      PlannedSlot p;
      p.start = FromMinute(run.start);
      p.end = FromMinute(run.end);
      p.day = LocalDay(p.start, zone);
      p.credited = run.end - run.start;
      planned += p.credited;
      plan.sessions.push_back(p);
    }
  }
  plan.owed = std::max<int64_t>(rules.target_minutes - done_credit, 0);
  plan.shortfall = plan.owed - planned;
  return plan;
}

bool IsAtRisk(const Plan& plan) { return plan.shortfall > 0; }

}  // namespace ks::supervision::domain
