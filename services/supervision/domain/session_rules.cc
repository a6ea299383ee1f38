#include "services/supervision/domain/session_rules.h"

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/validation/validator.h"

namespace ks::supervision::domain {
namespace {

bool WholeMinute(absl::Time t) {
  return absl::Trunc(t - absl::UnixEpoch(), absl::Minutes(1)) ==
         t - absl::UnixEpoch();
}

}  // namespace

absl::Status CheckSession(const SessionCheck& c,
                          const std::vector<BookedSession>& others) {
  const std::string start_field = absl::StrCat(c.field_prefix, "start_time");
  const std::string end_field = absl::StrCat(c.field_prefix, "end_time");
  Validator v;
  if (!WholeMinute(c.start)) {
    v.AddViolation(start_field, "must be a whole minute (no seconds)");
  }
  if (!WholeMinute(c.end)) {
    v.AddViolation(end_field, "must be a whole minute (no seconds)");
  }
  if (c.end <= c.start) {
    v.AddViolation(end_field, "must be after start_time");
  } else if (c.end - c.start > absl::Hours(24)) {
    v.AddViolation(end_field, "must be at most 24 hours after start_time");
  }
  if (c.end > c.now + c.clock_skew) {
    v.AddViolation(end_field,
                   "is in the future beyond the policy's clock skew "
                   "(operations.session_clock_skew_seconds)");
  }
  if (c.start < c.placement.period_start) {
    v.AddViolation(start_field, "is before the placement's period");
  }
  if (c.end > c.placement.period_end) {
    v.AddViolation(end_field, "is after the placement's period");
  }
  if (c.span_start && c.start < *c.span_start) {
    v.AddViolation(start_field,
                   "is before the case's span (R7, KUHP Pasal 85(5))");
  }
  KS_RETURN_IF_ERROR(v.Finish());

  // ACTIVE at the session's time: the whole session inside one ACTIVE
  // interval (a suspension in the middle is not work under the placement).
  bool active = false;
  for (const ActiveInterval& a : c.placement.active) {
    if (a.from <= c.start && (!a.until || c.end <= *a.until)) active = true;
  }
  if (!active) {
    return FailedPreconditionError(
        "the placement was not ACTIVE for the whole session", "PLACEMENT",
        "placement", "PLACEMENT_NOT_ACTIVE");
  }
  for (const BookedSession& o : others) {
    if (o.start < c.end && c.start < o.end) {
      return FailedPreconditionError(
          absl::StrCat("the session overlaps work session ", o.name,
                       " of the same case"),
          "OVERLAP", o.name, "SESSION_OVERLAP");
    }
  }
  return absl::OkStatus();
}

}  // namespace ks::supervision::domain
