// Credit computation of work sessions (DESIGN §7 R6, R7, R11; KUHP Pasal
// 85(4)-(5); UU SPPA Pasal 76; PP 58/2022 Pasal 19(5)-(6)).
//
// Allocate() decides, for every live (not voided) session of one case, how
// many of its worked minutes are credited and why the rest are not. It is a
// pure function of the SET of sessions and the rules: sessions are taken in
// the order they happened (start minute, then id), never in the order they
// were recorded, so a late entry for last Tuesday or a void re-evaluates
// every window it touches and the result is the same in any order of
// arrival. The store re-runs it on every change of the case and rewrites the
// sessions whose allocation changed, in the same outbox step.
//
// Time is counted in whole minutes (sessions are recorded to the minute;
// see session_rules.h). Minute `m` is [m, m+1) in Unix minutes. A minute is
// credited only if, at its turn:
//   1. it lies inside the span [span_start, deadline) — else OUTSIDE_SPAN;
//   2. for a child: its local day is a working day (policy calendar, public
//      holidays included) and it lies outside the school-hours window —
//      else OUTSIDE_ALLOWED_TIME;
//   3. the daily cap is not reached: under ROLLING_24H fewer than `cap`
//      minutes are already credited in the 24 h ending with it; under
//      CALENDAR_DAY fewer than `cap` on its local day in the session's zone
//      (the site's zone, R14) — else DAILY_CAP;
//   4. fewer than `target` minutes are credited in all — else OVER_SENTENCE.
// Greedy in time order is enough for the rolling rule: the last credited
// minute of any 24 h window saw every earlier credited minute of that window
// when it was counted, so no window ever holds more than `cap`.
//
// Thread-safe (no shared state).
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_CREDIT_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_CREDIT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kerjasosial/common/v1/policy.pb.h"
#include "kerjasosial/supervision/v1/resources.pb.h"

namespace ks::supervision::domain {

using ::kerjasosial::common::v1::DayRule;
using ::kerjasosial::supervision::v1::ExcessReason;

// Minutes since the Unix epoch.
using Minute = int64_t;

Minute ToMinute(absl::Time t);  // floor
absl::Time FromMinute(Minute m);

// A local window [start, end) of the day, minutes after local midnight.
struct DayWindow {
  int start = 0;
  int end = 0;
};

// Everything Allocate() needs to know about the case and the law.
struct CreditRules {
  DayRule day_rule = ::kerjasosial::common::v1::DAY_RULE_ROLLING_24H;
  // Credited minutes per "Hari" (R6: adult 8 h; R11: child 3 h; or the
  // decision's hours per day when it fixes fewer).
  int64_t daily_cap_minutes = 0;
  // Minutes of the sentence (target); total credit never exceeds it.
  int64_t target_minutes = 0;
  // The span [span_start, deadline) (R7); unset ends are open.
  std::optional<absl::Time> span_start;
  std::optional<absl::Time> deadline;
  // Child rules (R11). `working_day` decides a local day (weekday and the
  // policy's holiday calendar); null = every day. `excluded` is the local
  // school-hours window; unset = none.
  bool child = false;
  std::function<bool(absl::CivilDay)> working_day;
  std::optional<DayWindow> excluded;
};

// One live session as the credit computation sees it.
struct SessionInput {
  std::string id;
  absl::Time start;
  absl::Time end;
  absl::TimeZone zone;  // the site's zone (R14)
  // Whether the outcome credits time at all (ATTENDED_COMPLIED, or
  // SENT_HOME with credit_partial). Others work 0 minutes.
  bool creditable = true;
};

// The minutes of one session on one local day.
struct DayPart {
  absl::CivilDay day;
  int64_t worked = 0;
  int64_t credited = 0;
  std::map<ExcessReason, int64_t> excess;  // reason -> minutes (> 0)
};

// [start, end) in Unix minutes.
struct MinuteRun {
  Minute start = 0;
  Minute end = 0;
  friend bool operator==(const MinuteRun& a, const MinuteRun& b) {
    return a.start == b.start && a.end == b.end;
  }
};

// The allocation of one session.
struct SessionCredit {
  std::string id;
  int64_t worked = 0;
  int64_t credited = 0;
  int64_t excess = 0;                    // worked - credited
  std::vector<DayPart> days;             // in day order; empty if worked == 0
  std::vector<MinuteRun> credited_runs;  // the credited minutes
};

// Allocates the credit of `sessions` (any order; ids unique). Returns one
// SessionCredit per input, in the order the sessions happened.
std::vector<SessionCredit> Allocate(const CreditRules& rules,
                                    std::vector<SessionInput> sessions);

// The rules for an adult or a child case from the policy version in force
// (daily cap from `adult`/`child`, the day rule from `adult.day_rule`, the
// child's working days from `working_day`). `hours_per_day` > 0 is the
// decision's own cap (R7 may_fix_hours_per_day), applied when lower.
CreditRules RulesFor(const ::kerjasosial::common::v1::PolicyVersion& policy,
                     bool child, int64_t target_minutes, int32_t hours_per_day,
                     std::function<bool(absl::CivilDay)> working_day);

}  // namespace ks::supervision::domain

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_CREDIT_H_
