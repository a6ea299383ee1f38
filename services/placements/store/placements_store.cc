#include "services/placements/store/placements_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace ks::placements::store {
std::string RecordKey(absl::string_view name) {
  return absl::StrCat("rec:", name);
}
std::string RegencyOf(absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  return parts.size() > 1 ? std::string(parts[1]) : std::string();
}
std::string IndexKey(absl::string_view collection, absl::string_view scope) {
  return absl::StrCat("idx:", collection, ":", scope);
}
std::string SitePlacementsKey(absl::string_view site) {
  return absl::StrCat("idx:placements:site:", site);
}
std::string CasePlacementsKey(absl::string_view case_name) {
  return absl::StrCat("idx:placements:case:", case_name);
}
std::string CounterKey(absl::string_view site, absl::string_view month) {
  return absl::StrCat("sv:", site, ":", month);
}

void Batch::Index(absl::string_view collection, absl::string_view regency,
                  absl::string_view name) {
  txn_.index_ops.push_back(
      outbox::IndexOp::ZAdd(IndexKey(collection, "g"), 0, std::string(name)));
  txn_.index_ops.push_back(outbox::IndexOp::ZAdd(
      IndexKey(collection, absl::StrCat("r:", regency)), 0, std::string(name)));
}

void Batch::IndexUnder(absl::string_view collection, absl::string_view regency,
                       absl::string_view parent, absl::string_view name) {
  Index(collection, regency, name);
  txn_.index_ops.push_back(outbox::IndexOp::ZAdd(
      IndexKey(collection, absl::StrCat("p:", parent)), 0, std::string(name)));
}

void Batch::Event(absl::string_view aggregate_type, absl::string_view name,
                  int64_t version, absl::string_view regency,
                  const google::protobuf::Message& payload) {
  kerjasosial::common::v1::Event e;
  e.set_event_id(ids::NewId());
  e.set_aggregate_type(std::string(aggregate_type));
  e.set_aggregate_name(std::string(name));
  e.set_aggregate_version(version);
  e.set_regency_code(std::string(regency));
  e.set_event_type(payload.GetDescriptor()->full_name());
  e.mutable_payload()->PackFrom(payload);
  txn_.events.push_back(std::move(e));
}

void Batch::Reserve(absl::string_view key, absl::string_view field,
                    int64_t delta, int64_t limit, outbox::Conflict on_full) {
  outbox::Reservation r;
  r.key = std::string(key);
  r.field = std::string(field);
  r.delta = delta;
  r.limit = limit;
  r.on_full = std::move(on_full);
  txn_.reservations.push_back(std::move(r));
}

absl::StatusOr<std::vector<std::string>> PlacementsStore::Members(
    absl::string_view key) {
  KS_ASSIGN_OR_RETURN(redis::Reply r,
                      pool_.Command({"SMEMBERS", writer_.Key(key)}));
  std::vector<std::string> out;
  for (const redis::Reply& m : r.elements) out.push_back(m.str);
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, outbox::StoredRecord>>>
PlacementsStore::GetMany(const std::vector<std::string>& names) {
  std::vector<std::string> keys;
  for (const std::string& n : names) keys.push_back(RecordKey(n));
  KS_ASSIGN_OR_RETURN(std::vector<std::optional<outbox::StoredRecord>> recs,
                      writer_.GetMany(keys));
  std::vector<std::pair<std::string, outbox::StoredRecord>> out;
  for (size_t i = 0; i < recs.size(); ++i) {
    if (recs[i]) out.emplace_back(names[i], *std::move(recs[i]));
  }
  return out;
}

absl::StatusOr<std::string> PlacementsStore::HandoverOffice(
    absl::string_view case_name) {
  KS_ASSIGN_OR_RETURN(redis::Reply r,
                      pool_.Command({"HGET", writer_.Key(kHandoverKey),
                                     std::string(case_name)}));
  return r.str;
}

namespace {
std::vector<std::pair<std::string, std::string>> Pairs(const redis::Reply& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    out.emplace_back(r.elements[i].str, r.elements[i + 1].str);
  }
  return out;
}
}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
PlacementsStore::HashAll(absl::string_view key) {
  KS_ASSIGN_OR_RETURN(redis::Reply r,
                      pool_.Command({"HGETALL", writer_.Key(key)}));
  return Pairs(r);
}

absl::StatusOr<std::vector<std::vector<std::pair<std::string, std::string>>>>
PlacementsStore::HashAllMany(const std::vector<std::string>& keys) {
  std::vector<std::vector<std::string>> commands;
  for (const std::string& key : keys) {
    commands.push_back({"HGETALL", writer_.Key(key)});
  }
  std::vector<std::vector<std::pair<std::string, std::string>>> out;
  if (commands.empty()) return out;
  KS_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies,
                      pool_.Pipeline(commands));
  for (const redis::Reply& r : replies) out.push_back(Pairs(r));
  return out;
}

absl::StatusOr<std::string> PlacementsStore::HashGet(absl::string_view key,
                                                     absl::string_view field) {
  KS_ASSIGN_OR_RETURN(redis::Reply r, pool_.Command({"HGET", writer_.Key(key),
                                                     std::string(field)}));
  return r.str;
}

absl::StatusOr<int64_t> PlacementsStore::Held(absl::string_view key,
                                              absl::string_view field) {
  KS_ASSIGN_OR_RETURN(redis::Reply r, pool_.Command({"HGET", writer_.Key(key),
                                                     std::string(field)}));
  if (r.str.empty()) return 0;
  int64_t n = 0;
  if (!absl::SimpleAtoi(r.str, &n)) return 0;
  return n;
}

}  // namespace ks::placements::store
