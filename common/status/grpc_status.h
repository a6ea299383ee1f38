// The gRPC edge of kerjasosial's rich errors: absl::Status with google.rpc
// details (rich_status.h) to grpc::Status and back. Kept apart from
// rich_status.h so that pure domain code, which builds rich errors, links no
// gRPC; only handlers, clients and servers use this.
//
// Thread safety: pure functions.
#ifndef KS_COMMON_STATUS_GRPC_STATUS_H_
#define KS_COMMON_STATUS_GRPC_STATUS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "common/status/rich_status.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"

namespace ks {

// Bounds of what ToGrpcStatus() sends. grpc-message is percent-encoded (up to
// 3x) and grpc-status-details-bin base64-encoded (4/3x): 768 B + 2560 B stay
// under 6 KiB on the wire.
inline constexpr size_t kMaxGrpcErrorMessageBytes = 768;
inline constexpr size_t kMaxGrpcErrorDetailsBytes = 2560;

// absl -> grpc at the handler edge: same code and message, details packed in
// a serialized google.rpc.Status. A message longer than
// kMaxGrpcErrorMessageBytes is cut (at a UTF-8 boundary) and ends in
// "…(N bytes)"; details larger than kMaxGrpcErrorDetailsBytes have their
// strings shortened and long lists cut, then whole details are dropped from
// the end until they fit.
grpc::Status ToGrpcStatus(const absl::Status& status);

// grpc -> absl for clients of other services: keeps code, message and details.
absl::Status FromGrpcStatus(const grpc::Status& status);

// Extracts one detail of type T from a grpc::Status' details; false if absent.
template <typename T>
bool GetDetail(const grpc::Status& status, T* out) {
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return false;
  for (const auto& any : rpc.details()) {
    if (any.UnpackTo(out)) return true;
  }
  return false;
}

}  // namespace ks

#endif  // KS_COMMON_STATUS_GRPC_STATUS_H_
