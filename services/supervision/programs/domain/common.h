// What every pure rule of supervision's programs part (guidance, partner
// agreements and programs, referrals, evaluations, safety incidents,
// program-integrasi clients) shares: the context a command runs in, the
// subject a guidance session or referral is about, the Outcome a command
// returns, and the few checks they all make.
//
// A command takes the stored resource (its etag set) and the request, checks
// the transition and the request, and returns the resource after the change
// with the feed events to publish with it. Nothing is written here; the
// store writes both in one outbox step. Events never carry personal data:
// notes, descriptions, names and person summaries stay in the records.
//
// Errors: INVALID_ARGUMENT naming each bad field and its rule;
// FAILED_PRECONDITION with a PreconditionFailure {type, subject} and an
// ErrorInfo reason for a transition the state does not allow.
//
// Thread safety: pure functions and values.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_COMMON_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_COMMON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/status/status_macros.h"
#include "common/time/proto_time.h"
#include "common/validation/validator.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "kerjasosial/common/v1/common.pb.h"
#include "kerjasosial/common/v1/event.pb.h"
#include "kerjasosial/common/v1/policy.pb.h"
#include "kerjasosial/supervision/v1/events.pb.h"

namespace ks::supervision::programs::domain {

// How far in the future a reported time may lie (clocks of phones and
// office PCs drift); beyond it a time is "in the future".
inline constexpr absl::Duration kClockSkew = absl::Minutes(5);

// ErrorInfo reasons of this part's FAILED_PRECONDITION errors.
inline constexpr absl::string_view kReasonTransitionNotAllowed =
    "TRANSITION_NOT_ALLOWED";
inline constexpr absl::string_view kReasonNoActiveAssignment =
    "NO_ACTIVE_ASSIGNMENT";
inline constexpr absl::string_view kReasonClientPeriodEnded =
    "INTEGRATION_PERIOD_ENDED";
inline constexpr absl::string_view kReasonProgramClosed = "PROGRAM_CLOSED";
inline constexpr absl::string_view kReasonProgramFull = "PROGRAM_FULL";
inline constexpr absl::string_view kReasonProgramNotForChildren =
    "PROGRAM_NOT_FOR_CHILDREN";
inline constexpr absl::string_view kReasonProgramEnded = "PROGRAM_ENDED";
inline constexpr absl::string_view kReasonCapacityBelowHeld =
    "CAPACITY_BELOW_ACTIVE_REFERRALS";
inline constexpr absl::string_view kReasonEvaluationSubmitted =
    "EVALUATION_SUBMITTED";
inline constexpr absl::string_view kReasonEvaluationNotSubmitted =
    "EVALUATION_NOT_SUBMITTED";
inline constexpr absl::string_view kReasonNoHoursForIntegrationClient =
    "INTEGRATION_CLIENT_HAS_NO_HOURS";

// The context a command runs in.
struct Context {
  absl::Time now;
  // Local "today" of the deployment's regency (dates in these records are
  // the Bapas's local dates).
  absl::CivilDay today;
  kerjasosial::common::v1::Actor actor;
  // The policy version in force (taxonomies).
  const kerjasosial::common::v1::PolicyVersion* policy = nullptr;
};

// Whom a guidance session or a referral is about: a case with a PK
// assignment (part 1's assignment facts), or a program-integrasi client.
struct Subject {
  std::string case_name;  // set for a case
  std::string client;     // set for an integration client
  // A case: it has an ACTIVE PK assignment. A client: its period of
  // guidance has not ended.
  bool active = false;
  bool child = false;
};

// A command's result: the resource after the change (etag cleared) and the
// events to publish with it, in order.
template <typename R>
struct Outcome {
  R after;
  std::vector<kerjasosial::common::v1::Event> events;
};

using ::ks::FromProto;
using ::ks::ToProto;

// A complete event envelope except event_id, cursor and source (the outbox
// fills them).
kerjasosial::common::v1::Event MakeEvent(
    absl::string_view aggregate_type, absl::string_view aggregate_name,
    int64_t version, absl::string_view regency,
    const google::protobuf::Message& payload, absl::Time now);

// FAILED_PRECONDITION TRANSITION_NOT_ALLOWED {from_state, action} on
// `subject` (a resource name).
absl::Status TransitionError(absl::string_view subject,
                             absl::string_view from_state,
                             absl::string_view action);

// FAILED_PRECONDITION with PreconditionFailure {type, subject} and `reason`.
absl::Status Precondition(absl::string_view message, absl::string_view type,
                          absl::string_view subject, absl::string_view reason);

// Checks `case_name` / `client` of a request: exactly one of the two, each
// a resource name of its kind in `regency` (the parent's).
void CheckSubjectNames(Validator& v, absl::string_view prefix,
                       absl::string_view case_name, absl::string_view client,
                       absl::string_view regency);

// FAILED_PRECONDITION unless `subject` is active (see Subject).
absl::Status CheckSubjectActive(const Subject& subject);

// A code of taxonomy `taxonomy` in the context's policy; records a
// violation on `field` otherwise.
void CheckTaxonomy(Validator& v, const Context& ctx, absl::string_view field,
                   absl::string_view taxonomy, absl::string_view code);

// YYYYMMDD of a date, for ordering dates.
int DateKey(const google::type::Date& d);

// A date range: both dates valid, start <= end.
void CheckDateRange(Validator& v, absl::string_view field,
                    const kerjasosial::common::v1::DateRange& range,
                    bool required);

// A document reference: number at most 100, uri at most 2000, date valid.
void CheckDocument(Validator& v, absl::string_view field,
                   const kerjasosial::common::v1::DocumentRef& doc);

// Every path of `mask` is one of `allowed`; INVALID_ARGUMENT on
// "update_mask" naming the first that is not (or an empty mask).
void CheckMask(Validator& v, const google::protobuf::FieldMask& mask,
               const std::vector<std::string>& allowed);

// Copies the fields of `mask` (top-level paths) from `from` into `to`.
void ApplyMask(const google::protobuf::FieldMask& mask,
               const google::protobuf::Message& from,
               google::protobuf::Message& to);

}  // namespace ks::supervision::programs::domain

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_COMMON_H_
