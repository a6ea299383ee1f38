// Generic validation of a request from its descriptor, so that no handler of
// any service can forget it: every enum holds a value its enum defines, and
// every string is valid UTF-8 within a length limit counted in Unicode code
// points. It is meant to run once per request before the handler's own
// rules (the request pipeline's first step), which then see only well-formed
// values.
//
// Length limits: a default per kind of field, chosen by the field's name
// (see DefaultMaxCodePoints), so a new field gets a bound without anyone
// remembering to give it one; FieldLimits overrides it for one field by its
// full name. The defaults are ceilings against abuse (a 3 MB filter), not
// the business limits: domain validators keep their own tighter rules (a
// person's name, 200) and their own messages.
//
// Not checked here: required-ness. "Required." lives in the leading comment
// of a field, which the descriptor only carries when source info is compiled
// in (it is not), and an enum's zero value is legitimate wherever the field
// is optional; the domain validators decide what is required.
//
// Example:
//   KS_RETURN_IF_ERROR(ks::validation::CheckMessageFields(*request));
//   // sex = 9 -> INVALID_ARGUMENT
//   //   "case_data.person.sex: must be a value defined by enum
//   //   kerjasosial.cases.v1.Sex, got 9"
//
// Thread safety: pure functions; a FieldLimits may be shared once built.
#ifndef KS_COMMON_VALIDATION_MESSAGE_FIELDS_H_
#define KS_COMMON_VALIDATION_MESSAGE_FIELDS_H_

#include <cstddef>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace ks::validation {

// Default limits in code points, by kind of string field.
inline constexpr size_t kMaxIdCodePoints = 128;            // *_id, *_code, etag
inline constexpr size_t kMaxResourceNameCodePoints = 256;  // name, parent
inline constexpr size_t kMaxPersonNameCodePoints = 200;    // *_name
inline constexpr size_t kMaxDocumentNumberCodePoints = 100;  // *_number
inline constexpr size_t kMaxAddressCodePoints = 500;         // *address
inline constexpr size_t kMaxFilterCodePoints = 1024;         // filter
inline constexpr size_t kMaxOrderByCodePoints = 256;         // order_by
inline constexpr size_t kMaxTokenCodePoints = 1024;          // *_token
inline constexpr size_t kMaxUriCodePoints = 2048;            // *uri
inline constexpr size_t kMaxFreeTextCodePoints = 1000;       // everything else

// At most this many violations are listed; a last one counts the rest.
inline constexpr int kMaxReportedViolations = 20;

// The default limit of a string field, from its name (first rule wins):
//   filter                          -> kMaxFilterCodePoints
//   order_by                        -> kMaxOrderByCodePoints
//   *_token                         -> kMaxTokenCodePoints
//   name, parent                    -> kMaxResourceNameCodePoints
//   *_name (full_name, court_name)  -> kMaxPersonNameCodePoints
//   *_id, *_code, etag, category, *_version, time_zone -> kMaxIdCodePoints
//   *_number                        -> kMaxDocumentNumberCodePoints
//   *address                        -> kMaxAddressCodePoints
//   *uri (DocumentRef.uri)          -> kMaxUriCodePoints
//   anything else (free text)       -> kMaxFreeTextCodePoints
size_t DefaultMaxCodePoints(const google::protobuf::FieldDescriptor& field);

// Per-field overrides of the default limits, keyed by the field's full name
// ("kerjasosial.cases.v1.Person.livelihood").
class FieldLimits {
 public:
  FieldLimits() = default;
  FieldLimits& Set(std::string full_field_name, size_t max_code_points) {
    overrides_[std::move(full_field_name)] = max_code_points;
    return *this;
  }
  size_t MaxCodePoints(const google::protobuf::FieldDescriptor& field) const;

 private:
  std::map<std::string, size_t, std::less<>> overrides_;
};

// Walks `message` and every message inside it (singular, repeated, map
// values, oneof members). OK, or one INVALID_ARGUMENT whose
// google.rpc.BadRequest names each offending field by its path from the
// request ("case_data.person.sex", "violations[2]", "labels[\"k\"]") and the
// rule broken; at most kMaxReportedViolations are listed. Offending values
// are never quoted (they may be personal data or megabytes long).
absl::Status CheckMessageFields(const google::protobuf::Message& message);
absl::Status CheckMessageFields(const google::protobuf::Message& message,
                                const FieldLimits& limits);

}  // namespace ks::validation

#endif  // KS_COMMON_VALIDATION_MESSAGE_FIELDS_H_
