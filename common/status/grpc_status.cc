#include "common/status/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/quote.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace ks {
namespace {

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
