// Fixtures of the placements domain tests: the compiled-in default policy,
// a fixed context (2026-03-02 in Asia/Makassar, actor pemda-6401), and
// valid resources built on it.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_TEST_UTIL_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/policy/policy.h"
#include "common/status/rich_status.h"
#include "common/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "services/placements/domain/context.h"

namespace ks::placements::domain::testing {

inline const policy::PolicySet& Policies() {
  static const policy::PolicySet* set =
      new policy::PolicySet(*policy::PolicySet::Default());
  return *set;
}

inline Context Ctx(absl::CivilDay today = absl::CivilDay(2026, 3, 2)) {
  Context c;
  absl::TimeZone zone;
  absl::LoadTimeZone("Asia/Makassar", &zone);
  c.now = absl::FromCivil(absl::CivilSecond(today) + 11 * 3600, zone);
  c.today = today;
  c.policy = &Policies().At(today);
  c.actor.set_principal_id("pemda-6401");
  return c;
}

inline kerjasosial::common::v1::WeeklySchedule Weekdays(int start, int end) {
  kerjasosial::common::v1::WeeklySchedule w;
  for (int d = 1; d <= 5; ++d) {
    auto* s = w.add_slots();
    s->set_weekday(static_cast<kerjasosial::common::v1::Weekday>(d));
    s->set_start_minute(start);
    s->set_end_minute(end);
  }
  return w;
}

// The fields named by the BadRequest of `s`.
inline std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest br;
    if (any.UnpackTo(&br)) {
      for (const auto& v : br.field_violations()) out.push_back(v.field());
    }
  }
  return out;
}

// The ErrorInfo reason of `s`.
inline std::string ReasonOf(const absl::Status& s) {
  google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

}  // namespace ks::placements::domain::testing

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_TEST_UTIL_H_
