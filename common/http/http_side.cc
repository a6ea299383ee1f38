#include "common/http/http_side.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/client/peer.h"
#include "common/log/log.h"
#include "common/status/rich_status.h"
#include "google/protobuf/util/json_util.h"

namespace ks::http {

int HttpCodeOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

void ReplyError(httplib::Response& res, const absl::Status& status) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(ToRpcStatus(status), &json,
                                                   options)
           .ok()) {
    json = absl::StrCat("{\"code\":", static_cast<int>(status.code()), "}");
  }
  res.status = HttpCodeOf(status.code());
  res.set_content(json, "application/json");
}

void ReplyCsv(httplib::Response& res, std::string body,
              absl::string_view filename) {
  res.status = 200;
  res.set_header("Content-Disposition",
                 absl::StrCat("attachment; filename=\"", filename, "\""));
  res.set_content(std::move(body), "text/csv; charset=utf-8");
}

void ForwardAuthorization(const httplib::Request& req,
                          grpc::ClientContext* context) {
  AddAuthorization(req.get_header_value("Authorization"), context);
}

void AddAuthorization(absl::string_view authorization,
                      grpc::ClientContext* context) {
  if (!authorization.empty()) {
    context->AddMetadata("authorization", std::string(authorization));
  }
}

absl::StatusOr<std::unique_ptr<HttpSide>> HttpSide::Start(
    const HttpSideOptions& options, const Routes& routes) {
  const size_t colon = options.listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options.listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return InvalidArgumentError(
        {{"--http_listen",
          absl::StrCat("`", options.listen, "` is not host:port")}});
  }
  const std::string host = options.listen.substr(0, colon);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      client::ChannelCredentialsFor("http_grpc_ca_file", options.grpc_ca_file);
  if (!credentials.ok()) return credentials.status();
  const std::string grpc_port =
      options.grpc_listen.substr(options.grpc_listen.rfind(':') + 1);
  std::shared_ptr<grpc::Channel> loopback = grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", grpc_port), *std::move(credentials));

  auto server = std::make_unique<httplib::Server>();
  const int threads = options.threads < 1 ? 1 : options.threads;
  server->new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  server->set_default_headers(
      {{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});
  routes(*server, loopback);
  absl::StatusOr<std::unique_ptr<HttpSide>> side =
      Serve(std::move(server), host, port);
  if (!side.ok()) {
    return absl::UnavailableError(
        absl::StrCat("--http_listen: ", side.status().message()));
  }
  return side;
}

absl::StatusOr<std::unique_ptr<HttpSide>> HttpSide::Serve(
    std::unique_ptr<httplib::Server> server, const std::string& host,
    int port) {
  std::unique_ptr<HttpSide> side(new HttpSide());
  side->server_ = std::move(server);
  httplib::Server& s = *side->server_;
  side->port_ = port == 0 ? s.bind_to_any_port(host) : port;
  if (side->port_ < 0 || (port != 0 && !s.bind_to_port(host, port))) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", host, ":", port));
  }
  side->thread_ = std::thread([&s] { s.listen_after_bind(); });
  log::Info("http_listening", {{"host", host}, {"port", side->port_}});
  return side;
}

HttpSide::~HttpSide() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ks::http
