// The generic part of AIP-160 list filters: a conjunction of comparisons
//   <field> <op> <value> [AND <field> <op> <value>]...
// with op one of = != < <= > >=, and value a bare word (identifier, enum
// name, number, true/false) or a "quoted string". Services keep only their
// field names and what a value means for each (services/cases/domain/
// list_filter.h); the lexing, parsing, comparison and the error shape are
// here, once.
//
// Errors: INVALID_ARGUMENT with a BadRequest on field "filter" naming the
// problem (unexpected character, unterminated quote, dangling AND, ...). The
// offending text is quoted only up to a short prefix.
//
// Thread-safe: pure functions and values.
#ifndef KS_COMMON_RPC_FILTER_H_
#define KS_COMMON_RPC_FILTER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"

namespace ks::rpc::filter {

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };

struct Value {
  bool quoted = false;
  std::string text;
};

struct Comparison {
  std::string field;
  Op op = Op::kEq;
  Value value;
};

// Parses `filter` into its comparisons; empty gives none.
absl::StatusOr<std::vector<Comparison>> Parse(absl::string_view filter);

// INVALID_ARGUMENT on "filter" saying `why`.
absl::Status Bad(absl::string_view why);

// True for < <= > >=.
bool IsOrdered(Op op);

// INVALID_ARGUMENT unless `c` uses = or !=.
absl::Status RequireEquality(const Comparison& c);

// The value as a bool (bare true / false).
absl::StatusOr<bool> BoolValue(const Comparison& c);
// The value as a time (quoted RFC 3339).
absl::StatusOr<absl::Time> TimeValue(const Comparison& c);
// The value as a non-zero number of `type`, named in full or without
// `prefix` ("REGISTERED" or "CASE_STATE_REGISTERED"), any case.
absl::StatusOr<int> EnumValue(const Comparison& c,
                              const google::protobuf::EnumDescriptor& type,
                              absl::string_view prefix);

// a <op> b.
template <typename T>
bool Compare(const T& a, Op op, const T& b) {
  switch (op) {
    case Op::kEq:
      return a == b;
    case Op::kNe:
      return !(a == b);
    case Op::kLt:
      return a < b;
    case Op::kLe:
      return !(b < a);
    case Op::kGt:
      return b < a;
    case Op::kGe:
      return !(a < b);
  }
  return false;
}

}  // namespace ks::rpc::filter

#endif  // KS_COMMON_RPC_FILTER_H_
