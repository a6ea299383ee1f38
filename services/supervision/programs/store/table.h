// Table<R>: the Redis layout of one kind of record of supervision's programs
// part (guidance sessions, partner agreements and programs, referrals,
// evaluations, safety incidents, integration clients), on top of
// common/outbox. Every kind has the same shape: a record per resource,
// created once and then changed under its version, and two newest-first
// indexes. Writes are only planned here (Put); the caller commits them with
// the change's events, audit and idempotency entries, and any claim or seat
// reservation, in ONE outbox transaction.
//
// Keys (relative to the deployment's prefix, e.g. "ks:{supervision}:"):
//   pg:<kind>:<regency>:<id>   the record: the serialized resource, etag
//                              cleared (the etag is derived from the version)
//   pgx:<kind>:<regency>       sorted set, score 0, member "<id>": the
//                              regency's records
//   pgx:<kind>:-               member "<id>:<regency>": every regency
//                              (`regencies/-`)
// Ids (common/ids) sort by creation time, so a reverse lexical range is
// "newest first". Index members hold ids and regency codes only.
//
// Thread-safe: holds no mutable state; Redis orders the scripts.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_STORE_TABLE_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_STORE_TABLE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/outbox/index_scan.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "common/status/status_macros.h"

namespace ks::supervision::programs::store {

// One resource: regencies/<regency>/<collection>/<id>.
struct Key {
  std::string regency;
  std::string id;
};

template <typename R>
struct Page {
  std::vector<R> items;
  // Index member of the page's last item when more match; "" on the last.
  std::string next_after;
};

template <typename R>
class Table {
 public:
  // `kind` names the keys ("ref"); `what` the resource in errors
  // ("referral"); `collection` its resource-name segment ("referrals").
  // `pool` and `writer` must outlive the table.
  Table(redis::Pool& pool, outbox::Writer& writer, std::string kind,
        std::string what, std::string collection)
      : pool_(pool),
        writer_(writer),
        kind_(std::move(kind)),
        what_(std::move(what)),
        collection_(std::move(collection)) {}
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  std::string Name(const Key& key) const {
    return absl::StrCat("regencies/", key.regency, "/", collection_, "/",
                        key.id);
  }
  std::string RecordKey(const Key& key) const {
    return absl::StrCat("pg:", kind_, ":", key.regency, ":", key.id);
  }

  // The resource with its etag. NOT_FOUND naming it.
  absl::StatusOr<R> Get(const Key& key) const {
    absl::StatusOr<outbox::StoredRecord> stored = writer_.Get(RecordKey(key));
    if (absl::IsNotFound(stored.status())) {
      return absl::NotFoundError(
          absl::StrCat(what_, " ", Name(key), " does not exist"));
    }
    KS_RETURN_IF_ERROR(stored.status());
    R r;
    if (!r.ParseFromString(stored->data)) {
      return absl::DataLossError(
          absl::StrCat(what_, " ", Name(key), " record does not parse"));
    }
    r.set_etag(outbox::Etag(stored->version));
    return r;
  }

  // Adds to `txn` the write of `after` at `key` (expected_version 0 for a
  // create, which also adds the index members) and sets the response to
  // `after` as committed (etag of the new version). `response_view`, when
  // set, is what the caller answers instead (it must be the same resource).
  void Put(outbox::Transaction& txn, const Key& key, int64_t expected_version,
           R after) const {
    after.clear_etag();
    txn.records.emplace_back(RecordKey(key), expected_version,
                             after.SerializeAsString());
    if (expected_version == 0) {
      txn.index_ops.push_back(
          outbox::IndexOp::ZAdd(Index(key.regency), 0, key.id));
      txn.index_ops.push_back(outbox::IndexOp::ZAdd(
          Index("-"), 0, absl::StrCat(key.id, ":", key.regency)));
    }
    after.set_etag(outbox::Etag(expected_version + 1));
    txn.response = after.SerializeAsString();
  }

  // One page of the regency's records (regency "-": every regency), newest
  // first, from the exclusive index member `after`.
  absl::StatusOr<Page<R>> List(absl::string_view regency,
                               absl::string_view after, int page_size,
                               std::function<bool(const R&)> predicate) const {
    outbox::IndexScan scan;
    scan.index = Index(regency);
    scan.descending = true;
    scan.after = std::string(after);
    scan.page_size = page_size;
    const bool all = regency == "-";
    const std::string one(regency);
    scan.record_key =
        [this, all,
         one](absl::string_view member) -> absl::StatusOr<std::string> {
      if (!all) return RecordKey(Key{one, std::string(member)});
      const std::vector<std::string> parts = absl::StrSplit(member, ':');
      if (parts.size() != 2) {
        return absl::InternalError(
            absl::StrCat("bad ", what_, " index member"));
      }
      return RecordKey(Key{parts[1], parts[0]});
    };
    Page<R> page;
    KS_ASSIGN_OR_RETURN(
        outbox::IndexPageInfo info,
        outbox::ScanIndexInto<R>(
            pool_, writer_, std::move(scan), what_, predicate,
            [](R& r, int64_t version) { r.set_etag(outbox::Etag(version)); },
            &page.items));
    page.next_after = std::move(info.next_after);
    return page;
  }

  const std::string& collection() const { return collection_; }

 private:
  std::string Index(absl::string_view regency) const {
    return absl::StrCat("pgx:", kind_, ":", regency);
  }

  redis::Pool& pool_;
  outbox::Writer& writer_;
  const std::string kind_;
  const std::string what_;
  const std::string collection_;
};

}  // namespace ks::supervision::programs::store

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_STORE_TABLE_H_
