// The lifecycle of a case: the transition table and one pure function per
// command. Each command function takes the stored case and the request,
// checks the transition and the request, and returns a Transition — the case
// after the change, the feed event(s) to publish with it (transactional
// outbox) and the history entry. Nothing is written here; the store writes
// all three in one atomic step.
//
// Transition table (from → action → to; every other pair is
// FAILED_PRECONDITION):
//   REGISTERED         IssueExecutionOrder        EXECUTION_ORDERED
//   EXECUTION_ORDERED  HandOverToBapas            HANDED_OVER
//   HANDED_OVER        FirstSessionCredited(feed) IN_PROGRESS
//   HANDED_OVER,
//   IN_PROGRESS        CompletionReached(feed)    COMPLETION_PENDING
//   COMPLETION_PENDING ConfirmCompletion          COMPLETED
//   HANDED_OVER,
//   IN_PROGRESS        RecordBreach               BREACHED
//   BREACHED           DecideBreachOutcome        IN_PROGRESS (REPEAT,
//                                                 EXCUSED) | CONVERTED
//                                                 (SERVE_PRISON, PAY_FINE)
//   every non-terminal TransferCase               TRANSFERRED_OUT
//   every non-terminal CancelCase                 CANCELLED
//   every non-terminal UpdateCase                 (same; which paths per
//                                                 state: UpdateCase)
//   non-terminal except
//   COMPLETION_PENDING,
//   and CONVERTED      RecordFinePayment          (same) | COMPLETION_PENDING
//                                                 (Pasal 82 fine paid in full)
// Terminal: COMPLETED, CONVERTED (except settling a PAY_FINE outcome),
// TRANSFERRED_OUT, CANCELLED.
//
// Errors: FAILED_PRECONDITION (PreconditionFailure type "STATE", subject the
// case name; ErrorInfo reason TRANSITION_NOT_ALLOWED with metadata
// from_state, action) when the action is not allowed in the current state;
// INVALID_ARGUMENT naming each bad request field and its rule (see
// eligibility.h for the convention).
//
// Every Transition: `after.version` = before + 1, `after.update_time` = now,
// `after.etag` cleared (the store sets it from the version), events are
// complete Event envelopes except `event_id`, `cursor` and `source` (the
// store/outbox fills them), each packing a kerjasosial.cases.v1 payload with
// CaseFacts and no personal data.
//
// Thread safety: all functions are pure and thread-safe.
#ifndef KS_SERVICES_CASES_DOMAIN_LIFECYCLE_H_
#define KS_SERVICES_CASES_DOMAIN_LIFECYCLE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kerjasosial/cases/v1/cases_service.pb.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/common/v1/common.pb.h"
#include "kerjasosial/common/v1/event.pb.h"
#include "kerjasosial/common/v1/policy.pb.h"

