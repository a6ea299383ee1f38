// The frame every ksctl command runs in: its flags, the connection to the
// service it calls, output (a table for people, protobuf's JSON mapping
// with --json for scripts), and errors (the server's code, message, field
// violations and reason) mapped to documented exit codes.
//
// A command is a Command value: one file per service returns its list
// (commands.h), main.cc concatenates them. Adding a service's commands is
// one new file and one line in main.cc.
//
// Not thread-safe: one Session per invocation, on the main thread.
#ifndef KS_TOOLS_KSCTL_CLI_H_
#define KS_TOOLS_KSCTL_CLI_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "grpcpp/grpcpp.h"

namespace ks::ksctl {

// Exit codes: what a script can branch on without parsing output.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      // anything not below (INTERNAL, UNKNOWN, ...)
  kExitUsage = 2,        // bad command line (nothing was sent)
  kExitRejected = 3,     // INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE
  kExitNotFound = 4,     // NOT_FOUND
  kExitConflict = 5,     // ABORTED (stale etag), ALREADY_EXISTS: re-read
  kExitDenied = 6,       // UNAUTHENTICATED, PERMISSION_DENIED
  kExitUnavailable = 7,  // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED:
                         // retry with the same --request_id
  kExitUnimplemented = 8,  // the server does not offer the rpc (yet)
  kExitTampered = 9,       // audit verify: the trail does not verify
};

// The exit code table as printed by `ksctl --help`.
std::string ExitCodeHelp();

// The exit code of a failed call's gRPC code.
int ExitCodeOf(grpc::StatusCode code);

// One flag of a command: `--name=value` (or `--name value`; a flag with
// is_switch is `--name` alone and reads as "true").
struct Flag {
  std::string name;
  std::string help;
  bool required = false;
  bool is_switch = false;
};

// The parsed flags of one invocation. Unknown flags and missing required
// ones are usage errors (INVALID_ARGUMENT naming the flag).
class Args {
 public:
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv,
                                    const std::vector<Flag>& allowed);
  bool Has(absl::string_view name) const;
  std::string Get(absl::string_view name,
                  absl::string_view fallback = "") const;
  // INVALID_ARGUMENT naming the flag when the value is not an integer.
  absl::StatusOr<int64_t> GetInt(absl::string_view name,
                                 int64_t fallback) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

class Session;

// A subcommand, e.g. {"cases", "get", ...}: `ksctl cases get --name=...`.
struct Command {
  std::string group;        // the service it calls ("cases"), or "audit"
  std::string name;         // the verb
  std::string summary;      // one line, for `ksctl --help`
  std::string help;         // the rest of `--help`: what it does, examples
  std::vector<Flag> flags;  // its own, besides the session's (SessionFlags)
  std::function<int(const Args&, Session&)> run;
  bool calls_service = true;  // false: no token/address flags (audit verify)
};

// The flags every command that calls a service takes.
std::vector<Flag> SessionFlags();

// One invocation's connection and output.
class Session {
 public:
  // `service` picks the default address: --address, else
  // KS_<SERVICE>_ADDRESS, else 127.0.0.1:<its default port>.
  Session(const Args& args, std::string service, std::ostream& out,
          std::ostream& err);

  bool json() const { return json_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // The channel to the service (TLS when --ca_file/KS_CA_FILE is set).
  absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel();
  // A stub of `Service` (e.g. kerjasosial::cases::v1::Cases) on Channel();
  // null, with the failure printed and its exit code in *error, when the
  // channel cannot be made.
  template <typename Service>
  std::unique_ptr<typename Service::Stub> Connect(int* error) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Channel();
    if (!channel.ok()) {
      *error = Fail(channel.status());
      return nullptr;
    }
    return Service::NewStub(*channel);
  }
  // A context with the token and the deadline (--timeout).
  std::unique_ptr<grpc::ClientContext> Context() const;

  // Prints a failed call (code, message, field violations, ErrorInfo) to
  // err() and returns its exit code. `retry_flags` (e.g. "--request_id=r
  // --etag=v2"), when set and the failure is transient, is printed: a retry
  // must send the same request, so the same key and the same etag.
  int Fail(const grpc::Status& status, const std::string& retry_flags = "");
  // Prints a usage error of this command and returns kExitUsage.
  int Usage(absl::string_view message);
  // Prints a local failure (e.g. unreadable file) and returns kExitFailure
  // (kExitUsage for INVALID_ARGUMENT: a bad flag value).
  int Fail(const absl::Status& status);

  // `message` in protobuf's JSON mapping, one line.
  void PrintJson(const google::protobuf::Message& message);

 private:
  std::string service_;
  std::string address_;
  std::string token_;
  std::string ca_file_;
  absl::Duration timeout_;
  bool json_;
  std::ostream& out_;
  std::ostream& err_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A table for people: a header row and aligned columns.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void Add(std::vector<std::string> row);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// Two-column FIELD/VALUE table of one resource; empty values are left out.
void PrintFields(std::ostream& out,
                 const std::vector<std::pair<std::string, std::string>>& rows);

// Parses `value` as one of `type`'s values: its full name
// ("BREACH_REASON_ABSENT_WITHOUT_REASON") or without the type's prefix
// ("ABSENT_WITHOUT_REASON"), case-insensitive. INVALID_ARGUMENT naming
// --`flag` and listing the accepted values otherwise.
absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* type,
                              absl::string_view flag, absl::string_view value);
// The value's name without the type's prefix ("IN_PROGRESS").
std::string EnumName(const google::protobuf::EnumDescriptor* type, int value);

// YYYY-MM-DD; INVALID_ARGUMENT naming --`flag` otherwise.
absl::StatusOr<google::type::Date> ParseDate(absl::string_view flag,
                                             absl::string_view value);
std::string FormatDate(const google::type::Date& date);
// RFC 3339, or "" for an unset timestamp.
std::string FormatTime(const google::protobuf::Timestamp& time);
// 150 -> "2h30m", 120 -> "2h".
std::string FormatMinutes(int64_t minutes);
// Today in the machine's local time zone.
google::type::Date Today();

// Parses `json` (protobuf's JSON mapping) into `message`; INVALID_ARGUMENT
// naming --`flag` with the parser's reason otherwise.
absl::Status ParseJson(absl::string_view flag, absl::string_view json,
                       google::protobuf::Message* message);
// Reads a file ("-": standard input); INVALID_ARGUMENT naming --`flag`.
absl::StatusOr<std::string> ReadInput(absl::string_view flag,
                                      const std::string& path);
// The body of a create command: the JSON of --file ("-": standard input)
// parsed into `body`; INVALID_ARGUMENT naming --file otherwise.
absl::Status ReadJsonBody(const Args& args, google::protobuf::Message* body);

// An RFC 3339 time with its offset ("2026-11-30T08:00:00+08:00");
// INVALID_ARGUMENT naming --`flag` otherwise.
absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(
    absl::string_view flag, absl::string_view value);

// A fresh idempotency key for a mutation without --request_id.
std::string NewRequestId();

}  // namespace ks::ksctl

#endif  // KS_TOOLS_KSCTL_CLI_H_
