#include "tools/ksctl/cli.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/auth/client.h"
#include "common/client/peer.h"
#include "common/ids/id.h"
#include "common/status/grpc_status.h"
#include "common/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"

namespace ks::ksctl {
namespace {

// Default ports of the services (deploy/README.md).
int DefaultPort(absl::string_view service) {
  if (service == "placements") return 7102;
  if (service == "supervision") return 7103;
  if (service == "reporting") return 7104;
  return 7101;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace

std::string ExitCodeHelp() {
  return "exit codes:\n"
         "  0  success\n"
         "  1  other failure (INTERNAL, UNKNOWN, a local error)\n"
         "  2  usage: bad command line, nothing was sent\n"
         "  3  rejected: INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE\n"
         "  4  NOT_FOUND\n"
         "  5  conflict: ABORTED (stale etag), ALREADY_EXISTS; re-read first\n"
         "  6  UNAUTHENTICATED or PERMISSION_DENIED\n"
         "  7  UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED: retry with\n"
         "     the same --request_id and --etag (printed with the error)\n"
         "  8  UNIMPLEMENTED: the server does not offer this rpc\n"
         "  9  audit verify: the trail does not verify (tampered)\n";
}

int ExitCodeOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return kExitOk;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return kExitRejected;
    case grpc::StatusCode::NOT_FOUND:
      return kExitNotFound;
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::ALREADY_EXISTS:
      return kExitConflict;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return kExitDenied;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kExitUnavailable;
    case grpc::StatusCode::UNIMPLEMENTED:
      return kExitUnimplemented;
    default:
      return kExitFailure;
  }
}

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& argv,
                                 const std::vector<Flag>& allowed) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    absl::string_view arg = argv[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unexpected argument '", arg, "' (flags are --name=value)"));
    }
    std::string name(arg.substr(0, arg.find('=')));
    auto flag = std::find_if(allowed.begin(), allowed.end(),
                             [&](const Flag& f) { return f.name == name; });
    if (flag == allowed.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    std::string value;
    if (arg.find('=') != absl::string_view::npos) {
      value = std::string(arg.substr(arg.find('=') + 1));
    } else if (flag->is_switch) {
      value = "true";
    } else if (i + 1 < argv.size()) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", name, " needs a value"));
    }
    args.values_[name] = std::move(value);
  }
  for (const Flag& f : allowed) {
    if (f.required && !args.Has(f.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", f.name, " is required"));
    }
  }
  return args;
}

bool Args::Has(absl::string_view name) const {
  return values_.find(name) != values_.end();
}

std::string Args::Get(absl::string_view name,
                      absl::string_view fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string(fallback) : it->second;
}

absl::StatusOr<int64_t> Args::GetInt(absl::string_view name,
                                     int64_t fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  int64_t v;
  if (!absl::SimpleAtoi(it->second, &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": '", it->second, "' is not an integer"));
  }
  return v;
}

std::vector<Flag> SessionFlags() {
  return {
      {"address",
       "host:port of the service; default KS_<SERVICE>_ADDRESS, else "
       "127.0.0.1:<its default port 7101..7104>"},
      {"token",
       "bearer token; default KS_TOKEN (prefer --token_file: a "
       "flag shows in the process list)"},
      {"token_file", "file holding the bearer token; default KS_TOKEN_FILE"},
      {"ca_file",
       "PEM roots that verify the server (TLS); default "
       "KS_CA_FILE; unset: plaintext (loopback only)"},
      {"timeout", "deadline of each call, e.g. 10s (default)"},
      {"json", "print protobuf's JSON mapping instead of a table", false, true},
  };
}

Session::Session(const Args& args, std::string service, std::ostream& out,
                 std::ostream& err)
    : service_(std::move(service)),
      timeout_(absl::Seconds(10)),
      json_(args.Has("json")),
      out_(out),
      err_(err) {
  address_ = args.Get("address");
  if (address_.empty()) {
    address_ =
        Env(absl::StrCat("KS_", absl::AsciiStrToUpper(service_), "_ADDRESS")
                .c_str());
  }
  if (address_.empty()) {
    address_ = absl::StrCat("127.0.0.1:", DefaultPort(service_));
  }
  token_ = args.Get("token", Env("KS_TOKEN"));
  const std::string token_file = args.Get("token_file", Env("KS_TOKEN_FILE"));
  if (token_.empty() && !token_file.empty()) {
    absl::StatusOr<std::string> t = auth::ReadTokenFile(token_file);
    // An unreadable file leaves no token: the server's UNAUTHENTICATED
    // names the problem, and the warning says why.
    if (t.ok()) {
      token_ = *std::move(t);
    } else {
      err_ << "ksctl: --token_file: " << t.status().message() << "\n";
    }
  }
  ca_file_ = args.Get("ca_file", Env("KS_CA_FILE"));
  // main.cc refused an unparsable --timeout before the session.
  absl::Duration timeout;
  if (args.Has("timeout") &&
      absl::ParseDuration(args.Get("timeout"), &timeout)) {
    timeout_ = timeout;
  }
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Session::Channel() {
  if (channel_) return channel_;
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
      client::ChannelCredentialsFor("ca_file", ca_file_);
  if (!creds.ok()) return creds.status();
  channel_ = grpc::CreateChannel(address_, *creds);
  return channel_;
}

std::unique_ptr<grpc::ClientContext> Session::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) auth::AttachToken(ctx.get(), token_);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(timeout_));
  return ctx;
}

