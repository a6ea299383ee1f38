#include "common/server/server.h"

#include <arpa/inet.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "google/protobuf/descriptor.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/impl/server_initializer.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/server_interceptor.h"

ABSL_FLAG(std::string, listen, "",
          "host:port of the gRPC server (default 127.0.0.1:<service port>)");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port of the Prometheus /metrics endpoint "
          "(default 127.0.0.1:<service metrics port>; 'off' disables it; a "
          "non-loopback address needs --insecure)");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain of the server");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of the server");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle; when set, clients must present a certificate it "
          "signed (mTLS)");
ABSL_FLAG(bool, insecure, false,
          "allow plaintext gRPC, and /metrics (always plaintext HTTP), on a "
          "non-loopback address (never in production)");
ABSL_FLAG(std::string, policy_file, "",
          "legal policy in protobuf text format; empty: compiled-in defaults");
ABSL_FLAG(std::string, token_file, "",
          "bearer-token file made with kerjasosial-token (hashes only)");
ABSL_FLAG(
    std::string, deployment_id, "",
    "id of this deployment, e.g. kejari-64.01 (default: the service name)");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "how long in-flight calls may run after SIGTERM");
ABSL_FLAG(absl::Duration, health_interval, absl::Seconds(1),
          "how often Redis reachability is checked for grpc.health.v1");
ABSL_FLAG(std::string, redis_host, "127.0.0.1", "this service's own Redis");
ABSL_FLAG(int, redis_port, 6379, "port of this service's own Redis");
ABSL_FLAG(std::string, redis_password, "", "Redis AUTH password, if any");
ABSL_FLAG(int, redis_db, 0, "Redis logical database");
ABSL_FLAG(int, redis_pool_size, 8, "Redis connections kept by the pool");
ABSL_FLAG(absl::Duration, redis_timeout, absl::Seconds(2),
          "connect and command timeout for Redis");
ABSL_FLAG(std::string, audit_key_file, "",
          "PEM Ed25519 private key that signs audit checkpoints (make one "
          "with `openssl genpkey -algorithm ed25519`); without it the audit "
          "trail is not anchored outside Redis");
ABSL_FLAG(int, audit_checkpoint_every, 1000,
          "sign an audit checkpoint at least every this many entries");
ABSL_FLAG(absl::Duration, audit_checkpoint_interval, absl::Seconds(60),
          "sign an audit checkpoint at least this often while entries come");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");

namespace ks::server {
namespace {

std::string EnvName(absl::string_view flag) {
  return absl::StrCat("KS_", absl::AsciiStrToUpper(flag));
}

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view flag) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read '", path, "'"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Splits "host:port" / "[::1]:port".
bool SplitHostPort(absl::string_view address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return false;
  *host = std::string(address.substr(0, colon));
  if (absl::StartsWith(*host, "[") && absl::EndsWith(*host, "]")) {
    *host = host->substr(1, host->size() - 2);
  }
  return absl::SimpleAtoi(address.substr(colon + 1), port) && *port >= 0 &&
         *port <= 65535;
}

// The label of every call to a method the server does not register. Any
// client, unauthenticated, chooses the path of its call: used verbatim as a
// label, 20,000 distinct paths grew the process by 35 MB and /metrics to
// 42 MB, and a path carrying a name or NIK landed in both (issue #8).
constexpr char kUnknownMethod[] = "unknown";
// Longest service name of an unknown path that is logged.
constexpr size_t kMaxLoggedServiceBytes = 64;

// The full method names ("/pkg.Service/Method") of the services registered
// on one server, read from their descriptors once the builder knows them.
// Thread-safe: filled while the server is built, read by every call.
class MethodCatalog {
 public:
  void AddServices(const std::vector<std::string>& services) {
    absl::MutexLock lock(&mu_);
    for (const std::string& name : services) {
      if (!services_.insert(name).second) continue;
      roots_.insert(name.substr(0, name.find('.')));
      const google::protobuf::ServiceDescriptor* d =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
              name);
      if (d == nullptr) {
        // Without a descriptor its methods cannot be told from made-up
        // paths, so they are counted as unknown rather than trusted.
        log::Warning("service_without_descriptor", {{"service", name}});
        continue;
      }
      for (int i = 0; i < d->method_count(); ++i) {
        methods_.insert(absl::StrCat("/", name, "/", d->method(i)->name()));
      }
    }
  }

