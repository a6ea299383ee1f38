// Whether a work session may be recorded (DESIGN §7 derived rules; KUHP
// Pasal 85(5) R7; the placement contract of placements). Pure: the caller
// passes the facts from supervision's read model, so recording works while
// cases and placements are down.
//
// Errors (the rpc's contract, RecordWorkSession in supervision_service.proto):
//   INVALID_ARGUMENT naming `<prefix>start_time` / `<prefix>end_time` and the
//     rule: not whole minutes, end not after start, longer than 24 hours, in
//     the future beyond the policy's clock skew, outside the placement's
//     period, before the case's span;
//   FAILED_PRECONDITION PLACEMENT_NOT_ACTIVE (the placement was not ACTIVE
//     at the session's time: judged then, not now, so a late entry for a
//     session held before EndPlacement is accepted), SESSION_OVERLAP
//     (another live session of the case overlaps; metadata names it).
// A session after the deadline is accepted and not credited (credit.h:
// OUTSIDE_SPAN): the work happened and the record says so.
//
// Thread-safe (no shared state).
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_SESSION_RULES_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_SESSION_RULES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ks::supervision::domain {

// When a placement was ACTIVE: [from, until); unset `until` = still active.
struct ActiveInterval {
  absl::Time from;
  std::optional<absl::Time> until;
};

// What the read model knows of the placement a session is recorded under.
struct PlacementWindow {
  // The placement's period [period_start, period_end) as instants (local
  // days of the site's zone converted by the caller).
  absl::Time period_start;
  absl::Time period_end;
  std::vector<ActiveInterval> active;
};

// Another live session of the same case.
struct BookedSession {
  std::string name;
  absl::Time start;
  absl::Time end;
};

struct SessionCheck {
  absl::Time start;
  absl::Time end;
  absl::Time now;
  absl::Duration clock_skew;
  PlacementWindow placement;
  std::optional<absl::Time> span_start;
  // "work_session." or "group_session.attendances[3]." — prefixes the
  // field paths of violations.
  std::string field_prefix;
};

// OK when the session may be recorded; errors as in the file comment.
absl::Status CheckSession(const SessionCheck& check,
                          const std::vector<BookedSession>& others);

}  // namespace ks::supervision::domain

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_SESSION_RULES_H_
