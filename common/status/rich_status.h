// Rich errors: absl::Status carrying google.rpc error details, and their
// conversion to grpc::Status at the handler edge.
//
// Domain and store code return absl::Status; details (which field, which rule,
// which states) ride along as payloads keyed by their type URL. ToGrpcStatus()
// packs them into a google.rpc.Status in the `grpc-status-details-bin`
// trailer, where standard rich-error clients (grpc-status libraries of Go,
// Java, Python) decode them.
//
// Size bounds: ToGrpcStatus() is the last line of defence against an error
// that echoes a large input. Messages should quote values through
// QuoteValue() (common/status/quote.h); whatever still exceeds
// kMaxGrpcErrorMessageBytes / kMaxGrpcErrorDetailsBytes is shortened here,
// so the trailers stay well under the 8 KiB of metadata a default gRPC
// client accepts (past it the client sees RESOURCE_EXHAUSTED instead of the
// real code).
//
// Thread-safe: all functions are pure.
#ifndef KS_COMMON_STATUS_RICH_STATUS_H_
#define KS_COMMON_STATUS_RICH_STATUS_H_

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"

namespace ks {

// The ErrorInfo domain of every kerjasosial error.
inline constexpr absl::string_view kErrorDomain = "kerjasosial.id";

// One field that failed validation: "case.sentence.hours" and why.
struct FieldViolation {
  std::string field;
  std::string description;
};

// INVALID_ARGUMENT naming every violated field in the message and in a
// google.rpc.BadRequest detail. `violations` must not be empty.
absl::Status InvalidArgumentError(
    const std::vector<FieldViolation>& violations);

// Adds a google.rpc.ErrorInfo {reason, domain, metadata} to `status`.
absl::Status WithErrorInfo(
    absl::Status status, absl::string_view reason,
    const std::map<std::string, std::string>& metadata = {});

// FAILED_PRECONDITION with a PreconditionFailure violation {type, subject}
// and ErrorInfo `reason`.
absl::Status FailedPreconditionError(absl::string_view message,
                                     absl::string_view type,
                                     absl::string_view subject,
                                     absl::string_view reason);

// Adds `detail` (any google.rpc message) as a payload of `status`.
void AddDetail(absl::Status& status, const google::protobuf::Message& detail);

// Reads back the details of `status` (tests and clients use this).
google::rpc::Status ToRpcStatus(const absl::Status& status);

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

#endif  // KS_COMMON_STATUS_RICH_STATUS_H_
