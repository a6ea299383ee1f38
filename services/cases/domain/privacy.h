// What of a case leaves the cases service, to whom (DESIGN §6, UU 27/2022):
// the feed's CaseFacts (no personal data at all), the SERVICE execution view
// (no personal data), and the NIK mask of List responses.
//
// Thread safety: all functions are pure and thread-safe.
#ifndef KS_SERVICES_CASES_DOMAIN_PRIVACY_H_
#define KS_SERVICES_CASES_DOMAIN_PRIVACY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "common/auth/principal.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "kerjasosial/cases/v1/resources.pb.h"

namespace ks::cases::domain {

// The non-personal facts every cases event repeats: regency, kind, basis,
// offence category, current hours, replaced prison days and fine, state
// (`c.state`) and `previous_state`. Reads only non-personal fields.
kerjasosial::cases::v1::CaseFacts Facts(
    const kerjasosial::cases::v1::Case& c,
    kerjasosial::cases::v1::CaseState previous_state);

// "6401**********12": the first 4 and last 2 characters kept, the rest '*'
// (the form named in resources.proto). Values of 6 characters or fewer are
// masked entirely.
std::string MaskNik(absl::string_view nik);

// True for the roles that see the full NIK (JAKSA, ADMIN).
bool RoleSeesNik(auth::Role role);

// `c` as a List response shows it to `role`: the NIK masked unless
// RoleSeesNik(role).
kerjasosial::cases::v1::Case MaskForRole(kerjasosial::cases::v1::Case c,
                                         auth::Role role);

// The GetCaseForExecution view: what placements and supervision need, no
// personal data (no `person`, no decision number, no breach evidence).
kerjasosial::cases::v1::CaseForExecution ExecutionView(
    const kerjasosial::cases::v1::Case& c);

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_PRIVACY_H_
