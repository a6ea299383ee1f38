// Work sites: validation (the zone comes from the regency, R14, never from
// input), the ACTIVE / SUSPENDED / CLOSED lifecycle with policy reason
// codes, and the SiteChanged payload supervision works from offline (zone,
// schedule, attested activities, staff principal ids).
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_SITE_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_SITE_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "services/placements/domain/context.h"

namespace ks::placements::domain {

using ::kerjasosial::placements::v1::Site;

// A new ACTIVE site `name` in `regency` with zone `zone` (the regency's).
// `agreement` is the site's agreement (must be in force for the regency);
// `activities` maps each activity type the site names to its record (a
// missing one is NOT_FOUND, raised by the caller before). INVALID_ARGUMENT
// naming every bad field under "site."; FAILED_PRECONDITION when the
// agreement is not in force or an activity type is retired.
absl::StatusOr<Site> NewSite(
    const Site& in, const std::string& name, const std::string& regency,
    const std::string& zone,
    const kerjasosial::placements::v1::CooperationAgreement& agreement,
    const std::map<std::string, kerjasosial::placements::v1::ActivityType>&
        activities,
    const Context& ctx);

// UpdateSite on a site that is not CLOSED: display_name, host_kind,
// host_name, address, latitude, longitude, activities, capacity, schedule,
// staff, accepts_children. `held` is the slots held now: capacity below it
// is FAILED_PRECONDITION.
absl::StatusOr<Site> UpdateSite(
    const Site& current, const Site& patch,
    const google::protobuf::FieldMask& mask, int64_t held,
    const std::map<std::string, kerjasosial::placements::v1::ActivityType>&
        activities,
    const Context& ctx);

// ACTIVE → SUSPENDED / SUSPENDED → ACTIVE / ACTIVE|SUSPENDED → CLOSED.
// `reason_code` is checked against the policy's site_state_reason taxonomy.
absl::StatusOr<Site> Suspend(const Site& s, const std::string& reason_code,
                             const Context& ctx);
absl::StatusOr<Site> Reinstate(const Site& s, const Context& ctx);
absl::StatusOr<Site> Close(const Site& s, const std::string& reason_code,
                           const Context& ctx);

// OK when `s` can receive a placement: ACTIVE. FAILED_PRECONDITION
// SITE_NOT_ACTIVE otherwise.
absl::Status CheckReceives(const Site& s);

// True when the site offers `activity_type` with both attestations.
bool OffersAttested(const Site& s, const std::string& activity_type);

kerjasosial::placements::v1::SiteChanged ChangedEvent(
    const Site& s, kerjasosial::placements::v1::SiteState previous);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_SITE_H_
