// Runtime: what every kerjasosial service binary holds besides its own
// handlers — its config, its own Redis pool, the token authenticator and, for
// the services that publish a feed, the StreamEvents server over the outbox
// stream.
//
// Example (a service's main.cc):
//   auto runtime =
//       ks::server::Runtime::Create(config, /*publishes_feed=*/true);
//   if (!runtime.ok()) { ...log and exit 1... }
//   CasesService service(**runtime);
//   return (*runtime)->Serve({&service});
//
// Thread-safe after Create(): handlers use it from any thread.
#ifndef KS_COMMON_SERVER_RUNTIME_H_
#define KS_COMMON_SERVER_RUNTIME_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/audit/checkpoint.h"
#include "common/audit/sealer.h"
#include "common/auth/authenticator.h"
#include "common/feed/feed_server.h"
#include "common/feed/retention.h"
#include "common/feed/snapshot.h"
#include "common/outbox/outbox.h"
#include "common/policy/policy.h"
#include "common/redis/client.h"
#include "common/server/server.h"
#include "kerjasosial/common/v1/event.pb.h"

namespace ks::server {

// How a publishing Runtime keeps its feed (see common/feed/retention.h).
struct FeedOptions {
  // How often the retention trimmer runs; zero disables trimming.
  absl::Duration retention_interval = absl::Minutes(1);
  // Age cap: entries older than this are trimmed even if a registered
  // consumer is slower. Zero: the policy's
  // operations.feed_retention_max_age_days.
  absl::Duration max_age = absl::ZeroDuration();
};

// --feed_retention_interval and --feed_max_age (defined with the Runtime).
FeedOptions FeedOptionsFromFlags();

class Runtime {
 public:
  // Loads the token file (required: a service without authentication would
  // expose criminal records), the audit checkpoint key (optional: without it
  // a warning is logged and checkpoints are not made) and prepares the Redis
  // pool. Connecting to Redis is lazy: the service starts NOT_SERVING and
  // turns SERVING when Redis answers. Returns INVALID_ARGUMENT naming
  // --token_file or --audit_key_file if it is missing or bad.
  static absl::StatusOr<std::unique_ptr<Runtime>> Create(
      const Config& config, bool publishes_feed, FeedOptions feed_options);
  // The same with FeedOptionsFromFlags(), so --feed_* flags take effect in
  // every binary, including those that build their Runtime themselves.
  static absl::StatusOr<std::unique_ptr<Runtime>> Create(const Config& config,
                                                         bool publishes_feed);
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Prefix of every Redis key of this deployment: "ks:{<service>}:". One hash
  // tag for the whole deployment keeps every atomic step in one slot.
  const std::string& key_prefix() const { return key_prefix_; }
  // The outbox stream that StreamEvents serves (the outbox writes it).
  std::string feed_stream_key() const { return outbox_->StreamKey(); }

  const Config& config() const { return config_; }
  redis::Pool& redis() { return *redis_; }
  // The atomic write (record + indexes + idempotency + audit + feed event)
  // over this deployment's keys.
  outbox::Writer& outbox() { return *outbox_; }
  const auth::Authenticator& auth() const { return *auth_; }
  // The legal policy (--policy_file, or the compiled-in default): every legal
  // and organisational number of the deployment.
  const policy::PolicySet& policy() const { return *policy_; }

  // The body of every publishing service's StreamEvents: authenticates
  // (SERVICE, NATIONAL_VIEWER or ADMIN — feeds carry no personal data but
  // are not public), then replays and follows the outbox stream, limited to
  // the principal's regency scope (feed_server.h).
  grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request);

  // Offers StreamEvents' snapshot mode over `source` (not owned; must
  // outlive the Runtime). Call before Serve; without it snapshots are
  // UNIMPLEMENTED. No-op for a Runtime that publishes no feed.
  void SetSnapshotSource(feed::SnapshotSource* source);

  // Serves `services` until SIGTERM/SIGINT (see server::Serve); health
  // follows Redis; the audit sealer and the feed's trimmer run meanwhile
  // (both stop after the server). On shutdown live feed
  // streams are told to end at once (a stalled reader is cancelled after the
  // feed's drain), so they never hold the exit. Exit code.
  int Serve(const std::vector<grpc::Service*>& services);

  // For a service that must read its store before it can serve (reporting
  // loads its upstreams): waits until Redis answers PING — a restarted Redis
  // answers LOADING while it replays its AOF, which takes a while for a big
  // store on a busy machine — for at most --startup_redis_wait, logging
  // `waiting_for_redis` every few seconds. UNAVAILABLE naming the flag when
  // the wait runs out, so a supervisor (systemd Restart=) can try again.
  absl::Status AwaitRedis();

  // Re-reads the token file (what SIGHUP does while serving). On error the
  // previous tokens stay in force and the error is logged.
  void ReloadTokens();

 private:
  explicit Runtime(const Config& config);

  Config config_;
  std::string key_prefix_;
  std::unique_ptr<policy::PolicySet> policy_;
  std::unique_ptr<redis::Pool> redis_;
  std::unique_ptr<outbox::Writer> outbox_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<feed::FeedServer> feed_;
  std::unique_ptr<feed::Trimmer> trimmer_;
  std::unique_ptr<audit::CheckpointSigner> audit_signer_;  // null: unsigned
  // Declared last: destroyed (and its thread stopped) before what it uses.
  std::unique_ptr<audit::Sealer> sealer_;
};

// The handlers every publishing service shares: StreamEvents over the
// Runtime's outbox feed. A service derives its handlers from
// FeedService<its generated CallbackService>; methods it does not override
// answer gRPC's own UNIMPLEMENTED.
template <typename CallbackServiceT>
class FeedService : public CallbackServiceT {
 public:
  explicit FeedService(Runtime& runtime) : runtime_(runtime) {}

  grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request) override {
    return runtime_.StreamEvents(context, request);
  }

 protected:
  Runtime& runtime() { return runtime_; }

 private:
  Runtime& runtime_;
};

// Logs why a binary could not start.
void LogStartupError(absl::string_view service, const absl::Status& status);

// The whole main() of a service binary: flags (with KS_* overrides) ->
// Config -> Runtime -> `ServiceT(Runtime&)` -> serve until SIGTERM. Returns
// the exit code; a bad configuration is logged and exits 1.
template <typename ServiceT>
int RunServiceMain(int argc, char** argv, const BinaryDefaults& defaults,
                   const char* usage, bool publishes_feed) {
  InitProcess(argc, argv, usage);
  auto runtime = Runtime::Create(ConfigFromFlags(defaults), publishes_feed,
                                 FeedOptionsFromFlags());
  if (!runtime.ok()) {
    LogStartupError(defaults.name, runtime.status());
    return 1;
  }
  ServiceT service(**runtime);
  return (*runtime)->Serve({&service});
}

}  // namespace ks::server

#endif  // KS_COMMON_SERVER_RUNTIME_H_
