// Partner agreements and the programs partners offer under them (the Bapas
// cooperation agreements: agriculture, livestock and fisheries offices,
// sports offices, hospitals, psychologists and universities, legal aid,
// PKBM, banks, suppliers of the free-meals program), and who may be referred
// to a program.
//
// Capacity. A program's `capacity` is the number of seats held at once
// (0 = unlimited). A seat is held from CreateReferral until the referral is
// completed or withdrawn; the store holds it with an outbox reservation in
// the referral's own commit, so a program is never overbooked and
// concurrent referrals for the last seat give exactly one winner. These
// rules only decide whether a program may take referrals at all, and
// whether a capacity change leaves room for the seats already held.
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_PROGRAM_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_PROGRAM_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/supervision/v1/supervision_service.pb.h"
#include "services/supervision/programs/domain/common.h"

namespace ks::supervision::programs::domain {

// A new agreement `name` from `input`.
absl::StatusOr<kerjasosial::supervision::v1::PartnerAgreement> NewAgreement(
    const kerjasosial::supervision::v1::PartnerAgreement& input,
    absl::string_view name, const Context& ctx);

// The agreement after the request's update_mask (number is immutable: it
// is the agreement's identity in the regency).
absl::StatusOr<kerjasosial::supervision::v1::PartnerAgreement> UpdateAgreement(
    const kerjasosial::supervision::v1::PartnerAgreement& current,
    const kerjasosial::supervision::v1::UpdatePartnerAgreementRequest& request,
    const Context& ctx);

// A new OPEN program `name` from `input`. `agreement` is the agreement it
// names (null when it names none); the program's partner kind must be the
// agreement's, and the agreement must be in force today.
absl::StatusOr<kerjasosial::supervision::v1::PartnerProgram> NewProgram(
    const kerjasosial::supervision::v1::PartnerProgram& input,
    const kerjasosial::supervision::v1::PartnerAgreement* agreement,
    absl::string_view name, const Context& ctx);

// An OPEN program after the request's update_mask; FAILED_PRECONDITION if
// CLOSED, or CAPACITY_BELOW_ACTIVE_REFERRALS if the new capacity is below
// `held` seats (the store re-checks that atomically with a reservation).
absl::StatusOr<kerjasosial::supervision::v1::PartnerProgram> UpdateProgram(
    const kerjasosial::supervision::v1::PartnerProgram& current,
    const kerjasosial::supervision::v1::UpdatePartnerProgramRequest& request,
    int64_t held, const Context& ctx);

// OPEN -> CLOSED (referrals already made continue).
absl::StatusOr<kerjasosial::supervision::v1::PartnerProgram> CloseProgram(
    const kerjasosial::supervision::v1::PartnerProgram& current,
    const Context& ctx);

// OK when `subject` may be referred to `program`: OPEN, not ended, open to
// children for a child. Seats are the store's (reservation).
absl::Status CheckReferable(
    const kerjasosial::supervision::v1::PartnerProgram& program,
    const Subject& subject, const Context& ctx);

// The reservation limit of a program's seats: its capacity, or "no limit".
int64_t SeatLimit(const kerjasosial::supervision::v1::PartnerProgram& program);

}  // namespace ks::supervision::programs::domain

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_PROGRAM_H_
