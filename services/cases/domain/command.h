// The commands of a case: the transition table, the context every command
// runs in and the Transition it returns. One pure function per command lives
// in the file of its job (transition.h, breach.h, payment.h, transfer.h,
// update.h); lifecycle.h includes them all. Each command function takes the
// stored case and the request, checks the transition and the request, and
// returns a Transition — the case after the change, the feed event(s) to
// publish with it (transactional outbox) and the history entry. Nothing is
// written here; the store writes all three in one atomic step.
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
#ifndef KS_SERVICES_CASES_DOMAIN_COMMAND_H_
#define KS_SERVICES_CASES_DOMAIN_COMMAND_H_

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

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_COMMAND_H_