  bool Contains(absl::string_view method) const {
    absl::MutexLock lock(&mu_);
    return methods_.contains(method);
  }

  // What a log line may say about an unknown `path`: its service part when
  // that is a dotted identifier under one of the registered services' root
  // packages (a client built from another version of our contracts), else
  // "(other)". Arbitrary text — a name, a NIK — is never logged.
  std::string LoggableService(absl::string_view path) const {
    if (!absl::StartsWith(path, "/")) return "(other)";
    absl::string_view service = path.substr(1, path.find('/', 1) - 1);
    const bool shaped =
        !service.empty() && service.size() <= kMaxLoggedServiceBytes &&
        std::all_of(service.begin(), service.end(), [](char c) {
          return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                 c == '_' || c == '.';
        });
    if (!shaped) return "(other)";
    absl::MutexLock lock(&mu_);
    if (!roots_.contains(service.substr(0, service.find('.')))) {
      return "(other)";
    }
    return std::string(service);
  }

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> services_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> roots_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> methods_ ABSL_GUARDED_BY(mu_);
};

// Hands the builder's list of registered services to a MethodCatalog: the
// plugin hook is the one public place gRPC exposes that list (server
// reflection reads it the same way). InitServer runs before the server
// starts; Finish again after, for services the builder adds late.
class MethodCatalogPlugin : public grpc::ServerBuilderPlugin {
 public:
  explicit MethodCatalogPlugin(std::shared_ptr<MethodCatalog> catalog)
      : catalog_(std::move(catalog)) {}
  std::string name() override { return "ks_method_catalog"; }
  void InitServer(grpc::ServerInitializer* si) override {
    catalog_->AddServices(*si->GetServiceList());
  }
  void Finish(grpc::ServerInitializer* si) override {
    catalog_->AddServices(*si->GetServiceList());
  }
  void ChangeArguments(const std::string&, void*) override {}

 private:
  std::shared_ptr<MethodCatalog> catalog_;
};

class MethodCatalogOption : public grpc::ServerBuilderOption {
 public:
  explicit MethodCatalogOption(std::shared_ptr<MethodCatalog> catalog)
      : catalog_(std::move(catalog)) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    plugins->push_back(std::make_unique<MethodCatalogPlugin>(catalog_));
  }

 private:
  std::shared_ptr<MethodCatalog> catalog_;
};

// Bounds the log lines of calls to methods the server does not register: a
// flood of invented paths must not become a flood of log lines (each call is
// still counted in ks_rpc_total{method="unknown"}). At most kPerSecond lines
// a second; the first line after a suppressed stretch says how many were
// left out. One per server, so two servers in a process do not share it.
class UnknownCallLogLimiter {
 public:
  static constexpr int kPerSecond = 20;

  // -1: do not log this call. Otherwise log it, with the number of lines
  // suppressed since the last one logged.
  int64_t Admit(absl::Time now) {
    absl::MutexLock lock(&mu_);
    const int64_t second = absl::ToUnixSeconds(now);
    if (second != window_) {
      window_ = second;
      in_window_ = 0;
    }
    if (in_window_ >= kPerSecond) {
      ++suppressed_;
      return -1;
    }
    ++in_window_;
    const int64_t suppressed = suppressed_;
    suppressed_ = 0;
    return suppressed;
  }

 private:
  absl::Mutex mu_;
  int64_t window_ ABSL_GUARDED_BY(mu_) = 0;
  int in_window_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t suppressed_ ABSL_GUARDED_BY(mu_) = 0;
};

