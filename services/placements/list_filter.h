// The AIP-160 subset of the placements lists, over a resource's own
// top-level fields by reflection: `field = value` / `!=`, and the ordered
// operators for numbers and dates, joined by AND. Enum values are written
// without their prefix (`state = IN_FORCE`), dates as "YYYY-MM-DD" (compared
// as dates), booleans as true/false. A list may add computed fields
// (`has_free_capacity`, `activities.activity_type`) through ExtraFields.
// An unknown field or a malformed value is INVALID_ARGUMENT on `filter`.
//
// Thread-safe: a compiled Filter is immutable.
#ifndef KS_SERVICES_PLACEMENTS_LIST_FILTER_H_
#define KS_SERVICES_PLACEMENTS_LIST_FILTER_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace ks::placements {

// Computed fields: name -> the values of a record (any one matching an
// equality term admits it; "true"/"false" for booleans).
using ExtraFields =
    std::map<std::string, std::function<std::vector<std::string>(
                              const google::protobuf::Message&)>>;

class ListFilter {
 public:
  // INVALID_ARGUMENT on `filter` for a malformed filter, a field that is not
  // a top-level scalar, enum or Date of `type` nor in `extra`, or a value
  // of the wrong kind.
  static absl::StatusOr<ListFilter> Compile(
      absl::string_view filter, const google::protobuf::Descriptor& type,
      ExtraFields extra = {});

  bool Matches(const google::protobuf::Message& m) const;
  bool empty() const { return terms_.empty(); }

 private:
  struct Term {
    const google::protobuf::FieldDescriptor* field = nullptr;  // or extra
    std::string extra;
    int op = 0;         // rpc::filter::Op
    std::string text;   // normalized value (enum number, date, bool, text)
    double number = 0;  // numeric value
  };
  std::vector<Term> terms_;
  ExtraFields extra_;
};

}  // namespace ks::placements

#endif  // KS_SERVICES_PLACEMENTS_LIST_FILTER_H_
