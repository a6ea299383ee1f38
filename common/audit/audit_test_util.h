// Test helpers of common/audit: a temporary directory and Ed25519 key pairs
// made with the openssl command that deploy/ documents.
#ifndef KS_COMMON_AUDIT_AUDIT_TEST_UTIL_H_
#define KS_COMMON_AUDIT_AUDIT_TEST_UTIL_H_

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace ks::audit::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "ks_audit_XXXXXX";
    EXPECT_NE(::mkdtemp(tmpl.data()), nullptr);
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
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

 private:
  std::string path_;
};

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

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace ks::audit::testing

#endif  // KS_COMMON_AUDIT_AUDIT_TEST_UTIL_H_
