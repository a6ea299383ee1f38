// A breach and its outcome (R8, KUHP Pasal 85(7); R11 for a child): recording
// that the person failed without a valid reason, and the prosecutor's
// decision on the consequence.
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_CASES_DOMAIN_BREACH_H_
#define KS_SERVICES_CASES_DOMAIN_BREACH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/cases/v1/cases_service.pb.h"
#include "services/cases/domain/command.h"

namespace ks::cases::domain {

// HANDED_OVER | IN_PROGRESS → BREACHED (R8, KUHP Pasal 85(7)). `reason`
// required; OTHER needs `reason_code` (`[a-z][a-z0-9_]*`, ≤ 64). Evidence:
// ABSENT_WITHOUT_REASON, FAILED_TO_COMPLY and WARNINGS_EXHAUSTED need at
// least one violation (`regencies/{regency}/violations/{id}`, ≤ 100);
// DEADLINE_PASSED needs the deadline passed (progress.overdue, or now at or
// after progress.deadline_time) — else FAILED_PRECONDITION reason
// DEADLINE_NOT_PASSED. Appends a Breach (id "b0001", "b0002", ...; owed
// minutes from progress). Publishes CaseBreached.
absl::StatusOr<Transition> RecordBreach(
    const Case& c, const kerjasosial::cases::v1::RecordBreachRequest& req,
    const CommandContext& ctx);

// BREACHED → IN_PROGRESS | CONVERTED: decides the open (last) breach (R8,
// KUHP Pasal 85(7); child: UU SPPA Pasal 76(2)). INVALID_ARGUMENT (field
// `outcome.*`) when: kind unset; kind is neither EXCUSED nor the decision's
// `breach_consequence` (when the decision named one); a child's outcome is
// not REPEAT or EXCUSED; extent unset (unless EXCUSED); the detail does not
// match the kind; EXCUSED with a code not in the policy's valid reasons;
// REPEAT hours outside 1..current hours (ALL: equal, PART: less) or span
// outside 1..policy span_days; a child's REPEAT without
// `outcome.repeat.judge_order_reference` (UU SPPA Pasal 76(3): the
// supervising judge orders it) or any reference over 100 characters;
// SERVE_PRISON days outside 1..replaced prison
// days (ALL: equal, PART: less) or nothing replaced; PAY_FINE rupiah outside
// 1..replaced fine (ALL: equal, PART: less) or no fine replaced; decided
// date invalid or after today. REPEAT resets progress to the repeat hours
// and a deadline `span_days` after the decided date; EXCUSED resumes.
// Publishes BreachOutcomeDecided.
absl::StatusOr<Transition> DecideBreachOutcome(
    const Case& c,
    const kerjasosial::cases::v1::DecideBreachOutcomeRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx);

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_BREACH_H_
