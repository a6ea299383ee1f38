// The request pipeline every service's unary handlers use, so that the
// plumbing around a domain rule is written once (issue #8):
//
//   Begin()    authenticate the bearer token; check every field of the
//              request generically (validation::CheckMessageFields); check
//              the resource name against its pattern; authorize from the
//              rpc's (kerjasosial.common.v1.access) option
//              (common/auth/access.h); only then validate the rest of the
//              envelope (`etag` and `request_id` when the request has them,
//              the handler's own checks), so a caller without access learns
//              nothing of the method's rules;
//   Mutate()   Begin, then the idempotent replay (a retry gets the first
//              answer), load, relation check, etag compare (ABORTED
//              STALE_ETAG with the current etag), the domain step that plans
//              the outbox transaction (one or more aggregates), the audit
//              record built from the principal and the call, and the commit.
//
// Racing twins. Identical retries may run at the same time. The commit
// script checks the idempotency entry before any record or unique claim, so
// a twin that reaches the script after the first commit is replayed there.
// A twin that failed earlier, on anything the first commit caused (a stale
// etag, a claim or record that now exists, a domain rule refusing the state
// the first commit made), re-reads the idempotency entry and answers with
// the first result too. Every twin thus gets the first answer.
//
// Errors are absl::Status with google.rpc details; Finish() converts them to
// gRPC at the edge. No error message carries a Redis key.
//
// Threading. By default a handler runs the pipeline inline on gRPC's
// callback thread and blocks on Redis there. That is bounded: a mutation
// makes at most four round trips (lookup, load, commit, and a re-read after
// a conflict), each bounded by the pool's command timeout, and the pool
// bounds concurrent Redis work. PipelineOptions.executor moves the work to a
// bounded Executor instead (RESOURCE_EXHAUSTED when its queue is full); it is
// the hook the performance issue measures, see executor.h.
//
// Thread-safe: a Pipeline holds only references to thread-safe objects.
#ifndef KS_COMMON_RPC_PIPELINE_H_
#define KS_COMMON_RPC_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/audit/audit.h"
#include "common/auth/access.h"
#include "common/auth/authenticator.h"
#include "common/auth/principal.h"
#include "common/outbox/outbox.h"
#include "common/rpc/executor.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace ks::rpc {

// What Begin() established about one call.
struct Call {
  std::string method;  // "/kerjasosial.cases.v1.Cases/CancelCase"
  std::string peer;
  auth::Principal principal;
  auth::AccessDecision access;
  // The envelope's resource name (or parent) and its pattern variables.
  std::string resource;
  std::map<std::string, std::string> vars;
  // Set when the request has a `request_id` (then also the fingerprint).
  std::string request_id;
  std::string fingerprint;
  // Set when the request has an `etag`.
  std::optional<int64_t> expected_version;
  absl::Time now;
};

// The request envelope a handler declares.
struct Envelope {
  Envelope() = default;
  Envelope(std::string field, std::string pattern, bool allow_wildcard = false,
           std::function<void(Validator&)> checks = {})
      : field(std::move(field)),
        pattern(std::move(pattern)),
        allow_wildcard(allow_wildcard),
        checks(std::move(checks)) {}

  // Dotted path of the resource name field ("name", "parent",
  // "case_data.name"); "" for none.
  std::string field = "name";
  // Its pattern, e.g. "regencies/{regency}/cases/{case}".
  std::string pattern;
  // Accept "-" for the pattern's variables (List parents).
  bool allow_wildcard = false;
  // Optional. The handler's own checks of the request (required parts...).
  std::function<void(Validator&)> checks;
  // The request's `etag` may be empty (the contract says so, e.g. a
  // feed-driven AdjustHoursLedger ordered by the feed): then no version is
  // compared. Otherwise an etag field is required.
  bool etag_optional = false;
};

// What a mutation's domain step returns.
template <typename R>
struct Plan {
  // Records, index operations and events (request id, fingerprint and
  // audit entry are filled by the pipeline). `response` must be the
  // serialized R the call answers (as committed: version and etag set).
  outbox::Transaction txn;
  // The resource the audit entry names; the call's resource if empty.
  std::string audit_resource;
  // Set: answer this without committing (validate_only).
  std::optional<R> dry_run;
};

// The service-specific steps of Mutate().
template <typename R>
struct MutationSteps {
  // Loads the resource the call addresses (NOT_FOUND naming it). Null for
  // a create, which has nothing to load.
  std::function<absl::StatusOr<R>(const Call&)> load;
  // The stored facts a relation grant is checked against; null when the
  // rpc has no relation grant.
  std::function<auth::RelationFacts(const R&)> facts;
  // The domain step: plans the transaction from the loaded resource
  // (nullptr for a create).
  std::function<absl::StatusOr<Plan<R>>(const Call&, const R* current)> plan;
  // The version of a loaded resource, for the etag compare.
  std::function<int64_t(const R&)> version;
};

struct PipelineOptions {
  // Not owned; must outlive the pipeline.
  const Clock* clock = SystemClock();
  // Not owned. Null: run inline on gRPC's callback thread (see the file
  // comment); else run the call on this executor.
  Executor* executor = nullptr;
};

