#include "common/auth/principal.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ks::auth {
namespace {

bool IsTwoDigits(absl::string_view s) {
  return s.size() == 2 && absl::ascii_isdigit(s[0]) &&
         absl::ascii_isdigit(s[1]);
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::JAKSA:
      return "JAKSA";
    case Role::PK_BAPAS:
      return "PK_BAPAS";
    case Role::PEMDA_OFFICER:
      return "PEMDA_OFFICER";
    case Role::SITE_SUPERVISOR:
      return "SITE_SUPERVISOR";
    case Role::NATIONAL_VIEWER:
      return "NATIONAL_VIEWER";
    case Role::SERVICE:
      return "SERVICE";
    case Role::ADMIN:
      return "ADMIN";
  }
  return "UNKNOWN_ROLE";
}

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  std::vector<absl::string_view> names;
  for (Role role : kAllRoles) names.push_back(RoleName(role));
  return absl::InvalidArgumentError(absl::StrCat("unknown role '", name,
                                                 "'; expected one of ",
                                                 absl::StrJoin(names, ", ")));
}

bool IsValidScopeEntry(absl::string_view entry) {
  if (entry == "*") return true;
  if (entry.size() == 2) return IsTwoDigits(entry);
  return entry.size() == 5 && entry[2] == '.' &&
         IsTwoDigits(entry.substr(0, 2)) && IsTwoDigits(entry.substr(3, 2));
}

absl::StatusOr<std::vector<std::string>> ParseRegencyScope(
    absl::string_view scope) {
  if (scope.empty()) {
    return absl::InvalidArgumentError(
        "empty regency scope; expected PP.RR, PP or * entries separated by "
        "commas");
  }
  std::vector<std::string> entries;
  for (absl::string_view entry : absl::StrSplit(scope, ',')) {
    if (!IsValidScopeEntry(entry)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad regency scope entry '", entry,
          "'; expected a regency code PP.RR (64.01), a province PP (64) or *"));
    }
    if (std::find(entries.begin(), entries.end(), entry) != entries.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("duplicate regency scope entry '", entry, "'"));
    }
    entries.emplace_back(entry);
  }
  if (entries.size() > 1 &&
      std::find(entries.begin(), entries.end(), "*") != entries.end()) {
    return absl::InvalidArgumentError(
        "regency scope '*' (national) must stand alone");
  }
  return entries;
}

bool IsValidName(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

bool Principal::MayActIn(absl::string_view regency_code) const {
  for (const std::string& entry : regencies) {
    if (entry == "*") return true;
    if (entry == regency_code) return true;
    // A province entry "64" covers "64.xx" — the dot keeps "6" from ever
    // matching "64.01" and "64" from matching a malformed "640.1".
    if (entry.size() == 2 && regency_code.size() == 5 &&
        absl::StartsWith(regency_code, entry) && regency_code[2] == '.') {
      return true;
    }
  }
  return false;
}

std::string Principal::ScopeString() const {
  return absl::StrJoin(regencies, ",");
}

}  // namespace ks::auth
