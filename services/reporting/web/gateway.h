// Reporting's HTTP side (issue #12): the national dashboard, the optional
// login-free public page (/publik), a read-only JSON gateway (/api/v1/...)
// for each reporting query rpc, and CSV exports (/v1/...csv).
//
// The gateway is a gRPC client of reporting's own API over loopback: every
// /api and /v1 call forwards the caller's `Authorization: Bearer` header as
// gRPC metadata, so authentication and access stay in one place (the
// service's pipeline) and the gateway holds no rule of its own. Errors come
// back as the rpc's google.rpc.Status in JSON, with the HTTP code matching
// the gRPC code (401, 403, 400, 404, 501, 503...).
//
// The public page calls GetPublicSummary with the gateway's own SERVICE
// token (never shown to the browser), caches the answer for
// `public_cache_for` so anonymous traffic cannot load reporting, and is off
// (404) when no token is configured.
//
// Everything the pages load is served from here: the page files are
// compiled in and Chart.js is read at start from Debian's libjs-chart.js, so
// the pages work offline; a Content-Security-Policy of 'self' makes the
// browser refuse any other origin.
//
// Thread safety: Start() returns a running server answering on a bounded
// pool of `threads`; the object is safe to destroy from any thread (it stops
// the server and joins). Non-copyable.
#ifndef KS_SERVICES_REPORTING_WEB_GATEWAY_H_
#define KS_SERVICES_REPORTING_WEB_GATEWAY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/time/clock.h"
#include "grpcpp/channel.h"

namespace ks::http {
class HttpSide;
}

namespace ks::reporting::web {

struct GatewayOptions {
  // Where to listen; port 0 picks a free port (see Gateway::port()).
  std::string host = "127.0.0.1";
  int port = 0;
  // Channel to reporting's gRPC API (loopback).
  std::shared_ptr<grpc::Channel> reporting;
  // Deadline of each call the gateway makes.
  absl::Duration deadline = absl::Seconds(10);
  // Chart.js as Debian's libjs-chart.js installs it.
  std::string chartjs_file = "/usr/share/javascript/chart.js/chart.min.js";
  // A SERVICE (or NATIONAL_VIEWER) token for the public page; empty turns
  // the public page off.
  std::string public_token;
  absl::Duration public_cache_for = absl::Seconds(60);
  // Workers; each holds one connection (keep-alive 1 s), and a browser opens
  // up to six.
  int threads = 16;
  const Clock* clock = SystemClock();
};

class Gateway {
 public:
  // Binds and starts serving. INVALID_ARGUMENT without a channel or with
  // threads < 1; NOT_FOUND naming the file when Chart.js is missing (install
  // libjs-chart.js); UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(GatewayOptions options);

  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // The bound port.
  int port() const;

 private:
  class Routes;
  Gateway() = default;

  std::unique_ptr<Routes> routes_;
  std::unique_ptr<http::HttpSide> side_;
};

}  // namespace ks::reporting::web

#endif  // KS_SERVICES_REPORTING_WEB_GATEWAY_H_
