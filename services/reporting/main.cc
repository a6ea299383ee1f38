// kerjasosial-reporting: the reporting service, one deployment per national
// office.
//
// Upstreams come from the API (CreateUpstream...) and, optionally, from
// --upstreams_file (text format of ListUpstreamsResponse: `upstreams { name:
// "upstreams/kejari-paser" kind: UPSTREAM_KIND_CASES address: "..." }`),
// created at start when not stored yet. The stored record wins: a file
// entry whose id already exists is ignored, so changes made through the API
// survive a restart. Tokens for the upstreams come from
// --upstream_credentials_file: one `<credential_name> <token>` per line.
#include <cstdio>
#include <map>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/auth/client.h"
#include "common/client/peer.h"
#include "common/server/runtime.h"
#include "google/protobuf/text_format.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/web/gateway.h"

ABSL_FLAG(std::string, upstreams_file, "",
          "Upstreams to create at start when not stored yet (text format of "
          "kerjasosial.reporting.v1.ListUpstreamsResponse). The stored "
          "record wins over the file.");
ABSL_FLAG(std::string, http_listen, "",
          "host:port of the dashboard, public page, JSON gateway and CSV "
          "(services/reporting/web); empty disables them.");
ABSL_FLAG(std::string, http_public_token_file, "",
          "File holding the SERVICE token the login-free public page (/publik) "
          "calls GetPublicSummary with; empty turns the public page off.");
ABSL_FLAG(std::string, chartjs_file,
          "/usr/share/javascript/chart.js/chart.min.js",
          "Chart.js served to the dashboard (Debian's libjs-chart.js).");
ABSL_FLAG(std::string, http_grpc_ca_file, "",
          "PEM roots the HTTP gateway trusts when it calls this service's own "
          "gRPC listener over TLS (--tls_cert); empty: plaintext loopback.");
ABSL_FLAG(std::string, upstream_ca_file, "",
          "PEM roots trusted for upstreams with use_tls (required for them).");
ABSL_FLAG(std::string, upstream_credentials_file, "",
          "Tokens sent to upstreams: one `<credential_name> <token>` per "
          "line.");
ABSL_FLAG(int, upstream_workers, ks::reporting::UpstreamRunner::kDefaultWorkers,
          "Threads that follow all upstream feeds (multiplexed: any number "
          "of upstreams, at least 1 thread).");

namespace {

absl::Status LoadOptions(ks::reporting::ReportingServiceOptions* options) {
  if (const std::string path = absl::GetFlag(FLAGS_upstream_credentials_file);
      !path.empty()) {
    absl::StatusOr<std::string> text =
        ks::client::ReadFlagFile("upstream_credentials_file", path);
    if (!text.ok()) return text.status();
    int line_no = 0;
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      ++line_no;
      line = absl::StripAsciiWhitespace(line);
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> parts =
          absl::StrSplit(line, ' ', absl::SkipWhitespace());
      if (parts.size() != 2) {
        return absl::InvalidArgumentError(
            absl::StrCat("--upstream_credentials_file: line ", line_no,
                         " is not `<credential_name> <token>`"));
      }
      options->credentials[parts[0]] = parts[1];
    }
  }
  if (const std::string path = absl::GetFlag(FLAGS_upstreams_file);
      !path.empty()) {
    absl::StatusOr<std::string> text =
        ks::client::ReadFlagFile("upstreams_file", path);
    if (!text.ok()) return text.status();
    kerjasosial::reporting::v1::ListUpstreamsResponse list;
    if (!google::protobuf::TextFormat::ParseFromString(*text, &list)) {
      return absl::InvalidArgumentError(
          "--upstreams_file: not a text ListUpstreamsResponse");
    }
    for (const auto& u : list.upstreams()) {
      if (!absl::StartsWith(u.name(), "upstreams/")) {
        return absl::InvalidArgumentError(
            absl::StrCat("--upstreams_file: name `", u.name(),
                         "` must be upstreams/{upstream}"));
      }
      options->configured.push_back(u);
    }
  }
  options->ca_file = absl::GetFlag(FLAGS_upstream_ca_file);
  options->upstream_workers = absl::GetFlag(FLAGS_upstream_workers);
  if (options->upstream_workers < 1) {
    return absl::InvalidArgumentError("--upstream_workers must be at least 1");
  }
  return absl::OkStatus();
}

