#include "services/reporting/web/query.h"

#include <cstdint>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "google/type/date.pb.h"

namespace ks::reporting::web {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status Bad(const std::string& param, std::string description) {
  return InvalidArgumentError({{param, std::move(description)}});
}

// The enum value named `text`, or `<PREFIX>_<text>` where PREFIX is the
// enum's values' common prefix (its UNSPECIFIED value without the suffix).
const EnumValueDescriptor* FindEnumValue(
    const google::protobuf::EnumDescriptor* e, const std::string& text) {
  if (const EnumValueDescriptor* v = e->FindValueByName(text)) return v;
  const std::string zero = e->value(0)->name();
  const std::string suffix = "UNSPECIFIED";
  if (absl::EndsWith(zero, suffix)) {
    const std::string prefix = zero.substr(0, zero.size() - suffix.size());
    return e->FindValueByName(prefix + text);
  }
  return nullptr;
}

// Sets one value (or adds it, for a repeated field).
absl::Status SetValue(const std::string& param, const FieldDescriptor* f,
                      const std::string& text, Message* m) {
  const Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  auto fail = [&](absl::string_view expected) {
    return Bad(param,
               absl::StrCat("expected ", expected, ", got \"", text, "\""));
  };
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      rep ? r->AddString(m, f, text) : r->SetString(m, f, text);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return fail("an integer");
      rep ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return fail("an integer");
      rep ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(text, &v)) return fail("a number");
      rep ? r->AddDouble(m, f, v) : r->SetDouble(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (text != "true" && text != "false") return fail("true or false");
      rep ? r->AddBool(m, f, text == "true") : r->SetBool(m, f, text == "true");
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumValueDescriptor* v = FindEnumValue(f->enum_type(), text);
      if (v == nullptr) {
        return fail(absl::StrCat("a value of ", f->enum_type()->full_name()));
      }
      rep ? r->AddEnum(m, f, v) : r->SetEnum(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      Message* sub = rep ? r->AddMessage(m, f) : r->MutableMessage(m, f);
      const std::string& type = f->message_type()->full_name();
      if (type == google::type::Date::descriptor()->full_name()) {
        absl::CivilDay day;
        if (!absl::ParseCivilTime(text, &day)) return fail("a date YYYY-MM-DD");
        google::type::Date date;
        date.set_year(static_cast<int32_t>(day.year()));
        date.set_month(day.month());
        date.set_day(day.day());
        sub->CopyFrom(date);
        return absl::OkStatus();
      }
      if (type == google::protobuf::Timestamp::descriptor()->full_name()) {
        google::protobuf::Timestamp t;
        if (!google::protobuf::util::TimeUtil::FromString(text, &t)) {
          return fail("an RFC 3339 time");
        }
        sub->CopyFrom(t);
        return absl::OkStatus();
      }
      return Bad(param, absl::StrCat("a ", type,
                                     " cannot be given as a query parameter; "
                                     "name one of its fields"));
    }
    default:
      return Bad(param, "this field cannot be given as a query parameter");
  }
}

}  // namespace

absl::Status FillFromQuery(const std::multimap<std::string, std::string>& query,
                           Message* message) {
  for (const auto& [param, value] : query) {
    Message* m = message;
    const FieldDescriptor* f = nullptr;
    const std::vector<std::string> path = absl::StrSplit(param, '.');
    for (size_t i = 0; i < path.size(); ++i) {
      const Descriptor* d = m->GetDescriptor();
      f = d->FindFieldByName(path[i]);
      if (f == nullptr) {
        return Bad(param, absl::StrCat("unknown parameter: ", d->full_name(),
                                       " has no field \"", path[i], "\""));
      }
      if (i + 1 < path.size()) {
        if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
            f->is_repeated()) {
          return Bad(param, absl::StrCat("\"", path[i], "\" has no fields"));
        }
        m = m->GetReflection()->MutableMessage(m, f);
      }
    }
    if (f->is_repeated() && f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      for (absl::string_view part : absl::StrSplit(value, ',')) {
        KS_RETURN_IF_ERROR(SetValue(param, f, std::string(part), m));
      }
    } else {
      KS_RETURN_IF_ERROR(SetValue(param, f, value, m));
    }
  }
  return absl::OkStatus();
}

}  // namespace ks::reporting::web
