// Test helpers of common/audit: a temporary directory and Ed25519 key pairs
// made with the openssl command that deploy/ documents.
#ifndef KS_COMMON_AUDIT_AUDIT_TEST_UTIL_H_
#define KS_COMMON_AUDIT_AUDIT_TEST_UTIL_H_

#include <cstdlib>
#include <string>

#include "common/testing/temp_dir.h"
#include "gtest/gtest.h"

namespace ks::audit::testing {

using TempDir = ::ks::testing::ScopedTempDir;
using ::ks::testing::ReadFile;

// Writes <name>.pem (private) and <name>.pub.pem (public) into `dir` with
//   openssl genpkey -algorithm ed25519; openssl pkey -pubout
// Returns false if openssl failed.
inline bool MakeEd25519KeyPair(const TempDir& dir, const std::string& name) {
  const std::string key = dir.File(name + ".pem");
  const std::string pub = dir.File(name + ".pub.pem");
  const std::string cmd = "openssl genpkey -algorithm ed25519 -out '" + key +
                          "' 2>/dev/null && openssl pkey -in '" + key +
                          "' -pubout -out '" + pub + "' 2>/dev/null";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace ks::audit::testing

#endif  // KS_COMMON_AUDIT_AUDIT_TEST_UTIL_H_
