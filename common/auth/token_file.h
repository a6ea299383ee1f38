// The token file: which bearer tokens exist and whom they stand for.
//
// Format (UTF-8 text, one token per line, fields separated by one TAB):
//
//   # comment lines start with '#'; blank lines are ignored
//   <sha256_hex>\t<principal_id>\t<agency>\t<ROLE>\t<regencies>
//
//   sha256_hex   64 hex digits: SHA-256 of the bearer token. The token itself
//                is never stored, so a leaked file grants nothing.
//   principal_id 1..128 of [A-Za-z0-9._-], unique in the file
//                (e.g. jaksa-6401-01).
//   agency       1..128 of [A-Za-z0-9._-] (e.g. kejari-64.01).
//   ROLE         JAKSA | PK_BAPAS | PEMDA_OFFICER | SITE_SUPERVISOR |
//                NATIONAL_VIEWER | SERVICE | ADMIN.
//   regencies    comma-separated scope: PP.RR (64.01), PP (64 = the whole
//                province) or * (national, alone).
//
// Example:
//   3f0a...c1\tjaksa-6401-01\tkejari-64.01\tJAKSA\t64.01
//
// Loading validates every line; an error names the file and line number, so a
// server given a bad file refuses to start instead of locking people out.
// Tokens are "ks_" + base64url of 32 random bytes (OpenSSL RAND_bytes).
//
// MintToken and RevokeTokens serialize against each other (and other
// invocations of the kerjasosial-token command) with an flock on
// "<path>.lock". RevokeTokens replaces the file atomically (write + rename),
// so a server reloading concurrently sees either the old or the new file.
//
// Thread-safe: functions share no state.
#ifndef KS_COMMON_AUTH_TOKEN_FILE_H_
#define KS_COMMON_AUTH_TOKEN_FILE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/principal.h"

namespace ks::auth {

// One line of the token file.
struct TokenEntry {
  std::string sha256_hex;  // lower case
  Principal principal;
  int line = 0;  // 1-based line number in the file it came from
};

// Lower-case hex SHA-256 of `token` (OpenSSL EVP).
std::string HashToken(absl::string_view token);

// A fresh token: "ks_" + base64url (no padding) of 32 bytes from RAND_bytes.
// INTERNAL if the random generator fails.
absl::StatusOr<std::string> GenerateToken();

// Parses a whole token file. `source` names it in errors ("tokens.tsv:7: ...").
// INVALID_ARGUMENT on the first bad line: wrong field count, bad hash, bad id
// or agency, unknown role, bad regency scope, duplicate hash or id.
absl::StatusOr<std::vector<TokenEntry>> ParseTokenEntries(
    absl::string_view contents, absl::string_view source);

// Reads and parses `path`. NOT_FOUND / PERMISSION_DENIED / ... from the
// operating system if it cannot be read.
absl::StatusOr<std::vector<TokenEntry>> LoadTokenEntries(
    const std::string& path);

// The file line for `entry` (without the newline).
std::string FormatTokenEntry(const TokenEntry& entry);

// Validates `principal`, generates a token and appends its hashed line to
// `path` (creating the file with mode 0600 and a header comment). Returns the
// plaintext token, which exists nowhere else afterwards. ALREADY_EXISTS if
// the id is taken; INVALID_ARGUMENT for a bad principal or a bad existing
// file.
absl::StatusOr<std::string> MintToken(const std::string& path,
                                      const Principal& principal);

// Removes the line of `principal_id` from `path`, keeping comments and every
// other line as they were. NOT_FOUND if no such principal.
absl::Status RevokeTokens(const std::string& path,
                          absl::string_view principal_id);

namespace internal {
// Reads a whole file; errors carry the errno-derived code and the path.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);
}  // namespace internal

}  // namespace ks::auth

#endif  // KS_COMMON_AUTH_TOKEN_FILE_H_
