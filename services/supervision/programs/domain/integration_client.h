// Program-integrasi clients: people on parole, conditional or pre-release
// leave, assimilation, or a child's non-custodial measure, whom the Bapas
// guides without a community-service case. They have a decree reference,
// not a case: guidance sessions and referrals only, never hours, a ledger
// or a work session (CheckNoHours). Their person summary is personal data
// kept by supervision alone; the IntegrationClientChanged event carries the
// kind, the office and the period only.
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_INTEGRATION_CLIENT_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_INTEGRATION_CLIENT_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/supervision/v1/supervision_service.pb.h"
#include "services/supervision/programs/domain/common.h"

namespace ks::supervision::programs::domain {

inline constexpr absl::string_view kClientAggregate = "IntegrationClient";

absl::StatusOr<Outcome<kerjasosial::supervision::v1::IntegrationClient>>
OpenClient(const kerjasosial::supervision::v1::IntegrationClient& input,
           absl::string_view name, absl::string_view regency,
           const Context& ctx);

// update_mask over pk_principal_id, kind, decree_reference, period, person
// (bapas_office_code is the client's office for good).
absl::StatusOr<Outcome<kerjasosial::supervision::v1::IntegrationClient>>
UpdateClient(
    const kerjasosial::supervision::v1::IntegrationClient& current,
    int64_t version,
    const kerjasosial::supervision::v1::UpdateIntegrationClientRequest& request,
    absl::string_view regency, const Context& ctx);

// The subject a guidance session or referral of `client` is about: active
// while its period has not ended; a child for a CHILD_MEASURE.
Subject ClientSubject(
    const kerjasosial::supervision::v1::IntegrationClient& client,
    const Context& ctx);

// FAILED_PRECONDITION INTEGRATION_CLIENT_HAS_NO_HOURS when `subject_name`
// (the case a work session, ledger or hours adjustment names) is a
// program-integrasi client: such a client never serves hours.
absl::Status CheckNoHours(absl::string_view subject_name);

}  // namespace ks::supervision::programs::domain

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_INTEGRATION_CLIENT_H_
