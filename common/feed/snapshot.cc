#include "common/feed/snapshot.h"

#include "absl/strings/str_cat.h"

namespace ks::feed {

kerjasosial::common::v1::Event SnapshotEvent(
    absl::string_view aggregate_type, absl::string_view name, int64_t version,
    absl::string_view regency, const google::protobuf::Timestamp& update_time,
    const google::protobuf::Message& state) {
  kerjasosial::common::v1::Event e;
  e.set_event_id(absl::StrCat(name, "@", version));
  e.set_aggregate_type(std::string(aggregate_type));
  e.set_aggregate_name(std::string(name));
  e.set_aggregate_version(version);
  e.set_regency_code(std::string(regency));
  if (update_time.seconds() != 0 || update_time.nanos() != 0) {
    *e.mutable_event_time() = update_time;
  }
  e.set_event_type(state.GetDescriptor()->full_name());
  e.mutable_payload()->PackFrom(state);
  return e;
}

absl::Status EnumeratePages(
    const std::function<absl::StatusOr<std::string>(const std::string& after)>&
        page) {
  std::string after;
  do {
    absl::StatusOr<std::string> next = page(after);
    if (!next.ok()) return next.status();
    after = *std::move(next);
  } while (!after.empty());
  return absl::OkStatus();
}

}  // namespace ks::feed
