#include "common/status/rich_status.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/quote.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace ks {
namespace {

// Payload keys are the type URL of the detail, as google.rpc.Any would carry.
std::string TypeUrl(const google::protobuf::Message& m) {
  return absl::StrCat("type.googleapis.com/", m.GetDescriptor()->full_name());
}

// What a shortened detail keeps: strings up to `string_bytes`, repeated
// fields up to `repeated` elements. Tried in order until the details fit.
struct Shortening {
  size_t string_bytes;
  int repeated;
};
constexpr Shortening kShortenings[] = {{160, 16}, {64, 8}, {32, 4}};

std::string CapMessage(absl::string_view message) {
  if (message.size() <= kMaxGrpcErrorMessageBytes) return std::string(message);
  const std::string suffix =
      absl::StrCat("\xE2\x80\xA6(", message.size(), " bytes)");
  return absl::StrCat(
      Utf8Prefix(message, kMaxGrpcErrorMessageBytes - suffix.size()), suffix);
}

// Shortens every string of `m` (recursively) and cuts long repeated fields.
void ShortenStrings(google::protobuf::Message& m, const Shortening& to) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  const auto shorten = [&to](const std::string& s) {
    if (s.size() <= to.string_bytes) return s;
    return absl::StrCat(Utf8Prefix(s, to.string_bytes), "\xE2\x80\xA6");
  };
  for (const FieldDescriptor* f : fields) {
    if (f->is_repeated()) {
      while (r->FieldSize(m, f) > to.repeated) r->RemoveLast(&m, f);
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          r->SetRepeatedString(&m, f, i,
                               shorten(r->GetRepeatedString(m, f, i)));
        } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          ShortenStrings(*r->MutableRepeatedMessage(&m, f, i), to);
        }
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      r->SetString(&m, f, shorten(r->GetString(m, f)));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      ShortenStrings(*r->MutableMessage(&m, f), to);
    }
  }
}

// Shortens one detail whose type this binary knows; others are kept as they
// are (and dropped by the caller if still too large).
void ShortenDetail(google::protobuf::Any& any, const Shortening& to) {
  const std::string type(
      absl::string_view(any.type_url()).substr(any.type_url().rfind('/') + 1));
  const google::protobuf::Descriptor* d =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          type);
  if (d == nullptr) return;
  std::unique_ptr<google::protobuf::Message> m(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(d)
          ->New());
  if (!m->ParseFromString(any.value())) return;
  ShortenStrings(*m, to);
  any.set_value(m->SerializeAsString());
}

// Brings `rpc` within kMaxGrpcErrorDetailsBytes (see ToGrpcStatus).
void CapDetails(google::rpc::Status& rpc) {
  if (rpc.ByteSizeLong() <= kMaxGrpcErrorDetailsBytes) return;
  for (const Shortening& to : kShortenings) {
    for (google::protobuf::Any& any : *rpc.mutable_details()) {
      ShortenDetail(any, to);
    }
    if (rpc.ByteSizeLong() <= kMaxGrpcErrorDetailsBytes) return;
  }
  while (rpc.details_size() > 0 &&
         rpc.ByteSizeLong() > kMaxGrpcErrorDetailsBytes) {
    rpc.mutable_details()->RemoveLast();
  }
}

}  // namespace

void AddDetail(absl::Status& status, const google::protobuf::Message& detail) {
  if (status.ok()) return;
  status.SetPayload(TypeUrl(detail), absl::Cord(detail.SerializeAsString()));
}

absl::Status InvalidArgumentError(
    const std::vector<FieldViolation>& violations) {
  google::rpc::BadRequest bad;
  std::vector<std::string> parts;
  for (const auto& v : violations) {
    auto* fv = bad.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
    parts.push_back(absl::StrCat(v.field, ": ", v.description));
  }
  absl::Status status = absl::InvalidArgumentError(absl::StrJoin(parts, "; "));
  AddDetail(status, bad);
  return status;
}

absl::Status WithErrorInfo(absl::Status status, absl::string_view reason,
                           const std::map<std::string, std::string>& metadata) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(kErrorDomain));
  for (const auto& [k, v] : metadata) (*info.mutable_metadata())[k] = v;
  AddDetail(status, info);
  return status;
}

absl::Status FailedPreconditionError(absl::string_view message,
                                     absl::string_view type,
                                     absl::string_view subject,
                                     absl::string_view reason) {
  absl::Status status = absl::FailedPreconditionError(message);
  google::rpc::PreconditionFailure failure;
  auto* v = failure.add_violations();
  v->set_type(std::string(type));
  v->set_subject(std::string(subject));
  v->set_description(std::string(message));
  AddDetail(status, failure);
  return WithErrorInfo(std::move(status), reason);
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(status.code()));
  rpc.set_message(std::string(status.message()));
  status.ForEachPayload([&rpc](absl::string_view url, const absl::Cord& value) {
    google::protobuf::Any* any = rpc.add_details();
    any->set_type_url(std::string(url));
    any->set_value(std::string(value));
  });
  return rpc;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC canonical codes have the same numeric values.
  google::rpc::Status rpc = ToRpcStatus(status);
  rpc.set_message(CapMessage(status.message()));
  CapDetails(rpc);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      rpc.message(), rpc.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()),
                   status.error_message());
  google::rpc::Status rpc;
  if (!status.error_details().empty() &&
      rpc.ParseFromString(status.error_details())) {
    for (const auto& any : rpc.details()) {
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return out;
}

}  // namespace ks
