// SuggestSites, the pure ranking: which ACTIVE sites with a free slot fit a
// case, and why. Each candidate is scored per factor (0–100 points each):
//
//   activity_fit       100 when the decision names no activity type or the
//                      site offers it; 40 when it names one the site lacks
//   child_suitability  100 (an adult; or a child at a site that accepts
//                      children with a suitable activity — other sites are
//                      not candidates)
//   schedule_fit       100 when the minutes still owed can be worked from
//                      the first possible day to the deadline in the site's
//                      windows under the daily cap, the decision's days per
//                      week and weekdays, and a child's school hours;
//                      otherwise the share that can (floor, percent)
//   distance           only with a home location: 100 minus 2 points per
//                      whole kilometre, never below 0
//
// and ranked by total score, then distance, then free slots (more first),
// then site name: deterministic for the same inputs. The home location is
// an argument only; nothing here stores or logs it.
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_SUGGEST_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_SUGGEST_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "services/placements/domain/context.h"

namespace ks::placements::domain {

struct Candidate {
  kerjasosial::placements::v1::Site site;
  // Slots held now (capacity minus this is free).
  int64_t held = 0;
  // Whether the site's agreement is in force for its regency today.
  bool agreement_in_force = false;
};

struct HomeLocation {
  double latitude = 0;
  double longitude = 0;
};

// Minutes that can be worked at `site` from `from` to `deadline`
// (inclusive) under the case's constraints and the policy's caps.
int64_t AvailableMinutes(const kerjasosial::placements::v1::Site& site,
                         const kerjasosial::cases::v1::CaseForExecution& c,
                         absl::CivilDay from, absl::CivilDay deadline,
                         const PolicyVersion& policy);

// Great-circle distance in metres (haversine, mean Earth radius).
int64_t DistanceMeters(double lat1, double lon1, double lat2, double lon2);

// The ranked suggestions, at most `limit`. `activities` maps activity type
// names to their records (unknown ones do not fit).
std::vector<kerjasosial::placements::v1::SiteSuggestion> Suggest(
    const kerjasosial::cases::v1::CaseForExecution& c,
    const std::vector<Candidate>& candidates,
    const std::map<std::string, kerjasosial::placements::v1::ActivityType>&
        activities,
    const std::optional<HomeLocation>& home, const Context& ctx, int limit);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_SUGGEST_H_
