#include "common/validation/message_fields.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/quote.h"
#include "common/status/rich_status.h"

namespace ks::validation {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

class Walker {
 public:
  explicit Walker(const FieldLimits& limits) : limits_(limits) {}

  void Message(const google::protobuf::Message& m, const std::string& path) {
    const Reflection* r = m.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(m, &fields);  // set fields only, oneof members included
    for (const FieldDescriptor* f : fields) {
      const std::string base =
          path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
      if (f->is_map()) {
        Map(m, *f, base);
      } else if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) {
          Element(m, *f, i, absl::StrCat(base, "[", i, "]"));
        }
      } else {
        Element(m, *f, -1, base);
      }
    }
  }

  absl::Status Finish() const {
    if (violations_.empty()) return absl::OkStatus();
    std::vector<FieldViolation> out = violations_;
    if (dropped_ > 0) {
      out.push_back({"(request)", absl::StrCat("and ", dropped_,
                                               " more violations not listed")});
    }
    return InvalidArgumentError(out);
  }

 private:
  // A map is a repeated entry message {key, value}: name entries by key.
  void Map(const google::protobuf::Message& m, const FieldDescriptor& f,
           const std::string& base) {
    const Reflection* r = m.GetReflection();
    const FieldDescriptor* key = f.message_type()->map_key();
    for (int i = 0; i < r->FieldSize(m, &f); ++i) {
      const google::protobuf::Message& entry = r->GetRepeatedMessage(m, &f, i);
      std::string label = absl::StrCat(i);
      if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        const std::string k = entry.GetReflection()->GetString(entry, key);
        label = QuoteValue(k, 32);
      }
      Message(entry, absl::StrCat(base, "[", label, "]"));
    }
  }

  // One value of `f`: index -1 for a singular field.
  void Element(const google::protobuf::Message& m, const FieldDescriptor& f,
               int index, const std::string& path) {
    const Reflection* r = m.GetReflection();
    switch (f.cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        Message(index < 0 ? r->GetMessage(m, &f)
                          : r->GetRepeatedMessage(m, &f, index),
                path);
        return;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int value = index < 0 ? r->GetEnumValue(m, &f)
                                    : r->GetRepeatedEnumValue(m, &f, index);
        if (f.enum_type()->FindValueByNumber(value) == nullptr) {
          Add(path, absl::StrCat("must be a value defined by enum ",
                                 f.enum_type()->full_name(), ", got ", value));
        }
        return;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        if (f.type() == FieldDescriptor::TYPE_BYTES) return;
        std::string scratch;
        const std::string& value =
            index < 0 ? r->GetStringReference(m, &f, &scratch)
                      : r->GetRepeatedStringReference(m, &f, index, &scratch);
        if (!IsValidUtf8(value)) {
          Add(path, "must be valid UTF-8");
          return;
        }
        const size_t max = limits_.MaxCodePoints(f);
        const size_t count = CodePointCount(value);
        if (count > max) {
          Add(path,
              absl::StrCat("must be at most ", max,
                           " characters (Unicode code points), got ", count));
        }
        return;
      }
      default:
        return;  // numbers and bools: the domain checks their ranges
    }
  }

  void Add(const std::string& path, std::string description) {
    if (static_cast<int>(violations_.size()) >= kMaxReportedViolations) {
      ++dropped_;
      return;
    }
    violations_.push_back({path, std::move(description)});
  }

  const FieldLimits& limits_;
  std::vector<FieldViolation> violations_;
  int dropped_ = 0;
};

}  // namespace

size_t DefaultMaxCodePoints(const FieldDescriptor& field) {
  const std::string& n = field.name();
  const auto ends = [&n](absl::string_view suffix) {
    return absl::EndsWith(n, suffix);
  };
  if (n == "filter") return kMaxFilterCodePoints;
  if (n == "order_by") return kMaxOrderByCodePoints;
  if (ends("_token")) return kMaxTokenCodePoints;
  if (n == "name" || n == "parent") return kMaxResourceNameCodePoints;
  if (ends("_name")) return kMaxPersonNameCodePoints;
  if (ends("_id") || ends("_code") || n == "etag" || n == "category" ||
      ends("_version") || n == "time_zone") {
    return kMaxIdCodePoints;
  }
  if (ends("_number")) return kMaxDocumentNumberCodePoints;
  if (ends("address")) return kMaxAddressCodePoints;
  if (ends("uri")) return kMaxUriCodePoints;
  return kMaxFreeTextCodePoints;
}

size_t FieldLimits::MaxCodePoints(const FieldDescriptor& field) const {
  const auto it = overrides_.find(field.full_name());
  return it != overrides_.end() ? it->second : DefaultMaxCodePoints(field);
}

absl::Status CheckMessageFields(const Message& message) {
  static const FieldLimits* const kDefaults = new FieldLimits();
  return CheckMessageFields(message, *kDefaults);
}

absl::Status CheckMessageFields(const Message& message,
                                const FieldLimits& limits) {
  Walker walker(limits);
  walker.Message(message, "");
  return walker.Finish();
}

}  // namespace ks::validation