// Counts and times every RPC by method and status code, and writes one log
// line per call (method, code, duration — never the request's content).
// Methods the server does not register are counted and logged as
// kUnknownMethod, so neither /metrics nor the logs grow with what clients
// invent.
class RpcObserver : public grpc::experimental::Interceptor {
 public:
  RpcObserver(grpc::experimental::ServerRpcInfo* info,
              const MethodCatalog& catalog, UnknownCallLogLimiter& limiter)
      : limiter_(limiter), start_(absl::Now()) {
    const absl::string_view path = info->method() ? info->method() : "";
    if (catalog.Contains(path)) {
      method_ = std::string(path);
    } else {
      method_ = kUnknownMethod;
      unknown_service_ = catalog.LoggableService(path);
      unknown_path_bytes_ = static_cast<int64_t>(path.size());
    }
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
      std::string code = CodeName(status.error_code());
      auto& registry = metrics::Registry::Global();
      registry
          .Counter("ks_rpc_total", "RPCs handled, by method and status code",
                   {{"method", method_}, {"code", code}})
          .Increment();
      registry
          .Histogram("ks_rpc_duration_seconds",
                     "RPC latency by method and status code",
                     {{"method", method_}, {"code", code}})
          .Observe(seconds);
      if (method_ == kUnknownMethod) {
        if (const int64_t suppressed = limiter_.Admit(absl::Now());
            suppressed >= 0) {
          log::Info("rpc", {{"method", method_},
                            {"service", unknown_service_},
                            {"path_bytes", unknown_path_bytes_},
                            {"code", code},
                            {"ms", seconds * 1000},
                            {"suppressed_before", suppressed}});
        }
      } else if (!absl::StartsWith(method_, "/grpc.health.")) {
        log::Info(
            "rpc",
            {{"method", method_}, {"code", code}, {"ms", seconds * 1000}});
      }
    }
    methods->Proceed();
  }

  static std::string CodeName(grpc::StatusCode code) {
    return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  }

 private:
  UnknownCallLogLimiter& limiter_;
  std::string method_;
  std::string unknown_service_;
  int64_t unknown_path_bytes_ = 0;
  absl::Time start_;
};

class RpcObserverFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcObserverFactory(std::shared_ptr<const MethodCatalog> catalog)
      : catalog_(std::move(catalog)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcObserver(info, *catalog_, limiter_);
  }

 private:
  std::shared_ptr<const MethodCatalog> catalog_;
  UnknownCallLogLimiter limiter_;
};

}  // namespace

bool IsLoopbackHost(absl::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr addr;
  std::string h(host);
  return inet_pton(AF_INET, h.c_str(), &addr) == 1 &&
         (ntohl(addr.s_addr) >> 24) == 127;
}

absl::Status ApplyEnvironmentOverrides() {
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    const char* value = std::getenv(EnvName(name).c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(EnvName(name), "='", value, "': ", error));
    }
  }
  return absl::OkStatus();
}

void InitProcess(int argc, char** argv, const char* usage) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  absl::SetProgramUsageMessage(usage);
  if (absl::Status s = ApplyEnvironmentOverrides(); !s.ok()) {
    fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    exit(2);
  }
  absl::ParseCommandLine(argc, argv);
  log::Level level;
  if (!log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    fprintf(stderr, "--log_level: expected debug, info, warning or error\n");
    exit(2);
  }
  log::SetMinLevel(level);
}

