// ProgramsStore: the Redis layout of supervision's programs part. One
// Table per kind of record (table.h), plus what spans records:
//
//   pgseat:<regency>                   hash, field <program id>: seats held
//                                      by the program's REFERRED and ACCEPTED
//                                      referrals; changed only by an outbox
//                                      Reservation in the referral's own
//                                      commit, so a program is never
//                                      overbooked and the last seat has one
//                                      winner, with no retry loop
//   pgc:agrnum:<regency>:<sha256>      claim of an agreement number in the
//                                      regency (data: the agreement's name)
//   pgc:evalfinal:<regency>:<case id>  the case's FINAL evaluation (first
//                                      revision; data: its name)
//   pgc:evalcorr:<regency>:<eval id>   the correction of a submitted
//                                      evaluation (data: its name): each is
//                                      corrected once, so revisions chain
// Claims are records with expected version 0 in the creating commit: a
// second claimant gets ALREADY_EXISTS with the reason below and the holder's
// name, after the commit script's idempotency check (a racing retry of the
// same request is replayed, not refused).
//
// Thread-safe: holds no mutable state.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_STORE_PROGRAMS_STORE_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_STORE_PROGRAMS_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "kerjasosial/supervision/v1/resources.pb.h"
#include "services/supervision/programs/store/table.h"

namespace ks::supervision::programs::store {

inline constexpr absl::string_view kReasonAgreementNumberTaken =
    "AGREEMENT_NUMBER_TAKEN";
inline constexpr absl::string_view kReasonFinalEvaluationExists =
    "FINAL_EVALUATION_EXISTS";
inline constexpr absl::string_view kReasonEvaluationAlreadyCorrected =
    "EVALUATION_ALREADY_CORRECTED";

// INVALID_ARGUMENT naming `field` unless `name` is
// "regencies/{regency}/<collection>/{id}".
absl::StatusOr<Key> ParseKey(absl::string_view name,
                             absl::string_view collection,
                             absl::string_view field);

class ProgramsStore {
 public:
  // `pool` and `writer` must outlive the store.
  ProgramsStore(redis::Pool& pool, outbox::Writer& writer);

  Table<kerjasosial::supervision::v1::GuidanceSession> guidance;
  Table<kerjasosial::supervision::v1::PartnerAgreement> agreements;
  Table<kerjasosial::supervision::v1::PartnerProgram> programs;
  Table<kerjasosial::supervision::v1::Referral> referrals;
  Table<kerjasosial::supervision::v1::Evaluation> evaluations;
  Table<kerjasosial::supervision::v1::SafetyIncident> incidents;
  Table<kerjasosial::supervision::v1::IntegrationClient> clients;

  // The program with `active_referrals` set to the seats it holds now.
  absl::StatusOr<kerjasosial::supervision::v1::PartnerProgram> GetProgram(
      const Key& key) const;
  // Sets `active_referrals` of each program of a page (one round trip).
  absl::Status FillSeats(
      std::vector<kerjasosial::supervision::v1::PartnerProgram>& page) const;

  // The reservation moving `delta` seats of `program` under `limit`
  // (refused as FAILED_PRECONDITION PROGRAM_FULL {program, limit}).
  static outbox::Reservation Seats(const Key& program, absl::string_view name,
                                   int64_t delta, int64_t limit);

  static outbox::RecordWrite AgreementNumberClaim(absl::string_view regency,
                                                  absl::string_view number,
                                                  absl::string_view holder);
  // The name of the case's FINAL evaluation; NOT_FOUND when it has none.
  absl::StatusOr<std::string> FinalEvaluation(const Key& case_key) const;

  static outbox::RecordWrite FinalEvaluationClaim(const Key& case_key,
                                                  absl::string_view holder);
  static outbox::RecordWrite CorrectionClaim(const Key& corrected,
                                             absl::string_view holder);

 private:
  redis::Pool& pool_;
  outbox::Writer& writer_;
};

}  // namespace ks::supervision::programs::store

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_STORE_PROGRAMS_STORE_H_
