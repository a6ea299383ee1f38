// kerjasosial-token: mints, lists and revokes bearer tokens in a token file.
//
//   kerjasosial-token mint --token_file=tokens.tsv --id=jaksa-6401-01
//       --agency=kejari-64.01 --role=JAKSA --regencies=64.01
//   kerjasosial-token list --token_file=tokens.tsv
//   kerjasosial-token revoke --token_file=tokens.tsv --id=jaksa-6401-01
//
// mint prints the new token once on stdout (only its SHA-256 is stored);
// list prints principals, never tokens. A running server picks up changes on
// SIGHUP. Exit codes: 0 done, 1 the operation failed, 2 usage error.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/auth/token_file.h"

ABSL_FLAG(std::string, token_file, "",
          "Path of the token file (created with mode 0600 by the first mint).");
ABSL_FLAG(std::string, id, "",
          "mint/revoke: principal id, 1..128 of [A-Za-z0-9._-], e.g. "
          "jaksa-6401-01.");
ABSL_FLAG(std::string, agency, "",
          "mint: agency of the principal, e.g. kejari-64.01.");
ABSL_FLAG(std::string, role, "",
          "mint: JAKSA, PK_BAPAS, PEMDA_OFFICER, SITE_SUPERVISOR, "
          "NATIONAL_VIEWER, SERVICE or ADMIN.");
ABSL_FLAG(std::string, regencies, "",
          "mint: comma-separated scope: PP.RR (64.01), PP (64, the whole "
          "province) or * (national).");

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr char kUsage[] =
    "mints, lists and revokes kerjasosial bearer tokens.\n"
    "  kerjasosial-token mint --token_file=F --id=ID --agency=A --role=ROLE "
    "--regencies=64.01[,64.02|64|*]\n"
    "  kerjasosial-token list --token_file=F\n"
    "  kerjasosial-token revoke --token_file=F --id=ID";

int Usage(const std::string& why) {
  std::cerr << "kerjasosial-token: " << why << "\nusage: " << kUsage << "\n";
  return kExitUsage;
}

int Fail(const absl::Status& status) {
  std::cerr << "kerjasosial-token: " << status.ToString() << "\n";
  return kExitFailure;
}

int Mint(const std::string& path) {
  std::vector<std::string> missing;
  for (const auto& [name, value] :
       {std::pair<const char*, std::string>{"--id", absl::GetFlag(FLAGS_id)},
        {"--agency", absl::GetFlag(FLAGS_agency)},
        {"--role", absl::GetFlag(FLAGS_role)},
        {"--regencies", absl::GetFlag(FLAGS_regencies)}}) {
    if (value.empty()) missing.push_back(name);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) absl::StrAppend(&list, " ", m);
    return Usage(absl::StrCat("mint needs", list));
  }
  ks::auth::Principal principal;
  principal.id = absl::GetFlag(FLAGS_id);
  principal.agency = absl::GetFlag(FLAGS_agency);
  absl::StatusOr<ks::auth::Role> role =
      ks::auth::ParseRole(absl::GetFlag(FLAGS_role));
  if (!role.ok()) return Fail(role.status());
  principal.role = *role;
  absl::StatusOr<std::vector<std::string>> scope =
      ks::auth::ParseRegencyScope(absl::GetFlag(FLAGS_regencies));
  if (!scope.ok()) return Fail(scope.status());
  principal.regencies = *scope;

  absl::StatusOr<std::string> token = ks::auth::MintToken(path, principal);
  if (!token.ok()) return Fail(token.status());
  std::cout << *token << std::endl;
  std::cerr << "kerjasosial-token: minted a token for " << principal.id
            << "; it is shown only this once. Send SIGHUP to running servers "
               "to load it.\n";
  return 0;
}

int List(const std::string& path) {
  absl::StatusOr<std::vector<ks::auth::TokenEntry>> entries =
      ks::auth::LoadTokenEntries(path);
  if (!entries.ok()) return Fail(entries.status());
  for (const ks::auth::TokenEntry& e : *entries) {
    std::cout << e.principal.id << "\t" << e.principal.agency << "\t"
              << ks::auth::RoleName(e.principal.role) << "\t"
              << e.principal.ScopeString() << "\n";
  }
  std::cout.flush();
  return std::cout.good() ? 0 : kExitFailure;
}

int Revoke(const std::string& path) {
  std::string id = absl::GetFlag(FLAGS_id);
  if (id.empty()) return Usage("revoke needs --id");
  absl::Status revoked = ks::auth::RevokeTokens(path, id);
  if (!revoked.ok()) return Fail(revoked);
  std::cerr << "kerjasosial-token: revoked the token of " << id
            << ". Send SIGHUP to running servers to drop it.\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    return Usage(args.size() < 2 ? "missing command"
                                 : "exactly one command expected");
  }
  std::string command = args[1];
  std::string path = absl::GetFlag(FLAGS_token_file);
  if (path.empty()) return Usage("--token_file is required");
  if (command == "mint") return Mint(path);
  if (command == "list") return List(path);
  if (command == "revoke") return Revoke(path);
  return Usage(absl::StrCat("unknown command '", command, "'"));
}
