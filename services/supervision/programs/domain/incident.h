// Safety incidents at a work site (the work safety the judge weighs, KUHP
// Pasal 85(2)(e); the Pemda guarantees it at its sites). A SERIOUS or
// CRITICAL incident is raised: published as SafetyIncidentRaised, which the
// site's Pemda (the envelope's regency) and the case's prosecutor act on;
// a lesser one as SafetyIncidentRecorded. Either event carries resource
// names, the severity and the time only: the description and the actions
// taken (free text) stay in the record.
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_INCIDENT_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_INCIDENT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/supervision/v1/supervision_service.pb.h"
#include "services/supervision/programs/domain/common.h"

namespace ks::supervision::programs::domain {

inline constexpr absl::string_view kIncidentAggregate = "SafetyIncident";

// SERIOUS and CRITICAL.
bool IsSevere(kerjasosial::supervision::v1::IncidentSeverity severity);

// What a reader who is not the Bapas's PK sees: the facts without the free
// text (description, actions taken), which may name people despite the
// contract's "without names"; the Pemda and the prosecutor act on the facts
// and ask the Bapas for the account.
kerjasosial::supervision::v1::SafetyIncident RedactIncident(
    kerjasosial::supervision::v1::SafetyIncident incident);

// A new incident `name` under the site's `regency`.
absl::StatusOr<Outcome<kerjasosial::supervision::v1::SafetyIncident>>
RecordIncident(const kerjasosial::supervision::v1::SafetyIncident& input,
               absl::string_view name, absl::string_view regency,
               const Context& ctx);

}  // namespace ks::supervision::programs::domain

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_INCIDENT_H_
