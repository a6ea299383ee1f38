// Placements of a case at a site: the checks against the case as cases
// answers it (GetCaseForExecution), the site, its agreement and the
// activity; the lifecycle
//
//   PROPOSED ─accept→ ACCEPTED ─start→ ACTIVE ⇄ SUSPENDED ─end→ ENDED
//      └decline→ DECLINED   PLANNED ─start→ ACTIVE;  PLANNED|ACCEPTED ─cancel→
//      CANCELLED
//
// and which states hold a slot of the site's capacity (HoldsSlot; the store
// reserves and releases it in the same commit as the transition).
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_PLACEMENT_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_PLACEMENT_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "services/placements/domain/context.h"

namespace ks::placements::domain {

using ::kerjasosial::placements::v1::Placement;
using ::kerjasosial::placements::v1::PlacementState;

// True for the states that hold a slot of the site (resources.proto,
// Site.capacity): ACCEPTED, PLANNED, ACTIVE, SUSPENDED.
bool HoldsSlot(PlacementState state);

// Everything a new placement is checked against, loaded by the handler.
struct PlacementInputs {
  const kerjasosial::cases::v1::CaseForExecution* case_view = nullptr;
  const kerjasosial::placements::v1::Site* site = nullptr;
  const kerjasosial::placements::v1::CooperationAgreement* agreement = nullptr;
  const kerjasosial::placements::v1::ActivityType* activity = nullptr;
};

// A new placement `name` of `in` (case_name, site, activity_type, period,
// schedule, max_minutes_per_day) in `state` (PLANNED for CreatePlacement,
// PROPOSED for ProposePlacement). `field` prefixes violations
// ("placement", "successor"). Errors:
//   INVALID_ARGUMENT  bad field; schedule outside the site's windows or the
//                     decision's constraints (naming the slot and window);
//                     period outside the case's span; daily cap above policy
//   FAILED_PRECONDITION  CASE_NOT_PLACEABLE (state), SITE_NOT_ACTIVE,
//                     AGREEMENT_NOT_IN_FORCE, ACTIVITY_NOT_ATTESTED (Pasal
//                     85(3)), CHILD_NOT_ACCEPTED
absl::StatusOr<Placement> NewPlacement(
    const Placement& in, const std::string& name, absl::string_view field,
    PlacementState state, const PlacementInputs& inputs, const Context& ctx);

// The request-level checks done before any lookup (no peer call for a
// request that is malformed anyway).
absl::Status CheckPlacementInput(const Placement& in, absl::string_view field,
                                 bool need_case);

// Transitions; each FAILED_PRECONDITION INVALID_STATE from a wrong state.
absl::StatusOr<Placement> Accept(const Placement& p, const Context& ctx);
absl::StatusOr<Placement> Decline(const Placement& p, const std::string& note,
                                  const Context& ctx);
absl::StatusOr<Placement> Start(const Placement& p,
                                const kerjasosial::placements::v1::Site& site,
                                const Context& ctx);
absl::StatusOr<Placement> SuspendPlacement(const Placement& p,
                                           const std::string& reason_code,
                                           const Context& ctx);
absl::StatusOr<Placement> End(
    const Placement& p, kerjasosial::placements::v1::PlacementEndReason reason,
    const Context& ctx);
absl::StatusOr<Placement> Cancel(const Placement& p, const Context& ctx);

// UpdatePlacement: period, schedule, max_minutes_per_day, activity_type of a
// non-terminal placement, re-checked against the site (and the case's
// constraints given in `inputs.case_view` when present).
absl::StatusOr<Placement> UpdatePlacement(
    const Placement& current, const Placement& patch,
    const google::protobuf::FieldMask& mask, const PlacementInputs& inputs,
    const Context& ctx);

// The non-personal facts every placement event repeats; `previous` is the
// state before the change.
kerjasosial::placements::v1::PlacementFacts FactsOf(
    const Placement& p, PlacementState previous,
    kerjasosial::placements::v1::ActivityCategory category);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_PLACEMENT_H_
