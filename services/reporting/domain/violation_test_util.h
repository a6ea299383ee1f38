// Test helper of reporting's tests: the google.rpc.BadRequest violation an
// absl::Status names for one field.
#ifndef KS_SERVICES_REPORTING_DOMAIN_VIOLATION_TEST_UTIL_H_
#define KS_SERVICES_REPORTING_DOMAIN_VIOLATION_TEST_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "common/status/rich_status.h"
#include "google/rpc/error_details.pb.h"

namespace ks::reporting::testing {

// The description of the violation of `field`, or "" if `s` names none.
inline std::string Violation(const absl::Status& s, const std::string& field) {
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest br;
    if (!any.UnpackTo(&br)) continue;
    for (const auto& v : br.field_violations()) {
      if (v.field() == field) return v.description();
    }
  }
  return "";
}

}  // namespace ks::reporting::testing

#endif  // KS_SERVICES_REPORTING_DOMAIN_VIOLATION_TEST_UTIL_H_
