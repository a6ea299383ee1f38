// What every pure rule of the placements domain is given: the time, the
// deployment's local day, who acts and the policy version in force. The
// legal citations the rules name in their errors live here too, in one
// table, so a rule reads the same wherever it is checked.
//
// Thread-safe: plain values.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_CONTEXT_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_CONTEXT_H_

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/policy/policy.h"
#include "common/time/proto_time.h"
#include "google/protobuf/timestamp.pb.h"
#include "kerjasosial/common/v1/common.pb.h"

namespace ks::placements::domain {

using ::kerjasosial::common::v1::PolicyVersion;

struct Context {
  absl::Time now;
  // The local day of the regency the call addresses (R14).
  absl::CivilDay today;
  kerjasosial::common::v1::Actor actor;
  // Not owned. The policy version in force today.
  const PolicyVersion* policy = nullptr;
};

// The one Timestamp conversion (common/time/proto_time.h), also as
// domain::ToProto.
using ::ks::ToProto;

namespace cite {
// R4: activities must be non-commercial and non-degrading.
inline constexpr char kR4[] = "R4, KUHP Pasal 85(3)";
// R11: the child's daily cap and school hours.
inline constexpr char kR11DailyCap[] = "R11, PP 58/2022 Pasal 19(5)";
inline constexpr char kR11School[] = "R11, PP 58/2022 Pasal 19(6)";
inline constexpr char kR6[] = "R6, KUHP Pasal 85(5)";
inline constexpr char kR7[] = "R7, KUHP Pasal 85(5)-(6)";
inline constexpr char kR14[] = "R14, Keppres 41/1987";
}  // namespace cite

// ErrorInfo reasons of the placements domain (FAILED_PRECONDITION unless
// said otherwise).
inline constexpr char kReasonInvalidState[] = "INVALID_STATE";
inline constexpr char kReasonAgreementNotInForce[] = "AGREEMENT_NOT_IN_FORCE";
inline constexpr char kReasonActivityNotAttested[] = "ACTIVITY_NOT_ATTESTED";
inline constexpr char kReasonActivityRetired[] = "ACTIVITY_TYPE_RETIRED";
inline constexpr char kReasonSiteNotActive[] = "SITE_NOT_ACTIVE";
inline constexpr char kReasonSiteCapacityExhausted[] =
    "SITE_CAPACITY_EXHAUSTED";
inline constexpr char kReasonCaseAlreadyPlaced[] = "CASE_ALREADY_PLACED";
inline constexpr char kReasonCaseNotPlaceable[] = "CASE_NOT_PLACEABLE";
inline constexpr char kReasonChildNotAccepted[] = "CHILD_NOT_ACCEPTED";
inline constexpr char kReasonAlreadyRenewed[] = "AGREEMENT_ALREADY_RENEWED";

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_CONTEXT_H_
