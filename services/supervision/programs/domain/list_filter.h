// The AIP-160 filters of this part's List rpcs, over the resource's own
// fields by descriptor: each List names the fields it accepts ("state",
// "case_name", "validity.end_date", ...) and a comparison reads that field
// of the message by reflection. Enums take their value name with or without
// the enum's prefix ("ACCEPTED" or "REFERRAL_STATE_ACCEPTED"); strings and
// bools compare as written; google.type.Date fields take "YYYY-MM-DD";
// Timestamp fields take a quoted RFC 3339 time. The lexing, parsing and
// error shape are common/rpc/filter.h's.
//
// Thread safety: a parsed FieldFilter is immutable.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_LIST_FILTER_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_LIST_FILTER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/rpc/filter.h"
#include "google/protobuf/message.h"

namespace ks::supervision::programs::domain {

class FieldFilter {
 public:
  // INVALID_ARGUMENT on "filter" for a syntax error, a field not in
  // `fields`, or a value the field cannot take. `type` is the listed
  // resource's descriptor.
  static absl::StatusOr<FieldFilter> Parse(
      absl::string_view filter, const google::protobuf::Descriptor& type,
      const std::vector<std::string>& fields);

  bool empty() const { return terms_.empty(); }
  bool Matches(const google::protobuf::Message& m) const;

 private:
  struct Term {
    std::vector<const google::protobuf::FieldDescriptor*> path;
    rpc::filter::Op op;
    // One of these, by the field's type.
    int enum_value = 0;
    std::string text;  // strings; dates as YYYYMMDD
    bool flag = false;
    int64_t nanos = 0;  // timestamps
  };
  std::vector<Term> terms_;
};

}  // namespace ks::supervision::programs::domain

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_LIST_FILTER_H_
