// What supervision's feed adds to a periodic report: per site, local month
// and activity type, the sessions recorded, minutes credited, attendance
// outcomes, violations and warnings (DESIGN §6, issue #9).
//
// Why per local month of the site's zone: the report periods an agreement
// may have (monthly to annual, policy.proto ReportingPeriod) are all whole
// local months, so monthly buckets sum exactly into any of them, and the
// month of a session is the local date supervision puts on it (R14), never
// the UTC date.
//
// A violation or warning names only a case: it is attributed to the site
// and activity type of that case's placement here at the time it happened
// (a violation recorded on a session: that session's site and activity).
//
// Counters are named by their SiteActivityFigures field path
// ("credited_minutes", "attendance.sent_home", ...), so the store keeps them
// as hash fields "<activity type>|<counter>" and reads them back without a
// second table.
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_SUPERVISION_COUNTS_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_SUPERVISION_COUNTS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "kerjasosial/supervision/v1/events.pb.h"

namespace ks::placements::domain {

// Counter names (SiteActivityFigures field paths).
inline constexpr char kCounterMinutes[] = "credited_minutes";
inline constexpr char kCounterSessions[] = "sessions_recorded";
inline constexpr char kCounterViolations[] = "violations_recorded";
inline constexpr char kCounterWarnings[] = "warnings_issued";

// One change of one counter.
struct CounterDelta {
  std::string site;
  absl::CivilMonth month;
  std::string activity_type;
  std::string counter;
  int64_t delta = 0;
};

// Where a session was counted, remembered so that voiding it withdraws
// what it added and a violation on it lands on the same site and month.
struct SessionMemo {
  std::string site;
  absl::CivilMonth month;
  std::string activity_type;
  kerjasosial::supervision::v1::AttendanceOutcome outcome =
      kerjasosial::supervision::v1::ATTENDANCE_OUTCOME_UNSPECIFIED;
};
std::string EncodeMemo(const SessionMemo& memo);
std::optional<SessionMemo> DecodeMemo(absl::string_view text);

// The counter of an attendance outcome ("attendance.sent_home"); "" for
// UNSPECIFIED.
std::string OutcomeCounter(kerjasosial::supervision::v1::AttendanceOutcome o);

// The session's memo: its site, the local month of its local date, its
// activity type and outcome. INVALID_ARGUMENT when the event lacks the site
// or a valid local date (the publisher's bug: dead-lettered).
absl::StatusOr<SessionMemo> MemoOf(
    const kerjasosial::supervision::v1::SessionRecorded& session);

// What recording (sign +1) or voiding (sign -1) a session changes:
// sessions, minutes (`minutes`: credited, or withdrawn on a void) and the
// outcome's counter.
std::vector<CounterDelta> SessionDeltas(const SessionMemo& memo,
                                        int64_t minutes, int sign);

// The placement of a case on the local day of `t` in `zone`: started on or
// before that day and not ended before it; the latest started such. By day,
// not instant, because supervision stamps an incident with its own clock
// and a placement started that morning must still carry it. Null when the
// case had no placement here then.
const kerjasosial::placements::v1::Placement* PlacementAt(
    const std::vector<kerjasosial::placements::v1::Placement>& placements,
    absl::Time t, absl::TimeZone zone);

// One violation or warning (`counter`) at `t`, counted on `placement`'s site
// and activity type in the local month of `t` in the site's `zone`.
CounterDelta IncidentDelta(
    const kerjasosial::placements::v1::Placement& placement, absl::Time t,
    absl::TimeZone zone, absl::string_view counter);

// A counter hash field ("<activity type>|<counter>") and back.
std::string CounterField(absl::string_view activity_type,
                         absl::string_view counter);
// Adds `value` to the counter `field` names in `rows` (by activity type).
// False when the field is not a known counter (ignored).
bool AddCounter(
    absl::string_view field, int64_t value,
    std::map<std::string, kerjasosial::placements::v1::SiteActivityFigures>*
        rows);

// "YYYY-MM": the month part of a counter key.
std::string MonthKey(absl::CivilMonth month);
// The whole local months inside a period (a report period is made of them;
// a joint evaluation's arbitrary period counts the whole months it spans
// only); empty when either date is invalid or the end is unset.
std::vector<absl::CivilMonth> MonthsOf(
    const kerjasosial::common::v1::DateRange& period);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_SUPERVISION_COUNTS_H_
