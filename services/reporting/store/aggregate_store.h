// AggregateStore: reporting's Redis layout of aggregates (see
// domain/effects.h for the keys) — turning an event's effect into the
// consumer's Redis commands, and reading summaries and time series. Every
// read is a fixed number of hash reads per scope and bucket, never one per
// case (DESIGN §9).
//
// Thread-safe: holds only the (thread-safe) pool and immutable strings.
#ifndef KS_SERVICES_REPORTING_STORE_AGGREGATE_STORE_H_
#define KS_SERVICES_REPORTING_STORE_AGGREGATE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/feed/consumer.h"
#include "common/redis/client.h"
#include "kerjasosial/reporting/v1/resources.pb.h"
#include "services/reporting/domain/effects.h"
#include "services/reporting/domain/figures.h"

namespace ks::reporting::store {

class AggregateStore {
 public:
  // `key_prefix` is the deployment's ("ks:{reporting}:").
  AggregateStore(redis::Pool& pool, std::string key_prefix)
      : pool_(pool), prefix_(std::move(key_prefix)) {}

  // The consumer's commands for `ops`, plus the freshness mark of the
  // regency (time received, `received`), which is not part of the figures
  // and so is kept out of the domain ops.
  feed::RedisOps ToRedisOps(const std::vector<domain::Op>& ops,
                            const std::string& regency_code,
                            absl::Time received) const;

  // The all-time counters and the at-risk and overdue counts of `scopes`,
  // in one round trip.
  struct ScopeFigures {
    domain::Counters all;
    int64_t at_risk = 0;
    int64_t overdue = 0;
    // Program-integrasi clients seen.
    int64_t integrasi_clients = 0;
    // When the scope's latest event was received; InfinitePast if never.
    absl::Time last_received = absl::InfinitePast();
  };
  absl::StatusOr<std::vector<ScopeFigures>> ReadScopes(
      const std::vector<std::string>& scopes) const;

  // The counters of `scope`'s buckets of width `g` covering [first, last],
  // oldest first, one per bucket (empty counters where nothing happened);
  // stocks hold their value at the bucket's end.
  struct Bucket {
    absl::CivilDay start;
    absl::CivilDay end;
    domain::Counters counters;
  };
  absl::StatusOr<std::vector<Bucket>> ReadSeries(
      const std::string& scope, kerjasosial::reporting::v1::Granularity g,
      absl::CivilDay first, absl::CivilDay last) const;

  // Last time received per regency scope ("R:64.01"), all scopes.
  absl::StatusOr<absl::flat_hash_map<std::string, absl::Time>> Freshness()
      const;

  // Deletes every aggregate (the keys under "agg:", "atrisk:", "overdue:",
  // "integrasi:", the PKs' loads "pkload:", the sites' capacity, cases'
  // state and ledgers' owed memories, "fresh"), for a rebuild. Not
  // atomic across keys: callers pause the consumers first.
  absl::Status Clear() const;

  std::string Key(absl::string_view relative) const {
    return prefix_ + std::string(relative);
  }

 private:
  redis::Pool& pool_;
  const std::string prefix_;
};

}  // namespace ks::reporting::store

#endif  // KS_SERVICES_REPORTING_STORE_AGGREGATE_STORE_H_
