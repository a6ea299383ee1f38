// The commands of ksctl, one function per file: each service's commands
// live in <service>_commands.cc and call only that service's contract.
#ifndef KS_TOOLS_KSCTL_COMMANDS_H_
#define KS_TOOLS_KSCTL_COMMANDS_H_

#include <vector>

#include "tools/ksctl/cli.h"

namespace ks::ksctl {

std::vector<Command> CasesCommands();        // cases_commands.cc
std::vector<Command> PlacementsCommands();   // placements_commands.cc
std::vector<Command> SupervisionCommands();  // supervision_commands.cc
std::vector<Command> ReportingCommands();    // reporting_commands.cc
std::vector<Command> AuditCommands();        // audit_commands.cc

}  // namespace ks::ksctl

#endif  // KS_TOOLS_KSCTL_COMMANDS_H_
