#include "common/auth/authenticator.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/token_file.h"
#include "common/status/rich_status.h"

namespace ks::auth {
namespace {

constexpr absl::string_view kAuthorizationKey = "authorization";

absl::Status Unauthenticated(absl::string_view message,
                             absl::string_view reason) {
  return WithErrorInfo(absl::UnauthenticatedError(message), reason);
}

absl::StatusOr<
    std::shared_ptr<const absl::flat_hash_map<std::string, Principal>>>
LoadTable(const std::string& path) {
  absl::StatusOr<std::vector<TokenEntry>> entries = LoadTokenEntries(path);
  if (!entries.ok()) return entries.status();
  auto table = std::make_shared<absl::flat_hash_map<std::string, Principal>>();
  for (TokenEntry& e : *entries) {
    table->emplace(std::move(e.sha256_hex), std::move(e.principal));
  }
  return std::shared_ptr<const absl::flat_hash_map<std::string, Principal>>(
      std::move(table));
}

}  // namespace

Authenticator::Authenticator(std::string token_file)
    : token_file_(std::move(token_file)) {}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(
    std::string token_file) {
  std::unique_ptr<Authenticator> auth(new Authenticator(std::move(token_file)));
  absl::Status loaded = auth->Reload();
  if (!loaded.ok()) return loaded;
  return auth;
}

absl::Status Authenticator::Reload() {
  auto table = LoadTable(token_file_);
  if (!table.ok()) return table.status();
  absl::MutexLock lock(&mu_);
  table_ = *std::move(table);
  return absl::OkStatus();
}

size_t Authenticator::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return table_ ? table_->size() : 0;
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    const std::multimap<grpc::string_ref, grpc::string_ref>& client_metadata)
    const {
  auto range = client_metadata.equal_range(
      grpc::string_ref(kAuthorizationKey.data(), kAuthorizationKey.size()));
  if (range.first == range.second) {
    return Unauthenticated("missing 'authorization: Bearer <token>' metadata",
                           kReasonTokenMissing);
  }
  if (std::next(range.first) != range.second) {
    return Unauthenticated("more than one 'authorization' metadata entry",
                           kReasonTokenMalformed);
  }
  absl::string_view value(range.first->second.data(),
                          range.first->second.size());
  // RFC 6750: the scheme is case-insensitive, one space, then the token.
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return Unauthenticated(
        "malformed 'authorization' metadata: expected 'Bearer <token>'",
        kReasonTokenMalformed);
  }
  absl::string_view token = value.substr(kScheme.size());
  if (std::any_of(token.begin(), token.end(),
                  [](char c) { return absl::ascii_isspace(c); })) {
    return Unauthenticated(
        "malformed 'authorization' metadata: the token contains whitespace",
        kReasonTokenMalformed);
  }
  std::string hash = HashToken(token);
  std::shared_ptr<const Table> table;
  {
    absl::ReaderMutexLock lock(&mu_);
    table = table_;
  }
  auto it = table->find(hash);
  if (it == table->end()) {
    return Unauthenticated("unknown or revoked token", kReasonTokenUnknown);
  }
  return it->second;
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  return Authenticate(context.client_metadata());
}

absl::StatusOr<Principal> Authenticator::Authorize(
    const grpc::ServerContextBase& context, std::initializer_list<Role> roles,
    absl::string_view regency_code) const {
  absl::StatusOr<Principal> principal = Authenticate(context);
  if (!principal.ok()) return principal;
  absl::Status allowed = Require(*principal, roles, regency_code);
  if (!allowed.ok()) return allowed;
  return principal;
}

absl::Status Require(const Principal& principal,
                     std::initializer_list<Role> roles,
                     absl::string_view regency_code) {
  return Require(principal, std::vector<Role>(roles), regency_code);
}

absl::Status Require(const Principal& principal, const std::vector<Role>& roles,
                     absl::string_view regency_code) {
  bool role_ok =
      roles.size() == 0 || principal.role == Role::ADMIN ||
      std::find(roles.begin(), roles.end(), principal.role) != roles.end();
  if (!role_ok) {
    std::vector<absl::string_view> names;
    for (Role r : roles) names.push_back(RoleName(r));
    // ADMIN always passes; say so, so the message lists every way in.
    if (std::find(roles.begin(), roles.end(), Role::ADMIN) == roles.end()) {
      names.push_back(RoleName(Role::ADMIN));
    }
    std::string required;
    for (size_t i = 0; i < names.size(); ++i) {
      if (i > 0) required += (i + 1 == names.size()) ? " or " : ", ";
      absl::StrAppend(&required, names[i]);
    }
    return WithErrorInfo(
        absl::PermissionDeniedError(absl::StrCat("role ", required,
                                                 " required; caller has ",
                                                 RoleName(principal.role))),
        kReasonRoleRequired,
        {{"required_roles", absl::StrJoin(names, ",")},
         {"caller_role", std::string(RoleName(principal.role))},
         {"principal", principal.id}});
  }
  if (!regency_code.empty() && !principal.MayActIn(regency_code)) {
    return WithErrorInfo(absl::PermissionDeniedError(absl::StrCat(
                             "principal ", principal.id, " (", principal.agency,
                             ", scope ", principal.ScopeString(),
                             ") may not act in regency ", regency_code)),
                         kReasonRegencyOutOfScope,
                         {{"regency", std::string(regency_code)},
                          {"scope", principal.ScopeString()},
                          {"principal", principal.id}});
  }
  return absl::OkStatus();
}

}  // namespace ks::auth
