#include "common/rpc/pipeline.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/grpc_status.h"
#include "common/validation/message_fields.h"
#include "google/protobuf/descriptor.h"

namespace ks::rpc {
namespace {

using ::google::protobuf::FieldDescriptor;

// The string field `name` of `request`, if it has one.
const FieldDescriptor* StringField(const google::protobuf::Message& request,
                                   absl::string_view name) {
  const FieldDescriptor* f =
      request.GetDescriptor()->FindFieldByName(std::string(name));
  return f != nullptr && !f->is_repeated() &&
                 f->type() == FieldDescriptor::TYPE_STRING
             ? f
             : nullptr;
}

}  // namespace

Pipeline::Pipeline(const auth::Authenticator& auth, outbox::Writer& writer,
                   std::string service, PipelineOptions options)
    : auth_(auth),
      writer_(writer),
      service_(std::move(service)),
      options_(options) {}

absl::StatusOr<Call> Pipeline::Begin(const grpc::ServerContextBase& ctx,
                                     absl::string_view method,
                                     const google::protobuf::Message& request,
                                     const Envelope& envelope) const {
  const std::string full = absl::StrCat(service_, ".", method);
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          full);
  if (descriptor == nullptr ||
      descriptor->input_type() != request.GetDescriptor()) {
    return absl::InternalError(
        absl::StrCat("no rpc ", full, " taking ", request.GetTypeName()));
  }
  Call call;
  call.method = absl::StrCat("/", service_, "/", method);
  call.peer = ctx.peer();
  call.now = options_.clock->Now();
  KS_ASSIGN_OR_RETURN(call.principal, auth_.Authenticate(ctx));
  // Every field of every request, generically from its descriptor (enums
  // hold defined values, strings are UTF-8 within their length limit),
  // before anything else reads it: a 1 MB name is refused here by its
  // length, never quoted back or looked up.
  KS_RETURN_IF_ERROR(validation::CheckMessageFields(request));

  // The resource name first, alone: authorization reads its regency. The
  // rest of the request is judged only for a caller who may make the call,
  // so a caller without access learns nothing of the method's rules
  // (AIP-211: permission is checked before validation).
  if (!envelope.field.empty()) {
    Validator name;
    KS_ASSIGN_OR_RETURN(call.resource,
                        auth::StringAtPath(request, envelope.field));
    name.ResourceName(envelope.field, call.resource, envelope.pattern,
                      &call.vars, envelope.allow_wildcard);
    KS_RETURN_IF_ERROR(name.Finish());
  }
  KS_ASSIGN_OR_RETURN(call.access,
                      auth::Authorize(*descriptor, request, call.principal));

  Validator v;
  const google::protobuf::Reflection& reflection = *request.GetReflection();
  if (const FieldDescriptor* etag = StringField(request, "etag")) {
    const std::string value = reflection.GetString(request, etag);
    if (value.empty() && envelope.etag_optional) {
      // No etag: the change is not conditional on the version read.
    } else if (v.RequiredString("etag", value)) {
      absl::StatusOr<int64_t> version = outbox::VersionFromEtag(value);
      if (version.ok()) {
        call.expected_version = *version;
      } else {
        v.AddViolation("etag", "is not an etag returned by this API");
      }
    }
  }
  if (const FieldDescriptor* id = StringField(request, "request_id")) {
    call.request_id = reflection.GetString(request, id);
    if (v.RequestId("request_id", call.request_id)) {
      call.fingerprint = outbox::Fingerprint(request);
    }
  }
  if (envelope.checks) envelope.checks(v);
  KS_RETURN_IF_ERROR(v.Finish());
  return call;
}

absl::Status Pipeline::CheckEtag(const Call& call, int64_t current_version) {
  if (!call.expected_version || *call.expected_version == current_version) {
    return absl::OkStatus();
  }
  const std::string current = outbox::Etag(current_version);
  return WithErrorInfo(
      absl::AbortedError(absl::StrCat("stale etag: ", call.resource, " is at ",
                                      current, ", request has ",
                                      outbox::Etag(*call.expected_version))),
      outbox::kReasonStaleEtag, {{"current_etag", current}});
}

audit::Record Pipeline::AuditFor(const Call& call,
                                 absl::string_view resource) const {
  audit::Record record;
  record.principal_id = call.principal.id;
  record.role = std::string(auth::RoleName(call.principal.role));
  record.agency = call.principal.agency;
  record.method = call.method;
  record.resource_name = std::string(resource);
  record.time = call.now;
  record.peer = call.peer;
  record.request_id = call.request_id;
  return record;
}

absl::StatusOr<outbox::CommitResult> Pipeline::Commit(
    const Call& call, outbox::Transaction txn,
    absl::string_view resource) const {
  txn.request_id = call.request_id;
  txn.request_fingerprint = call.fingerprint;
  txn.audit = AuditFor(call, resource);
  return writer_.Commit(txn);
}

grpc::ServerUnaryReactor* Pipeline::Unary(
    grpc::CallbackServerContext* ctx,
    std::function<absl::Status()> work) const {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (options_.executor == nullptr) {
    reactor->Finish(ToGrpcStatus(work()));
    return reactor;
  }
  const bool queued =
      options_.executor->Submit([reactor, work = std::move(work)] {
        reactor->Finish(ToGrpcStatus(work()));
      });
  if (!queued) {
    reactor->Finish(ToGrpcStatus(absl::ResourceExhaustedError(
        "the server is busy; retry with the same request_id")));
  }
  return reactor;
}

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* ctx,
                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace ks::rpc
