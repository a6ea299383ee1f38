// Authentication and authorization of incoming calls.
//
// Every call carries `authorization: Bearer <token>` metadata. The
// Authenticator maps the token's SHA-256 to the Principal of the token file
// (token_file.h); Require() is the one check each handler makes:
//
//   grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* ctx,
//                                     const GetCaseRequest* req, Case* resp) {
//     absl::StatusOr<auth::Principal> who = authenticator_.Authorize(
//         *ctx, {auth::Role::JAKSA, auth::Role::NATIONAL_VIEWER}, regency);
//     if (!who.ok()) { reactor->Finish(ks::ToGrpcStatus(who.status())); ... }
//
// Errors:
//   UNAUTHENTICATED    no, malformed or unknown token; ErrorInfo reason
//                      TOKEN_MISSING / TOKEN_MALFORMED / TOKEN_UNKNOWN.
//   PERMISSION_DENIED  wrong role (ROLE_REQUIRED) or regency outside the
//                      principal's scope (REGENCY_OUT_OF_SCOPE); the message
//                      names what is missing.
// No message ever contains a token.
//
// Tokens are looked up by their hash: only hashes are compared, so lookup
// time reveals nothing usable about a valid token.
#ifndef KS_COMMON_AUTH_AUTHENTICATOR_H_
#define KS_COMMON_AUTH_AUTHENTICATOR_H_

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/principal.h"
#include "common/status/grpc_status.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/string_ref.h"

namespace ks::auth {

// ErrorInfo reasons (domain ks::kErrorDomain).
inline constexpr absl::string_view kReasonTokenMissing = "TOKEN_MISSING";
inline constexpr absl::string_view kReasonTokenMalformed = "TOKEN_MALFORMED";
inline constexpr absl::string_view kReasonTokenUnknown = "TOKEN_UNKNOWN";
inline constexpr absl::string_view kReasonRoleRequired = "ROLE_REQUIRED";
inline constexpr absl::string_view kReasonRegencyOutOfScope =
    "REGENCY_OUT_OF_SCOPE";

// Maps bearer tokens to principals from a token file.
//
// Thread-safe: Authenticate may run on every gRPC thread while Reload (on
// SIGHUP) swaps in a new table; a call sees either the old or the new table
// in full.
class Authenticator {
 public:
  // Loads `token_file`; any bad line is an error naming it (the server
  // refuses to start rather than run with half its principals).
  static absl::StatusOr<std::unique_ptr<Authenticator>> Create(
      std::string token_file);

  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Re-reads the token file (minted and revoked tokens take effect). On error
  // the previous table stays in force and the error is returned.
  absl::Status Reload() ABSL_LOCKS_EXCLUDED(mu_);

  // The principal of the call's `authorization: Bearer <token>` metadata.
  absl::StatusOr<Principal> Authenticate(
      const std::multimap<grpc::string_ref, grpc::string_ref>& client_metadata)
      const ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Principal> Authenticate(
      const grpc::ServerContextBase& context) const ABSL_LOCKS_EXCLUDED(mu_);

  // Authenticate + Require in one call.
  absl::StatusOr<Principal> Authorize(const grpc::ServerContextBase& context,
                                      std::initializer_list<Role> roles,
                                      absl::string_view regency_code = "") const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Number of principals in force (for logs at start and reload).
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

  const std::string& token_file() const { return token_file_; }

 private:
  using Table = absl::flat_hash_map<std::string, Principal>;  // hash -> who

  explicit Authenticator(std::string token_file);

  const std::string token_file_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Table> table_ ABSL_GUARDED_BY(mu_);
};

// OK if `principal` holds one of `roles` (ADMIN passes any role check; an
// empty list admits every role) and, when `regency_code` is not empty, its
// scope covers `regency_code`. PERMISSION_DENIED naming what is missing
// otherwise, with ErrorInfo ROLE_REQUIRED {required_roles, caller_role,
// principal} or REGENCY_OUT_OF_SCOPE {regency, scope, principal}.
absl::Status Require(const Principal& principal,
                     std::initializer_list<Role> roles,
                     absl::string_view regency_code = "");
absl::Status Require(const Principal& principal, const std::vector<Role>& roles,
                     absl::string_view regency_code = "");

}  // namespace ks::auth

#endif  // KS_COMMON_AUTH_AUTHENTICATOR_H_
