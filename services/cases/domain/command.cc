#include "services/cases/domain/command.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/rich_status.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;

const std::vector<CaseState>& AllowedFrom(Action a) {
  using S = CaseState;
  static const auto* kNonTerminal = new std::vector<S>{
      v1::CASE_STATE_REGISTERED,         v1::CASE_STATE_EXECUTION_ORDERED,
      v1::CASE_STATE_HANDED_OVER,        v1::CASE_STATE_IN_PROGRESS,
      v1::CASE_STATE_COMPLETION_PENDING, v1::CASE_STATE_BREACHED};
  static const auto* kRegister = new std::vector<S>{v1::CASE_STATE_UNSPECIFIED};
  static const auto* kOrder = new std::vector<S>{v1::CASE_STATE_REGISTERED};
  static const auto* kHandOver =
      new std::vector<S>{v1::CASE_STATE_EXECUTION_ORDERED};
  static const auto* kFirst = new std::vector<S>{v1::CASE_STATE_HANDED_OVER};
  static const auto* kReached = new std::vector<S>{v1::CASE_STATE_HANDED_OVER,
                                                   v1::CASE_STATE_IN_PROGRESS};
  static const auto* kConfirm =
      new std::vector<S>{v1::CASE_STATE_COMPLETION_PENDING};
  static const auto* kDecide = new std::vector<S>{v1::CASE_STATE_BREACHED};
  static const auto* kPayment = new std::vector<S>{
      v1::CASE_STATE_REGISTERED,  v1::CASE_STATE_EXECUTION_ORDERED,
      v1::CASE_STATE_HANDED_OVER, v1::CASE_STATE_IN_PROGRESS,
      v1::CASE_STATE_BREACHED,    v1::CASE_STATE_CONVERTED};
  switch (a) {
    case Action::kRegister:
      return *kRegister;
    case Action::kIssueExecutionOrder:
      return *kOrder;
    case Action::kHandOver:
      return *kHandOver;
    case Action::kFirstSessionCredited:
      return *kFirst;
    case Action::kCompletionReached:
    case Action::kRecordBreach:
      return *kReached;
    case Action::kConfirmCompletion:
      return *kConfirm;
    case Action::kDecideBreachOutcome:
      return *kDecide;
    case Action::kRecordFinePayment:
      return *kPayment;
    case Action::kTransfer:
    case Action::kCancel:
    case Action::kUpdate:
      return *kNonTerminal;
  }
  return *kRegister;
}
}  // namespace

absl::string_view ActionName(Action a) {
  switch (a) {
    case Action::kRegister:
      return "CreateCase";
    case Action::kIssueExecutionOrder:
      return "IssueExecutionOrder";
    case Action::kHandOver:
      return "HandOverToBapas";
    case Action::kFirstSessionCredited:
      return "FirstSessionCredited";
    case Action::kCompletionReached:
      return "CompletionReached";
    case Action::kConfirmCompletion:
      return "ConfirmCompletion";
    case Action::kRecordBreach:
      return "RecordBreach";
    case Action::kDecideBreachOutcome:
      return "DecideBreachOutcome";
    case Action::kRecordFinePayment:
      return "RecordFinePayment";
    case Action::kTransfer:
      return "TransferCase";
    case Action::kCancel:
      return "CancelCase";
    case Action::kUpdate:
      return "UpdateCase";
  }
  return "?";
}

std::string StateName(CaseState s) {
  const std::string& full = v1::CaseState_Name(s);
  constexpr absl::string_view kPrefix = "CASE_STATE_";
  if (full.empty()) return absl::StrCat(static_cast<int>(s));
  return full.substr(kPrefix.size());
}

bool IsTerminal(CaseState s) {
  return s == v1::CASE_STATE_COMPLETED || s == v1::CASE_STATE_CONVERTED ||
         s == v1::CASE_STATE_TRANSFERRED_OUT || s == v1::CASE_STATE_CANCELLED;
}

absl::Status CheckTransition(CaseState from, Action action,
                             absl::string_view case_name) {
  const std::vector<CaseState>& allowed = AllowedFrom(action);
  if (std::find(allowed.begin(), allowed.end(), from) != allowed.end()) {
    return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (CaseState s : allowed) names.push_back(StateName(s));
  const std::string message = absl::StrCat(
      ActionName(action), " is not allowed in state ", StateName(from),
      " (allowed from: ", absl::StrJoin(names, ", "), ")");
  absl::Status st = FailedPreconditionError(message, "STATE", case_name,
                                            "TRANSITION_NOT_ALLOWED");
  return WithErrorInfo(std::move(st), "TRANSITION_NOT_ALLOWED",
                       {{"from_state", StateName(from)},
                        {"action", std::string(ActionName(action))}});
}
}  // namespace ks::cases::domain
