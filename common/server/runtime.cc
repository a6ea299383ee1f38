#include "common/server/runtime.h"

#include <algorithm>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "common/time/clock.h"

ABSL_FLAG(absl::Duration, feed_retention_interval, absl::Minutes(1),
          "How often the feed is trimmed below its slowest registered "
          "consumer; 0 disables trimming");
ABSL_FLAG(absl::Duration, feed_max_age, absl::ZeroDuration(),
          "Feed entries older than this are trimmed even if a registered "
          "consumer still needs them (it rebuilds through a snapshot); 0: the "
          "policy's operations.feed_retention_max_age_days");

ABSL_FLAG(absl::Duration, startup_redis_wait, absl::Minutes(2),
          "How long a service that reads its store at start (reporting) "
          "waits for its Redis to answer (e.g. while it loads its AOF)");

namespace ks::server {

FeedOptions FeedOptionsFromFlags() {
  FeedOptions options;
  options.retention_interval = absl::GetFlag(FLAGS_feed_retention_interval);
  options.max_age = absl::GetFlag(FLAGS_feed_max_age);
  return options;
}

Runtime::Runtime(const Config& config)
    : config_(config), key_prefix_(absl::StrCat("ks:{", config.name, "}:")) {}

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Create(const Config& config,
                                                         bool publishes_feed) {
  return Create(config, publishes_feed, FeedOptionsFromFlags());
}

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Create(
    const Config& config, bool publishes_feed, FeedOptions feed_options) {
  if (config.token_file.empty()) {
    return absl::InvalidArgumentError(
        "--token_file is required: mint tokens with `kerjasosial-token mint "
        "--token_file=FILE ...`");
  }
  std::unique_ptr<Runtime> rt(new Runtime(config));
  absl::StatusOr<policy::PolicySet> policy =
      config.policy_file.empty()
          ? policy::PolicySet::Default()
          : policy::PolicySet::LoadFile(config.policy_file);
  if (!policy.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--policy_file: ", policy.status().message()));
  }
  rt->policy_ = std::make_unique<policy::PolicySet>(*std::move(policy));
  // Operational retention comes from the policy in force at start (an
  // organisational choice, not a constant of the code).
  const auto& operations = rt->policy_->Current(*SystemClock()).operations();
  if (feed_options.max_age == absl::ZeroDuration()) {
    feed_options.max_age =
        absl::Hours(24) * operations.feed_retention_max_age_days();
  }
  auto auth = auth::Authenticator::Create(config.token_file);
  if (!auth.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--token_file: ", auth.status().message()));
  }
  rt->auth_ = std::move(*auth);
  rt->redis_ = std::make_unique<redis::Pool>(config.redis);
  rt->redis_->SetObserver([](absl::string_view command, double seconds,
                             bool ok) {
    metrics::Registry::Global()
        .Histogram("ks_redis_command_duration_seconds",
                   "Round trips to this service's Redis, by command and result",
                   {{"command", std::string(command)},
                    {"result", ok ? "ok" : "error"}})
        .Observe(seconds);
  });
  outbox::Options outbox_options;
  outbox_options.key_prefix = rt->key_prefix_;
  outbox_options.source = config.deployment_id;
  outbox_options.idempotency_ttl =
      absl::Hours(operations.idempotency_retention_hours());
  rt->outbox_ = std::make_unique<outbox::Writer>(*rt->redis_, outbox_options);
  if (!config.audit_key_file.empty()) {
    auto signer = audit::CheckpointSigner::FromPemFile(config.audit_key_file);
    if (!signer.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--audit_key_file: ", signer.status().message()));
    }
    rt->audit_signer_ = std::move(*signer);
  } else {
    // Development only: the chain is still sealed, but anyone who can write
    // to Redis can rewrite it undetected.
    log::Warning(
        "audit_unsigned",
        {{"reason", "no --audit_key_file: audit checkpoints are not signed"}});
  }
  audit::SealerOptions sealer_options;
  sealer_options.checkpoint_every = config.audit_checkpoint_every;
  sealer_options.checkpoint_interval = config.audit_checkpoint_interval;
  rt->sealer_ = std::make_unique<audit::Sealer>(
      *rt->redis_, *rt->outbox_, rt->audit_signer_.get(), sealer_options);
  if (publishes_feed) {
    feed::FeedServerOptions options;
    options.stream_key = rt->feed_stream_key();
    options.source = config.deployment_id;
    rt->feed_ = std::make_unique<feed::FeedServer>(*rt->redis_, options);
    if (feed_options.retention_interval > absl::ZeroDuration()) {
      feed::RetentionOptions retention;
      retention.stream_key = options.stream_key;
      retention.max_age = feed_options.max_age;
      retention.interval = feed_options.retention_interval;
      rt->trimmer_ =
          std::make_unique<feed::Trimmer>(*rt->redis_, std::move(retention));
    }
  }
  log::Info("runtime_ready",
            {{"service", config.name},
             {"principals", static_cast<int64_t>(rt->auth_->size())},
             {"audit_key_id", rt->audit_signer_ != nullptr
                                  ? rt->audit_signer_->key_id()
                                  : std::string()},
             {"redis_port", config.redis.port}});
  return rt;
}

grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* Runtime::StreamEvents(
    grpc::CallbackServerContext* context,
    const kerjasosial::common::v1::StreamEventsRequest* request) {
  if (feed_ == nullptr) {
    return feed::FinishedStream(
        grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no feed"));
  }
  auto principal = auth_->Authorize(
      *context, {auth::Role::SERVICE, auth::Role::NATIONAL_VIEWER});
  if (!principal.ok()) {
    return feed::FinishedStream(ToGrpcStatus(principal.status()));
  }
  return feed_->Stream(context, request, *principal);
}

void Runtime::SetSnapshotSource(feed::SnapshotSource* source) {
  if (feed_ != nullptr) feed_->SetSnapshotSource(source);
}

int Runtime::Serve(const std::vector<grpc::Service*>& services) {
  const int code = server::Serve(
      config_, services, [this] { return redis_->Ping(); },
      [this](Server& server) {
        sealer_->Start();
        if (trimmer_ != nullptr) trimmer_->Start();
        if (feed_ != nullptr) {
          // Must not block: the hooks run before gRPC's own bounded
          // shutdown starts. The streams end within the feed's drain.
          server.AddShutdownHook([this] { feed_->StopStreams(); });
        }
      },
      [this] { ReloadTokens(); });
  // After the server: joining waits for a pass in progress (one script,
  // bounded by the Redis timeout), which must not delay gRPC's shutdown.
  if (trimmer_ != nullptr) trimmer_->Stop();
  // Unsealed entries left at stop are sealed by the next start.
  sealer_->Stop();
  return code;
}

absl::Status Runtime::AwaitRedis() {
  const absl::Duration budget = absl::GetFlag(FLAGS_startup_redis_wait);
  const absl::Time start = absl::Now();
  absl::Time last_log = absl::InfinitePast();
  absl::Duration pause = absl::Milliseconds(50);
  while (true) {
    absl::Status ping = redis_->Ping();
    if (ping.ok()) return absl::OkStatus();
    const absl::Time now = absl::Now();
    if (now - start >= budget) {
      return absl::UnavailableError(
          absl::StrCat("Redis at ", config_.redis.host, ":", config_.redis.port,
                       " did not answer within --startup_redis_wait (",
                       absl::FormatDuration(budget), "): ", ping.message()));
    }
    if (now - last_log >= absl::Seconds(5)) {
      log::Warning("waiting_for_redis",
                   {{"redis_port", config_.redis.port},
                    {"waited_ms", absl::ToInt64Milliseconds(now - start)},
                    {"error", std::string(ping.message())}});
      last_log = now;
    }
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Seconds(1));
  }
}

void Runtime::ReloadTokens() {
  absl::Status s = auth_->Reload();
  if (s.ok()) {
    log::Info("tokens_reloaded",
              {{"principals", static_cast<int64_t>(auth_->size())}});
  } else {
    // The previous table stays in force: a typo must not lock everyone out.
    log::Error("tokens_reload_failed", {{"error", s.message()}});
  }
}

void LogStartupError(absl::string_view service, const absl::Status& status) {
  log::Error("startup_failed",
             {{"service", service},
              {"code", absl::StatusCodeToString(status.code())},
              {"error", status.message()}});
}

}  // namespace ks::server
