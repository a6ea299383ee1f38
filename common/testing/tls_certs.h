// TestPki makes a throwaway certificate authority and certificates signed by
// it, in memory (OpenSSL), so TLS and mTLS are tested over real handshakes
// without committing keys to the repository or needing the openssl CLI.
#ifndef KS_COMMON_TESTING_TLS_CERTS_H_
#define KS_COMMON_TESTING_TLS_CERTS_H_

#include <string>

#include "absl/status/statusor.h"

namespace ks::testing {

// A PEM certificate and its PEM private key.
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

struct TestPki {
  KeyPair ca;      // self-signed root
  KeyPair server;  // CN=localhost, SAN DNS:localhost + IP:127.0.0.1
  KeyPair client;  // CN=test-client, for mTLS
};

// Generates a fresh P-256 PKI valid for one day.
absl::StatusOr<TestPki> MakeTestPki();

}  // namespace ks::testing

#endif  // KS_COMMON_TESTING_TLS_CERTS_H_
