// ksctl: the command line of kerjasosial over its gRPC contracts.
//
//   ksctl <service> <command> [--flag=value ...]
//   ksctl --help | ksctl <service> --help | ksctl <service> <command> --help
//
// Exit codes: see ExitCodeHelp() (cli.cc), printed by `ksctl --help`.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tools/ksctl/cli.h"
#include "tools/ksctl/commands.h"

namespace ks::ksctl {
namespace {

std::vector<Command> AllCommands() {
  std::vector<Command> all;
  for (auto* group : {&CasesCommands, &PlacementsCommands, &SupervisionCommands,
                      &ReportingCommands, &AuditCommands}) {
    for (Command& c : (*group)()) all.push_back(std::move(c));
  }
  return all;
}

std::vector<Flag> FlagsOf(const Command& c) {
  std::vector<Flag> flags = c.flags;
  if (c.calls_service) {
    for (Flag& f : SessionFlags()) flags.push_back(std::move(f));
  }
  return flags;
}

void PrintOverview(std::ostream& out, const std::vector<Command>& all,
                   const std::string& only_group) {
  out << "ksctl: kerjasosial's command line over its gRPC contracts.\n"
         "usage: ksctl <group> <command> [--flag=value ...]; every command "
         "takes --help.\n\ncommands:\n";
  Table t({"GROUP", "COMMAND", "WHAT IT DOES"});
  for (const Command& c : all) {
    if (only_group.empty() || c.group == only_group) {
      t.Add({c.group, c.name, c.summary});
    }
  }
  t.Print(out);
  out << "\nenvironment: KS_TOKEN or KS_TOKEN_FILE (bearer token), "
         "KS_CASES_ADDRESS,\n  KS_PLACEMENTS_ADDRESS, KS_SUPERVISION_ADDRESS, "
         "KS_REPORTING_ADDRESS (host:port),\n  KS_CA_FILE (TLS roots); flags "
         "win over the environment.\n\n"
      << ExitCodeHelp();
}

void PrintCommandHelp(std::ostream& out, const Command& c) {
  out << "ksctl " << c.group << " " << c.name << ": " << c.summary << "\n\n"
      << c.help << "\nflags:\n";
  Table t({"FLAG", "", "MEANING"});
  for (const Flag& f : FlagsOf(c)) {
    t.Add({"--" + f.name + (f.is_switch ? "" : "=..."),
           f.required ? "required" : "", f.help});
  }
  t.Print(out);
  out << "\n" << ExitCodeHelp();
}

bool IsHelp(const std::string& arg) {
  return arg == "--help" || arg == "-h" || arg == "help";
}

int Run(const std::vector<std::string>& argv) {
  const std::vector<Command> all = AllCommands();
  if (argv.empty() || IsHelp(argv[0])) {
    PrintOverview(argv.empty() ? std::cerr : std::cout, all, "");
    return argv.empty() ? kExitUsage : kExitOk;
  }
  const std::string& group = argv[0];
  bool known_group = false;
  for (const Command& c : all) known_group |= c.group == group;
  if (!known_group) {
    std::cerr << "ksctl: unknown group '" << group << "' (see ksctl --help)\n";
    return kExitUsage;
  }
  if (argv.size() < 2 || IsHelp(argv[1])) {
    PrintOverview(argv.size() < 2 ? std::cerr : std::cout, all, group);
    return argv.size() < 2 ? kExitUsage : kExitOk;
  }
  for (const Command& c : all) {
    if (c.group != group || c.name != argv[1]) continue;
    std::vector<std::string> rest(argv.begin() + 2, argv.end());
    for (const std::string& a : rest) {
      if (IsHelp(a)) {
        PrintCommandHelp(std::cout, c);
        return kExitOk;
      }
    }
    absl::StatusOr<Args> args = Args::Parse(rest, FlagsOf(c));
    if (!args.ok()) {
      std::cerr << "ksctl " << group << " " << c.name << ": "
                << args.status().message() << " (see --help)\n";
      return kExitUsage;
    }
    absl::Duration timeout;
    if (args->Has("timeout") &&
        !absl::ParseDuration(args->Get("timeout"), &timeout)) {
      std::cerr << "ksctl " << group << " " << c.name << ": --timeout: '"
                << args->Get("timeout") << "' is not a duration like 10s\n";
      return kExitUsage;
    }
    Session session(*args, c.group, std::cout, std::cerr);
    return c.run(*args, session);
  }
  std::cerr << "ksctl: unknown command '" << group << " " << argv[1]
            << "' (see ksctl " << group << " --help)\n";
  return kExitUsage;
}

}  // namespace
}  // namespace ks::ksctl

int main(int argc, char** argv) {
  return ks::ksctl::Run(std::vector<std::string>(argv + 1, argv + argc));
}
