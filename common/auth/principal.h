// Who is calling: a principal {id, agency, role, regencies} and its scope.
//
// A principal acts only within its regency scope. Scope entries are
// Kemendagri codes: an exact regency "PP.RR" ("64.01", a Kejari or a Pemkab),
// a whole province "PP" ("64", a Kejati or a provincial Pemda: every regency
// whose code starts with "64."), or "*" (national).
//
// Thread-safe: values only; all functions are pure.
#ifndef KS_COMMON_AUTH_PRINCIPAL_H_
#define KS_COMMON_AUTH_PRINCIPAL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ks::auth {

// The roles of DESIGN.md §6. The enumerator names are the names used in the
// token file and in error messages.
enum class Role {
  JAKSA,            // prosecutor at a Kejari / Kejati
  PK_BAPAS,         // probation officer (Pembimbing Kemasyarakatan) of a Bapas
  PEMDA_OFFICER,    // officer of a regency / city / provincial government
  SITE_SUPERVISOR,  // supervisor at a work site
  NATIONAL_VIEWER,  // read-only national dashboards
  SERVICE,          // another kerjasosial service (service-to-service calls)
  ADMIN,            // operator of a deployment: passes every role check
};

// Every role, in declaration order (for listings and tests).
inline constexpr Role kAllRoles[] = {Role::JAKSA,
                                     Role::PK_BAPAS,
                                     Role::PEMDA_OFFICER,
                                     Role::SITE_SUPERVISOR,
                                     Role::NATIONAL_VIEWER,
                                     Role::SERVICE,
                                     Role::ADMIN};

// "JAKSA", "PK_BAPAS", ...
absl::string_view RoleName(Role role);

// Inverse of RoleName (exact, upper case). INVALID_ARGUMENT naming the
// accepted names otherwise.
absl::StatusOr<Role> ParseRole(absl::string_view name);

// True if `entry` is "*", "PP" or "PP.RR" (two ASCII digits each).
bool IsValidScopeEntry(absl::string_view entry);

// Parses a comma-separated scope ("64.01,64.02", "64", "*"). Rejects an
// empty list, empty or malformed entries, duplicates, and "*" mixed with
// other entries (it would make them meaningless). INVALID_ARGUMENT naming the
// offending entry.
absl::StatusOr<std::vector<std::string>> ParseRegencyScope(
    absl::string_view scope);

// True if `id` is a valid principal id or agency name: 1..128 characters of
// [A-Za-z0-9._-] (no tabs, commas or spaces, so the token file stays simple).
bool IsValidName(absl::string_view id);

struct Principal {
  std::string id;      // unique per token file, e.g. "jaksa-6401-01"
  std::string agency;  // e.g. "kejari-64.01", "bapas-samarinda"
  Role role = Role::NATIONAL_VIEWER;
  std::vector<std::string> regencies;  // scope entries, see the file comment

  // True if the scope covers `regency_code` ("PP.RR"). The caller validates
  // the code's syntax first (a malformed code is INVALID_ARGUMENT, not a
  // permission question); a malformed code is covered only by "*".
  bool MayActIn(absl::string_view regency_code) const;

  // The scope as written in the token file: "64.01,64.02".
  std::string ScopeString() const;
};

}  // namespace ks::auth

#endif  // KS_COMMON_AUTH_PRINCIPAL_H_
