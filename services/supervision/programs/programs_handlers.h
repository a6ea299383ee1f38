// ProgramsHandlers: the gRPC handlers of supervision's programs part (issue
// #11): guidance sessions, partner agreements and programs, referrals and
// their attendance, evaluations, safety incidents and program-integrasi
// clients. One method per rpc with the callback signature, so the
// Supervision service class only forwards to it.
//
// Each handler is the shared request pipeline (common/rpc: authenticate,
// check every field, authorize from the rpc's access option, replay, load,
// relation, etag, commit) plus this part's rules (domain/) and keys
// (store/). A mutation commits its record, indexes, claims, seat
// reservation, audit entry, idempotency entry and feed events in ONE outbox
// step; it is idempotent by request id and conditional on the etag.
//
// Relations. ASSIGNED_PK and CASE_PROSECUTOR of a record about a case are
// judged on the case's facts from part 1's assignment store (CaseFacts); of
// a record about a program-integrasi client, on the client's PK. SITE_STAFF
// of an incident on the site's staff (SiteStaff). A create checks the
// relation of the record it would make.
//
// Privacy. Guidance notes, evaluation documents, incident accounts and a
// client's person summary are kept in the records. No event carries them
// (domain/), no log line does (these handlers log nothing about a record),
// and a reader other than a PK_BAPAS or ADMIN gets the records without them
// (the integration client itself is readable by the PK only).
//
// Thread-safe: handlers share only thread-safe members.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_PROGRAMS_HANDLERS_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_PROGRAMS_HANDLERS_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/authenticator.h"
#include "common/outbox/outbox.h"
#include "common/policy/policy.h"
#include "common/redis/client.h"
#include "common/rpc/executor.h"
#include "common/rpc/pipeline.h"
#include "common/time/clock.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"
#include "services/supervision/programs/domain/common.h"
#include "services/supervision/programs/domain/referral.h"
#include "services/supervision/programs/store/programs_store.h"

namespace ks::supervision::programs {

// What part 1 knows of a case (its PK assignment and placement).
struct CaseFacts {
  // The case has an ACTIVE PK assignment.
  bool active = false;
  // A child's case (UU SPPA).
  bool child = false;
  // Principal id of the assigned PK.
  std::string assigned_pk;
  // Regency of the site of the current placement, if any.
  std::string placement_regency;
};

struct ProgramsOptions {
  explicit ProgramsOptions(policy::PolicySet policy_set)
      : policy(std::move(policy_set)) {}

  // The legal policy (taxonomies).
  policy::PolicySet policy;
  // Not owned; must outlive the handlers.
  const Clock* clock = SystemClock();
  // Not owned. Null: handlers run on gRPC's callback threads.
  rpc::Executor* executor = nullptr;
  // The facts of `case_name` (thread-safe); NOT_FOUND when this deployment
  // has no assignment for it. Null: no case is known (every case-bound
  // create is FAILED_PRECONDITION NO_ACTIVE_ASSIGNMENT).
  std::function<absl::StatusOr<CaseFacts>(const std::string& case_name)>
      case_facts;
  // The work sessions of `case_name` (part 1's), for an evaluation's
  // attendance figures (thread-safe). Null: figures stay unset.
  std::function<
      absl::StatusOr<std::vector<kerjasosial::supervision::v1::WorkSession>>(
          const std::string& case_name)>
      case_sessions;
  // Principal ids of the staff of site `site` (thread-safe). Null: none.
  std::function<std::vector<std::string>(const std::string& site)> site_staff;
};

class ProgramsHandlers {
 public:
  // `auth`, `writer` and `pool` must outlive the handlers.
  ProgramsHandlers(const auth::Authenticator& auth, outbox::Writer& writer,
                   redis::Pool& pool, ProgramsOptions options);
  ProgramsHandlers(const ProgramsHandlers&) = delete;
  ProgramsHandlers& operator=(const ProgramsHandlers&) = delete;

