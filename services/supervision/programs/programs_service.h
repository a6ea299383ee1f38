// WithPrograms<Base>: the Supervision rpcs of the programs part (guidance,
// partner agreements and programs, referrals, evaluations, safety incidents,
// program-integrasi clients), forwarded to ProgramsHandlers. The supervision
// service class derives from WithPrograms<its base> and returns its
// handlers from programs(); every forwarder is written once, here.
//
// Thread-safe as ProgramsHandlers is.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_PROGRAMS_SERVICE_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_PROGRAMS_SERVICE_H_

#include <utility>

#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"
#include "services/supervision/programs/programs_handlers.h"

namespace ks::supervision::programs {

// `Base` is Supervision::CallbackService or a class derived from it (e.g.
// server::FeedService<...>); its constructor arguments pass through.
template <typename Base>
class WithPrograms : public Base {
 public:
  template <typename... Args>
  explicit WithPrograms(Args&&... args) : Base(std::forward<Args>(args)...) {}

  grpc::ServerUnaryReactor* CreateGuidanceSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreateGuidanceSessionRequest* req,
      kerjasosial::supervision::v1::GuidanceSession* resp) override {
    return programs().CreateGuidanceSession(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* GetGuidanceSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetGuidanceSessionRequest* req,
      kerjasosial::supervision::v1::GuidanceSession* resp) override {
    return programs().GetGuidanceSession(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* ListGuidanceSessions(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListGuidanceSessionsRequest* req,
      kerjasosial::supervision::v1::ListGuidanceSessionsResponse* resp)
      override {
    return programs().ListGuidanceSessions(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* UpdateGuidanceSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdateGuidanceSessionRequest* req,
      kerjasosial::supervision::v1::GuidanceSession* resp) override {
    return programs().UpdateGuidanceSession(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* CreatePartnerAgreement(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreatePartnerAgreementRequest* req,
      kerjasosial::supervision::v1::PartnerAgreement* resp) override {
    return programs().CreatePartnerAgreement(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* GetPartnerAgreement(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetPartnerAgreementRequest* req,
      kerjasosial::supervision::v1::PartnerAgreement* resp) override {
    return programs().GetPartnerAgreement(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* ListPartnerAgreements(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListPartnerAgreementsRequest* req,
      kerjasosial::supervision::v1::ListPartnerAgreementsResponse* resp)
      override {
    return programs().ListPartnerAgreements(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* UpdatePartnerAgreement(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdatePartnerAgreementRequest* req,
      kerjasosial::supervision::v1::PartnerAgreement* resp) override {
    return programs().UpdatePartnerAgreement(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* CreatePartnerProgram(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreatePartnerProgramRequest* req,
      kerjasosial::supervision::v1::PartnerProgram* resp) override {
    return programs().CreatePartnerProgram(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* GetPartnerProgram(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetPartnerProgramRequest* req,
      kerjasosial::supervision::v1::PartnerProgram* resp) override {
    return programs().GetPartnerProgram(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* ListPartnerPrograms(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListPartnerProgramsRequest* req,
      kerjasosial::supervision::v1::ListPartnerProgramsResponse* resp)
      override {
    return programs().ListPartnerPrograms(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* UpdatePartnerProgram(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdatePartnerProgramRequest* req,
      kerjasosial::supervision::v1::PartnerProgram* resp) override {
    return programs().UpdatePartnerProgram(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* ClosePartnerProgram(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ClosePartnerProgramRequest* req,
      kerjasosial::supervision::v1::PartnerProgram* resp) override {
    return programs().ClosePartnerProgram(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* CreateReferral(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreateReferralRequest* req,
      kerjasosial::supervision::v1::Referral* resp) override {
    return programs().CreateReferral(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* GetReferral(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetReferralRequest* req,
      kerjasosial::supervision::v1::Referral* resp) override {
    return programs().GetReferral(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* ListReferrals(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListReferralsRequest* req,
      kerjasosial::supervision::v1::ListReferralsResponse* resp) override {
    return programs().ListReferrals(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* AcceptReferral(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::AcceptReferralRequest* req,
      kerjasosial::supervision::v1::Referral* resp) override {
    return programs().AcceptReferral(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* RecordReferralAttendance(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::RecordReferralAttendanceRequest* req,
      kerjasosial::supervision::v1::Referral* resp) override {
    return programs().RecordReferralAttendance(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* CompleteReferral(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CompleteReferralRequest* req,
      kerjasosial::supervision::v1::Referral* resp) override {
    return programs().CompleteReferral(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* WithdrawReferral(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::WithdrawReferralRequest* req,
      kerjasosial::supervision::v1::Referral* resp) override {
    return programs().WithdrawReferral(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* CreateEvaluation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreateEvaluationRequest* req,
      kerjasosial::supervision::v1::Evaluation* resp) override {
    return programs().CreateEvaluation(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* GetEvaluation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetEvaluationRequest* req,
      kerjasosial::supervision::v1::Evaluation* resp) override {
    return programs().GetEvaluation(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* ListEvaluations(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListEvaluationsRequest* req,
      kerjasosial::supervision::v1::ListEvaluationsResponse* resp) override {
    return programs().ListEvaluations(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* UpdateEvaluation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdateEvaluationRequest* req,
      kerjasosial::supervision::v1::Evaluation* resp) override {
    return programs().UpdateEvaluation(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* SubmitEvaluation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::SubmitEvaluationRequest* req,
      kerjasosial::supervision::v1::Evaluation* resp) override {
    return programs().SubmitEvaluation(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* RecordSafetyIncident(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::RecordSafetyIncidentRequest* req,
      kerjasosial::supervision::v1::SafetyIncident* resp) override {
    return programs().RecordSafetyIncident(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* GetSafetyIncident(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetSafetyIncidentRequest* req,
      kerjasosial::supervision::v1::SafetyIncident* resp) override {
    return programs().GetSafetyIncident(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* ListSafetyIncidents(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListSafetyIncidentsRequest* req,
      kerjasosial::supervision::v1::ListSafetyIncidentsResponse* resp)
      override {
    return programs().ListSafetyIncidents(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* CreateIntegrationClient(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreateIntegrationClientRequest* req,
      kerjasosial::supervision::v1::IntegrationClient* resp) override {
    return programs().CreateIntegrationClient(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* GetIntegrationClient(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetIntegrationClientRequest* req,
      kerjasosial::supervision::v1::IntegrationClient* resp) override {
    return programs().GetIntegrationClient(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* ListIntegrationClients(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListIntegrationClientsRequest* req,
      kerjasosial::supervision::v1::ListIntegrationClientsResponse* resp)
      override {
    return programs().ListIntegrationClients(ctx, req, resp);
  }
  grpc::ServerUnaryReactor* UpdateIntegrationClient(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdateIntegrationClientRequest* req,
      kerjasosial::supervision::v1::IntegrationClient* resp) override {
    return programs().UpdateIntegrationClient(ctx, req, resp);
  }

 protected:
  // The handlers the rpcs above forward to; must outlive every call.
  virtual ProgramsHandlers& programs() = 0;
};

}  // namespace ks::supervision::programs

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_PROGRAMS_SERVICE_H_
