// What of a case leaves the cases service, to whom (DESIGN §6, UU 27/2022):
// the feed's CaseFacts (no personal data at all), the execution view with
// its minimal PersonSummary for SERVICE and the PK of the handover office
// only, and the NIK mask of List responses.
//
// Thread safety: all functions are pure and thread-safe.
#ifndef KS_SERVICES_CASES_DOMAIN_PRIVACY_H_
#define KS_SERVICES_CASES_DOMAIN_PRIVACY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/common/v1/policy.pb.h"

namespace ks::cases::domain {

// The non-personal facts every cases event repeats: regency, kind, basis,
// offence category, current hours, replaced prison days and fine, state
// (`c.state`) and `previous_state`. Reads only non-personal fields.
kerjasosial::cases::v1::CaseFacts Facts(
    const kerjasosial::cases::v1::Case& c,
    kerjasosial::cases::v1::CaseState previous_state);

// The snapshot state of a case for the feed's snapshot mode: like Facts(),
// only non-personal fields (name, regency, kind, state, hours, credited and
// owed minutes, deadline, handover office, version).
kerjasosial::cases::v1::CaseStateSnapshot SnapshotOf(
    const kerjasosial::cases::v1::Case& c);

// "6401**********12": the first 4 and last 2 characters kept, the rest '*'
// (the form named in resources.proto). Values of 6 characters or fewer are
// masked entirely.
std::string MaskNik(absl::string_view nik);

// "************0012": only the last 4 characters kept (PersonSummary's
// form). Values of 4 characters or fewer are masked entirely.
std::string MaskNikButLast4(absl::string_view nik);

// True for the roles GetCaseForExecution shows the PersonSummary to:
// SERVICE (supervision keeps it as its own personal data) and PK_BAPAS
// (who reaches the call only as a PK of the handover office, a relation
// the handler checks before the view is built). JAKSA reads the whole
// person with GetCase; PEMDA_OFFICER, and every other role, never sees it.
bool RoleSeesPersonSummary(auth::Role role);

// The minimal person of DESIGN §6: name, birth date, sex, phone, the
// guardian for a child only, and the NIK masked but for its last 4 digits.
// No address, no livelihood.
kerjasosial::cases::v1::PersonSummary SummaryOf(
    const kerjasosial::cases::v1::Case& c);

// True for the roles that see the full NIK (JAKSA, ADMIN).
bool RoleSeesNik(auth::Role role);

// `c` as a List response shows it to `role`: the NIK masked unless
// RoleSeesNik(role).
kerjasosial::cases::v1::Case MaskForRole(kerjasosial::cases::v1::Case c,
                                         auth::Role role);

// The GetCaseForExecution view for a caller of `role`: what placements and
// supervision need (sentence, constraints, span start and deadline as local
// days of `zone`, the case's regency, from `policy`'s span rule, the Litmas
// reference), and SummaryOf(c) only when RoleSeesPersonSummary(role). Never
// the decision number, the address or breach evidence.
kerjasosial::cases::v1::CaseForExecution ExecutionView(
    const kerjasosial::cases::v1::Case& c, auth::Role role,
    const kerjasosial::common::v1::PolicyVersion& policy, absl::TimeZone zone);

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_PRIVACY_H_
