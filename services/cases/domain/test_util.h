// The case fixtures of every cases test: valid cases of each kind under the
// default policy, with dates relative to a given "today" (the domain tests
// use a fixed day, the end-to-end tests the real one), a fixed command
// context, and readers of error details.
#ifndef KS_SERVICES_CASES_DOMAIN_TEST_UTIL_H_
#define KS_SERVICES_CASES_DOMAIN_TEST_UTIL_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/common/v1/policy.pb.h"
#include "services/cases/domain/lifecycle.h"

namespace ks::cases::domain::testing {

// The compiled-in default policy version (kuhp-2026-01-02).
const PolicyVersion& DefaultPolicy();

// "Today" of the tests: 2026-03-02 (local, Asia/Makassar).
absl::CivilDay Today();

// A context at 2026-03-02T03:00:00Z in Asia/Makassar, actor jaksa-6401.
CommandContext Ctx();

// Personal data of the fixtures (asserted absent from events).
inline constexpr char kName[] = "Budi Santoso";
inline constexpr char kNik[] = "6401011705900001";  // born 17-05-1990, male
inline constexpr char kAddress[] = "Jl. Sudirman 12, Tanah Grogot";
inline constexpr char kPhone[] = "+6281234567890";

// Valid cases (input form, no Output-only fields): an adult principal
// sentence of 120 h replacing 3 months of prison (consequence SERVE_PRISON);
// a child of 15 with 60 h and a Litmas; an adult fine substitute of Rp1,000,000
// = 20 h.
// The *On forms date them relative to `today` and take the decision number.
Case AdultCaseOn(absl::CivilDay today, absl::string_view decision_number);
Case ChildCaseOn(absl::CivilDay today, absl::string_view decision_number);
Case FineSubstituteCaseOn(absl::CivilDay today,
                          absl::string_view decision_number);
// The same on Today() with kDecisionNumber.
inline constexpr char kDecisionNumber[] = "12/Pid.B/2026/PN Tgt";
Case AdultCase();
Case ChildCase();
Case FineSubstituteCase();

// `input` registered as regencies/64.01/cases/c1 (must be valid).
Case Registered(const Case& input);

// The fields named by the BadRequest of `s` (empty if none).
std::vector<std::string> ViolationFields(const absl::Status& s);
// The description of the violation of `field`, or "" if absent.
std::string ViolationOf(const absl::Status& s, const std::string& field);
// ErrorInfo reason and metadata of `s`.
std::string ErrorReason(const absl::Status& s);
std::map<std::string, std::string> ErrorMetadata(const absl::Status& s);

}  // namespace ks::cases::domain::testing

#endif  // KS_SERVICES_CASES_DOMAIN_TEST_UTIL_H_
