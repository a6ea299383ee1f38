// Shared helpers of supervision's domain tests: local times in the three
// Indonesian zones and the compiled-in policy.
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_TEST_UTIL_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_TEST_UTIL_H_

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/policy/policy.h"
#include "google/protobuf/util/time_util.h"
#include "kerjasosial/supervision/v1/resources.pb.h"

namespace ks::supervision::domain::testing {

inline absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) std::abort();
  return zone;
}
inline absl::TimeZone Wib() { return Zone("Asia/Jakarta"); }
inline absl::TimeZone Wita() { return Zone("Asia/Makassar"); }
inline absl::TimeZone Wit() { return Zone("Asia/Jayapura"); }

// Local wall time in `zone`.
inline absl::Time At(absl::TimeZone zone, int y, int mo, int d, int h,
                     int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), zone);
}

inline const policy::PolicySet& DefaultPolicy() {
  static const policy::PolicySet* set = [] {
    absl::StatusOr<policy::PolicySet> p = policy::PolicySet::Default();
    if (!p.ok()) std::abort();
    return new policy::PolicySet(*std::move(p));
  }();
  return *set;
}

// A RECORDED, complied work session [start, end) in `zone` (not yet
// allocated; `etag` empty for a new one).
inline ::kerjasosial::supervision::v1::WorkSession Session(
    const std::string& name, absl::Time start, absl::Time end,
    const std::string& etag = "", const std::string& zone = "Asia/Jakarta") {
  namespace sv1 = ::kerjasosial::supervision::v1;
  using ::google::protobuf::util::TimeUtil;
  sv1::WorkSession s;
  s.set_name(name);
  *s.mutable_start_time() =
      TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(start));
  *s.mutable_end_time() =
      TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(end));
  s.set_time_zone(zone);
  s.set_outcome(sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED);
  s.set_state(sv1::WORK_SESSION_STATE_RECORDED);
  s.set_etag(etag);
  return s;
}

}  // namespace ks::supervision::domain::testing

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_TEST_UTIL_H_
