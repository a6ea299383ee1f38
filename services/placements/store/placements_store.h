// PlacementsStore: the placements service's Redis layout, on top of
// common/outbox. Every change is ONE outbox transaction (a Batch): the
// records it writes (each conditional on the version it was read at), the
// index entries, the slot reservations of the sites' capacity and of the
// one-open-placement-per-case rule, the feed events, the audit entry and the
// idempotency entry — all or nothing (see outbox.h).
//
// Keys (relative to the deployment's prefix "ks:{placements}:"):
//   rec:<resource name>           the record (serialized resource); one
//                                 layout for agreements, activity types,
//                                 sites, placements, reports and the rest
//   idx:<collection>:g            sorted set (score 0, by member) of the
//   idx:<collection>:r:<regency>  resource names of a collection, whole
//                                 deployment / one regency; resource ids
//                                 are time-sortable so member order is
//                                 creation order within a regency
//   idx:<collection>:p:<parent>   the same, under a parent resource
//                                 (an agreement's joint evaluations, a
//                                 site's monitoring visits)
//   idx:placements:site:<site>    set of the site's placements
//   idx:placements:case:<case>    set of the case's placements
//   slots:site                    hash site name -> slots held (capacity)
//   slots:case                    hash case name -> open placements (0/1)
//   number:<regency>:<number>     uniqueness claim of an agreement number
//   handover                      hash case name -> Bapas office it was
//                                 handed over to (from cases, at placing)
//   active:site                   hash site name -> ACTIVE placements
//   sv:<site>:<YYYY-MM>           hash "<activity type>|<counter>" -> count:
//                                 supervision's figures of the site in one
//                                 local month (domain/supervision_counts.h),
//                                 written by the feed consumer in the same
//                                 step as its cursor
//   sv:sessions                   hash work session -> where it was counted
//                                 (a void withdraws exactly that)
//
// Index members and events hold resource names only, never personal data.
//
// Thread-safe: the store holds no mutable state; Redis orders the scripts.
#ifndef KS_SERVICES_PLACEMENTS_STORE_PLACEMENTS_STORE_H_
#define KS_SERVICES_PLACEMENTS_STORE_PLACEMENTS_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/ids/id.h"
#include "common/outbox/index_scan.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "common/status/status_macros.h"
#include "google/protobuf/message.h"
#include "kerjasosial/common/v1/event.pb.h"

namespace ks::placements::store {

// Collections (the second word of the index keys).
inline constexpr char kAgreements[] = "agreements";
inline constexpr char kActivityTypes[] = "activityTypes";
inline constexpr char kSites[] = "sites";
inline constexpr char kPlacements[] = "placements";
inline constexpr char kReports[] = "reports";
inline constexpr char kOutreach[] = "outreachEvents";
inline constexpr char kJointEvaluations[] = "jointEvaluations";
inline constexpr char kVisits[] = "monitoringVisits";

std::string RecordKey(absl::string_view name);
// The regency of a resource name "regencies/{regency}/...".
std::string RegencyOf(absl::string_view name);
// `scope` is "g" or "r:<regency>".
std::string IndexKey(absl::string_view collection, absl::string_view scope);
std::string SitePlacementsKey(absl::string_view site);
std::string CasePlacementsKey(absl::string_view case_name);
inline constexpr char kSiteSlotsKey[] = "slots:site";
inline constexpr char kCaseSlotsKey[] = "slots:case";
inline constexpr char kHandoverKey[] = "handover";
inline constexpr char kActiveKey[] = "active:site";
inline constexpr char kSessionMemoKey[] = "sv:sessions";
// The supervision counters of `site` in the local month "YYYY-MM".
std::string CounterKey(absl::string_view site, absl::string_view month);

// One change being assembled: records, indexes, reservations, events.
// The pipeline adds request id, fingerprint and audit entry.
class Batch {
 public:
  // Writes `record` (whose `etag` is set here to the new version) at its
  // name. `expected_version` 0: it must not exist. Returns the new version.
  template <typename R>
  int64_t Put(R& record, int64_t expected_version) {
    const int64_t version = expected_version + 1;
    record.set_etag(outbox::Etag(version));
    txn_.records.emplace_back(RecordKey(record.name()), expected_version,
                              record.SerializeAsString());
    return version;
  }
  // A new record: Put with version 0 and the collection's indexes.
  template <typename R>
  void Create(R& record, absl::string_view collection,
              absl::string_view regency) {
    Put(record, 0);
    Index(collection, regency, record.name());
  }
  void Index(absl::string_view collection, absl::string_view regency,
             absl::string_view name);
  // Index plus the index of the parent resource ("p:<parent>").
  void IndexUnder(absl::string_view collection, absl::string_view regency,
                  absl::string_view parent, absl::string_view name);
  // Appends a feed event of aggregate `name` at `version`.
  void Event(absl::string_view aggregate_type, absl::string_view name,
             int64_t version, absl::string_view regency,
             const google::protobuf::Message& payload);
  // Takes (delta > 0) or releases (delta < 0) slots of `field` in `key`.
  void Reserve(absl::string_view key, absl::string_view field, int64_t delta,
               int64_t limit, outbox::Conflict on_full = {});
  void Op(outbox::IndexOp op) { txn_.index_ops.push_back(std::move(op)); }
  void Claim(std::string key, std::string data, outbox::Conflict on_exists) {
    txn_.records.emplace_back(std::move(key), 0, std::move(data),
                              std::move(on_exists));
  }
  // The transaction answering `response` (must be the committed R).
  outbox::Transaction Finish(const google::protobuf::Message& response) && {
    txn_.response = response.SerializeAsString();
    return std::move(txn_);
  }