class Pipeline {
 public:
  // `service` is the full name of the gRPC service whose methods this
  // pipeline serves ("kerjasosial.cases.v1.Cases"). `auth` and `writer`
  // must outlive the pipeline.
  Pipeline(const auth::Authenticator& auth, outbox::Writer& writer,
           std::string service, PipelineOptions options = {});
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Authenticate, envelope, authorize. `method` is the rpc's short name
  // ("CancelCase"). UNAUTHENTICATED, INVALID_ARGUMENT naming every bad
  // field, PERMISSION_DENIED (access.h), INTERNAL for an unknown method.
  absl::StatusOr<Call> Begin(const grpc::ServerContextBase& ctx,
                             absl::string_view method,
                             const google::protobuf::Message& request,
                             const Envelope& envelope) const;

  // The first answer to `call`'s request id; nullopt when there is none
  // (or the call has no request id). ALREADY_EXISTS REQUEST_ID_REUSED.
  template <typename R>
  absl::StatusOr<std::optional<R>> Replay(const Call& call) const {
    KS_ASSIGN_OR_RETURN(
        std::optional<std::string> bytes,
        writer_.LookupRequest(call.request_id, call.fingerprint));
    if (!bytes) return std::optional<R>();
    R out;
    if (!out.ParseFromString(*bytes)) {
      return absl::DataLossError("the stored response does not parse");
    }
    return std::optional<R>(std::move(out));
  }

  // OK when the call has no etag or its version is `current_version`;
  // ABORTED STALE_ETAG {current_etag} otherwise.
  static absl::Status CheckEtag(const Call& call, int64_t current_version);

  // The audit entry of `call` acting on `resource`.
  audit::Record AuditFor(const Call& call, absl::string_view resource) const;

  // Commits `txn` with the call's request id, fingerprint and audit entry.
  absl::StatusOr<outbox::CommitResult> Commit(const Call& call,
                                              outbox::Transaction txn,
                                              absl::string_view resource) const;

  // The whole mutation (see the file comment). Returns the committed (or
  // replayed) R.
  template <typename R>
  absl::StatusOr<R> Mutate(const grpc::ServerContextBase& ctx,
                           absl::string_view method,
                           const google::protobuf::Message& request,
                           const Envelope& envelope,
                           const MutationSteps<R>& steps) const {
    KS_ASSIGN_OR_RETURN(Call call, Begin(ctx, method, request, envelope));
    KS_ASSIGN_OR_RETURN(std::optional<R> first, Replay<R>(call));
    if (first) return *std::move(first);
    absl::StatusOr<R> out = Attempt(call, steps);
    if (!out.ok() && !call.request_id.empty()) {
      // Maybe a racing twin of this very request committed first. Not only
      // a conflict shows it: a twin that loaded after the first commit
      // fails the domain's own rule for the state the first one made (a
      // session on a ledger the first session COMPLETED: FAILED_PRECONDITION).
      // Either way the client must get the first answer, not the twin's.
      // Costs one lookup on a failed call only.
      KS_ASSIGN_OR_RETURN(first, Replay<R>(call));
      if (first) return *std::move(first);
    }
    return out;
  }

  // Runs `work` (which fills the response and returns the status) inline or
  // on the executor, and finishes the call with its status.
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx,
                                  std::function<absl::Status()> work) const;

  const std::string& service() const { return service_; }
  outbox::Writer& writer() const { return writer_; }
  const Clock& clock() const { return *options_.clock; }

 private:
  template <typename R>
  absl::StatusOr<R> Attempt(const Call& call,
                            const MutationSteps<R>& steps) const {
    std::optional<R> current;
    if (steps.load) {
      KS_ASSIGN_OR_RETURN(current, steps.load(call));
      if (call.access.needs_relation()) {
        KS_RETURN_IF_ERROR(auth::CheckRelations(
            call.principal, call.access,
            steps.facts ? steps.facts(*current) : auth::RelationFacts{}));
      }
      if (steps.version) {
        KS_RETURN_IF_ERROR(CheckEtag(call, steps.version(*current)));
      }
    }
    KS_ASSIGN_OR_RETURN(Plan<R> plan,
                        steps.plan(call, current ? &*current : nullptr));
    if (plan.dry_run) return *std::move(plan.dry_run);
    KS_ASSIGN_OR_RETURN(
        outbox::CommitResult result,
        Commit(
            call, std::move(plan.txn),
            plan.audit_resource.empty() ? call.resource : plan.audit_resource));
    R out;
    if (!out.ParseFromString(result.response)) {
      return absl::DataLossError("the committed response does not parse");
    }
    return out;
  }

  const auth::Authenticator& auth_;
  outbox::Writer& writer_;
  const std::string service_;
  const PipelineOptions options_;
};

// Finishes a unary call with `status` (details attached).
grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* ctx,
                                 const absl::Status& status);

// Copies a result into the response, or returns its error.
template <typename T>
absl::Status Answer(absl::StatusOr<T> result, T* resp) {
  if (!result.ok()) return result.status();
  *resp = *std::move(result);
  return absl::OkStatus();
}

}  // namespace ks::rpc

#endif  // KS_COMMON_RPC_PIPELINE_H_
