// Guidance sessions (pembimbingan, KUHP Pasal 85(8), R9): the PK records
// each meeting with a case's client or a program-integrasi client: when,
// mode, topics, attended or not (with a reason from the policy's
// guidance_non_attendance taxonomy), the next date, and a reference to the
// PK's notes. The notes are personal data: they are kept in the record only,
// never in an event, and RedactGuidance() strips them for every reader but
// the PK.
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_GUIDANCE_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_GUIDANCE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/supervision/v1/supervision_service.pb.h"
#include "services/supervision/programs/domain/common.h"

namespace ks::supervision::programs::domain {

inline constexpr absl::string_view kGuidanceAggregate = "GuidanceSession";

// A new guidance session `name` in `regency` from the client's `input`, for
// `subject` (loaded by the caller from `input.case_name` / `input.client`).
absl::StatusOr<Outcome<kerjasosial::supervision::v1::GuidanceSession>>
RecordGuidance(const kerjasosial::supervision::v1::GuidanceSession& input,
               const Subject& subject, absl::string_view name,
               absl::string_view regency, const Context& ctx);

// Corrects the fields of `mask` (interval, mode, topics, attended,
// reason_code, next_session_date, notes) of `current` (stored version
// `version`). The correction publishes a GuidanceSessionRecorded again, so
// counts follow the corrected facts.
absl::StatusOr<Outcome<kerjasosial::supervision::v1::GuidanceSession>>
CorrectGuidance(
    const kerjasosial::supervision::v1::GuidanceSession& current,
    int64_t version,
    const kerjasosial::supervision::v1::UpdateGuidanceSessionRequest& request,
    absl::string_view regency, const Context& ctx);

// What a reader who is not the PK sees: everything but the notes.
kerjasosial::supervision::v1::GuidanceSession RedactGuidance(
    kerjasosial::supervision::v1::GuidanceSession session);

}  // namespace ks::supervision::programs::domain

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_GUIDANCE_H_
