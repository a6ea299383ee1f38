#include "services/placements/list_filter.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/rpc/filter.h"
#include "common/status/status_macros.h"
#include "google/type/date.pb.h"

namespace ks::placements {
namespace {

namespace pb = ::google::protobuf;
using rpc::filter::Op;

// "PLACEMENT_STATE_" of enum PlacementState: its zero value's name without
// "UNSPECIFIED".
std::string EnumPrefix(const pb::EnumDescriptor& e) {
  std::string first = e.value(0)->name();
  const std::string suffix = "UNSPECIFIED";
  if (first.size() > suffix.size() &&
      first.compare(first.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return first.substr(0, first.size() - suffix.size());
  }
  return "";
}

std::string DateText(const google::type::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

bool IsDate(const pb::FieldDescriptor* f) {
  return f->type() == pb::FieldDescriptor::TYPE_MESSAGE &&
         f->message_type()->full_name() == "google.type.Date";
}

template <typename T>
bool Apply(const T& a, int op, const T& b) {
  return rpc::filter::Compare(a, static_cast<Op>(op), b);
}

}  // namespace

absl::StatusOr<ListFilter> ListFilter::Compile(absl::string_view filter,
                                               const pb::Descriptor& type,
                                               ExtraFields extra) {
  KS_ASSIGN_OR_RETURN(std::vector<rpc::filter::Comparison> comparisons,
                      rpc::filter::Parse(filter));
  ListFilter out;
  for (const rpc::filter::Comparison& c : comparisons) {
    Term t;
    t.op = static_cast<int>(c.op);
    if (extra.count(c.field)) {
      KS_RETURN_IF_ERROR(rpc::filter::RequireEquality(c));
      t.extra = c.field;
      t.text = absl::AsciiStrToLower(c.value.text) == "true" ||
                       absl::AsciiStrToLower(c.value.text) == "false"
                   ? absl::AsciiStrToLower(c.value.text)
                   : c.value.text;
      out.terms_.push_back(std::move(t));
      continue;
    }
    const pb::FieldDescriptor* f = type.FindFieldByName(c.field);
    if (f == nullptr || f->is_repeated() ||
        (f->type() == pb::FieldDescriptor::TYPE_MESSAGE && !IsDate(f))) {
      return rpc::filter::Bad(
          absl::StrCat("\"", c.field, "\" is not a field this list filters"));
    }
    t.field = f;
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_ENUM: {
        KS_RETURN_IF_ERROR(rpc::filter::RequireEquality(c));
        KS_ASSIGN_OR_RETURN(
            int n, rpc::filter::EnumValue(c, *f->enum_type(),
                                          EnumPrefix(*f->enum_type())));
        t.number = n;
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_BOOL: {
        KS_ASSIGN_OR_RETURN(bool b, rpc::filter::BoolValue(c));
        KS_RETURN_IF_ERROR(rpc::filter::RequireEquality(c));
        t.number = b ? 1 : 0;
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_STRING:
        KS_RETURN_IF_ERROR(rpc::filter::RequireEquality(c));
        t.text = c.value.text;
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
        int y, m, d;
        if (std::sscanf(c.value.text.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) {
          return rpc::filter::Bad(
              absl::StrCat("\"", c.field, "\" takes a date \"YYYY-MM-DD\""));
        }
        t.text = absl::StrFormat("%04d-%02d-%02d", y, m, d);
        break;
      }
      default:
        if (!absl::SimpleAtod(c.value.text, &t.number)) {
          return rpc::filter::Bad(
              absl::StrCat("\"", c.field, "\" takes a number"));
        }
    }
    out.terms_.push_back(std::move(t));
  }
  out.extra_ = std::move(extra);
  return out;
}

bool ListFilter::Matches(const pb::Message& m) const {
  const pb::Reflection& r = *m.GetReflection();
  for (const Term& t : terms_) {
    if (t.field == nullptr) {
      const std::vector<std::string> values = extra_.at(t.extra)(m);
      const bool any =
          std::find(values.begin(), values.end(), t.text) != values.end();
      if (any != (static_cast<Op>(t.op) == Op::kEq)) return false;
      continue;
    }
    const pb::FieldDescriptor* f = t.field;
    bool ok = true;
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        ok = Apply<double>(r.GetEnumValue(m, f), t.op, t.number);
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        ok = Apply<double>(r.GetBool(m, f) ? 1 : 0, t.op, t.number);
        break;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        ok = Apply<std::string>(r.GetString(m, f), t.op, t.text);
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        ok = r.HasField(m, f) &&
             Apply<std::string>(DateText(static_cast<const google::type::Date&>(
                                    r.GetMessage(m, f))),
                                t.op, t.text);
        break;
      case pb::FieldDescriptor::CPPTYPE_INT32:
        ok = Apply<double>(r.GetInt32(m, f), t.op, t.number);
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        ok = Apply<double>(static_cast<double>(r.GetInt64(m, f)), t.op,
                           t.number);
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        ok = Apply<double>(r.GetDouble(m, f), t.op, t.number);
        break;
      default:
        ok = false;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace ks::placements
