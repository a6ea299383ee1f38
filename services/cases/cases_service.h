// The gRPC handlers of the cases service (kerjasosial.cases.v1.Cases), run by
// the Kejaksaan. Each handler is the shared request pipeline (common/rpc:
// authenticate, envelope, authorize from the rpc's access option, replay,
// load, etag, commit) plus what is the case's own: its keys (CaseStore), its
// rules (domain/) and its relations. A mutation commits its cases, indexes,
// history, audit entry and feed events in one atomic outbox step, idempotent
// by request id and conditional on the etag.
//
// Who may do what is declared per rpc in cases_service.proto's access
// options and enforced generically; the one relation cases checks itself is
// HANDOVER_OFFICE: a PK_BAPAS reaches a case only when its agency is the
// Bapas office the case was handed over to. List results outside the
// caller's scope or relation are never returned; NIK is masked for every
// role but JAKSA and ADMIN; national viewers see no person at all.
//
// Cross-deployment transfer (TransferCase to a regency this deployment does
// not serve). The routing table names the destination deployment. The
// handler validates the whole command, then calls the destination's
// ReceiveTransferredCase (options.transfer_peer: SERVICE token, deadline)
// and only after its acknowledgement commits TRANSFERRED_OUT here through
// the pipeline, in one outbox step. Unreachable destination: UNAVAILABLE; a
// refusal: the destination's error; either way nothing is written here, and
// nothing there unless it acknowledged. Both sides are idempotent on the
// transfer id (domain::TransferIdFor: the client's id, else derived from the
// source case and the request id), which closes the one window two
// deployments cannot close atomically: a crash (or a lost answer, or a
// stale-etag refusal) between the destination's acknowledgement and the
// local commit leaves the case received there and still open here; the
// client's retry with the same request_id re-sends the same transfer id, the
// destination answers the case it first created (its transfer claim), and
// the local commit happens then. Until that retry, the destination holds
// an EXECUTION_ORDERED copy that is not handed over; the source case still
// answers as the case of record. A retry after the local commit is replayed
// here and calls no peer. A retry under a NEW request_id (without the
// same `transfer_id`) is another transfer; the destination refuses it with
// its decision claim (ALREADY_EXISTS DECISION_ALREADY_REGISTERED), so the
// case is never duplicated there. The peer call blocks the handler's thread
// for at most the call's deadline (--transfer_timeout).
//
// Supervision visits (KUHP Pasal 85(8)) are their own records under the case
// (store/visit_store.h), created once each, in one outbox step with their
// audit entry; the case itself is not changed. See domain/visit.h for when
// a visit may be recorded.
//
// Thread-safe: handlers run on gRPC's threads (or the executor) and share
// only thread-safe members (the stores, the pipeline, the immutable policy
// and routes; transfer_peer must be thread-safe).
#ifndef KS_SERVICES_CASES_CASES_SERVICE_H_
#define KS_SERVICES_CASES_CASES_SERVICE_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "common/feed/consumer.h"
#include "common/policy/policy.h"
#include "common/rpc/executor.h"
#include "common/rpc/pipeline.h"
#include "common/server/runtime.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "kerjasosial/cases/v1/cases_service.grpc.pb.h"
#include "services/cases/domain/case_rules.h"
#include "services/cases/domain/transfer.h"
#include "services/cases/store/case_store.h"
#include "services/cases/store/visit_store.h"

