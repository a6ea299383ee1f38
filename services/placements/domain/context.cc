#include "services/placements/domain/context.h"

namespace ks::placements::domain {

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(t);
  ts.set_seconds(nanos >= 0 ? nanos / 1000000000
                            : (nanos - 999999999) / 1000000000);
  ts.set_nanos(static_cast<int32_t>(nanos - ts.seconds() * 1000000000));
  return ts;
}

}  // namespace ks::placements::domain
