// absl::Time <-> google.protobuf.Timestamp, the one conversion every
// service's handlers, domain rules and stores use for the contracts' UTC
// instants.
//
// Thread-safe (pure functions).
#ifndef KS_COMMON_TIME_PROTO_TIME_H_
#define KS_COMMON_TIME_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace ks {

// The instant of `t` (an unset Timestamp is the Unix epoch).
absl::Time FromProto(const google::protobuf::Timestamp& t);

// `t` as a Timestamp, to the nanosecond.
google::protobuf::Timestamp ToProto(absl::Time t);

}  // namespace ks

#endif  // KS_COMMON_TIME_PROTO_TIME_H_
