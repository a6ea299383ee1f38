#include "services/supervision/programs/part1_facts.h"

#include <utility>

#include "common/auth/access.h"

namespace ks::supervision::programs {

namespace v1 = ::kerjasosial::supervision::v1;

std::function<absl::StatusOr<CaseFacts>(const std::string&)> CaseFactsFrom(
    ::ks::supervision::store::HoursStore& hours) {
  return [&hours](const std::string& case_name) -> absl::StatusOr<CaseFacts> {
    KS_ASSIGN_OR_RETURN(std::vector<v1::PkAssignment> all,
                        hours.AssignmentsOf(case_name));
    if (all.empty()) {
      return absl::NotFoundError("the case has no PK assignment here");
    }
    const v1::PkAssignment* pick = &all.back();
    for (const v1::PkAssignment& a : all) {
      if (a.state() == v1::ASSIGNMENT_STATE_ACTIVE) pick = &a;
    }
    CaseFacts facts;
    facts.active = pick->state() == v1::ASSIGNMENT_STATE_ACTIVE;
    facts.child =
        pick->kind() ==
        kerjasosial::common::v1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
    facts.assigned_pk = pick->pk_principal_id();
    if (!pick->placement().empty()) {
      facts.placement_regency = auth::RegencyOf(pick->placement());
    }
    return facts;
  };
}

std::function<absl::StatusOr<std::vector<v1::WorkSession>>(const std::string&)>
CaseSessionsFrom(::ks::supervision::store::HoursStore& hours) {
  return [&hours](const std::string& case_name) {
    return hours.SessionsOf(case_name);
  };
}

std::function<std::vector<std::string>(const std::string&)> SiteStaffFrom(
    ::ks::supervision::store::ReadModel& read_model) {
  return [&read_model](const std::string& site) {
    absl::StatusOr<::ks::supervision::store::SiteView> view =
        read_model.GetSite(site);
    return view.ok() ? view->staff_principal_ids : std::vector<std::string>{};
  };
}

}  // namespace ks::supervision::programs
