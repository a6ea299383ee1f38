#include "common/outbox/index_scan.h"

#include <algorithm>
#include <optional>

namespace ks::outbox {

absl::StatusOr<IndexPageInfo> ScanIndex(redis::Pool& pool, Writer& writer,
                                        const IndexScan& scan, bool filtered) {
  const std::string key = writer.Key(scan.index);
  const int page_size = std::max(1, scan.page_size);
  const int chunk = std::max(1, scan.chunk);
  IndexPageInfo info;
  std::string after = scan.after;
  std::string last_returned;
  int returned = 0;
  bool index_ended = false;
  int64_t scanned = 0, matched = 0;
  while (info.next_after.empty()) {
    const std::string start = after.empty() ? (scan.descending ? "+" : "-")
                                            : absl::StrCat("(", after);
    KS_ASSIGN_OR_RETURN(
        redis::Reply members,
        pool.Command({scan.descending ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", key,
                      start, scan.descending ? "-" : "+", "LIMIT", "0",
                      absl::StrCat(chunk)}));
    std::vector<std::string> keys;
    keys.reserve(members.elements.size());
    for (const redis::Reply& m : members.elements) {
      KS_ASSIGN_OR_RETURN(std::string k, scan.record_key(m.str));
      keys.push_back(std::move(k));
    }
    KS_ASSIGN_OR_RETURN(std::vector<std::optional<StoredRecord>> records,
                        writer.GetMany(keys));
    for (size_t i = 0; i < records.size(); ++i) {
      after = members.elements[i].str;
      if (!records[i]) continue;  // removed between the two reads
      ++scanned;
      const bool keep = returned < page_size;
      KS_ASSIGN_OR_RETURN(bool taken, scan.take(*records[i], keep));
      if (!taken) continue;
      ++matched;
      if (!keep) {
        info.next_after = last_returned;
        break;
      }
      ++returned;
      last_returned = members.elements[i].str;
    }
    if (info.next_after.empty() &&
        static_cast<int>(members.elements.size()) < chunk) {
      index_ended = true;
      break;
    }
  }

  KS_ASSIGN_OR_RETURN(redis::Reply card, pool.Command({"ZCARD", key}));
  if (!filtered) {
    info.total_size = card.integer;
    info.total_size_exact = true;
  } else if (scan.after.empty() && index_ended) {
    info.total_size = matched;  // this page scanned the whole index
    info.total_size_exact = true;
  } else {
    const int64_t known = returned + (info.next_after.empty() ? 0 : 1);
    const int64_t estimate =
        scanned == 0 ? 0 : (card.integer * matched + scanned / 2) / scanned;
    info.total_size = std::max(known, estimate);
  }
  return info;
}

}  // namespace ks::outbox
