#include "common/time/proto_time.h"

#include "google/protobuf/util/time_util.h"

namespace ks {

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  // Seconds and nanos apart: nanoseconds since the epoch in one int64 would
  // overflow after 2262, and a contract's dates may reach 9999.
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}

}  // namespace ks
