#include "services/reporting/domain/privacy.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "kerjasosial/common/v1/access.pb.h"

namespace ks::reporting::domain {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

std::string Find(const Message& message, const std::string& prefix) {
  const Reflection* r = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);  // only the fields that are set
  for (const FieldDescriptor* f : fields) {
    const std::string path =
        prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->options().GetExtension(kerjasosial::common::v1::personal)) {
      return path;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(message, f); ++i) {
        std::string found = Find(r->GetRepeatedMessage(message, f, i),
                                 absl::StrCat(path, "[", i, "]"));
        if (!found.empty()) return found;
      }
    } else {
      std::string found = Find(r->GetMessage(message, f), path);
      if (!found.empty()) return found;
    }
  }
  return "";
}

}  // namespace

std::string FindPersonalField(const Message& message) {
  return Find(message, "");
}

absl::StatusOr<std::unique_ptr<Message>> DecodeWithoutPersonalData(
    const google::protobuf::Any& payload) {
  const std::string& url = payload.type_url();
  const std::string type = url.substr(url.rfind('/') + 1);
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          type);
  if (descriptor == nullptr) {
    return absl::InvalidArgumentError(
        "the payload's type is not a message reporting knows");
  }
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          descriptor);
  if (prototype == nullptr) {
    return absl::InvalidArgumentError(
        "the payload's type is not a message reporting knows");
  }
  std::unique_ptr<Message> message(prototype->New());
  if (!message->ParseFromString(payload.value())) {
    return absl::InvalidArgumentError("the payload does not parse");
  }
  const std::string personal = FindPersonalField(*message);
  if (!personal.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the payload carries personal data (field ", personal,
                     " of ", type, ")"));
  }
  return message;
}

}  // namespace ks::reporting::domain