Config ConfigFromFlags(const BinaryDefaults& defaults) {
  Config c;
  c.name = defaults.name;
  c.listen = absl::GetFlag(FLAGS_listen);
  if (c.listen.empty())
    c.listen = absl::StrCat("127.0.0.1:", defaults.grpc_port);
  c.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (c.metrics_listen.empty()) {
    c.metrics_listen = absl::StrCat("127.0.0.1:", defaults.metrics_port);
  } else if (c.metrics_listen == "off") {
    c.metrics_listen.clear();
  }
  c.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  c.tls_key = absl::GetFlag(FLAGS_tls_key);
  c.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  c.insecure = absl::GetFlag(FLAGS_insecure);
  c.token_file = absl::GetFlag(FLAGS_token_file);
  c.policy_file = absl::GetFlag(FLAGS_policy_file);
  c.deployment_id = absl::GetFlag(FLAGS_deployment_id);
  if (c.deployment_id.empty()) c.deployment_id = defaults.name;
  c.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  c.health_interval = absl::GetFlag(FLAGS_health_interval);
  c.redis.host = absl::GetFlag(FLAGS_redis_host);
  c.redis.port = absl::GetFlag(FLAGS_redis_port);
  c.redis.password = absl::GetFlag(FLAGS_redis_password);
  c.redis.db = absl::GetFlag(FLAGS_redis_db);
  c.redis.pool_size = absl::GetFlag(FLAGS_redis_pool_size);
  c.redis.connect_timeout = absl::GetFlag(FLAGS_redis_timeout);
  c.redis.command_timeout = absl::GetFlag(FLAGS_redis_timeout);
  c.audit_key_file = absl::GetFlag(FLAGS_audit_key_file);
  c.audit_checkpoint_every = absl::GetFlag(FLAGS_audit_checkpoint_every);
  c.audit_checkpoint_interval = absl::GetFlag(FLAGS_audit_checkpoint_interval);
  return c;
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const Config& config, const std::vector<grpc::Service*>& services,
    std::function<absl::Status()> readiness) {
  std::unique_ptr<Server> s(new Server);
  int port = 0;
  if (!SplitHostPort(config.listen, &s->host_, &port)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen: expected host:port, got '", config.listen, "'"));
  }

  std::shared_ptr<grpc::ServerCredentials> creds;
  if (!config.tls_cert.empty() || !config.tls_key.empty()) {
    if (config.tls_cert.empty() || config.tls_key.empty()) {
      return absl::InvalidArgumentError(
          "--tls_cert and --tls_key must be given together");
    }
    auto cert = ReadFile(config.tls_cert, "tls_cert");
    if (!cert.ok()) return cert.status();
    auto key = ReadFile(config.tls_key, "tls_key");
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions opts(
        config.tls_client_ca.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    if (!config.tls_client_ca.empty()) {
      auto ca = ReadFile(config.tls_client_ca, "tls_client_ca");
      if (!ca.ok()) return ca.status();
      opts.pem_root_certs = *ca;
    }
    opts.pem_key_cert_pairs.push_back({*key, *cert});
    creds = grpc::SslServerCredentials(opts);
  } else if (!config.tls_client_ca.empty()) {
    return absl::InvalidArgumentError(
        "--tls_client_ca needs --tls_cert and --tls_key");
  } else {
    // Plaintext exposes bearer tokens and personal data on the wire: only
    // allowed where the wire never leaves the machine, unless asked for.
    if (!IsLoopbackHost(s->host_) && !config.insecure) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--listen=", config.listen,
          " is not a loopback address: give --tls_cert/--tls_key, or "
          "--insecure to allow plaintext"));
    }
    creds = grpc::InsecureServerCredentials();
  }

  // /metrics is plaintext HTTP without authentication (method names, error
  // rates, feed lag): the same rule as a plaintext gRPC port. The exporter
  // has no TLS, so off loopback it needs the explicit --insecure (or a
  // TLS-terminating proxy in front of a loopback listener).
  if (!config.metrics_listen.empty()) {
    std::string metrics_host;
    int metrics_port = 0;
    if (!SplitHostPort(config.metrics_listen, &metrics_host, &metrics_port)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--metrics_listen: expected host:port, got '",
                       config.metrics_listen, "'"));
    }
    if (!IsLoopbackHost(metrics_host) && !config.insecure) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--metrics_listen=", config.metrics_listen,
          " is not a loopback address and /metrics is plaintext HTTP without "
          "authentication: listen on 127.0.0.1 (behind a TLS proxy), give "
          "--metrics_listen=off, or --insecure to allow it"));
    }
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // The health service is gRPC's own; naming its descriptor links it in, so
  // the catalog can label its methods.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  auto catalog = std::make_shared<MethodCatalog>();
  grpc::ServerBuilder builder;
  builder.SetOption(std::make_unique<MethodCatalogOption>(catalog));
  builder.AddListeningPort(config.listen, creds, &s->port_);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<RpcObserverFactory>(catalog));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen));
  }

  if (!config.metrics_listen.empty()) {
    auto exporter = metrics::HttpExporter::Start(config.metrics_listen,
                                                 &metrics::Registry::Global());
    if (!exporter.ok()) {
      s->server_->Shutdown();
      s->server_->Wait();
      s->server_.reset();
      return exporter.status();
    }
    s->exporter_ = std::move(*exporter);
  }

  s->readiness_ = std::move(readiness);
  s->health_interval_ = config.health_interval;
  // Health starts NOT_SERVING until the first readiness check passes, so a
  // load balancer never routes to a server whose Redis is not there yet.
  s->server_->GetHealthCheckService()->SetServingStatus(false);
  s->health_thread_ = std::thread([srv = s.get()] { srv->HealthLoop(); });
  log::Info("server_started",
            {{"service", config.name},
             {"deployment", config.deployment_id},
             {"port", s->port_},
             {"metrics_port", s->metrics_port()},
             {"tls", creds != nullptr && !config.tls_cert.empty()}});
  return s;
}

