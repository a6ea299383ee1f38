// Helpers shared by the programs part's tests: reading the rich error
// details back (ErrorInfo reason, BadRequest fields).
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_TEST_UTIL_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/status/rich_status.h"
#include "google/rpc/error_details.pb.h"

namespace ks::supervision::programs::testing {

// The ErrorInfo reason of `st` ("" if none).
inline std::string Reason(const absl::Status& st) {
  const google::rpc::Status rpc = ToRpcStatus(st);
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// The fields a BadRequest of `st` names, in order.
inline std::vector<std::string> Fields(const absl::Status& st) {
  std::vector<std::string> out;
  const google::rpc::Status rpc = ToRpcStatus(st);
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) out.push_back(v.field());
  }
  return out;
}

}  // namespace ks::supervision::programs::testing

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_TEST_UTIL_H_
