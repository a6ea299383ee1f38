// Paging a List rpc over a secondary index: the loop every store's List
// needs, written once.
//
// An index is a sorted set whose members sort lexically (all scores 0), each
// member naming one record (e.g. "2026-03-01T08:00:00Z:c17" for "newest
// first"). ScanIndex reads the index in chunks from an exclusive `after`
// member, loads each chunk's records in one round trip (Writer::GetMany),
// keeps those the predicate admits, and stops once the page is full and one
// more match has been seen, so that the last page carries no token. Records
// removed between the two reads are skipped. The page's token is the member
// of its last item, so a page never repeats or skips an item however the
// index grows between calls.
//
// total_size follows AIP-158: exact without a predicate (the index's size)
// or when one page scanned the whole index; otherwise an estimate (the share
// of matches among the records scanned, applied to the whole index).
//
// Thread-safe as the pool and the writer are.
#ifndef KS_COMMON_OUTBOX_INDEX_SCAN_H_
#define KS_COMMON_OUTBOX_INDEX_SCAN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "common/status/status_macros.h"

namespace ks::outbox {

struct IndexScan {
  // Relative key of the index.
  std::string index;
  bool descending = false;
  // Exclusive start member (from a page token); "" = from the start.
  std::string after;
  int page_size = 50;
  // Members read per round trip.
  int chunk = 200;
  // The relative record key a member names; an error stops the scan
  // (INTERNAL for a malformed member).
  std::function<absl::StatusOr<std::string>(absl::string_view member)>
      record_key;
  // Takes one loaded record: false skips it (a residual filter), true adds it
  // to the page (the callee keeps it), an error stops the scan (e.g.
  // DATA_LOSS for a record that does not parse). Called only while the page
  // has room, plus once more to learn whether a next page exists; that last
  // call must not keep the record: `keep` is false then.
  std::function<absl::StatusOr<bool>(const StoredRecord& record, bool keep)>
      take;
};

struct IndexPageInfo {
  // Member of the page's last item when more match; "" on the last page.
  std::string next_after;
  int64_t total_size = 0;
  bool total_size_exact = false;
};

absl::StatusOr<IndexPageInfo> ScanIndex(redis::Pool& pool, Writer& writer,
                                        const IndexScan& scan, bool filtered);

// The typed form: parses each record into R (version and etag set by
// `stamp`), filters it with `predicate` (null admits all) and appends it to
// `items`. DATA_LOSS naming `what` for a record that does not parse.
template <typename R>
absl::StatusOr<IndexPageInfo> ScanIndexInto(
    redis::Pool& pool, Writer& writer, IndexScan scan, absl::string_view what,
    const std::function<bool(const R&)>& predicate,
    const std::function<void(R&, int64_t version)>& stamp,
    std::vector<R>* items) {
  scan.take = [&](const StoredRecord& record,
                  bool keep) -> absl::StatusOr<bool> {
    R r;
    if (!r.ParseFromString(record.data)) {
      return absl::DataLossError(
          absl::StrCat("a ", what, " record does not parse"));
    }
    if (stamp) stamp(r, record.version);
    if (predicate && !predicate(r)) return false;
    if (keep) items->push_back(std::move(r));
    return true;
  };
  return ScanIndex(pool, writer, scan, predicate != nullptr);
}

}  // namespace ks::outbox

#endif  // KS_COMMON_OUTBOX_INDEX_SCAN_H_
