#include "services/reporting/store/aggregate_store.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace ks::reporting::store {
namespace {

using ::kerjasosial::reporting::v1::Granularity;

constexpr char kFreshKey[] = "fresh";

absl::StatusOr<domain::Counters> ParseHash(const redis::Reply& reply) {
  KS_RETURN_IF_ERROR(reply.ToStatus());
  domain::Counters out;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(reply.elements[i + 1].str, &v)) {
      return absl::DataLossError("an aggregate counter is not an integer");
    }
    out[reply.elements[i].str] = v;
  }
  return out;
}

absl::Time ParseMillis(const redis::Reply& reply) {
  int64_t ms = 0;
  if (reply.is_string() && absl::SimpleAtoi(reply.str, &ms)) {
    return absl::FromUnixMillis(ms);
  }
  return absl::InfinitePast();
}

}  // namespace

feed::RedisOps AggregateStore::ToRedisOps(const std::vector<domain::Op>& ops,
                                          const std::string& regency_code,
                                          absl::Time received) const {
  feed::RedisOps out;
  out.reserve(ops.size() + 1);
  for (const domain::Op& op : ops) {
    switch (op.kind) {
      case domain::Op::Kind::kIncr:
        out.push_back(
            {"HINCRBY", Key(op.key), op.member, absl::StrCat(op.amount)});
        break;
      case domain::Op::Kind::kSetAdd:
        out.push_back({"SADD", Key(op.key), op.member});
        break;
      case domain::Op::Kind::kSetRemove:
        out.push_back({"SREM", Key(op.key), op.member});
        break;
      case domain::Op::Kind::kHashSet:
        out.push_back(
            {"HSET", Key(op.key), op.member, absl::StrCat(op.amount)});
        break;
    }
  }
  if (!regency_code.empty()) {
    const std::string ms = absl::StrCat(absl::ToUnixMillis(received));
    for (const std::string& scope : domain::ScopesOf(regency_code)) {
      out.push_back({"HSET", Key(kFreshKey), scope, ms});
    }
  }
  return out;
}

absl::StatusOr<std::vector<AggregateStore::ScopeFigures>>
AggregateStore::ReadScopes(const std::vector<std::string>& scopes) const {
  std::vector<std::vector<std::string>> cmds;
  constexpr size_t kPerScope = 5;
  cmds.reserve(scopes.size() * kPerScope);
  for (const std::string& scope : scopes) {
    cmds.push_back({"HGETALL", Key(domain::AllTimeKey(scope))});
    cmds.push_back({"SCARD", Key(domain::AtRiskKey(scope))});
    cmds.push_back({"SCARD", Key(domain::OverdueKey(scope))});
    cmds.push_back({"HGET", Key(kFreshKey), scope});
    cmds.push_back({"SCARD", Key(domain::IntegrasiKey(scope))});
  }
  KS_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, pool_.Pipeline(cmds));
  std::vector<ScopeFigures> out(scopes.size());
  for (size_t i = 0; i < scopes.size(); ++i) {
    const redis::Reply* r = &replies[i * kPerScope];
    KS_ASSIGN_OR_RETURN(out[i].all, ParseHash(r[0]));
    KS_RETURN_IF_ERROR(r[1].ToStatus());
    KS_RETURN_IF_ERROR(r[2].ToStatus());
    KS_RETURN_IF_ERROR(r[4].ToStatus());
    out[i].at_risk = r[1].integer;
    out[i].overdue = r[2].integer;
    out[i].last_received = ParseMillis(r[3]);
    out[i].integrasi_clients = r[4].integer;
  }
  return out;
}

