// Helpers shared by the tests of common/auth (test-only, header-only).
#ifndef KS_COMMON_AUTH_AUTH_TEST_UTIL_H_
#define KS_COMMON_AUTH_AUTH_TEST_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "common/status/rich_status.h"
#include "common/testing/temp_dir.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace ks::auth::testing {

using ::ks::testing::ReadFile;
using ::ks::testing::ScopedTempDir;
using ::ks::testing::WriteFile;

// The google.rpc.ErrorInfo carried by `status` (empty if none).
inline google::rpc::ErrorInfo ErrorInfoOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  const google::rpc::Status rpc = ToRpcStatus(status);
  for (const auto& any : rpc.details()) {
    if (any.UnpackTo(&info)) break;
  }
  return info;
}

}  // namespace ks::auth::testing

#endif  // KS_COMMON_AUTH_AUTH_TEST_UTIL_H_