namespace ks::cases::domain {

using ::kerjasosial::cases::v1::Case;
using ::kerjasosial::cases::v1::CaseHistoryEntry;
using ::kerjasosial::cases::v1::CaseState;
using ::kerjasosial::common::v1::Event;
using ::kerjasosial::common::v1::PolicyVersion;

// Aggregate type of every cases event envelope.
inline constexpr char kCaseAggregateType[] = "kerjasosial.cases.v1.Case";
// Full method names recorded as the history `cause`.
inline constexpr char kMethodPrefix[] = "/kerjasosial.cases.v1.Cases/";

// What a command (or a feed event) does to a case.
enum class Action {
  kRegister,              // CreateCase (from "no state")
  kIssueExecutionOrder,   // IssueExecutionOrder
  kHandOver,              // HandOverToBapas
  kFirstSessionCredited,  // supervision FirstSessionCredited
  kCompletionReached,     // supervision CompletionReached
  kConfirmCompletion,     // ConfirmCompletion
  kRecordBreach,          // RecordBreach
  kDecideBreachOutcome,   // DecideBreachOutcome
  kRecordFinePayment,     // RecordFinePayment
  kTransfer,              // TransferCase
  kCancel,                // CancelCase
  kUpdate,                // UpdateCase
};

// Every action, for table-driven tests and listings.
inline constexpr Action kAllActions[] = {Action::kRegister,
                                         Action::kIssueExecutionOrder,
                                         Action::kHandOver,
                                         Action::kFirstSessionCredited,
                                         Action::kCompletionReached,
                                         Action::kConfirmCompletion,
                                         Action::kRecordBreach,
                                         Action::kDecideBreachOutcome,
                                         Action::kRecordFinePayment,
                                         Action::kTransfer,
                                         Action::kCancel,
                                         Action::kUpdate};

// "IssueExecutionOrder", "FirstSessionCredited", ...
absl::string_view ActionName(Action a);

// "REGISTERED", "IN_PROGRESS", ... (the enum value name without the
// CASE_STATE_ prefix).
std::string StateName(CaseState s);

// True for COMPLETED, CONVERTED, TRANSFERRED_OUT and CANCELLED.
bool IsTerminal(CaseState s);

// OK if the table above allows `action` from `from`; else
// FAILED_PRECONDITION "IssueExecutionOrder is not allowed in state
// IN_PROGRESS (allowed from: REGISTERED)" with ErrorInfo reason
// TRANSITION_NOT_ALLOWED {from_state, action} and a PreconditionFailure
// {type "STATE", subject `case_name`}. kRegister is allowed only from
// CASE_STATE_UNSPECIFIED (no case yet).
absl::Status CheckTransition(CaseState from, Action action,
                             absl::string_view case_name = "");

// The context of one command: who, when, which request.
struct CommandContext {
  absl::Time now;                        // the clock's now
  absl::TimeZone zone;                   // zone of local dates (regency's)
  kerjasosial::common::v1::Actor actor;  // the caller, no personal data
  std::string request_id;                // idempotency key of the call
};

// The result of a command: write `after`, append `events`, record `history`.
struct Transition {
  Case after;
  std::vector<Event> events;
  CaseHistoryEntry history;
};

// CreateCase: validates `input` (ValidateNewCase; warnings appended to
// `warnings`, may be null), clears its Output-only fields, sets name,
// regency_code, state REGISTERED, version 1, create/update time and the
// derived fields, and publishes CaseRegistered. `name` is the new resource
// name `regencies/{regency_code}/cases/{id}` chosen by the caller.
absl::StatusOr<Transition> RegisterCase(const Case& input,
                                        absl::string_view name,
                                        absl::string_view regency_code,
                                        const PolicyVersion& policy,
                                        const CommandContext& ctx,
                                        std::vector<std::string>* warnings);

// REGISTERED → EXECUTION_ORDERED. Requires order_number, issued_date (not
// before the decision's final date, not after today), kejari_code. Sets the
// span deadline (progress.deadline_time) when the policy's span starts at
// the decision or the order (R7): span = the decision's fixed span if any,
// else the policy's (`span_unit`: span_days or span_months); the deadline is
// the start of the local day after the last day of the span. Publishes
// ExecutionOrderIssued.
absl::StatusOr<Transition> IssueExecutionOrder(
    const Case& c,
    const kerjasosial::cases::v1::IssueExecutionOrderRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx);

// EXECUTION_ORDERED → HANDED_OVER. Requires bapas_office_code and
// handover_date (not before the order's date, not after today). Publishes
// CaseHandedOver.
absl::StatusOr<Transition> HandOverToBapas(
    const Case& c, const kerjasosial::cases::v1::HandOverToBapasRequest& req,
    const CommandContext& ctx);

// COMPLETION_PENDING → COMPLETED. The certificate number is
// `req.certificate.number` if given, else CertificateNumber(c). Publishes
// CaseCompleted (days_to_complete from the final date to today).
absl::StatusOr<Transition> ConfirmCompletion(
    const Case& c, const kerjasosial::cases::v1::ConfirmCompletionRequest& req,
    const CommandContext& ctx);

// The default certificate number of a case: "KS/<regency>/<case id>".
std::string CertificateNumber(const Case& c);

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
// outside 1..policy span_days; SERVE_PRISON days outside 1..replaced prison
// days (ALL: equal, PART: less) or nothing replaced; PAY_FINE rupiah outside
// 1..replaced fine (ALL: equal, PART: less) or no fine replaced; decided
// date invalid or after today. REPEAT resets progress to the repeat hours
// and a deadline `span_days` after the decided date; EXCUSED resumes.
// Publishes BreachOutcomeDecided.
absl::StatusOr<Transition> DecideBreachOutcome(
    const Case& c,
    const kerjasosial::cases::v1::DecideBreachOutcomeRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx);

// Records a fine payment (id "p0001", ...). Two uses:
//  * a fine-substitute case (R10, KUHP Pasal 82) in REGISTERED …
//    IN_PROGRESS or BREACHED: adds to fine_substitution.paid_rupiah and
//    reduces remaining_minutes proportionally (RemainingMinutesAfterPayment);
//    paid in full → COMPLETION_PENDING with completion basis FINE_PAID (and
//    CaseCompletionPending is published too);
//  * a CONVERTED case whose breach outcome is PAY_FINE: settles that amount.
// FAILED_PRECONDITION (reason FINE_PAYMENT_NOT_APPLICABLE) for any other
// case, or when nothing is unpaid; INVALID_ARGUMENT for amount ≤ 0 or above
// what is unpaid (`payment.amount_rupiah`), missing receipt or bad date.
// Publishes FinePaymentRecorded.
absl::StatusOr<Transition> RecordFinePayment(
    const Case& c, const kerjasosial::cases::v1::RecordFinePaymentRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx);

// Any non-terminal state → TRANSFERRED_OUT. destination_regency_code must be
// an existing regency (R15) different from the case's; reason_code required
// (`[a-z][a-z0-9_]*`). `destination_case` is recorded if non-empty.
// Publishes CaseTransferred.
absl::StatusOr<Transition> TransferCase(
    const Case& c, const kerjasosial::cases::v1::TransferCaseRequest& req,
    absl::string_view destination_case, const CommandContext& ctx);

// The receiving side of a transfer inside one deployment: a new case `name`
// in `regency_code` carrying the source's registration data, execution
// order, breaches, payments and credited progress (history is kept; the
// person must be handed over again), state REGISTERED if the source had no
// execution order else EXECUTION_ORDERED, `transferred_from` = source name.
// Publishes CaseRegistered with transferred_from.
absl::StatusOr<Transition> ReceiveTransferredCase(
    const Case& source, absl::string_view name, absl::string_view regency_code,
    const CommandContext& ctx);

// Any non-terminal state → CANCELLED. `reason` required; OTHER needs
// `reason_code`. Publishes CaseCancelled.
absl::StatusOr<Transition> CancelCase(
    const Case& c, const kerjasosial::cases::v1::CancelCaseRequest& req,
    const CommandContext& ctx);

// UpdateCase: copies the paths of `req.update_mask` from `req.case_data`
// into `c`, then re-validates the whole case (ValidateNewCase under
// `policy`) and recomputes the derived fields.
// Paths: "person.full_name", "person.nik", "person.birth_date",
// "person.sex", "person.address", "person.phone_number",
// "person.livelihood", "decision.court_name", "decision.court_level",
// "decision.decision_number", "decision.decided_date",
// "decision.final_date", "decision.considerations", "decision.document",
// "offence.article", "offence.category",
// "offence.max_prison_threat_months", "offence.offence_date",
// "offence.first_offender", "sentence.hours",
// "sentence.imposed_prison_months", "sentence.imposed_prison_days",
// "sentence.imposed_fine_rupiah", "sentence.constraints",
// "sentence.breach_consequence", "sentence.litmas",
// "fine_substitution.fine_rupiah", "fine_substitution.rupiah_per_hour",
// "fine_substitution.substitute_hours".
// In REGISTERED and EXECUTION_ORDERED every path above; in HANDED_OVER …
// BREACHED only "person.address", "person.phone_number",
// "person.livelihood" (others: FAILED_PRECONDITION reason
// PATH_NOT_MUTABLE_IN_STATE {path, state}); terminal states:
// TRANSITION_NOT_ALLOWED. INVALID_ARGUMENT (field "update_mask") for an
// empty mask, an unknown path, or an Immutable/Output-only path
// ("sentence.kind", "sentence.basis", "name", "state", ...). Publishes
// CaseCorrected (personal paths reported only as "person"; every change has
// its event). The history lists the full paths.
absl::StatusOr<Transition> UpdateCase(
    const Case& c, const kerjasosial::cases::v1::UpdateCaseRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx,
    std::vector<std::string>* warnings);

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_LIFECYCLE_H_
