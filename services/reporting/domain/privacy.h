// Personal-data detection for upstream events, from the proto descriptors:
// a field is personal when it carries the (kerjasosial.common.v1.personal)
// option (access.proto), so a new personal field is caught by marking it in
// its .proto, never by a list of names here.
//
// Thread-safe: pure functions over the generated descriptor pool.
#ifndef KS_SERVICES_REPORTING_DOMAIN_PRIVACY_H_
#define KS_SERVICES_REPORTING_DOMAIN_PRIVACY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/message.h"

namespace ks::reporting::domain {

// The dotted path of the first personal field set in `message` (searching
// nested messages, repeated and map fields), or "" if none is set. Only the
// path is returned, never the value.
std::string FindPersonalField(const google::protobuf::Message& message);

// Decodes `payload` as the message type its type URL names, from the
// generated pool. INVALID_ARGUMENT for an unknown type or bytes that do not
// parse; INVALID_ARGUMENT naming the field path (not its content) when the
// payload sets a personal field.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>>
DecodeWithoutPersonalData(const google::protobuf::Any& payload);

}  // namespace ks::reporting::domain

#endif  // KS_SERVICES_REPORTING_DOMAIN_PRIVACY_H_