 private:
  outbox::Transaction txn_;
};

class PlacementsStore {
 public:
  // `pool` and `writer` must outlive the store.
  PlacementsStore(redis::Pool& pool, outbox::Writer& writer)
      : pool_(pool), writer_(writer) {}
  PlacementsStore(const PlacementsStore&) = delete;
  PlacementsStore& operator=(const PlacementsStore&) = delete;

  // The record `name` with its etag set. NOT_FOUND naming `what` and the
  // name.
  template <typename R>
  absl::StatusOr<R> Get(absl::string_view name, absl::string_view what) {
    absl::StatusOr<outbox::StoredRecord> rec = writer_.Get(RecordKey(name));
    if (absl::IsNotFound(rec.status())) {
      return absl::NotFoundError(absl::StrCat(what, " ", name, " not found"));
    }
    KS_RETURN_IF_ERROR(rec.status());
    return Parse<R>(*rec, name);
  }

  template <typename R>
  static absl::StatusOr<R> Parse(const outbox::StoredRecord& rec,
                                 absl::string_view name) {
    R out;
    if (!out.ParseFromString(rec.data)) {
      return absl::DataLossError(
          absl::StrCat("record ", name, " does not parse"));
    }
    out.set_etag(outbox::Etag(rec.version));
    return out;
  }

  // One page of `collection` in `scope` ("g" or "r:<regency>") after the
  // member `after` (common/outbox/index_scan.h): each record parsed into R,
  // its etag set and `view` applied, then kept when `keep` admits it (null:
  // all).
  template <typename R>
  absl::StatusOr<outbox::IndexPageInfo> List(
      absl::string_view collection, absl::string_view scope,
      absl::string_view after, int page_size,
      const std::function<void(R&)>& view,
      const std::function<bool(const R&)>& keep, std::vector<R>* items) {
    outbox::IndexScan scan;
    scan.index = IndexKey(collection, scope);
    scan.after = std::string(after);
    scan.page_size = page_size;
    scan.record_key =
        [](absl::string_view member) -> absl::StatusOr<std::string> {
      return RecordKey(member);
    };
    return outbox::ScanIndexInto<R>(
        pool_, writer_, std::move(scan), collection, keep,
        [&view](R& r, int64_t version) {
          r.set_etag(outbox::Etag(version));
          if (view) view(r);
        },
        items);
  }

  // Members of a set index (SitePlacementsKey, CasePlacementsKey).
  absl::StatusOr<std::vector<std::string>> Members(absl::string_view key);
  // Records of `names` in one round trip (absent ones skipped).
  absl::StatusOr<std::vector<std::pair<std::string, outbox::StoredRecord>>>
  GetMany(const std::vector<std::string>& names);
  // The Bapas office a case placed here was handed over to ("" if none
  // known): the HANDOVER_OFFICE relation of its placements.
  absl::StatusOr<std::string> HandoverOffice(absl::string_view case_name);
  // Every field of a hash (empty when absent).
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> HashAll(
      absl::string_view key);
  // HGETALL of each key in one round trip, in order.
  absl::StatusOr<std::vector<std::vector<std::pair<std::string, std::string>>>>
  HashAllMany(const std::vector<std::string>& keys);
  // One field of a hash; "" when absent.
  absl::StatusOr<std::string> HashGet(absl::string_view key,
                                      absl::string_view field);
  // The full Redis key of a relative one (for the feed consumer's effects).
  std::string FullKey(absl::string_view key) const { return writer_.Key(key); }
  // Slots held in a reservation hash (0 when absent).
  absl::StatusOr<int64_t> Held(absl::string_view key, absl::string_view field);

 private:
  redis::Pool& pool_;
  outbox::Writer& writer_;
};

}  // namespace ks::placements::store

#endif  // KS_SERVICES_PLACEMENTS_STORE_PLACEMENTS_STORE_H_