  grpc::ServerUnaryReactor* CreateGuidanceSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreateGuidanceSessionRequest* req,
      kerjasosial::supervision::v1::GuidanceSession* resp);
  grpc::ServerUnaryReactor* GetGuidanceSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetGuidanceSessionRequest* req,
      kerjasosial::supervision::v1::GuidanceSession* resp);
  grpc::ServerUnaryReactor* ListGuidanceSessions(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListGuidanceSessionsRequest* req,
      kerjasosial::supervision::v1::ListGuidanceSessionsResponse* resp);
  grpc::ServerUnaryReactor* UpdateGuidanceSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdateGuidanceSessionRequest* req,
      kerjasosial::supervision::v1::GuidanceSession* resp);
  grpc::ServerUnaryReactor* CreatePartnerAgreement(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreatePartnerAgreementRequest* req,
      kerjasosial::supervision::v1::PartnerAgreement* resp);
  grpc::ServerUnaryReactor* GetPartnerAgreement(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetPartnerAgreementRequest* req,
      kerjasosial::supervision::v1::PartnerAgreement* resp);
  grpc::ServerUnaryReactor* ListPartnerAgreements(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListPartnerAgreementsRequest* req,
      kerjasosial::supervision::v1::ListPartnerAgreementsResponse* resp);
  grpc::ServerUnaryReactor* UpdatePartnerAgreement(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdatePartnerAgreementRequest* req,
      kerjasosial::supervision::v1::PartnerAgreement* resp);
  grpc::ServerUnaryReactor* CreatePartnerProgram(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreatePartnerProgramRequest* req,
      kerjasosial::supervision::v1::PartnerProgram* resp);
  grpc::ServerUnaryReactor* GetPartnerProgram(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetPartnerProgramRequest* req,
      kerjasosial::supervision::v1::PartnerProgram* resp);
  grpc::ServerUnaryReactor* ListPartnerPrograms(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListPartnerProgramsRequest* req,
      kerjasosial::supervision::v1::ListPartnerProgramsResponse* resp);
  grpc::ServerUnaryReactor* UpdatePartnerProgram(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdatePartnerProgramRequest* req,
      kerjasosial::supervision::v1::PartnerProgram* resp);
  grpc::ServerUnaryReactor* ClosePartnerProgram(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ClosePartnerProgramRequest* req,
      kerjasosial::supervision::v1::PartnerProgram* resp);
  grpc::ServerUnaryReactor* CreateReferral(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreateReferralRequest* req,
      kerjasosial::supervision::v1::Referral* resp);
  grpc::ServerUnaryReactor* GetReferral(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetReferralRequest* req,
      kerjasosial::supervision::v1::Referral* resp);
  grpc::ServerUnaryReactor* ListReferrals(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListReferralsRequest* req,
      kerjasosial::supervision::v1::ListReferralsResponse* resp);
  grpc::ServerUnaryReactor* AcceptReferral(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::AcceptReferralRequest* req,
      kerjasosial::supervision::v1::Referral* resp);
  grpc::ServerUnaryReactor* RecordReferralAttendance(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::RecordReferralAttendanceRequest* req,
      kerjasosial::supervision::v1::Referral* resp);
  grpc::ServerUnaryReactor* CompleteReferral(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CompleteReferralRequest* req,
      kerjasosial::supervision::v1::Referral* resp);
  grpc::ServerUnaryReactor* WithdrawReferral(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::WithdrawReferralRequest* req,
      kerjasosial::supervision::v1::Referral* resp);
  grpc::ServerUnaryReactor* CreateEvaluation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreateEvaluationRequest* req,
      kerjasosial::supervision::v1::Evaluation* resp);
  grpc::ServerUnaryReactor* GetEvaluation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetEvaluationRequest* req,
      kerjasosial::supervision::v1::Evaluation* resp);
  grpc::ServerUnaryReactor* ListEvaluations(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListEvaluationsRequest* req,
      kerjasosial::supervision::v1::ListEvaluationsResponse* resp);
  grpc::ServerUnaryReactor* UpdateEvaluation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdateEvaluationRequest* req,
      kerjasosial::supervision::v1::Evaluation* resp);
  grpc::ServerUnaryReactor* SubmitEvaluation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::SubmitEvaluationRequest* req,
      kerjasosial::supervision::v1::Evaluation* resp);
  grpc::ServerUnaryReactor* RecordSafetyIncident(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::RecordSafetyIncidentRequest* req,
      kerjasosial::supervision::v1::SafetyIncident* resp);
  grpc::ServerUnaryReactor* GetSafetyIncident(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetSafetyIncidentRequest* req,
      kerjasosial::supervision::v1::SafetyIncident* resp);
  grpc::ServerUnaryReactor* ListSafetyIncidents(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListSafetyIncidentsRequest* req,
      kerjasosial::supervision::v1::ListSafetyIncidentsResponse* resp);
  grpc::ServerUnaryReactor* CreateIntegrationClient(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreateIntegrationClientRequest* req,
      kerjasosial::supervision::v1::IntegrationClient* resp);
  grpc::ServerUnaryReactor* GetIntegrationClient(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetIntegrationClientRequest* req,
      kerjasosial::supervision::v1::IntegrationClient* resp);
  grpc::ServerUnaryReactor* ListIntegrationClients(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListIntegrationClientsRequest* req,
      kerjasosial::supervision::v1::ListIntegrationClientsResponse* resp);
  grpc::ServerUnaryReactor* UpdateIntegrationClient(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdateIntegrationClientRequest* req,
      kerjasosial::supervision::v1::IntegrationClient* resp);

 private:
  // A relation-facts reader of a loaded record.
  template <typename R>
  using FactsFn =
      std::function<auth::RelationFacts(const R&, const domain::Context&)>;
  // The domain step of a mutation of a loaded record.
  template <typename R>
  using ChangePlan = std::function<absl::StatusOr<rpc::Plan<R>>(
      const rpc::Call&, const domain::Context&, const R&)>;
  template <typename R>
  using CreatePlan = std::function<absl::StatusOr<rpc::Plan<R>>(
      const rpc::Call&, const domain::Context&)>;

  domain::Context ContextFor(const rpc::Call& call) const;
  // The subject a record names (a case through CaseFacts, or a client
  // loaded here), and the relation facts of a record about it. A malformed
  // name gives an inactive subject (the domain then reports the name).
  struct SubjectFacts {
    domain::Subject subject;
    auth::RelationFacts facts;
  };
  absl::StatusOr<SubjectFacts> SubjectOf(const std::string& case_name,
                                         const std::string& client,
                                         const domain::Context& ctx) const;
  // The relation facts of a stored record about `case_name` / `client`.
  auth::RelationFacts FactsOf(const std::string& case_name,
                              const std::string& client,
                              const domain::Context& ctx) const;
  auth::RelationFacts SiteFacts(const std::string& site) const;
  // Sets the attendance figures of a DRAFT evaluation being written.
  absl::Status FillAttendance(
      kerjasosial::supervision::v1::Evaluation& e) const;
  template <typename R>
  FactsFn<R> SubjectFactsFn() const;
  FactsFn<kerjasosial::supervision::v1::Evaluation> EvaluationFactsFn() const;

  // Get: Begin, load, relation; notes and seats as the reader may see them.
  template <typename R, typename Req>
  absl::StatusOr<R> Read(grpc::CallbackServerContext& ctx,
                         absl::string_view method, const Req& req,
                         const store::Table<R>& table,
                         const FactsFn<R>& facts) const;
  // List: Begin, filter, page token; scope and relation per record.
  template <typename R, typename Req>
  absl::StatusOr<std::pair<std::vector<R>, std::string>> List(
      grpc::CallbackServerContext& ctx, absl::string_view method,
      const Req& req, const store::Table<R>& table,
      const std::vector<std::string>& filter_fields,
      const FactsFn<R>& facts) const;
  // Create under `parent`; the plan checks any relation itself.
  template <typename R, typename Req>
  absl::StatusOr<R> Create(grpc::CallbackServerContext& ctx,
                           absl::string_view method, const Req& req,
                           absl::string_view resource_field, bool has_resource,
                           const CreatePlan<R>& plan) const;
  // A mutation of the record `name_field` names.
  template <typename R, typename Req>
  absl::StatusOr<R> Change(grpc::CallbackServerContext& ctx,
                           absl::string_view method, const Req& req,
                           absl::string_view name_field,
                           const store::Table<R>& table,
                           const FactsFn<R>& facts, const ChangePlan<R>& plan,
                           std::function<void(Validator&)> checks = {}) const;
  // A referral step, with its program and the seat it takes or frees.
  absl::StatusOr<kerjasosial::supervision::v1::Referral> StepReferral(
      grpc::CallbackServerContext& ctx, absl::string_view method,
      const google::protobuf::Message& req,
      const std::function<absl::StatusOr<domain::ReferralStep>(
          const kerjasosial::supervision::v1::Referral&, int64_t,
          const kerjasosial::supervision::v1::PartnerProgram&,
          absl::string_view, const domain::Context&)>& step) const;

  ProgramsOptions options_;
  store::ProgramsStore store_;
  rpc::Pipeline pipeline_;
};

}  // namespace ks::supervision::programs

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_PROGRAMS_HANDLERS_H_
