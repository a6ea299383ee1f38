// Weekly schedules of sites and placements (local time of the site's zone,
// R14): their shape, whether a placement's schedule lies inside its site's
// windows, and whether it meets the decision's constraints (days per week,
// hours per day, allowed weekdays, a child's school hours, R7/R11).
//
// Every check adds field violations to the caller's Validator naming the
// field ("placement.schedule.slots[2]") and the rule or the window that is
// violated, so the handler answers one INVALID_ARGUMENT listing all of them.
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_SCHEDULE_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_SCHEDULE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "common/validation/validator.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/common/v1/common.pb.h"
#include "kerjasosial/common/v1/policy.pb.h"

namespace ks::placements::domain {

using ::kerjasosial::common::v1::WeeklySchedule;

// "Mon 08:00-12:00" for messages.
std::string DescribeSlot(const kerjasosial::common::v1::ScheduleSlot& slot);

// Shape: at least one slot, weekday set, 0 <= start < end <= 1440, no two
// windows of one weekday overlap, and the zone is `zone` (an empty zone is
// accepted: the caller sets the site's).
void CheckScheduleShape(Validator& v, absl::string_view field,
                        const WeeklySchedule& schedule, absl::string_view zone);

// Every slot of `placement` lies inside one window of `site` on the same
// weekday; otherwise a violation on `field`.slots[i] naming the site's
// windows of that weekday.
void CheckWithinSite(Validator& v, absl::string_view field,
                     const WeeklySchedule& placement,
                     const WeeklySchedule& site);

// The daily cap in minutes of a case of `kind` under `policy` (R6/R11).
int64_t PolicyDailyCapMinutes(kerjasosial::common::v1::SentenceKind kind,
                              const kerjasosial::common::v1::PolicyVersion& p);

// The decision's constraints and the child's rules: days per week, allowed
// weekdays, minutes per day (slots of one weekday summed, capped by
// `max_minutes_per_day` and the policy), school hours for a child unless
// the decision allows them. `max_minutes_per_day` 0 = the cap.
void CheckConstraints(Validator& v, absl::string_view field,
                      const WeeklySchedule& schedule,
                      int64_t max_minutes_per_day, absl::string_view cap_field,
                      const kerjasosial::cases::v1::ScheduleConstraints& c,
                      kerjasosial::common::v1::SentenceKind kind,
                      const kerjasosial::common::v1::PolicyVersion& policy);

// Minutes that can be worked in one week on `schedule` when no day counts
// more than `daily_cap_minutes` (0 = no cap).
int64_t WeeklyMinutes(const WeeklySchedule& schedule,
                      int64_t daily_cap_minutes);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_SCHEDULE_H_
