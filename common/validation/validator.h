// Request validation: a Validator collects every field violation of a
// request, then Finish() turns them into one INVALID_ARGUMENT whose message
// and google.rpc.BadRequest detail name each field and the rule it broke —
// the client learns every problem at once, not one per round trip.
//
// Messages never repeat the offending value of a personal field (NIK): they
// end up in logs and client error reports.
//
// Example:
//   ks::Validator v;
//   v.RequestId("request_id", req.request_id());
//   v.ResourceName("parent", req.parent(), "regencies/{regency}");
//   if (v.Required("case", req.has_case())) {
//     v.InRange("case.sentence.hours", hours, adult.min_hours(),
//               adult.max_hours(), "R5, KUHP Pasal 85(4)");
//   }
//   KS_RETURN_IF_ERROR(v.Finish());
//
// Each check returns true if the value passed, so dependent checks can be
// skipped. Thread safety: a Validator is used by one thread (one request).
#ifndef KS_COMMON_VALIDATION_VALIDATOR_H_
#define KS_COMMON_VALIDATION_VALIDATOR_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/regions/regions.h"
#include "common/status/rich_status.h"
#include "google/type/date.pb.h"

namespace ks {

// Matches `name` against an AIP resource pattern such as
// "regencies/{regency}/cases/{case}" and returns the variables
// ({"regency": "64.01", "case": "01kd..."}). Literal segments must be equal;
// a variable matches one non-empty segment of RFC 3986 unreserved characters
// [A-Za-z0-9._~-] (so "-", the AIP-159 wildcard, matches too).
// INVALID_ARGUMENT naming the pattern when `name` does not match.
absl::StatusOr<std::map<std::string, std::string>> ParseResourceName(
    absl::string_view name, absl::string_view pattern);

class Validator {
 public:
  // Checks regency codes against `regions` (not owned; must outlive this).
  explicit Validator(const regions::Regions* regions = &regions::Regions::Get())
      : regions_(regions) {}

  // Records a violation when `present` is false ("is required").
  bool Required(absl::string_view field, bool present);

  // Requires a non-empty string.
  bool RequiredString(absl::string_view field, absl::string_view value);

  // Free text (an address, a description): valid UTF-8, at most
  // `max_code_points` Unicode code points (so 150 "é" fit a limit of 150),
  // no control characters but tab and line breaks. An empty value is a
  // violation only if `required`. Descriptions never quote the value.
  bool Text(absl::string_view field, absl::string_view value,
            size_t max_code_points, bool required);

  // A name or a number written on one line (a person's or a court's name, a
  // decision number): Text() without any control character, and not only
  // white space (which would pass "required" while naming nobody).
  bool Name(absl::string_view field, absl::string_view value,
            size_t max_code_points, bool required);

  // min <= value <= max; `rule` (e.g. "R5, KUHP Pasal 85(4)") is quoted in
  // the violation.
  bool InRange(absl::string_view field, int64_t value, int64_t min, int64_t max,
               absl::string_view rule);

  // A WGS84 position in degrees: latitude -90..90, longitude -180..180; a
  // violation names the field out of range.
  bool Coordinates(absl::string_view latitude_field, double latitude,
                   absl::string_view longitude_field, double longitude);

  // An existing Kemendagri regency code "PP.RR" (R15). Malformed and unknown
  // codes are both violations, with different descriptions.
  bool RegencyCode(absl::string_view field, absl::string_view code);

  // A whole valid calendar date (year 1..9999; an unset Date is invalid).
  bool Date(absl::string_view field, const google::type::Date& date);

  // `name` matches `pattern` (see ParseResourceName). A `{regency}` variable
  // must also be an existing regency code. The wildcard "-" is accepted for
  // variables only when `allow_wildcard` (AIP-159 List across parents).
  // On success and if `vars` is not null, fills it with the variables.
  bool ResourceName(absl::string_view field, absl::string_view name,
                    absl::string_view pattern,
                    std::map<std::string, std::string>* vars = nullptr,
                    bool allow_wildcard = false);

  // An idempotency key: 1..64 characters of [A-Za-z0-9_-].
  bool RequestId(absl::string_view field, absl::string_view id);

  // AIP-158: a negative size is a violation; 0 means "server's choice" and
  // sizes above `max` are coerced. Returns the size to use (1..max), or 0
  // after a violation.
  int32_t PageSize(absl::string_view field, int32_t value, int32_t max);

  // A NIK per DESIGN R13. Violations (the value cannot be a NIK): not exactly
  // 16 ASCII digits; province digits not 11-99; regency, district or serial
  // digits all zero. Warnings only (known registry errors are tolerated, the
  // person must still be recorded): birth-date digits (DDMMYY, DD+40 for
  // women) that are not a date, that disagree with `birth_date` (if given),
  // or whose sex disagrees with `is_female` (if given). The NIK is never used
  // to derive domicile or time zone.
  bool Nik(absl::string_view field, absl::string_view nik,
           const google::type::Date* birth_date, std::optional<bool> is_female);

  // Adds a violation / warning found by the caller's own checks.
  void AddViolation(absl::string_view field, absl::string_view description);
  void AddWarning(absl::string_view field, absl::string_view description);

  bool ok() const { return violations_.empty(); }
  const std::vector<FieldViolation>& violations() const { return violations_; }

  // "field: description" for each tolerated problem, in the order found. A
  // handler may return them to the client (e.g. in a response field) or
  // count them in metrics; they never fail the request.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // OK if there was no violation, else INVALID_ARGUMENT naming every field
  // (ks::InvalidArgumentError). Warnings do not affect the result.
  absl::Status Finish() const;

 private:
  bool CheckText(absl::string_view field, absl::string_view value,
                 size_t max_code_points, bool required, bool one_line);

  const regions::Regions* regions_;
  std::vector<FieldViolation> violations_;
  std::vector<std::string> warnings_;
};

}  // namespace ks

#endif  // KS_COMMON_VALIDATION_VALIDATOR_H_
