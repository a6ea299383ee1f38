// SnapshotSource: what a publishing service implements so StreamEvents can
// offer snapshot mode (`StreamEventsRequest.snapshot`): the current state of
// every aggregate, as one Event each.
//
// How the FeedServer uses it (see feed_server.h): it takes the feed's head
// cursor first, then enumerates the source, then continues the stream after
// that head. A change committed during the enumeration is therefore in the
// replay that follows; if the enumeration already saw it (same or newer
// version), the server skips the replayed event. So a source needs no
// consistent point-in-time view: each aggregate read on its own, with the
// version that belongs to the state read, is enough.
//
// Thread-safety: Enumerate runs on a stream's reader thread and may run for
// several streams at once; it may block on Redis.
#ifndef KS_COMMON_FEED_SNAPSHOT_H_
#define KS_COMMON_FEED_SNAPSHOT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "kerjasosial/common/v1/event.pb.h"

namespace ks::feed {

// Receives one aggregate's state. A non-OK return (the stream was cancelled
// or ended) must end the enumeration: Enumerate returns it unchanged.
using SnapshotEmit =
    std::function<absl::Status(kerjasosial::common::v1::Event event)>;

class SnapshotSource {
 public:
  virtual ~SnapshotSource() = default;

  // Calls `emit` once per aggregate with an Event carrying its current state:
  // aggregate_type, aggregate_name, aggregate_version (the version of the
  // state read, as the feed numbers it), regency_code ("" for
  // deployment-level aggregates), event_type (the payload's full name) and
  // payload; event_id and event_time as the source sees fit (event_time:
  // the aggregate's last change, if known). The server sets `snapshot`,
  // `source` and clears `cursor`. Order is the source's choice.
  // Returns OK after the last aggregate; UNAVAILABLE when its storage is
  // unreachable (the client retries the snapshot); emit's error as is.
  virtual absl::Status Enumerate(const SnapshotEmit& emit) = 0;
};

// The snapshot event of one aggregate: its type, name, version and regency,
// `state` packed as the payload (event_type its full name), event_id
// "<name>@<version>" (the same state twice is the same event), event_time
// `update_time` when set.
kerjasosial::common::v1::Event SnapshotEvent(
    absl::string_view aggregate_type, absl::string_view name, int64_t version,
    absl::string_view regency, const google::protobuf::Timestamp& update_time,
    const google::protobuf::Message& state);

// Enumerates a source's storage a page at a time: `page(after)` emits the
// aggregates after the cursor `after` ("" first) and returns the cursor
// after its last one, "" when there are no more. Returns the first error
// unchanged (an emitter's error ends the enumeration).
absl::Status EnumeratePages(
    const std::function<absl::StatusOr<std::string>(const std::string& after)>&
        page);

}  // namespace ks::feed

#endif  // KS_COMMON_FEED_SNAPSHOT_H_