absl::StatusOr<std::vector<AggregateStore::Bucket>> AggregateStore::ReadSeries(
    const std::string& scope, Granularity g, absl::CivilDay first,
    absl::CivilDay last) const {
  std::vector<Bucket> out;
  for (absl::CivilDay d = domain::BucketStart(g, first); d <= last;
       d = domain::BucketEnd(g, d) + 1) {
    out.push_back(Bucket{d, domain::BucketEnd(g, d), {}});
  }
  // Buckets that exist after the range hold the stock deltas to take off
  // the all-time value.
  KS_ASSIGN_OR_RETURN(
      redis::Reply listed,
      pool_.Command({"SMEMBERS", Key(domain::BucketListKey(scope, g))}));
  KS_RETURN_IF_ERROR(listed.ToStatus());
  const std::string last_name = domain::BucketName(g, out.back().start);
  std::vector<std::string> later;
  for (const redis::Reply& m : listed.elements) {
    if (m.str > last_name) later.push_back(m.str);
  }
  std::sort(later.begin(), later.end());
  std::vector<std::vector<std::string>> cmds;
  cmds.push_back({"HGETALL", Key(domain::AllTimeKey(scope))});
  for (const Bucket& b : out) {
    cmds.push_back({"HGETALL", Key(domain::BucketKey(
                                   scope, domain::BucketName(g, b.start)))});
  }
  for (const std::string& name : later) {
    cmds.push_back({"HGETALL", Key(domain::BucketKey(scope, name))});
  }
  KS_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, pool_.Pipeline(cmds));
  KS_ASSIGN_OR_RETURN(domain::Counters stock, ParseHash(replies[0]));
  // Stock at the end of the range: now, less what changed after it.
  for (size_t i = 0; i < later.size(); ++i) {
    KS_ASSIGN_OR_RETURN(domain::Counters delta,
                        ParseHash(replies[1 + out.size() + i]));
    for (const auto& [field, v] : delta) stock[field] -= v;
  }
  std::vector<domain::Counters> deltas(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    KS_ASSIGN_OR_RETURN(deltas[i], ParseHash(replies[1 + i]));
  }
  // Walk back from the newest bucket: its stock is `stock`; the one before
  // it is that less this bucket's deltas. Flows are the bucket's own.
  for (size_t i = out.size(); i-- > 0;) {
    domain::Counters c = deltas[i];
    for (const auto& [field, v] : stock) {
      if (domain::IsStockField(field)) {
        c[field] = v;
      }
    }
    for (const auto& [field, v] : deltas[i]) {
      if (domain::IsStockField(field)) {
        stock[field] -= v;
      }
    }
    out[i].counters = std::move(c);
  }
  return out;
}

absl::StatusOr<absl::flat_hash_map<std::string, absl::Time>>
AggregateStore::Freshness() const {
  KS_ASSIGN_OR_RETURN(redis::Reply r,
                      pool_.Command({"HGETALL", Key(kFreshKey)}));
  KS_RETURN_IF_ERROR(r.ToStatus());
  absl::flat_hash_map<std::string, absl::Time> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    out[r.elements[i].str] = ParseMillis(r.elements[i + 1]);
  }
  return out;
}

absl::Status AggregateStore::Clear() const {
  std::vector<const char*> patterns = {"agg:*", "atrisk:*", "overdue:*",
                                       "integrasi:*", "fresh"};
  for (const char* memory : domain::kMemoryKeys) patterns.push_back(memory);
  for (const char* pattern : patterns) {
    std::string cursor = "0";
    do {
      KS_ASSIGN_OR_RETURN(redis::Reply r,
                          pool_.Command({"SCAN", cursor, "MATCH", Key(pattern),
                                         "COUNT", "1000"}));
      KS_RETURN_IF_ERROR(r.ToStatus());
      if (r.elements.size() != 2) {
        return absl::InternalError("SCAN answered an unexpected reply");
      }
      cursor = r.elements[0].str;
      for (const redis::Reply& key : r.elements[1].elements) {
        KS_ASSIGN_OR_RETURN(redis::Reply d, pool_.Command({"DEL", key.str}));
        KS_RETURN_IF_ERROR(d.ToStatus());
      }
    } while (cursor != "0");
  }
  return absl::OkStatus();
}

}  // namespace ks::reporting::store
