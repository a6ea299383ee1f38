// Progress of a case from supervision's feed (DESIGN §4): the cases service
// mirrors the hours ledger and moves the case to IN_PROGRESS and
// COMPLETION_PENDING; it never computes hours itself.
//
// Idempotency. Every applied event stores its feed cursor in
// `progress.source_cursor`; an event whose cursor is not after the stored
// one changes nothing (returns nullopt). The cursor, not the envelope's
// aggregate_version, is the guard: one case receives events of several
// supervision aggregates (its ledger, each violation, each warning) whose
// versions are independent, while the cursor is totally ordered within the
// publisher (common/feed/cursor.h). The feed consumer's own cursor check makes
// this a second line of defence (e.g. for a replay from an older cursor).
//
// Thread safety: all functions are pure and thread-safe.
#ifndef KS_SERVICES_CASES_DOMAIN_PROGRESS_H_
#define KS_SERVICES_CASES_DOMAIN_PROGRESS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/common/v1/event.pb.h"
#include "kerjasosial/common/v1/policy.pb.h"
#include "services/cases/domain/lifecycle.h"

namespace ks::cases::domain {

// The case a supervision event concerns (the ledger snapshot's or the
// payload's `case_name`). NOT_FOUND if the event type does not concern a
// case's progress (it is then ignored by the consumer); INVALID_ARGUMENT if
// the payload does not parse or names no case.
absl::StatusOr<std::string> SupervisionEventCaseName(const Event& event);

// Applies one supervision event to `c`:
//  * every ledger event (SessionRecorded, SessionVoided, FirstSessionCredited,
//    CompletionReached, LedgerAdjusted, AtRiskChanged, LedgerOverdue,
//    PkAssigned) mirrors the ledger snapshot (credited/excess/owed minutes,
//    sessions, deadline, zone, at_risk, overdue); SessionRecorded also the
//    last session time and the placement; PkAssigned the PK assignment;
//  * FirstSessionCredited: HANDED_OVER → IN_PROGRESS (CaseStarted); sets
//    the first session time and, if the policy's span starts at the first
//    session and the ledger gave no deadline, the deadline (R7);
//  * CompletionReached: HANDED_OVER | IN_PROGRESS → COMPLETION_PENDING
//    (CaseCompletionPending) with completion {HOURS_SERVED, reached_time,
//    credited_minutes};
//  * ViolationRecorded, ViolationStateChanged: violations_count;
//    ViolationStateChanged also referred_violations (the violation enters
//    on REFERRED_TO_PROSECUTOR, leaves on RESOLVED or WITHDRAWN);
//    WarningIssued: warning_level (highest).
// A state move the table does not allow (e.g. CompletionReached while
// BREACHED) only mirrors the numbers. Other changes publish
// CaseProgressChanged. Returns nullopt (nothing to write) for an event
// already applied (cursor), an event type that does not concern progress,
// or a case in a terminal state. INVALID_ARGUMENT for an event without a
// valid cursor, a payload that does not parse, or one naming another case
// (permanent errors: the consumer dead-letters them). `zone` is the zone of
// local dates when the span is computed here. The change is timed at the
// event's `event_time` (update_time and history time), so replaying a feed
// gives the same records.
absl::StatusOr<std::optional<Transition>> ApplySupervisionEvent(
    const Case& c, const Event& event, const PolicyVersion& policy,
    absl::TimeZone zone);

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_PROGRESS_H_