int Session::Fail(const grpc::Status& status, const std::string& retry_flags) {
  const int code = ExitCodeOf(status.error_code());
  err_ << "ksctl: " << service_ << " at " << address_ << ": "
       << absl::StatusCodeToString(
              static_cast<absl::StatusCode>(status.error_code()))
       << ": " << status.error_message() << "\n";
  google::rpc::Status rpc;
  if (rpc.ParseFromString(status.error_details())) {
    for (const auto& any : rpc.details()) {
      google::rpc::BadRequest bad;
      google::rpc::ErrorInfo info;
      google::rpc::PreconditionFailure pre;
      if (any.UnpackTo(&bad)) {
        for (const auto& v : bad.field_violations()) {
          err_ << "  field " << v.field() << ": " << v.description() << "\n";
        }
      } else if (any.UnpackTo(&info)) {
        err_ << "  reason " << info.reason();
        for (const auto& [k, v] : info.metadata()) err_ << " " << k << "=" << v;
        err_ << "\n";
      } else if (any.UnpackTo(&pre)) {
        for (const auto& v : pre.violations()) {
          err_ << "  precondition " << v.type() << " " << v.subject() << ": "
               << v.description() << "\n";
        }
      }
    }
  }
  if (code == kExitUnavailable && !retry_flags.empty()) {
    err_ << "  the change may or may not have been made: retry with "
         << retry_flags << " (a retry answers the first result)\n";
  }
  return code;
}

int Session::Usage(absl::string_view message) {
  err_ << "ksctl: " << message << " (see --help)\n";
  return kExitUsage;
}

int Session::Fail(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    return Usage(status.message());
  }
  err_ << "ksctl: " << status.message() << "\n";
  return kExitFailure;
}

void Session::PrintJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  out_ << json << "\n";
}

Table::Table(std::vector<std::string> header) {
  rows_.push_back(std::move(header));
}

void Table::Add(std::vector<std::string> row) {
  row.resize(rows_[0].size());
  rows_.push_back(std::move(row));
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> width(rows_[0].size(), 0);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << std::string(absl::StripTrailingAsciiWhitespace(line)) << "\n";
  }
}

void PrintFields(std::ostream& out,
                 const std::vector<std::pair<std::string, std::string>>& rows) {
  Table t({"FIELD", "VALUE"});
  for (const auto& [k, v] : rows) {
    if (!v.empty()) t.Add({k, v});
  }
  t.Print(out);
}

absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* type,
                              absl::string_view flag, absl::string_view value) {
  const std::string upper = absl::AsciiStrToUpper(value);
  std::vector<std::string> accepted;
  for (int i = 0; i < type->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* v = type->value(i);
    if (v->number() == 0) continue;  // *_UNSPECIFIED is never a choice
    const std::string short_name = EnumName(type, v->number());
    if (upper == v->name() || upper == short_name) return v->number();
    accepted.push_back(short_name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, ": '", value, "' is not one of ",
                   absl::StrJoin(accepted, ", ")));
}

std::string EnumName(const google::protobuf::EnumDescriptor* type, int value) {
  const google::protobuf::EnumValueDescriptor* v =
      type->FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  // The prefix is the first value's name up to "UNSPECIFIED"
  // (BREACH_REASON_UNSPECIFIED -> BREACH_REASON_), the contracts' rule.
  absl::string_view first = type->value(0)->name();
  absl::string_view prefix = first;
  if (!absl::ConsumeSuffix(&prefix, "UNSPECIFIED")) prefix = "";
  absl::string_view name = v->name();
  absl::ConsumePrefix(&name, prefix);
  return std::string(name);
}

absl::StatusOr<google::type::Date> ParseDate(absl::string_view flag,
                                             absl::string_view value) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(value, &day)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": '", value, "' is not a date YYYY-MM-DD"));
  }
  return DateFromCivilDay(day);
}

std::string FormatDate(const google::type::Date& date) {
  if (date.year() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string FormatTime(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "";
  return google::protobuf::util::TimeUtil::ToString(time);
}

std::string FormatMinutes(int64_t minutes) {
  std::string out = absl::StrCat(minutes / 60, "h");
  if (minutes % 60 != 0) absl::StrAppend(&out, minutes % 60, "m");
  return out;
}

google::type::Date Today() {
  return DateFromCivilDay(absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()));
}

absl::Status ParseJson(absl::string_view flag, absl::string_view json,
                       google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message,
      options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, ": not a ", message->GetDescriptor()->full_name(),
        " in JSON: ", status.message().ToString()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadInput(absl::string_view flag,
                                      const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin),
                       std::istreambuf_iterator<char>());
  }
  return client::ReadFlagFile(flag, path);
}

absl::Status ReadJsonBody(const Args& args, google::protobuf::Message* body) {
  absl::StatusOr<std::string> json = ReadInput("file", args.Get("file"));
  if (!json.ok()) return json.status();
  return ParseJson("file", *json, body);
}

absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(
    absl::string_view flag, absl::string_view value) {
  google::protobuf::Timestamp out;
  if (!google::protobuf::util::TimeUtil::FromString(std::string(value), &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": '", value,
                     "' is not an RFC 3339 time like "
                     "2026-11-30T08:00:00+08:00"));
  }
  return out;
}

std::string NewRequestId() { return "ksctl-" + ids::NewId(); }

}  // namespace ks::ksctl
