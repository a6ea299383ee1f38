// The bootstrap every kerjasosial binary shares: flags with KS_* environment
// overrides, the gRPC server (TLS/mTLS, health, reflection, RPC metrics and
// logs), the Prometheus endpoint, and a graceful shutdown on SIGTERM/SIGINT.
//
// Example (a service's main.cc):
//   int main(int argc, char** argv) {
//     ks::server::InitProcess(argc, argv, "kerjasosial-cases: ...");
//     ks::server::Config config =
//         ks::server::ConfigFromFlags({"cases", 7101, 9101});
//     ks::redis::Pool redis(config.redis);
//     CasesService service(...);
//     return ks::server::Serve(config, {&service},
//                              [&] { return redis.Ping(); });
//   }
//
// Thread-safety: Server's methods may be called from any thread.
#ifndef KS_COMMON_SERVER_SERVER_H_
#define KS_COMMON_SERVER_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/metrics/metrics.h"
#include "common/redis/client.h"
#include "grpcpp/server.h"

namespace ks::server {

// What one binary calls itself and where it listens unless told otherwise.
struct BinaryDefaults {
  std::string name;  // "cases" -> binary kerjasosial-cases
  int grpc_port = 0;
  int metrics_port = 0;
};

// Everything the common flags configure. Handlers never read flags: main()
// turns them into this struct once (STYLE.md).
struct Config {
  std::string name;
  std::string listen;          // host:port of the gRPC server
  std::string metrics_listen;  // host:port of /metrics; "" disables it
  std::string tls_cert;        // PEM file; empty = plaintext
  std::string tls_key;
  std::string tls_client_ca;  // PEM file; set = mTLS (client certs required)
  bool insecure = false;      // allow plaintext on a non-loopback address
  std::string token_file;
  // The legal policy in protobuf text format; empty: the compiled-in
  // default (data/policy/default.textproto).
  std::string policy_file;
  std::string deployment_id;  // feed `source`, metrics label
  absl::Duration shutdown_grace = absl::Seconds(10);
  absl::Duration health_interval = absl::Seconds(1);
  redis::Options redis;
  // PEM Ed25519 private key that signs audit checkpoints (common/audit);
  // empty = entries are sealed but not anchored (development only).
  std::string audit_key_file;
  int audit_checkpoint_every = 1000;  // entries
  absl::Duration audit_checkpoint_interval = absl::Seconds(60);
};

// Blocks SIGTERM/SIGINT/SIGHUP in this thread (so every thread created later
// inherits the mask and the signal is taken by sigwait in Serve), then parses
// the command line after applying KS_<FLAG_NAME> environment variables:
// the command line wins over the environment, the environment over defaults.
// Exits with a message on a bad flag or variable.
void InitProcess(int argc, char** argv, const char* usage);

// Applies KS_* environment variables to the registered flags. Returns an
// error naming the variable whose value does not parse. (InitProcess calls
// it; exposed for tests.)
absl::Status ApplyEnvironmentOverrides();

// Reads the common flags into a Config, filling defaults from `defaults`.
Config ConfigFromFlags(const BinaryDefaults& defaults);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(absl::string_view host);

// A gRPC server with the house features. Start() it, then either Wait() for
// a signal-driven shutdown (Serve does this) or Shutdown() it yourself
// (tests).
class Server {
 public:
  // `readiness` is polled every config.health_interval; the server reports
  // SERVING on grpc.health.v1 only while it returns OK (e.g. Redis PING).
  // Returns INVALID_ARGUMENT for a bad address or TLS setup (naming the flag),
  // FAILED_PRECONDITION for plaintext gRPC or /metrics (always plaintext) on
  // a non-loopback address without --insecure, UNAVAILABLE if the port
  // cannot be bound.
  //
  // RPC metrics and logs label a call by its method only if one of the
  // registered services (`services`, health, reflection) defines it; any
  // other path counts as method="unknown", so their number is bounded.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const Config& config, const std::vector<grpc::Service*>& services,
      std::function<absl::Status()> readiness);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound gRPC port (useful with port 0) and metrics port (0 if none).
  int port() const { return port_; }
  int metrics_port() const;
  // "127.0.0.1:<port>" style address to dial.
  std::string dial_address() const;

  // Runs before the gRPC server stops accepting: e.g. telling live feed
  // streams to end so they do not hold the shutdown until its deadline.
  // Must not block (start the work and return): gRPC's bounded shutdown
  // begins only after the hooks.
  void AddShutdownHook(std::function<void()> hook);

  // Reports NOT_SERVING, runs the hooks, stops accepting, lets in-flight
  // calls finish until `grace` less a margin (a fifth, at most 1 s) passes,
  // then cancels the rest. Idempotent.
  void Shutdown(absl::Duration grace);
  // Blocks until Shutdown() has completed.
  void Wait();

  grpc::Server* grpc_server() { return server_.get(); }

 private:
  Server() = default;
  void HealthLoop();

  std::string host_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<metrics::HttpExporter> exporter_;
  std::function<absl::Status()> readiness_;
  absl::Duration health_interval_;
  std::vector<std::string> service_names_;
  std::thread health_thread_;
  absl::Notification stopping_;
  absl::Notification stopped_;
  absl::Mutex mu_;
  std::vector<std::function<void()>> hooks_ ABSL_GUARDED_BY(mu_);
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
};

// Starts the server and blocks until SIGTERM or SIGINT, then shuts it down
// gracefully within config.shutdown_grace; if the process (Serve's return
// and main's teardown included) is still alive when the grace has passed,
// it exits there (code 0, logged as shutdown_forced), so no client and no
// stalled Redis can hold a SIGTERM longer. `on_started` runs after start
// (e.g. to add shutdown hooks); `on_reload` on every SIGHUP (e.g. re-reading
// the token file). Returns the process exit code.
int Serve(const Config& config, const std::vector<grpc::Service*>& services,
          std::function<absl::Status()> readiness,
          std::function<void(Server&)> on_started = nullptr,
          std::function<void()> on_reload = nullptr);

}  // namespace ks::server

#endif  // KS_COMMON_SERVER_SERVER_H_
