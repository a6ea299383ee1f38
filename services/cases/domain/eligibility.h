// Eligibility and registration rules of a case (DESIGN §7 R1, R2, R3(c), R5,
// R10, R11, R12, R13), pure: no I/O, every legal number from the
// PolicyVersion passed in.
//
// Error codes (one convention for the whole cases domain):
//   * INVALID_ARGUMENT — a field of the request is missing, malformed, or its
//     value breaks a rule of law (the case as described does not qualify).
//     The google.rpc.BadRequest names the field path under `case_data.` and
//     its description names the rule and article, e.g.
//     {"case_data.sentence.hours", "must be in [8, 240] (R5, KUHP Pasal
//     85(4)), got 241"}. Eligibility is a property of the data the prosecutor
//     sends, so a case that does not qualify is a bad argument: correcting
//     the data (or not registering) is the only remedy, and every problem is
//     reported at once. This matches the contract in cases_service.proto.
//   * FAILED_PRECONDITION — the request is well formed but the case's
//     current state does not allow it (see lifecycle.h).
//
// Thread safety: all functions are pure and thread-safe.
#ifndef KS_SERVICES_CASES_DOMAIN_ELIGIBILITY_H_
#define KS_SERVICES_CASES_DOMAIN_ELIGIBILITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/common/v1/policy.pb.h"

namespace ks::cases::domain {

using ::kerjasosial::cases::v1::Case;
using ::kerjasosial::common::v1::PolicyVersion;

// Prefix of every field path in violations: the request field that carries a
// whole Case (cases_service.proto).
inline constexpr char kCaseField[] = "case_data";

// Validates a case to be registered (CreateCase) or a corrected case
// (UpdateCase) against `policy` — the version in force on the decision's
// final date. `today` is the local date (dates in the future are refused).
// Returns OK, or INVALID_ARGUMENT naming every offending field (see the file
// comment). Tolerated problems (a NIK whose birth-date part disagrees, R13)
// are appended to `warnings` (may be null) as "field: description"; they
// never fail the call. Output-only fields of `c` are ignored.
//
// Besides the rules of law: names are one line of valid UTF-8 within their
// length in code points, not blank, without control characters; the birth
// date is on or after 1900-01-01 and the person at least the policy's
// minimum age at the offence (or, without an offence date, at the decision);
// a decision final before `policy.effective_from` is refused (the policy
// holds no law for it); a fine substitute's hours must be the fine at the
// policy's rate (SubstituteHoursForFine), else the violation names the hours
// the law gives.
absl::Status ValidateNewCase(const Case& c, const PolicyVersion& policy,
                             absl::CivilDay today,
                             std::vector<std::string>* warnings);

// Returns `c` with its derived Output-only fields computed:
// sentence.replaced_prison_days, sentence.policy_version,
// person.nik_date_mismatch, fine_substitution.remaining_minutes (from
// paid_rupiah), progress.owed_minutes when nothing was credited yet. Does
// not validate; call ValidateNewCase first.
Case WithDerivedFields(Case c, const PolicyVersion& policy);

// R10, KUHP Pasal 82: the community-work hours that replace an unpaid fine of
// `unpaid_fine_rupiah`, at the policy's rupiah per hour with its rounding
// ("Rp50.000 atau kurang" = 1 hour: HOURS_ROUNDING_UP), then brought into
// [fine_conversion.min_hours, max_hours] (the law fixes 8-240 hours whatever
// the amount, so a small fine still costs the minimum). INVALID_ARGUMENT if
// the amount is not positive or exceeds the policy's category
// (`fine_conversion.fine_category_max`; Pasal 83(1) sends larger fines to
// prison).
absl::StatusOr<int32_t> SubstituteHoursForFine(int64_t unpaid_fine_rupiah,
                                               const PolicyVersion& policy);

// R10, KUHP Pasal 82: the minutes still owed by a fine-substitute sentence of
// `substitute_hours` replacing `fine_rupiah` after `paid_rupiah` was paid:
// the hours reduced in proportion to the unpaid part, rounded to whole hours
// per `fine_conversion.rounding`, times 60. 0 once paid in full.
// Preconditions: fine_rupiah > 0, 0 <= paid_rupiah <= fine_rupiah.
int64_t RemainingMinutesAfterPayment(int32_t substitute_hours,
                                     int64_t fine_rupiah, int64_t paid_rupiah,
                                     const PolicyVersion& policy);

// The replaced prison term in days: months x the policy's days per Bulan +
// days. Computed once at registration (WithDerivedFields) and read from
// `sentence.replaced_prison_days` afterwards, so a later policy version never
// changes a registered sentence.
int32_t ReplacedPrisonDays(const kerjasosial::cases::v1::Sentence& s,
                           const PolicyVersion& policy);

// The fine the community work replaces, whole rupiah: the Pasal 82 fine of a
// fine-substitute case, else the imposed fine (0 if none).
int64_t ReplacedFineRupiah(const Case& c);

// Hours currently ordered: the latest REPEAT outcome's hours if any, else
// `sentence.hours`.
int32_t CurrentSentenceHours(const Case& c);

// Minutes the ledger counts to: fine_substitution.remaining_minutes for a
// fine-substitute case without a repeat, else CurrentSentenceHours x 60.
int64_t CurrentSentenceMinutes(const Case& c);

// Age in whole years on `on` of a person born on `birth`.
int AgeInYears(absl::CivilDay birth, absl::CivilDay on);

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_ELIGIBILITY_H_
