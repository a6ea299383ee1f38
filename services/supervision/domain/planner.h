// The planner of the remaining hours (issue #10: PlanRemainingSessions) and
// the at-risk test built on it (DESIGN §7: "at risk when the hours owed
// cannot be done before the deadline at the placement's schedule").
//
// The plan is the credit computation itself (credit.h) run over the case's
// live sessions plus one candidate session per window of the placement's
// weekly schedule from `from` to the deadline: whatever the daily cap (in
// either day rule, counting the sessions already done), the child rules,
// the public holidays and the minutes owed leave of each window is what
// the plan proposes, so the plan and the ledger can never disagree about a
// cap. The shortfall is the minutes owed that no window can take.
//
// Thread-safe (no shared state).
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_PLANNER_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_PLANNER_H_

#include <cstdint>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kerjasosial/common/v1/common.pb.h"
#include "services/supervision/domain/credit.h"

namespace ks::supervision::domain {

struct PlannedSlot {
  absl::CivilDay day;
  absl::Time start;
  absl::Time end;
  int64_t credited = 0;
};

struct Plan {
  std::vector<PlannedSlot> sessions;  // oldest first
  int64_t owed = 0;
  int64_t shortfall = 0;
};

// Plans the minutes `rules.target_minutes` still leaves after `done` (the
// live sessions) over `schedule`'s windows in `zone`, on local days from
// `from` up to the deadline `rules.deadline` (required).
Plan PlanRemaining(const CreditRules& rules,
                   const std::vector<SessionInput>& done,
                   const ::kerjasosial::common::v1::WeeklySchedule& schedule,
                   absl::TimeZone zone, absl::CivilDay from);

// absl's weekday of `day` as the proto's.
::kerjasosial::common::v1::Weekday WeekdayOf(absl::CivilDay day);

// At risk: the plan from `from` leaves a shortfall.
bool IsAtRisk(const Plan& plan);

}  // namespace ks::supervision::domain

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_PLANNER_H_