// The HTTP gateway (--http_listen), a client of this process's own gRPC
// listener on loopback so that every HTTP call goes through the same
// authentication and access checks as a gRPC one. nullptr when disabled.
absl::StatusOr<std::unique_ptr<ks::reporting::web::Gateway>> StartHttp(
    const ks::server::Config& config) {
  const std::string listen = absl::GetFlag(FLAGS_http_listen);
  if (listen.empty()) return nullptr;
  const size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_listen: `", listen, "` is not host:port"));
  }
  if (!config.tls_client_ca.empty()) {
    return absl::InvalidArgumentError(
        "--http_listen with --tls_client_ca: the gateway has no client "
        "certificate to call its own mTLS listener");
  }
  if (!config.tls_cert.empty() &&
      absl::GetFlag(FLAGS_http_grpc_ca_file).empty()) {
    return absl::InvalidArgumentError(
        "--http_listen with --tls_cert needs --http_grpc_ca_file");
  }
  auto credentials = ks::client::ChannelCredentialsFor(
      "http_grpc_ca_file", absl::GetFlag(FLAGS_http_grpc_ca_file));
  if (!credentials.ok()) return credentials.status();
  // The gRPC port on loopback, whatever host the listener binds.
  const std::string grpc_port =
      config.listen.substr(config.listen.rfind(':') + 1);
  ks::reporting::web::GatewayOptions options;
  options.host = listen.substr(0, colon);
  options.port = port;
  options.reporting =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", grpc_port), *credentials);
  options.chartjs_file = absl::GetFlag(FLAGS_chartjs_file);
  if (const std::string path = absl::GetFlag(FLAGS_http_public_token_file);
      !path.empty()) {
    auto token = ks::auth::ReadTokenFile(path);
    if (!token.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--http_public_token_file: ", token.status().message()));
    }
    options.public_token = *token;
  }
  return ks::reporting::web::Gateway::Start(std::move(options));
}

}  // namespace

int main(int argc, char** argv) {
  const ks::server::BinaryDefaults defaults{"reporting", 7104, 9104};
  ks::server::InitProcess(
      argc, argv,
      "kerjasosial-reporting: the reporting service of kerjasosial.\n"
      "Flags may also be set as KS_<FLAG> environment variables.");
  auto runtime = ks::server::Runtime::Create(
      ks::server::ConfigFromFlags(defaults), /*publishes_feed=*/false);
  if (!runtime.ok()) {
    ks::server::LogStartupError(defaults.name, runtime.status());
    return 1;
  }
  ks::reporting::ReportingServiceOptions options;
  if (absl::Status s = LoadOptions(&options); !s.ok()) {
    ks::server::LogStartupError(defaults.name, s);
    return 1;
  }
  ks::reporting::ReportingService service(**runtime, std::move(options));
  // Start reads the stored upstreams: a Redis still loading its AOF after a
  // restart of the stack must not make reporting exit.
  if (absl::Status s = (*runtime)->AwaitRedis(); !s.ok()) {
    ks::server::LogStartupError(defaults.name, s);
    return 1;
  }
  if (absl::Status s = service.Start(); !s.ok()) {
    ks::server::LogStartupError(defaults.name, s);
    return 1;
  }
  auto http = StartHttp((*runtime)->config());
  if (!http.ok()) {
    ks::server::LogStartupError(defaults.name, http.status());
    return 1;
  }
  // The gateway stops (destroyed first) before the service it calls.
  return (*runtime)->Serve({&service});
}
