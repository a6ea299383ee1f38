// Rich errors: absl::Status carrying google.rpc error details. Pure: no
// gRPC here, so domain code links none; the conversion to grpc::Status at
// the handler edge is common/status/grpc_status.h.
//
// Domain and store code return absl::Status; details (which field, which rule,
// which states) ride along as payloads keyed by their type URL. ToGrpcStatus()
// packs them into a google.rpc.Status in the `grpc-status-details-bin`
// trailer, where standard rich-error clients (grpc-status libraries of Go,
// Java, Python) decode them.
//
// Size bounds (grpc_status.h): ToGrpcStatus() is the last line of defence
// against an error that echoes a large input. Messages should quote values
// through QuoteValue() (common/status/quote.h); whatever still exceeds
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

}  // namespace ks

#endif  // KS_COMMON_STATUS_RICH_STATUS_H_