Server::~Server() {
  if (server_ == nullptr) return;  // Start() failed before building it
  Shutdown(absl::ZeroDuration());
  Wait();
}

int Server::metrics_port() const {
  return exporter_ != nullptr ? exporter_->port() : 0;
}

std::string Server::dial_address() const {
  std::string host = host_ == "0.0.0.0" || host_.empty() ? "127.0.0.1" : host_;
  if (host.find(':') != std::string::npos) host = absl::StrCat("[", host, "]");
  return absl::StrCat(host, ":", port_);
}

void Server::AddShutdownHook(std::function<void()> hook) {
  absl::MutexLock lock(&mu_);
  hooks_.push_back(std::move(hook));
}

void Server::HealthLoop() {
  while (!stopping_.HasBeenNotified()) {
    absl::Status ready = readiness_ ? readiness_() : absl::OkStatus();
    {
      absl::MutexLock lock(&mu_);
      if (!stopping_.HasBeenNotified() && ready.ok() != serving_) {
        serving_ = ready.ok();
        server_->GetHealthCheckService()->SetServingStatus(serving_);
        if (serving_) {
          log::Info("health", {{"status", "SERVING"}});
        } else {
          log::Warning("health", {{"status", "NOT_SERVING"},
                                  {"reason", std::string(ready.message())}});
        }
      }
    }
    stopping_.WaitForNotificationWithTimeout(health_interval_);
  }
}

void Server::Shutdown(absl::Duration grace) {
  std::vector<std::function<void()>> hooks;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_.HasBeenNotified()) return;
    stopping_.Notify();
    serving_ = false;
    // Tell load balancers first, so new calls go elsewhere while we drain.
    server_->GetHealthCheckService()->SetServingStatus(false);
    hooks.swap(hooks_);
  }
  const absl::Time start = absl::Now();
  log::Info("server_stopping",
            {{"grace_ms", absl::ToInt64Milliseconds(grace)}});
  // Hooks must not block (e.g. the feed only asks its streams to end): a
  // hook that waited on clients would delay gRPC's bounded shutdown below
  // by as long as a client likes.
  for (auto& hook : hooks) hook();
  // In-flight calls get the grace less a margin; gRPC then cancels them,
  // and the margin is for their handlers to notice before Serve's hard
  // deadline at `grace` ends the process anyway.
  const absl::Duration margin = std::min(grace / 5, absl::Seconds(1));
  server_->Shutdown(absl::ToChronoTime(start + grace - margin));
  if (health_thread_.joinable()) health_thread_.join();
  if (exporter_ != nullptr) exporter_->Stop();
  server_->Wait();
  log::Info("server_stopped");
  stopped_.Notify();
}

void Server::Wait() { stopped_.WaitForNotification(); }

int Serve(const Config& config, const std::vector<grpc::Service*>& services,
          std::function<absl::Status()> readiness,
          std::function<void(Server&)> on_started,
          std::function<void()> on_reload) {
  auto server = Server::Start(config, services, std::move(readiness));
  if (!server.ok()) {
    log::Error("server_start_failed",
               {{"service", config.name},
                {"error", std::string(server.status().message())}});
    return 1;
  }
  if (on_started) on_started(**server);
  // SIGTERM/SIGINT/SIGHUP were blocked by InitProcess in every thread; take
  // them here. SIGHUP reloads (e.g. the token file) and keeps serving.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  int sig = 0;
  while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
    log::Info("signal", {{"signal", "SIGHUP"}});
    if (on_reload) on_reload();
  }
  log::Info("signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  // The whole exit is bounded by the grace, whatever clients or Redis do: a
  // handler blocked on a paused Redis outlives gRPC's cancellation by its
  // command timeout, and main's own teardown (consumers, pools) comes after
  // Serve. Past the grace, the process ends here. Nothing acknowledged is
  // lost: every acknowledged write is already in Redis (AOF always).
  const absl::Duration grace = config.shutdown_grace;
  std::thread([grace] {
    absl::SleepFor(grace);
    log::Error("shutdown_forced",
               {{"grace_ms", absl::ToInt64Milliseconds(grace)}});
    std::_Exit(0);
  }).detach();
  (*server)->Shutdown(grace);
  return 0;
}

}  // namespace ks::server
