// Who is expected at a site on a local day (ListSiteRoll, issue #10): the
// rule the site supervisor's attendance list follows. Pure.
//
// A placement is on the roll of `day` when
//   - the day lies in the placement's period;
//   - the placement was ACTIVE during some part of that local day (its
//     ACTIVE intervals from placements' feed; a suspension that covers the
//     whole day takes it off);
//   - its weekly schedule has a window on that weekday.
//
// Thread-safe (no shared state).
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_ROLL_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_ROLL_H_

#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "services/supervision/domain/session_rules.h"

namespace ks::supervision::domain {

// Whether the placement with `facts` and ACTIVE intervals `active` is
// expected at its site on local `day` of `zone` (the site's).
bool ExpectedOn(const ::kerjasosial::placements::v1::PlacementFacts& facts,
                const std::vector<ActiveInterval>& active, absl::CivilDay day,
                absl::TimeZone zone);

}  // namespace ks::supervision::domain

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_ROLL_H_
