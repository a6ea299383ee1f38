// The conduct rules of supervision (issue #10): violations, the warning
// ladder, and the violation a work session's outcome makes. Pure: the
// handlers (conduct_handlers.cc) load and commit; these decide.
//
// Law. An unexcused failure to do the work (KUHP Pasal 85(7), R8; for a
// child SPPA Pasal 76(2)) may lead the prosecutor to record a breach. The
// PK's path there is: violation → warnings up the policy's ladder (teguran,
// each with a respond-by window) → referral to the prosecutor, who decides
// in cases (RecordBreach). Only an enforceable violation can be referred.
//
// Thread-safe: pure functions of their arguments.
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_CONDUCT_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_CONDUCT_H_

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kerjasosial/common/v1/policy.pb.h"
#include "kerjasosial/supervision/v1/events.pb.h"
#include "kerjasosial/supervision/v1/resources.pb.h"

namespace ks::supervision::domain {

// What can happen to a violation after it is recorded.
enum class ViolationAction {
  kWarn,      // IssueWarning answers it
  kRefer,     // ReferViolationToProsecutor
  kResolve,   // ResolveViolation
  kWithdraw,  // ResolveViolation with withdraw (recorded in error)
};

// The state a violation in `from` moves to under `action`, from the one
// transition table:
//
//   from \ action           kWarn   kRefer    kResolve  kWithdraw
//   OPEN                    WARNED  REFERRED  RESOLVED  WITHDRAWN
//   WARNED                  WARNED  REFERRED  RESOLVED  WITHDRAWN
//   REFERRED_TO_PROSECUTOR  -       -         -         WITHDRAWN
//   RESOLVED, WITHDRAWN     -       -         -         -   (terminal)
//
// A referred violation is the prosecutor's to decide: the PK can no longer
// warn about or resolve it, only withdraw it when it was recorded in error
// (so a false breach candidate can leave cases' list).
// FAILED_PRECONDITION VIOLATION_STATE (reason VIOLATION_NOT_<ACTION>ABLE)
// naming the violation otherwise.
absl::StatusOr<kerjasosial::supervision::v1::ViolationState> MoveViolation(
    const kerjasosial::supervision::v1::Violation& v, ViolationAction action);

// MoveViolation(v, kRefer), and v must be enforceable (R8: only an
// enforceable violation may lead to a breach): FAILED_PRECONDITION
// VIOLATION_NOT_ENFORCEABLE otherwise.
absl::StatusOr<kerjasosial::supervision::v1::ViolationState> ReferViolation(
    const kerjasosial::supervision::v1::Violation& v);

// The violation kind an enforceable session outcome makes; nullopt for an
// outcome that is no failure (ATTENDED_COMPLIED, ABSENT_ACCEPTABLE): no
// violation follows from it even when marked enforceable.
std::optional<kerjasosial::supervision::v1::ViolationKind>
ViolationKindOfOutcome(kerjasosial::supervision::v1::AttendanceOutcome outcome);

// The violation a recorded session makes (nullopt when none: the session is
// not enforceable or its outcome is no failure). Name, case, kind, work
// session, occur time (the session's start), enforceable = true, OPEN,
// recorded_by and the times from `session`.
std::optional<kerjasosial::supervision::v1::Violation> ViolationOfSession(
    const kerjasosial::supervision::v1::WorkSession& session,
    const std::string& violation_name);

// Violations of a case that count (ViolationRecorded / ViolationStateChanged
// violations_count): all but WITHDRAWN ones.
int CountedViolations(
    const std::vector<kerjasosial::supervision::v1::Violation>& of_case);

// The level of the next warning of a case whose warnings so far are
// `earlier` (any state): 1 + the highest earlier level. FAILED_PRECONDITION
// WARNING_LADDER_TOP_REACHED naming the rule `policy.warnings.steps` when
// that exceeds the ladder's steps (the PK refers to the prosecutor
// instead).
absl::StatusOr<int> NextWarningLevel(
    const std::vector<kerjasosial::supervision::v1::Warning>& earlier,
    const kerjasosial::common::v1::WarningLadder& ladder);

// INVALID_ARGUMENT on `field` unless `respond_by` is after `issue_day` and at
// most the ladder's respond_by_days later.
absl::Status CheckRespondBy(
    absl::CivilDay issue_day, absl::CivilDay respond_by,
    const kerjasosial::common::v1::WarningLadder& ladder,
    absl::string_view field);

// The state `w` is in on local day `today`: ISSUED after its respond-by date
// is EXPIRED. Reads apply it, so a warning reads EXPIRED from the first
// local day after its respond-by date even before the sweep
// (ExpiredWarning) has committed it; reading twice changes nothing.
kerjasosial::supervision::v1::WarningState EffectiveWarningState(
    const kerjasosial::supervision::v1::Warning& w, absl::CivilDay today);
// `w` as read on `today` (state = EffectiveWarningState).
kerjasosial::supervision::v1::Warning WarningAsOf(
    kerjasosial::supervision::v1::Warning w, absl::CivilDay today);

// What the warning sweep commits for `w` on local day `today` (the day in
// the zone of the case's regency, as reads compute it): `w` EXPIRED, its
// update_time `at`, when it is stored ISSUED and its respond-by date has
// passed; nullopt otherwise. The one rule of EffectiveWarningState, so the
// sweep commits exactly what a read already shows, and a warning it
// committed (stored EXPIRED) is never expired again.
std::optional<kerjasosial::supervision::v1::Warning> ExpiredWarning(
    const kerjasosial::supervision::v1::Warning& w, absl::CivilDay today,
    const google::protobuf::Timestamp& at);

// The WarningClosed event of a warning closed as `w` (RESPONDED or
// EXPIRED): the same payload whether the client answered or the sweep
// expired it.
kerjasosial::supervision::v1::WarningClosed WarningClosedOf(
    const kerjasosial::supervision::v1::Warning& w);

// ISSUED → RESPONDED on `today`. FAILED_PRECONDITION WARNING_NOT_ISSUED
// when it is RESPONDED, or WARNING_EXPIRED when its respond-by date passed.
absl::Status CheckWarningResponse(
    const kerjasosial::supervision::v1::Warning& w, absl::CivilDay today);

}  // namespace ks::supervision::domain

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_CONDUCT_H_
