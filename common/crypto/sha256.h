// SHA-256 for everything that hashes: request fingerprints, page-token query
// bindings, uniqueness-claim keys, bearer-token hashes. One OpenSSL call in
// one place, so no library links OpenSSL for a digest of its own.
//
// Thread-safe: pure functions.
#ifndef KS_COMMON_CRYPTO_SHA256_H_
#define KS_COMMON_CRYPTO_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace ks::crypto {

// Lowercase hex SHA-256 of `bytes` (64 characters).
//
// Example:
//   crypto::Sha256Hex("abc") ==
//       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
std::string Sha256Hex(absl::string_view bytes);

}  // namespace ks::crypto

#endif  // KS_COMMON_CRYPTO_SHA256_H_
