#include "services/reporting/domain/summary_order.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/validation/validator.h"

namespace ks::reporting::domain {
namespace {

namespace rv1 = ::kerjasosial::reporting::v1;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;

absl::Status Bad(absl::string_view why) {
  Validator v;
  v.AddViolation("order_by", why);
  return v.Finish();
}

double NumberOf(const Message& m, const FieldDescriptor* f) {
  const auto* r = m.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT64:
      return static_cast<double>(r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_INT32:
      return r->GetInt32(m, f);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return r->GetDouble(m, f);
    default:
      return 0;
  }
}

}  // namespace

absl::StatusOr<SummaryLess> ParseSummaryOrder(absl::string_view order_by,
                                              absl::string_view default_key) {
  auto by_name = [](const rv1::Summary& a, const rv1::Summary& b) {
    return a.name() < b.name();
  };
  std::vector<std::string> parts =
      absl::StrSplit(order_by, ' ', absl::SkipWhitespace());
  if (parts.empty() || (parts.size() == 1 && parts[0] == default_key)) {
    return SummaryLess(by_name);
  }
  if (parts.size() > 2 || (parts.size() == 2 && parts[1] != "desc")) {
    return Bad("must be a field, optionally followed by ` desc`");
  }
  const bool desc = parts.size() == 2;
  absl::string_view path = parts[0];
  const FieldDescriptor* holder = nullptr;  // Summary.totals or .sites
  const google::protobuf::Descriptor* within = rv1::Figures::descriptor();
  if (absl::ConsumePrefix(&path, "sites.")) {
    holder = rv1::Summary::descriptor()->FindFieldByName("sites");
    within = rv1::SiteFigures::descriptor();
  } else {
    absl::ConsumePrefix(&path, "totals.");
    holder = rv1::Summary::descriptor()->FindFieldByName("totals");
  }
  const FieldDescriptor* field = within->FindFieldByName(std::string(path));
  if (field == nullptr || field->is_repeated() ||
      (field->cpp_type() != FieldDescriptor::CPPTYPE_INT64 &&
       field->cpp_type() != FieldDescriptor::CPPTYPE_INT32 &&
       field->cpp_type() != FieldDescriptor::CPPTYPE_DOUBLE)) {
    return Bad(absl::StrCat("`", parts[0],
                            "` is not a number of the summary's totals or "
                            "sites"));
  }
  return SummaryLess([holder, field, desc, by_name](const rv1::Summary& a,
                                                    const rv1::Summary& b) {
    const double va = NumberOf(a.GetReflection()->GetMessage(a, holder), field);
    const double vb = NumberOf(b.GetReflection()->GetMessage(b, holder), field);
    if (va != vb) return desc ? va > vb : va < vb;
    return by_name(a, b);
  });
}

}  // namespace ks::reporting::domain
