// The versioned legal policy (DESIGN.md §7, proto
// kerjasosial.common.v1.Policy): every legal number the services use comes
// from a PolicySet, never from a literal in code.
//
// A PolicySet is loaded once at start-up — the compiled-in defaults of
// data/policy/default.textproto, or a deployment's own file — and validated
// as a whole: a file with any bad value is refused with INVALID_ARGUMENT
// naming every offending field path and version, so a service never runs on
// a half-valid policy.
//
// Which version applies: the one in force on the local day of the act (in the
// work site's zone when there is one). Days before the first version's
// `effective_from` get the first version: the system holds no older law, and
// refusing would block recording historical decisions.
//
// Thread safety: immutable after construction; safe to share across threads.
// Copyable (a value type).
#ifndef KS_COMMON_POLICY_POLICY_H_
#define KS_COMMON_POLICY_POLICY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/time/clock.h"
#include "kerjasosial/common/v1/policy.pb.h"

namespace ks::policy {

using ::kerjasosial::common::v1::FineCategory;
using ::kerjasosial::common::v1::Holiday;
using ::kerjasosial::common::v1::HolidayCalendar;
using ::kerjasosial::common::v1::Policy;
using ::kerjasosial::common::v1::PolicyVersion;
using ::kerjasosial::common::v1::Taxonomy;
using ::kerjasosial::common::v1::ValidReason;

class PolicySet {
 public:
  // The compiled-in defaults (data/policy/default.textproto).
  static absl::StatusOr<PolicySet> Default();

  // Reads a Policy in protobuf text format from `path`. NOT_FOUND if the file
  // cannot be opened; INVALID_ARGUMENT for a syntax error ("path:line:col:
  // ...") or a value that fails Validate().
  static absl::StatusOr<PolicySet> LoadFile(const std::string& path);

  // Parses text format; `origin` names the source in error messages.
  static absl::StatusOr<PolicySet> FromText(absl::string_view text,
                                            absl::string_view origin);

  // Validates and wraps an already-built Policy.
  static absl::StatusOr<PolicySet> FromProto(Policy policy);

  // OK, or INVALID_ARGUMENT with one google.rpc.BadRequest violation per bad
  // field, e.g. field "versions[1].adult.min_hours", description
  // "version \"x\": must be in [1, 240], got 0".
  static absl::Status Validate(const Policy& policy);

  // The version in force on `day` (see the header comment for days before the
  // first version). The reference lives as long as this PolicySet.
  const PolicyVersion& At(absl::CivilDay day) const;

  // The version in force at `t` on the local date in `zone`.
  const PolicyVersion& At(absl::Time t, absl::TimeZone zone) const;

  // The version in force now, on the local date in `zone` (pass the work
  // site's zone when there is one).
  const PolicyVersion& Current(const Clock& clock, absl::TimeZone zone) const;

  // The version in force now, on the local date in the policy's
  // `default_time_zone`.
  const PolicyVersion& Current(const Clock& clock) const;

  const Policy& policy() const { return policy_; }
  absl::TimeZone default_time_zone() const { return default_zone_; }

  // The maximum amount in rupiah of fine `category` in `version`.
  // INVALID_ARGUMENT for FINE_CATEGORY_UNSPECIFIED or an unknown value.
  static absl::StatusOr<int64_t> FineCategoryMaxRupiah(
      const PolicyVersion& version, FineCategory category);

  // The valid reason with `code` in `version`, or nullptr.
  static const ValidReason* FindValidReason(const PolicyVersion& version,
                                            absl::string_view code);

  // The taxonomy `name` of `version` (PolicyVersion.taxonomies), or nullptr.
  // "valid_reason" is not in that list: it is `valid_reasons`.
  static const Taxonomy* FindTaxonomy(const PolicyVersion& version,
                                      absl::string_view name);

  // True when a field option `(kerjasosial.common.v1.taxonomy) = name` can
  // be resolved in `version` ("valid_reason" included).
  static bool HasTaxonomy(const PolicyVersion& version, absl::string_view name);

  // OK when `code` is a code of taxonomy `taxonomy` in `version` (the generic
  // check behind the taxonomy field option); NOT_FOUND when the version has
  // no such taxonomy (a contract/policy mismatch); INVALID_ARGUMENT naming the
  // code, the taxonomy and the version otherwise.
  static absl::Status CheckTaxonomyCode(const PolicyVersion& version,
                                        absl::string_view taxonomy,
                                        absl::string_view code);

  // The holiday calendar `name` (Policy.holiday_calendars), or nullptr.
  const HolidayCalendar* FindHolidayCalendar(absl::string_view name) const;

  // The day off on `day` in the calendar the version in force on `day` names
  // (ChildSentence.holiday_calendar), or nullptr.
  const Holiday* FindHoliday(absl::CivilDay day) const;

  // True when a child may work on `day`: one of the version's working days
  // and not a day off of its holiday calendar (R11).
  bool IsChildWorkingDay(absl::CivilDay day) const;

 private:
  PolicySet(Policy policy, std::vector<absl::CivilDay> days,
            absl::TimeZone zone)
      : policy_(std::move(policy)),
        effective_days_(std::move(days)),
        default_zone_(zone) {}

  Policy policy_;
  std::vector<absl::CivilDay> effective_days_;  // parallel to versions
  absl::TimeZone default_zone_;
};

}  // namespace ks::policy

#endif  // KS_COMMON_POLICY_POLICY_H_
