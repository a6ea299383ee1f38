// Feed cursors: the Redis Stream entry id ("<ms>-<seq>") of an event, which
// is the `cursor` the feed hands to clients. Cursors are opaque to clients,
// but the feed server validates them and the consumer compares them.
//
// Thread-safe: all functions are pure.
#ifndef KS_COMMON_FEED_CURSOR_H_
#define KS_COMMON_FEED_CURSOR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ks::feed {

// A Redis Stream entry id; ordered as (ms, seq) pairs, like Redis orders them.
struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  friend bool operator==(const StreamId& a, const StreamId& b) {
    return a.ms == b.ms && a.seq == b.seq;
  }
  friend bool operator!=(const StreamId& a, const StreamId& b) {
    return !(a == b);
  }
  friend bool operator<(const StreamId& a, const StreamId& b) {
    return a.ms < b.ms || (a.ms == b.ms && a.seq < b.seq);
  }
  friend bool operator>(const StreamId& a, const StreamId& b) { return b < a; }
  friend bool operator<=(const StreamId& a, const StreamId& b) {
    return !(b < a);
  }
};

// Parses "<ms>-<seq>" (decimal, each fitting 64 bits). INVALID_ARGUMENT with
// a google.rpc.BadRequest naming `field` when malformed.
absl::StatusOr<StreamId> ParseStreamId(absl::string_view text,
                                       absl::string_view field = "cursor");

// The canonical text form, "<ms>-<seq>" without leading zeros.
std::string FormatStreamId(const StreamId& id);

}  // namespace ks::feed

#endif  // KS_COMMON_FEED_CURSOR_H_
