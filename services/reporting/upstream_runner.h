// UpstreamRunner: follows every registered upstream feed with its own
// feed::Consumer (durable cursor, exactly-once effect: dedupe, effect and
// cursor in one atomic script), turning each event into aggregate changes
// (domain/effects.h). One upstream that is down, slow or sends garbage only
// affects its own consumer: its garbage is rejected (dead-lettered, counted
// in `events_rejected`, logged by id and reason only, never its content)
// and the others go on.
//
// Threads: a fixed pool of `workers` (feed::ConsumerPool), whatever the
// number of upstreams: each upstream's consumer is driven asynchronously by
// one worker, so a down or slow upstream holds no thread and hundreds of
// upstreams need no more threads than a few.
//
// Thread-safe: every method may be called from any thread.
#ifndef KS_SERVICES_REPORTING_UPSTREAM_RUNNER_H_
#define KS_SERVICES_REPORTING_UPSTREAM_RUNNER_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/client/peer.h"
#include "common/feed/consumer.h"
#include "common/feed/consumer_pool.h"
#include "common/redis/client.h"
#include "common/time/clock.h"
#include "kerjasosial/reporting/v1/resources.pb.h"
#include "services/reporting/store/aggregate_store.h"

namespace ks::reporting {

class UpstreamRunner {
 public:
  // `credentials` maps Upstream.credential_name to the bearer token sent;
  // `ca_file` holds the PEM roots trusted for upstreams with use_tls.
  // `workers` threads follow all upstreams. `pool`, `store` and `clock` must
  // outlive the runner.
  UpstreamRunner(redis::Pool& pool, const store::AggregateStore& store,
                 std::string key_prefix,
                 std::map<std::string, std::string> credentials,
                 std::string ca_file = "", const Clock* clock = SystemClock(),
                 int workers = kDefaultWorkers);
  static constexpr int kDefaultWorkers = 8;
  ~UpstreamRunner();

  // Starts following `upstream` (or restarts it with a new configuration,
  // keeping its cursor). A configuration that cannot be followed (use_tls
  // without --upstream_ca_file, an unreadable CA file) leaves it FAILING
  // with that error in last_error.
  void Run(const kerjasosial::reporting::v1::Upstream& upstream);
  // Stops following the upstream named `name`, if followed.
  void Stop(const std::string& name);
  void StopAll();
  // Fills the output-only status fields of `upstream` (cursor, counts,
  // state, lag, last error) from its consumer and its keys.
  void FillStatus(kerjasosial::reporting::v1::Upstream* upstream) const;
  // Whether an upstream that may feed `scope` ("N", "P:64", "R:64.01") is
  // not following live (not connected, or not followable): its figures may
  // lag (Summary.stale). From memory only: no Redis read.
  bool Stale(const std::string& scope) const;
  // The keys of an upstream's consumer state ("<prefix>consumer:<id>"), to
  // forget its cursor on delete.
  std::string ConsumerPrefix(const std::string& name) const;

 private:
  redis::Pool& pool_;
  const store::AggregateStore& store_;
  const std::string key_prefix_;
  const std::map<std::string, std::string> credentials_;
  const std::string ca_file_;
  const Clock* clock_;
  // Declared before the consumers: it outlives them.
  feed::ConsumerPool workers_;
  mutable absl::Mutex mu_;
  // The consumer of each followed upstream, with the peer (channel, token)
  // it streams from; declared so the consumer stops before its peer goes.
  struct Followed {
    std::unique_ptr<client::Peer> peer;
    std::unique_ptr<feed::Consumer> consumer;
    std::vector<std::string> regency_codes;  // empty: all
  };
  absl::flat_hash_map<std::string, Followed> followed_ ABSL_GUARDED_BY(mu_);
  // Why an upstream could not be followed.
  absl::flat_hash_map<std::string, absl::Status> failed_ ABSL_GUARDED_BY(mu_);
  // The regencies of each upstream that could not be followed.
  absl::flat_hash_map<std::string, std::vector<std::string>> failed_regencies_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace ks::reporting

#endif  // KS_SERVICES_REPORTING_UPSTREAM_RUNNER_H_
