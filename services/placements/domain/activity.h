// Activity types: the work the Pemda offers. KUHP Pasal 85(3) (R4): the work
// must not be commercialised nor degrading; the policy may also require an
// educational attestation. An activity type is created ACTIVE only with
// every attestation the policy requires (INVALID_ARGUMENT naming the
// attestation and Pasal 85(3) otherwise); an attestation cannot be
// withdrawn by an update (retire instead). CheckUsable() is what sites and
// placements call before using a type.
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_ACTIVITY_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_ACTIVITY_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "services/placements/domain/context.h"

namespace ks::placements::domain {

using ::kerjasosial::placements::v1::ActivityType;

// A new ACTIVE activity type. INVALID_ARGUMENT naming every bad field under
// "activity_type." (a missing attestation cites R4, KUHP Pasal 85(3)).
absl::StatusOr<ActivityType> NewActivityType(const ActivityType& in,
                                             const std::string& name,
                                             const Context& ctx);

// UpdateActivityType on an ACTIVE type; paths display_name, description,
// category, safety_notes, suitable_for_children and the attestations (which
// may only be (re)affirmed: set to true, recorded with who and when).
absl::StatusOr<ActivityType> UpdateActivityType(
    const ActivityType& current, const ActivityType& patch,
    const google::protobuf::FieldMask& mask, const Context& ctx);

// ACTIVE → RETIRED.
absl::StatusOr<ActivityType> Retire(const ActivityType& a, const Context& ctx);

// OK when `a` may be used by a site or a placement: ACTIVE with every
// attestation the policy requires. FAILED_PRECONDITION
// ACTIVITY_TYPE_RETIRED or ACTIVITY_NOT_ATTESTED (citing Pasal 85(3)).
absl::Status CheckUsable(const ActivityType& a, const PolicyVersion& policy);

kerjasosial::placements::v1::ActivityTypeChanged ChangedEvent(
    const ActivityType& a);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_ACTIVITY_H_
