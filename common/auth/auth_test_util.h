// Helpers shared by the tests of common/auth (test-only, header-only).
#ifndef KS_COMMON_AUTH_AUTH_TEST_UTIL_H_
#define KS_COMMON_AUTH_AUTH_TEST_UTIL_H_

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "common/status/rich_status.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace ks::auth::testing {

// A fresh directory under the test's temp dir, removed with its files.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string tmpl = ::testing::TempDir() + "ks_auth_XXXXXX";
    char* dir = ::mkdtemp(tmpl.data());
    EXPECT_NE(dir, nullptr);
    path_ = tmpl;
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  ~ScopedTempDir() {
    if (DIR* d = ::opendir(path_.c_str())) {
      while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name != "." && name != "..") ::unlink((path_ + "/" + name).c_str());
      }
      ::closedir(d);
    }
    ::rmdir(path_.c_str());
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  ASSERT_TRUE(out.good()) << path;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

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