namespace ks::cases {

struct CasesServiceOptions {
  // The legal policy (every legal number comes from it).
  policy::PolicySet policy;
  // Not owned; must outlive the service.
  const Clock* clock = SystemClock();
  // Regencies whose cases this deployment keeps; a transfer to one of them
  // creates the receiving case in the same step. Empty: every regency.
  std::vector<std::string> served_regencies;
  // Not owned. Null: handlers run on gRPC's callback threads (see
  // common/rpc/pipeline.h); else on this bounded executor.
  rpc::Executor* executor = nullptr;
  // Regency or province -> address of the cases deployment serving it, for
  // transfers to regencies this deployment does not serve.
  domain::TransferRoutes transfer_routes;
  // Calls ReceiveTransferredCase of the deployment at `address` (with this
  // deployment's SERVICE token, TLS as configured, and a deadline) and
  // returns its answer or its gRPC error as absl::Status. Thread-safe.
  // Null: no remote transfer is possible (UNAVAILABLE).
  std::function<absl::StatusOr<kerjasosial::cases::v1::Case>(
      const std::string& address,
      const kerjasosial::cases::v1::ReceiveTransferredCaseRequest& request)>
      transfer_peer;
};

class CasesService final
    : public kerjasosial::cases::v1::Cases::CallbackService {
 public:
  CasesService(server::Runtime& runtime, CasesServiceOptions options);
  CasesService(const CasesService&) = delete;
  CasesService& operator=(const CasesService&) = delete;

  grpc::ServerUnaryReactor* CreateCase(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::CreateCaseRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* GetCase(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::GetCaseRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* ListCases(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::ListCasesRequest* req,
      kerjasosial::cases::v1::ListCasesResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateCase(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::UpdateCaseRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* IssueExecutionOrder(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::IssueExecutionOrderRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* HandOverToBapas(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::HandOverToBapasRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* RecordFinePayment(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::RecordFinePaymentRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* ConfirmCompletion(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::ConfirmCompletionRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* RecordBreach(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::RecordBreachRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* DecideBreachOutcome(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::DecideBreachOutcomeRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* TransferCase(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::TransferCaseRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* CancelCase(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::CancelCaseRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* ListCaseHistory(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::ListCaseHistoryRequest* req,
      kerjasosial::cases::v1::ListCaseHistoryResponse* resp) override;
  grpc::ServerUnaryReactor* GetCaseForExecution(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::GetCaseForExecutionRequest* req,
      kerjasosial::cases::v1::CaseForExecution* resp) override;
  grpc::ServerUnaryReactor* ReceiveTransferredCase(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::ReceiveTransferredCaseRequest* req,
      kerjasosial::cases::v1::Case* resp) override;
  grpc::ServerUnaryReactor* CreateSupervisionVisit(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::CreateSupervisionVisitRequest* req,
      kerjasosial::cases::v1::SupervisionVisit* resp) override;
  grpc::ServerUnaryReactor* GetSupervisionVisit(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::GetSupervisionVisitRequest* req,
      kerjasosial::cases::v1::SupervisionVisit* resp) override;
  grpc::ServerUnaryReactor* ListSupervisionVisits(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::cases::v1::ListSupervisionVisitsRequest* req,
      kerjasosial::cases::v1::ListSupervisionVisitsResponse* resp) override;
  grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request) override {
    return runtime_.StreamEvents(context, request);
  }

  // The effect of one event of supervision's feed, for feed::Consumer's
  // handler: loads the case it concerns, applies
  // domain::ApplySupervisionEvent and commits the new case, its history and
  // its events in one outbox step conditional on the case's version. The
  // event's cursor is stored in the case record (progress.source_cursor) by
  // that same step, so the effect and its dedup guard cannot part: a
  // redelivered event finds its cursor already applied and changes nothing.
  // Returns no Redis ops (the consumer then only moves its resume cursor).
  // NOT_FOUND cases (another deployment's) and events that do not concern
  // progress are skipped; ABORTED (a concurrent change) is retried by the
  // consumer.
  absl::StatusOr<feed::RedisOps> ApplySupervisionEvent(
      const kerjasosial::common::v1::Event& event);

 private:
  using Case = kerjasosial::cases::v1::Case;
  // The cases one mutation writes, given the stored case and the context.
  using Plan = std::function<absl::StatusOr<store::Change>(
      const Case&, const domain::CommandContext&)>;

  // Every mutation of an existing case: the pipeline (common/rpc) with the
  // case's keys and rules. `field` is the request's name field.
  absl::StatusOr<Case> Mutate(grpc::CallbackServerContext& ctx,
                              absl::string_view method,
                              const google::protobuf::Message& request,
                              absl::string_view field, Plan plan,
                              std::function<void(Validator&)> checks = {});

  absl::StatusOr<Case> DoCreate(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::cases::v1::CreateCaseRequest& req);
  absl::StatusOr<Case> DoGet(grpc::CallbackServerContext& ctx,
                             const kerjasosial::cases::v1::GetCaseRequest& req);
  absl::Status DoList(grpc::CallbackServerContext& ctx,
                      const kerjasosial::cases::v1::ListCasesRequest& req,
                      kerjasosial::cases::v1::ListCasesResponse* resp);
  absl::Status DoHistory(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::cases::v1::ListCaseHistoryRequest& req,
      kerjasosial::cases::v1::ListCaseHistoryResponse* resp);
  absl::StatusOr<kerjasosial::cases::v1::CaseForExecution> DoExecutionView(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::cases::v1::GetCaseForExecutionRequest& req);
  absl::StatusOr<Case> DoTransfer(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::cases::v1::TransferCaseRequest& req);
  absl::StatusOr<Case> DoReceive(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::cases::v1::ReceiveTransferredCaseRequest& req);
  // The destination's answer to `payload` at `address`; UNAVAILABLE when it
  // cannot be reached (or no peer client is configured).
  absl::StatusOr<Case> SendTransfer(
      const std::string& address,
      const kerjasosial::cases::v1::ReceiveTransferredCaseRequest& payload);
  // The case a received transfer created here, or NOT_FOUND.
  absl::StatusOr<Case> ReceivedCase(absl::string_view source_case,
                                    absl::string_view transfer_id);
  absl::StatusOr<kerjasosial::cases::v1::SupervisionVisit> DoCreateVisit(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::cases::v1::CreateSupervisionVisitRequest& req);
  absl::StatusOr<kerjasosial::cases::v1::SupervisionVisit> DoGetVisit(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::cases::v1::GetSupervisionVisitRequest& req);
  absl::Status DoListVisits(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::cases::v1::ListSupervisionVisitsRequest& req,
      kerjasosial::cases::v1::ListSupervisionVisitsResponse* resp);

  // Begin + load + relation check of a read of one case.
  absl::StatusOr<std::pair<rpc::Call, Case>> ReadCase(
      grpc::CallbackServerContext& ctx, absl::string_view method,
      const google::protobuf::Message& request,
      std::function<void(Validator&)> checks = {});

  // The policy version of a case's decision (its final date), or today's.
  const domain::PolicyVersion& PolicyFor(const Case& c) const;
  domain::CommandContext ContextFor(const rpc::Call& call) const;
  bool Serves(absl::string_view regency) const;

  server::Runtime& runtime_;
  const CasesServiceOptions options_;
  store::CaseStore store_;
  store::VisitStore visits_;
  rpc::Pipeline pipeline_;
};

}  // namespace ks::cases

#endif  // KS_SERVICES_CASES_CASES_SERVICE_H_
