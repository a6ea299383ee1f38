// Corrections of a registered case (UpdateCase).
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_CASES_DOMAIN_UPDATE_H_
#define KS_SERVICES_CASES_DOMAIN_UPDATE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/cases/v1/cases_service.pb.h"
#include "services/cases/domain/command.h"

namespace ks::cases::domain {

// UpdateCase: copies the paths of `req.update_mask` from `req.case_data`
// into `c`, then re-validates the whole case (ValidateNewCase under
// `policy`) and recomputes the derived fields.
// Paths: "person.full_name", "person.nik", "person.birth_date",
// "person.sex", "person.address", "person.phone_number",
// "person.livelihood", "decision.court_name", "decision.court_level",
// "decision.decision_number", "decision.decided_date",
// "decision.final_date", "decision.considerations", "decision.document",
// "offence.article", "offence.category",
// "offence.max_prison_threat_months", "offence.offence_date",
// "offence.first_offender", "sentence.hours",
// "sentence.imposed_prison_months", "sentence.imposed_prison_days",
// "sentence.imposed_fine_rupiah", "sentence.constraints",
// "sentence.breach_consequence", "sentence.litmas",
// "fine_substitution.fine_rupiah", "fine_substitution.rupiah_per_hour",
// "fine_substitution.substitute_hours".
// In REGISTERED and EXECUTION_ORDERED every path above; in HANDED_OVER …
// BREACHED only "person.address", "person.phone_number",
// "person.livelihood" (others: FAILED_PRECONDITION reason
// PATH_NOT_MUTABLE_IN_STATE {path, state}); terminal states:
// TRANSITION_NOT_ALLOWED. INVALID_ARGUMENT (field "update_mask") for an
// empty mask, an unknown path, or an Immutable/Output-only path
// ("sentence.kind", "sentence.basis", "name", "state", ...). Publishes
// CaseCorrected (personal paths reported only as "person"; every change has
// its event). The history lists the full paths.
absl::StatusOr<Transition> UpdateCase(
    const Case& c, const kerjasosial::cases::v1::UpdateCaseRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx,
    std::vector<std::string>* warnings);

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_UPDATE_H_
