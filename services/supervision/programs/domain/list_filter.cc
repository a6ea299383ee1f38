#include "services/supervision/programs/domain/list_filter.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/status/status_macros.h"
#include "google/type/date.pb.h"

namespace ks::supervision::programs::domain {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

bool IsDate(const FieldDescriptor* f) {
  return f->message_type() != nullptr &&
         f->message_type()->full_name() == "google.type.Date";
}
bool IsTimestamp(const FieldDescriptor* f) {
  return f->message_type() != nullptr &&
         f->message_type()->full_name() == "google.protobuf.Timestamp";
}

// "REFERRAL_STATE_" of enum ReferralState (its zero value's prefix).
std::string EnumPrefix(const google::protobuf::EnumDescriptor& e) {
  const std::string zero = e.value(0)->name();
  const size_t cut = zero.rfind("UNSPECIFIED");
  return cut == std::string::npos ? "" : zero.substr(0, cut);
}

std::string DateText(int y, int m, int d) {
  return absl::StrFormat("%04d%02d%02d", y, m, d);
}

}  // namespace

absl::StatusOr<FieldFilter> FieldFilter::Parse(
    absl::string_view filter, const Descriptor& type,
    const std::vector<std::string>& fields) {
  KS_ASSIGN_OR_RETURN(std::vector<rpc::filter::Comparison> comparisons,
                      rpc::filter::Parse(filter));
  FieldFilter out;
  for (const rpc::filter::Comparison& c : comparisons) {
    if (std::find(fields.begin(), fields.end(), c.field) == fields.end()) {
      std::string list;
      for (const std::string& f : fields)
        absl::StrAppend(&list, list.empty() ? "" : ", ", f);
      return rpc::filter::Bad(
          absl::StrCat("may compare only ", list, "; not ", c.field));
    }
    Term t;
    t.op = c.op;
    const Descriptor* d = &type;
    for (absl::string_view step : absl::StrSplit(c.field, '.')) {
      const FieldDescriptor* f =
          d == nullptr ? nullptr : d->FindFieldByName(std::string(step));
      if (f == nullptr || f->is_repeated()) {
        return absl::InternalError(
            absl::StrCat("filter field ", c.field, " is not in ", type.name()));
      }
      t.path.push_back(f);
      d = f->message_type();
    }
    const FieldDescriptor* leaf = t.path.back();
    if (leaf->enum_type() != nullptr) {
      KS_RETURN_IF_ERROR(rpc::filter::RequireEquality(c));
      KS_ASSIGN_OR_RETURN(
          t.enum_value, rpc::filter::EnumValue(c, *leaf->enum_type(),
                                               EnumPrefix(*leaf->enum_type())));
    } else if (leaf->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      KS_RETURN_IF_ERROR(rpc::filter::RequireEquality(c));
      KS_ASSIGN_OR_RETURN(t.flag, rpc::filter::BoolValue(c));
    } else if (leaf->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      KS_RETURN_IF_ERROR(rpc::filter::RequireEquality(c));
      t.text = c.value.text;
    } else if (IsDate(leaf)) {
      int y = 0, m = 0, day = 0;
      if (std::sscanf(c.value.text.c_str(), "%4d-%2d-%2d", &y, &m, &day) != 3 ||
          c.value.text.size() != 10) {
        return rpc::filter::Bad(
            absl::StrCat(c.field, " takes a date \"YYYY-MM-DD\""));
      }
      t.text = DateText(y, m, day);
    } else if (IsTimestamp(leaf)) {
      KS_ASSIGN_OR_RETURN(absl::Time at, rpc::filter::TimeValue(c));
      t.nanos = absl::ToUnixNanos(at);
    } else {
      return absl::InternalError(
          absl::StrCat("filter field ", c.field, " has no comparison"));
    }
    out.terms_.push_back(std::move(t));
  }
  return out;
}

bool FieldFilter::Matches(const Message& m) const {
  for (const Term& t : terms_) {
    const Message* at = &m;
    for (size_t i = 0; i + 1 < t.path.size(); ++i) {
      at = &at->GetReflection()->GetMessage(*at, t.path[i]);
    }
    const FieldDescriptor* leaf = t.path.back();
    const auto* r = at->GetReflection();
    bool ok = false;
    if (leaf->enum_type() != nullptr) {
      ok = rpc::filter::Compare(r->GetEnumValue(*at, leaf), t.op, t.enum_value);
    } else if (leaf->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      ok = rpc::filter::Compare(r->GetBool(*at, leaf), t.op, t.flag);
    } else if (leaf->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      ok = rpc::filter::Compare(r->GetString(*at, leaf), t.op, t.text);
    } else if (IsDate(leaf)) {
      if (!r->HasField(*at, leaf)) return false;
      const auto& d =
          static_cast<const google::type::Date&>(r->GetMessage(*at, leaf));
      ok = rpc::filter::Compare(DateText(d.year(), d.month(), d.day()), t.op,
                                t.text);
    } else {
      if (!r->HasField(*at, leaf)) return false;
      const Message& ts = r->GetMessage(*at, leaf);
      const auto* tr = ts.GetReflection();
      const auto* td = ts.GetDescriptor();
      const int64_t nanos =
          tr->GetInt64(ts, td->FindFieldByName("seconds")) * 1000000000 +
          tr->GetInt32(ts, td->FindFieldByName("nanos"));
      ok = rpc::filter::Compare(nanos, t.op, t.nanos);
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace ks::supervision::programs::domain
