// Helpers shared by the domain's .cc files; not part of the public API.
#ifndef KS_SERVICES_CASES_DOMAIN_INTERNAL_H_
#define KS_SERVICES_CASES_DOMAIN_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/time/proto_time.h"
#include "common/validation/validator.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/common/v1/policy.pb.h"
#include "services/cases/domain/command.h"

namespace ks::cases::domain::internal {

// A valid google.type.Date as a civil day (caller checked IsValidDate).
absl::CivilDay Day(const google::type::Date& d);

// `[a-z][a-z0-9_]*`, 1..64 characters (taxonomy codes of the policy).
bool IsTaxonomyCode(absl::string_view code);

// "II" for FINE_CATEGORY_II.
std::string CategoryName(kerjasosial::common::v1::FineCategory category);

// The REPEAT detail of the latest decided REPEAT outcome, or nullptr.
const kerjasosial::cases::v1::RepeatOutcome* LatestRepeat(
    const kerjasosial::cases::v1::Case& c);

// The one Timestamp conversion (common/time/proto_time.h), also as
// internal::ToProto/FromProto.
using ::ks::FromProto;
using ::ks::ToProto;

// Starts a transition from `before`: copies it, bumps the version, sets the
// update time, clears the etag and fills the history entry's common fields.
Transition Begin(const kerjasosial::cases::v1::Case& before,
                 absl::string_view cause, absl::string_view request_id,
                 const kerjasosial::common::v1::Actor* actor, absl::Time now);

// Moves `t` to `to` (after.state and history.to_state).
void SetState(Transition& t, kerjasosial::cases::v1::CaseState to);

// Appends an Event envelope packing `payload` for `t.after`.
void AddEvent(Transition& t, const google::protobuf::Message& payload,
              absl::Time now);

// The span end (deadline) of R7 for a span starting on `start`: the
// decision's fixed span if any, else the policy's; the start of the local day
// after the span's last day.
absl::Time SpanDeadline(const kerjasosial::cases::v1::Case& c,
                        absl::CivilDay start,
                        const kerjasosial::common::v1::PolicyVersion& policy,
                        absl::TimeZone zone);

// The span of R7 as local days of `zone` (the case's regency): its first
// day and its last day (inclusive); each unset until known. The start is
// the latest REPEAT's decided date, else the event the policy's adult
// `span_starts_at` names (the reading IssueExecutionOrder and the
// supervision feed use to set progress.deadline_time, so the two agree);
// the last day is the day before progress.deadline_time.
struct SpanDays {
  std::optional<absl::CivilDay> start;
  std::optional<absl::CivilDay> last;
};
SpanDays SpanOf(const kerjasosial::cases::v1::Case& c,
                const kerjasosial::common::v1::PolicyVersion& policy,
                absl::TimeZone zone);

// Bounds of free-text lists and codes in commands.
inline constexpr int kMaxViolations = 100;
inline constexpr size_t kMaxCodeText = 100;

// The day of a required date field: nullopt (and a violation) if missing or
// invalid.
std::optional<absl::CivilDay> CheckDate(Validator& v, absl::string_view field,
                                        bool present,
                                        const google::type::Date& d);
// The local day of the command.
absl::CivilDay Today(const CommandContext& ctx);
// The {case} of a case's name.
std::string CaseId(const kerjasosial::cases::v1::Case& c);
// Begin() for the command `method` ("CancelCase") in `ctx`.
Transition BeginCommand(const kerjasosial::cases::v1::Case& c,
                        absl::string_view method, const CommandContext& ctx);
// The breach still awaiting its outcome, or nullptr.
kerjasosial::cases::v1::Breach* OpenBreach(kerjasosial::cases::v1::Case& c);
// Payments toward a PAY_FINE outcome: all payments minus those that went to
// the Pasal 82 substitute.
int64_t OutcomePaid(const kerjasosial::cases::v1::Case& c);
// The latest decided breach outcome, or nullptr.
const kerjasosial::cases::v1::BreachOutcome* LatestOutcome(
    const kerjasosial::cases::v1::Case& c);

}  // namespace ks::cases::domain::internal

#endif  // KS_SERVICES_CASES_DOMAIN_INTERNAL_H_
