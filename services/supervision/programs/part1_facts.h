// What the programs part needs from part 1's stores, as ProgramsOptions
// callbacks: a case's assignment facts (ASSIGNED_PK, CASE_PROSECUTOR,
// PLACEMENT_REGENCY; "has an ACTIVE assignment"; child or adult) from the
// assignment records, and a site's staff (SITE_STAFF) from the read model
// that placements' feed keeps.
//
// Thread-safe as the stores are.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_PART1_FACTS_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_PART1_FACTS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/supervision/programs/programs_handlers.h"
#include "services/supervision/store/hours_store.h"
#include "services/supervision/store/read_model.h"

namespace ks::supervision::programs {

// The facts of a case from its assignments (the newest ACTIVE one, else the
// newest); NOT_FOUND when it has none. `hours` must outlive the function.
std::function<absl::StatusOr<CaseFacts>(const std::string& case_name)>
CaseFactsFrom(::ks::supervision::store::HoursStore& hours);

// The work sessions of a case (evaluations' attendance figures). `hours`
// must outlive the function.
std::function<
    absl::StatusOr<std::vector<kerjasosial::supervision::v1::WorkSession>>(
        const std::string& case_name)>
CaseSessionsFrom(::ks::supervision::store::HoursStore& hours);

// The principal ids of a site's staff (none when the site is unknown).
// `read_model` must outlive the function.
std::function<std::vector<std::string>(const std::string& site)> SiteStaffFrom(
    ::ks::supervision::store::ReadModel& read_model);

}  // namespace ks::supervision::programs

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_PART1_FACTS_H_
