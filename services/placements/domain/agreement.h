// Cooperation agreements (naskah kerja sama, DESIGN §7): their validation
// against the policy's term (Reporting.agreement_validity_months), their
// lifecycle DRAFT → IN_FORCE → EXPIRED/TERMINATED, yearly evaluations and
// renewal. EXPIRED is reached by time: EffectiveState() computes it on
// every read, and the service's sweep commits it once (with its event).
//
// Errors: INVALID_ARGUMENT naming each field and rule; FAILED_PRECONDITION
// INVALID_STATE for a transition the state does not allow.
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_AGREEMENT_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_AGREEMENT_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/field_mask.pb.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "services/placements/domain/context.h"

namespace ks::placements::domain {

using ::kerjasosial::placements::v1::CooperationAgreement;

// The state `a` is in on `today`: IN_FORCE past its expiry date is EXPIRED.
kerjasosial::placements::v1::AgreementState EffectiveState(
    const CooperationAgreement& a, absl::CivilDay today);
// `a` as read on `today` (state = EffectiveState).
CooperationAgreement AsOf(CooperationAgreement a, absl::CivilDay today);

// OK when sites of `regency` may receive placements under `a` on `today`:
// IN_FORCE, not expired, and `regency` is its own or a covered one.
// FAILED_PRECONDITION AGREEMENT_NOT_IN_FORCE otherwise.
absl::Status CheckInForce(const CooperationAgreement& a,
                          absl::string_view regency, absl::CivilDay today);

// A new DRAFT agreement `name` from the client's `in` (Output-only fields
// ignored). INVALID_ARGUMENT naming every bad field under "agreement.".
absl::StatusOr<CooperationAgreement> NewAgreement(
    const CooperationAgreement& in, const std::string& name,
    const std::string& regency, const Context& ctx);

// UpdateCooperationAgreement: DRAFT agreements change any mutable path;
// IN_FORCE ones only reporting_period, technical_office and document.
absl::StatusOr<CooperationAgreement> UpdateAgreement(
    const CooperationAgreement& current, const CooperationAgreement& patch,
    const google::protobuf::FieldMask& mask, const Context& ctx);

// DRAFT → IN_FORCE (not when the expiry date has passed).
absl::StatusOr<CooperationAgreement> Activate(const CooperationAgreement& a,
                                              const Context& ctx);
// DRAFT or IN_FORCE → TERMINATED.
absl::StatusOr<CooperationAgreement> Terminate(const CooperationAgreement& a,
                                               const Context& ctx);
// IN_FORCE → IN_FORCE with `evaluation` appended; the next due date moves
// to one evaluation interval after it.
absl::StatusOr<CooperationAgreement> RecordEvaluation(
    const CooperationAgreement& a,
    const kerjasosial::placements::v1::AgreementEvaluation& evaluation,
    const Context& ctx);
// IN_FORCE past expiry → EXPIRED (the sweep); INVALID_STATE otherwise.
absl::StatusOr<CooperationAgreement> Expire(const CooperationAgreement& a,
                                            const Context& ctx);

// The renewed agreement (with renewed_by) and its DRAFT successor `new_name`
// with the same parties and scope. FAILED_PRECONDITION when TERMINATED or
// already renewed.
absl::StatusOr<std::pair<CooperationAgreement, CooperationAgreement>> Renew(
    const CooperationAgreement& a, const std::string& new_name,
    const std::string& number, const google::type::Date& signed_date,
    const google::type::Date& expiry_date, const Context& ctx);

// Feed payloads.
kerjasosial::placements::v1::CooperationAgreementActivated ActivatedEvent(
    const CooperationAgreement& a, const PolicyVersion& policy);
kerjasosial::placements::v1::CooperationAgreementEnded EndedEvent(
    const CooperationAgreement& a);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_AGREEMENT_H_
