#include "services/reporting/upstream_runner.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "grpcpp/grpcpp.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "kerjasosial/placements/v1/placements_service.grpc.pb.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"
#include "services/reporting/domain/effects.h"

namespace ks::reporting {
namespace {

namespace rv1 = ::kerjasosial::reporting::v1;
using ::kerjasosial::common::v1::Event;
using ::kerjasosial::common::v1::StreamEventsRequest;

std::string IdOf(const std::string& name) {
  return name.substr(name.find('/') + 1);
}

}  // namespace

UpstreamRunner::UpstreamRunner(redis::Pool& pool,
                               const store::AggregateStore& store,
                               std::string key_prefix,
                               std::map<std::string, std::string> credentials,
                               std::string ca_file, const Clock* clock,
                               int workers)
    : pool_(pool),
      store_(store),
      key_prefix_(std::move(key_prefix)),
      credentials_(std::move(credentials)),
      ca_file_(std::move(ca_file)),
      clock_(clock),
      workers_(workers) {}

UpstreamRunner::~UpstreamRunner() { StopAll(); }

std::string UpstreamRunner::ConsumerPrefix(const std::string& name) const {
  return absl::StrCat(key_prefix_, "consumer:", IdOf(name));
}

void UpstreamRunner::Run(const rv1::Upstream& upstream) {
  Stop(upstream.name());
  std::string token;
  if (auto it = credentials_.find(upstream.credential_name());
      it != credentials_.end()) {
    token = it->second;
  }
  absl::StatusOr<std::unique_ptr<client::Peer>> peer =
      upstream.use_tls() && ca_file_.empty()
          ? absl::FailedPreconditionError(
                "use_tls needs --upstream_ca_file (the roots to trust)")
          : client::Peer::Create(
                client::PeerOptions{upstream.name(), upstream.address(),
                                    upstream.use_tls() ? ca_file_ : "", token});
  if (!peer.ok()) {
    log::Warning("upstream_not_followed",
                 {{"upstream", upstream.name()},
                  {"reason", std::string(peer.status().message())}});
    absl::MutexLock lock(&mu_);
    failed_[upstream.name()] = peer.status();
    failed_regencies_[upstream.name()] = {upstream.regency_codes().begin(),
                                          upstream.regency_codes().end()};
    return;
  }
  feed::ConsumerOptions options;
  options.key_prefix = ConsumerPrefix(upstream.name());
  options.pool = &workers_;
  switch (upstream.kind()) {
    case rv1::UPSTREAM_KIND_CASES:
      options.async_stream =
          client::AsyncFeedOf<kerjasosial::cases::v1::Cases>(**peer);
      break;
    case rv1::UPSTREAM_KIND_PLACEMENTS:
      options.async_stream =
          client::AsyncFeedOf<kerjasosial::placements::v1::Placements>(**peer);
      break;
    default:
      options.async_stream =
          client::AsyncFeedOf<kerjasosial::supervision::v1::Supervision>(
              **peer);
      break;
  }
  options.configure_context = [p = peer->get()](grpc::ClientContext* context) {
    p->Configure(context);
  };
  options.regency_codes = {upstream.regency_codes().begin(),
                           upstream.regency_codes().end()};
  options.consumer_id = absl::StrCat("reporting-", IdOf(upstream.name()));
  options.refresh_interval = absl::Minutes(10);
  // A feed trimmed past our cursor (reporting was away longer than the
  // upstream's retention, or a rebuild replays from the start) restarts
  // from the upstream's current state: domain/effects.h, "Snapshots".
  options.snapshot_when_trimmed = true;
  const rv1::UpstreamKind kind = upstream.kind();
  const std::vector<std::string> allowed = options.regency_codes;
  const std::string applied_key = options.key_prefix + ":applied";
  const std::string rejected_key = options.key_prefix + ":rejected";
  const std::string rejection_key = options.key_prefix + ":last_rejection";
  const std::string name = upstream.name();
  options.handler =
      [this, kind, allowed, applied_key, rejected_key, rejection_key,
       name](const Event& event) -> absl::StatusOr<feed::RedisOps> {
    // What an event does not state in full (a site's previous capacity) is
    // read back from our own Redis: this consumer applies its upstream's
    // events one at a time, so the value read is the previous event's.
    const domain::PriorLookup prior =
        [this](const std::string& key,
               const std::string& field) -> absl::StatusOr<int64_t> {
      absl::StatusOr<redis::Reply> r =
          pool_.Command({"HGET", store_.Key(key), field});
      if (!r.ok()) return r.status();
      int64_t value = 0;
      if (r->is_string() && !absl::SimpleAtoi(r->str, &value)) {
        return absl::DataLossError(absl::StrCat(key, " is not an integer"));
      }
      return value;
    };
    absl::StatusOr<std::vector<domain::Op>> ops =
        domain::EffectOf(event, kind, allowed, prior);
    if (!ops.ok()) {
      // Counted and skipped in the same atomic step as the cursor, and
      // logged by id and reason only. Not dead-lettered: the consumer's dead
      // letters keep the event's bytes, and a rejected event may be one that
      // carries personal data, which reporting must never store.
      const std::string reason(ops.status().message());
      metrics::Registry::Global()
          .Counter("ks_reporting_events_rejected_total",
                   "Upstream events refused by reporting (undecodable, "
                   "personal data, unknown or foreign regency)",
                   {{"upstream", name}})
          .Increment();
      log::Warning("upstream_event_rejected", {{"upstream", name},
                                               {"event_id", event.event_id()},
                                               {"reason", reason}});
      return feed::RedisOps{
          {"INCR", rejected_key},
          {"SET", rejection_key,
           absl::StrCat(absl::ToUnixSeconds(clock_->Now()), " ", reason)}};
    }
    feed::RedisOps out =
        store_.ToRedisOps(*ops, event.regency_code(), clock_->Now());
    out.push_back({"INCR", applied_key});
    return out;
  };
  auto consumer = std::make_unique<feed::Consumer>(pool_, std::move(options));
  consumer->Start();
  absl::MutexLock lock(&mu_);
  failed_.erase(upstream.name());
  failed_regencies_.erase(upstream.name());
  followed_[upstream.name()] =
      Followed{*std::move(peer), std::move(consumer), allowed};
}

bool UpstreamRunner::Stale(const std::string& scope) const {
  // An upstream feeds `scope` when it is not limited to regencies, or when
  // one of its regencies is in the scope.
  auto feeds = [&](const std::vector<std::string>& regencies) {
    if (regencies.empty() || scope == "N") return true;
    const std::string code = scope.substr(2);
    for (const std::string& r : regencies) {
      if (r == code || r.compare(0, code.size() + 1, code + ".") == 0) {
        return true;
      }
    }
    return false;
  };
  absl::MutexLock lock(&mu_);
  for (const auto& [name, f] : followed_) {
    if (!f.consumer->stats().connected && feeds(f.regency_codes)) return true;
  }
  for (const auto& [name, regencies] : failed_regencies_) {
    if (feeds(regencies)) return true;
  }
  return false;
}

void UpstreamRunner::Stop(const std::string& name) {
  Followed stopped;
  {
    absl::MutexLock lock(&mu_);
    failed_.erase(name);
    failed_regencies_.erase(name);
    auto it = followed_.find(name);
    if (it == followed_.end()) return;
    stopped = std::move(it->second);
    followed_.erase(it);
  }
  stopped.consumer->Stop();
}

void UpstreamRunner::StopAll() {
  absl::flat_hash_map<std::string, Followed> all;
  {
    absl::MutexLock lock(&mu_);
    all.swap(followed_);
    failed_.clear();
    failed_regencies_.clear();
  }
  for (auto& [name, f] : all) f.consumer->Stop();
}

void UpstreamRunner::FillStatus(rv1::Upstream* upstream) const {
  const std::string prefix = ConsumerPrefix(upstream->name());
  absl::StatusOr<std::vector<redis::Reply>> replies =
      pool_.Pipeline({{"GET", prefix + ":cursor"},
                      {"GET", prefix + ":applied"},
                      {"GET", prefix + ":rejected"},
                      {"GET", prefix + ":last_rejection"}});
  if (replies.ok() && replies->size() == 4) {
    upstream->set_cursor((*replies)[0].str);
    int64_t applied = 0;
    if (absl::SimpleAtoi((*replies)[1].str, &applied)) {
      upstream->set_events_applied(applied);
    }
    int64_t rejected = 0;
    if (absl::SimpleAtoi((*replies)[2].str, &rejected)) {
      upstream->set_events_rejected(rejected);
    }
    // "<unix seconds> <reason>" of the latest rejection.
    const std::string& rejection = (*replies)[3].str;
    const size_t space = rejection.find(' ');
    int64_t when = 0;
    if (space != std::string::npos &&
        absl::SimpleAtoi(rejection.substr(0, space), &when)) {
      upstream->set_last_error(
          absl::StrCat("INVALID_ARGUMENT: ", rejection.substr(space + 1)));
      upstream->mutable_last_error_time()->set_seconds(when);
    }
  }
  feed::ConsumerStats stats;
  bool running = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = followed_.find(upstream->name());
    if (it != followed_.end()) {
      stats = it->second.consumer->stats();
      running = true;
    }
    if (auto f = failed_.find(upstream->name()); f != failed_.end()) {
      upstream->set_state(rv1::UPSTREAM_STATE_FAILING);
      upstream->set_last_error(
          absl::StrCat(absl::StatusCodeToString(f->second.code()), ": ",
                       f->second.message()));
      return;
    }
  }
  if (!running) {
    upstream->set_state(rv1::UPSTREAM_STATE_PAUSED);
    return;
  }
  if (stats.last_event_time != absl::InfinitePast()) {
    upstream->mutable_last_event_time()->set_seconds(
        absl::ToUnixSeconds(stats.last_event_time));
  }
  upstream->set_lag_seconds(absl::ToInt64Seconds(stats.lag));
  if (!stats.last_error.ok() && upstream->last_error().empty()) {
    upstream->set_last_error(
        absl::StrCat(absl::StatusCodeToString(stats.last_error.code()), ": ",
                     stats.last_error.message()));
  }
  if (stats.connected) {
    // The consumer does not know the upstream's head, so catching up and
    // following live are not told apart: a connected stream is LIVE, and
    // lag_seconds says how old the last event applied was when applied.
    upstream->set_state(rv1::UPSTREAM_STATE_LIVE);
  } else {
    upstream->set_state(stats.last_error.ok() ? rv1::UPSTREAM_STATE_CONNECTING
                                              : rv1::UPSTREAM_STATE_FAILING);
  }
}

}  // namespace ks::reporting
