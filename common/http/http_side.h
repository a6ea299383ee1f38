// The HTTP side of a gRPC service (a CSV download, a JSON view): a small
// cpp-httplib server whose routes call the service's own gRPC listener over
// loopback, forwarding the caller's `Authorization: Bearer` header as gRPC
// metadata. Authentication, access and audit therefore stay in one place,
// the service's pipeline, and an HTTP route holds no rule of its own.
// Errors are the rpc's google.rpc.Status as JSON, with the HTTP code that
// matches the gRPC code (HttpCodeOf).
//
// Thread safety: routes run on the server's pool of `threads`; Start()
// returns a running server, destroying it stops and joins.
#ifndef KS_COMMON_HTTP_HTTP_SIDE_H_
#define KS_COMMON_HTTP_HTTP_SIDE_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "httplib.h"

namespace ks::http {

// The HTTP status matching a gRPC/absl code (401, 403, 404, 409, 503...).
int HttpCodeOf(absl::StatusCode code);

// Answers `status` as its google.rpc.Status in JSON, every field printed
// (an error without details carries "details":[]), so a client reads one
// shape whatever the error.
void ReplyError(httplib::Response& res, const absl::Status& status);

// Answers a CSV download (text/csv; charset=utf-8) named `filename`.
void ReplyCsv(httplib::Response& res, std::string body,
              absl::string_view filename);

// Copies the request's Authorization header onto a loopback call.
void ForwardAuthorization(const httplib::Request& req,
                          grpc::ClientContext* context);

// Sends `authorization` (an Authorization header value, "Bearer ...") as the
// call's authorization metadata; nothing when empty, so the rpc answers
// UNAUTHENTICATED itself. For a caller holding its own token rather than
// forwarding a request's.
void AddAuthorization(absl::string_view authorization,
                      grpc::ClientContext* context);

struct HttpSideOptions {
  // --http_listen as given: "host:port"; port 0 picks a free port.
  std::string listen;
  // The service's own gRPC listener (Config.listen): its port is called on
  // 127.0.0.1 whatever host it binds.
  std::string grpc_listen;
  // PEM roots to trust when the gRPC listener has TLS; empty: plaintext.
  std::string grpc_ca_file;
  int threads = 4;
};

class HttpSide {
 public:
  // Registers the routes on a server, given the loopback channel.
  using Routes = std::function<void(httplib::Server& server,
                                    std::shared_ptr<grpc::Channel> loopback)>;

  // Binds and starts serving. INVALID_ARGUMENT naming --http_listen for an
  // address that is not host:port (or --http_grpc_ca_file unreadable);
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpSide>> Start(
      const HttpSideOptions& options, const Routes& routes);

  // Serves a `server` its owner has set up (routes, pool, headers) on
  // host:port (port 0 picks a free port), on a thread of its own: for an
  // HTTP side with needs beyond Start's (reporting's dashboard). UNAVAILABLE
  // "cannot listen on host:port" when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpSide>> Serve(
      std::unique_ptr<httplib::Server> server, const std::string& host,
      int port);

  ~HttpSide();
  HttpSide(const HttpSide&) = delete;
  HttpSide& operator=(const HttpSide&) = delete;

  int port() const { return port_; }

 private:
  HttpSide() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ks::http

#endif  // KS_COMMON_HTTP_HTTP_SIDE_H_
