#include "services/supervision/domain/conduct.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "common/time/clock.h"

namespace ks::supervision::domain {
namespace {

namespace sv1 = ::kerjasosial::supervision::v1;
namespace cv1 = ::kerjasosial::common::v1;

struct Row {
  sv1::ViolationState from;
  ViolationAction action;
  sv1::ViolationState to;
};

// The transition table of conduct.h, row by row.
constexpr Row kViolationMoves[] = {
    {sv1::VIOLATION_STATE_OPEN, ViolationAction::kWarn,
     sv1::VIOLATION_STATE_WARNED},
    {sv1::VIOLATION_STATE_OPEN, ViolationAction::kRefer,
     sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR},
    {sv1::VIOLATION_STATE_OPEN, ViolationAction::kResolve,
     sv1::VIOLATION_STATE_RESOLVED},
    {sv1::VIOLATION_STATE_OPEN, ViolationAction::kWithdraw,
     sv1::VIOLATION_STATE_WITHDRAWN},
    {sv1::VIOLATION_STATE_WARNED, ViolationAction::kWarn,
     sv1::VIOLATION_STATE_WARNED},
    {sv1::VIOLATION_STATE_WARNED, ViolationAction::kRefer,
     sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR},
    {sv1::VIOLATION_STATE_WARNED, ViolationAction::kResolve,
     sv1::VIOLATION_STATE_RESOLVED},
    {sv1::VIOLATION_STATE_WARNED, ViolationAction::kWithdraw,
     sv1::VIOLATION_STATE_WITHDRAWN},
    {sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR, ViolationAction::kWithdraw,
     sv1::VIOLATION_STATE_WITHDRAWN},
};

absl::string_view ActionWord(ViolationAction a) {
  switch (a) {
    case ViolationAction::kWarn:
      return "WARNABLE";
    case ViolationAction::kRefer:
      return "REFERABLE";
    case ViolationAction::kResolve:
      return "RESOLVABLE";
    case ViolationAction::kWithdraw:
      return "WITHDRAWABLE";
  }
  return "MOVABLE";
}

}  // namespace

absl::StatusOr<sv1::ViolationState> MoveViolation(const sv1::Violation& v,
                                                  ViolationAction action) {
  for (const Row& r : kViolationMoves) {
    if (r.from == v.state() && r.action == action) return r.to;
  }
  return FailedPreconditionError(
      absl::StrCat("the violation is ", sv1::ViolationState_Name(v.state()),
                   "; it cannot be ",
                   action == ViolationAction::kWarn      ? "warned about"
                   : action == ViolationAction::kRefer   ? "referred"
                   : action == ViolationAction::kResolve ? "resolved"
                                                         : "withdrawn",
                   " in that state"),
      "VIOLATION_STATE", v.name(),
      absl::StrCat("VIOLATION_NOT_", ActionWord(action)));
}

absl::StatusOr<sv1::ViolationState> ReferViolation(const sv1::Violation& v) {
  absl::StatusOr<sv1::ViolationState> to =
      MoveViolation(v, ViolationAction::kRefer);
  if (!to.ok()) return to;
  if (!v.enforceable()) {
    return FailedPreconditionError(
        "the violation is not enforceable: it cannot lead to a breach (R8, "
        "KUHP Pasal 85(7))",
        "VIOLATION_ENFORCEABLE", v.name(), "VIOLATION_NOT_ENFORCEABLE");
  }
  return to;
}

std::optional<sv1::ViolationKind> ViolationKindOfOutcome(
    sv1::AttendanceOutcome outcome) {
  switch (outcome) {
    case sv1::ATTENDANCE_OUTCOME_FAILED_TO_COMPLY:
      return sv1::VIOLATION_KIND_FAILED_TO_COMPLY;
    case sv1::ATTENDANCE_OUTCOME_SENT_HOME:
      return sv1::VIOLATION_KIND_SENT_HOME;
    case sv1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE:
      return sv1::VIOLATION_KIND_ABSENT_WITHOUT_REASON;
    default:
      return std::nullopt;
  }
}

std::optional<sv1::Violation> ViolationOfSession(
    const sv1::WorkSession& session, const std::string& violation_name) {
  if (!session.enforceable()) return std::nullopt;
  std::optional<sv1::ViolationKind> kind =
      ViolationKindOfOutcome(session.outcome());
  if (!kind) return std::nullopt;
  sv1::Violation v;
  v.set_name(violation_name);
  v.set_case_name(session.case_name());
  v.set_kind(*kind);
  v.set_work_session(session.name());
  *v.mutable_occur_time() = session.start_time();
  v.set_enforceable(true);
  *v.mutable_recorded_by() = session.recorded_by();
  v.set_state(sv1::VIOLATION_STATE_OPEN);
  *v.mutable_create_time() = session.create_time();
  *v.mutable_update_time() = session.create_time();
  return v;
}

int CountedViolations(const std::vector<sv1::Violation>& of_case) {
  return static_cast<int>(std::count_if(
      of_case.begin(), of_case.end(), [](const sv1::Violation& v) {
        return v.state() != sv1::VIOLATION_STATE_WITHDRAWN;
      }));
}

absl::StatusOr<int> NextWarningLevel(const std::vector<sv1::Warning>& earlier,
                                     const cv1::WarningLadder& ladder) {
  int highest = 0;
  for (const sv1::Warning& w : earlier) highest = std::max(highest, w.level());
  if (highest >= ladder.steps()) {
    return WithErrorInfo(
        FailedPreconditionError(
            absl::StrCat("the warning ladder's top (level ", ladder.steps(),
                         ", rule policy.warnings.steps) was reached: refer "
                         "the violation to the prosecutor instead"),
            "WARNING_LADDER", "policy.warnings.steps",
            "WARNING_LADDER_TOP_REACHED"),
        "WARNING_LADDER_TOP_REACHED",
        {{"rule", "policy.warnings.steps"},
         {"steps", absl::StrCat(ladder.steps())}});
  }
  return highest + 1;
}

absl::Status CheckRespondBy(absl::CivilDay issue_day, absl::CivilDay respond_by,
                            const cv1::WarningLadder& ladder,
                            absl::string_view field) {
  if (respond_by <= issue_day) {
    return InvalidArgumentError(
        {{std::string(field), "must be after the issue date"}});
  }
  if (respond_by - issue_day > ladder.respond_by_days()) {
    return InvalidArgumentError(
        {{std::string(field),
          absl::StrCat("must be at most ", ladder.respond_by_days(),
                       " days after the issue date "
                       "(policy.warnings.respond_by_days)")}});
  }
  return absl::OkStatus();
}

sv1::WarningState EffectiveWarningState(const sv1::Warning& w,
                                        absl::CivilDay today) {
  if (w.state() != sv1::WARNING_STATE_ISSUED) return w.state();
  absl::StatusOr<absl::CivilDay> by = CivilDayFromDate(w.respond_by_date());
  if (by.ok() && today > *by) return sv1::WARNING_STATE_EXPIRED;
  return w.state();
}

sv1::Warning WarningAsOf(sv1::Warning w, absl::CivilDay today) {
  w.set_state(EffectiveWarningState(w, today));
  return w;
}

std::optional<sv1::Warning> ExpiredWarning(
    const sv1::Warning& w, absl::CivilDay today,
    const google::protobuf::Timestamp& at) {
  if (w.state() != sv1::WARNING_STATE_ISSUED ||
      EffectiveWarningState(w, today) != sv1::WARNING_STATE_EXPIRED) {
    return std::nullopt;
  }
  sv1::Warning after = w;
  after.set_state(sv1::WARNING_STATE_EXPIRED);
  *after.mutable_update_time() = at;
  return after;
}

sv1::WarningClosed WarningClosedOf(const sv1::Warning& w) {
  sv1::WarningClosed closed;
  closed.set_case_name(w.case_name());
  closed.set_level(w.level());
  closed.set_state(w.state());
  closed.set_response_accepted(w.response_accepted());
  return closed;
}

absl::Status CheckWarningResponse(const sv1::Warning& w, absl::CivilDay today) {
  const sv1::WarningState state = EffectiveWarningState(w, today);
  if (state == sv1::WARNING_STATE_EXPIRED) {
    return FailedPreconditionError(
        "the warning's respond-by date has passed: it is EXPIRED",
        "WARNING_STATE", w.name(), "WARNING_EXPIRED");
  }
  if (state != sv1::WARNING_STATE_ISSUED) {
    return FailedPreconditionError(
        absl::StrCat("the warning is ", sv1::WarningState_Name(state),
                     ", not ISSUED"),
        "WARNING_STATE", w.name(), "WARNING_NOT_ISSUED");
  }
  return absl::OkStatus();
}

}  // namespace ks::supervision::domain
