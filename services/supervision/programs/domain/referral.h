// Referrals of a client to a partner program, and their state machine:
//
//   (new)     CreateReferral            REFERRED   (+1 seat)
//   REFERRED  AcceptReferral            ACCEPTED
//   ACCEPTED  RecordReferralAttendance  ACCEPTED   (one meeting)
//   ACCEPTED  CompleteReferral          COMPLETED  (-1 seat; outcome
//                                                   COMPLETED, PARTIALLY_
//                                                   COMPLETED or NOT_ATTENDED)
//   REFERRED,
//   ACCEPTED  WithdrawReferral          WITHDRAWN  (-1 seat; outcome
//                                                   WITHDRAWN, reason code)
// Every other pair is FAILED_PRECONDITION TRANSITION_NOT_ALLOWED. Each step
// publishes a ReferralChanged (case or client by resource name, program,
// category, partner kind, state, outcome): counts per category and outcome
// for reporting, no notes and no names.
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_REFERRAL_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_REFERRAL_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/supervision/v1/supervision_service.pb.h"
#include "services/supervision/programs/domain/common.h"
#include "services/supervision/programs/domain/program.h"

namespace ks::supervision::programs::domain {

inline constexpr absl::string_view kReferralAggregate = "Referral";

// A referral step: the referral after it, its event, and the change of the
// program's held seats (+1, 0 or -1).
struct ReferralStep {
  Outcome<kerjasosial::supervision::v1::Referral> outcome;
  int64_t seat_delta = 0;
};

// Refers `subject` to `program` (both loaded by the caller).
absl::StatusOr<ReferralStep> CreateReferral(
    const kerjasosial::supervision::v1::Referral& input,
    const kerjasosial::supervision::v1::PartnerProgram& program,
    const Subject& subject, absl::string_view name, absl::string_view regency,
    const Context& ctx);

absl::StatusOr<ReferralStep> AcceptReferral(
    const kerjasosial::supervision::v1::Referral& current, int64_t version,
    const kerjasosial::supervision::v1::PartnerProgram& program,
    absl::string_view regency, const Context& ctx);

// One meeting: its date (not after today, not recorded before), attended
// or the reason (guidance_non_attendance taxonomy).
absl::StatusOr<ReferralStep> RecordReferralAttendance(
    const kerjasosial::supervision::v1::Referral& current, int64_t version,
    const kerjasosial::supervision::v1::RecordReferralAttendanceRequest&
        request,
    const kerjasosial::supervision::v1::PartnerProgram& program,
    absl::string_view regency, const Context& ctx);

// Completion; a program that certifies completion requires the
// certificate for outcome COMPLETED, and a certificate is refused for any
// other outcome.
absl::StatusOr<ReferralStep> CompleteReferral(
    const kerjasosial::supervision::v1::Referral& current, int64_t version,
    const kerjasosial::supervision::v1::CompleteReferralRequest& request,
    const kerjasosial::supervision::v1::PartnerProgram& program,
    absl::string_view regency, const Context& ctx);

absl::StatusOr<ReferralStep> WithdrawReferral(
    const kerjasosial::supervision::v1::Referral& current, int64_t version,
    const kerjasosial::supervision::v1::WithdrawReferralRequest& request,
    const kerjasosial::supervision::v1::PartnerProgram& program,
    absl::string_view regency, const Context& ctx);

}  // namespace ks::supervision::programs::domain

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_REFERRAL_H_
