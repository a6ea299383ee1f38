// The gRPC handlers of the placements service
// (kerjasosial.placements.v1.Placements), run by the Pemda. Each handler is
// the shared request pipeline (common/rpc: authenticate, envelope, authorize
// from the rpc's access option, replay, load, etag, commit) plus what is the
// resource's own: its rules (domain/) and its keys (store/). A mutation
// commits its records, indexes, capacity reservations, audit entry and feed
// events in one atomic outbox step, idempotent by request id and
// conditional on the etag.
//
// Handlers are split per resource: agreement_handlers.cc,
// catalogue_handlers.cc (activity types and sites), placement_handlers.cc;
// the plumbing they share (Context, reads, lists) is in placements_service.cc.
//
// Capacity. A site's slots are held in the commit script
// (outbox::Reservation on "slots:site"), in the same step as the placement
// that holds them, for the states resources.proto names (ACCEPTED, PLANNED,
// ACTIVE, SUSPENDED); "slots:case" holds one open placement per case the
// same way. 50 concurrent requests for one free slot: one commits, the
// others are FAILED_PRECONDITION SITE_CAPACITY_EXHAUSTED, with no retry.
//
// The case check. Creating, proposing and reassigning call cases'
// GetCaseForExecution through `options.get_case` (client::Peer: deadline
// and circuit breaker). Its UNAVAILABLE is answered as is and nothing is
// written: the call happens in the domain step, before the commit. A retry
// of a committed request is replayed before it, so it never calls cases.
//
// Expiry. An agreement past its expiry date reads as EXPIRED everywhere
// (domain::EffectiveState); SweepExpiredAgreements() commits the state and
// its CooperationAgreementEnded event once per agreement (a second sweep
// finds it EXPIRED and writes nothing).
//
// SuggestSites ranks the regency's ACTIVE sites with a free slot for a case
// as cases answers it (domain/suggest.h); the home location of the request
// is used for the distance only, never stored or logged.
//
// Outreach events, joint evaluations (with the agreement's figures of the
// period frozen at creation) and monitoring visits are plain records on the
// pipeline, audited, without feed events (events.proto has none for them).
//
// Periodic reports (report_handlers.cc) are drafted from the agreement's
// sites and placements and from supervision's figures: the service follows
// supervision's feed (main.cc, common/feed Consumer) and
// ApplySupervisionEvent turns each event into counter increments per site,
// local month and activity type, applied in the same atomic step as the
// consumer's cursor (exactly once). A DRAFT's figures are recomputed on
// every read; SubmitPeriodicReport freezes them and emits
// PeriodicReportSubmitted. The CSV form is served over HTTP by main.cc
// (common/http: GetPeriodicReport over loopback with the caller's token).
//
// Snapshot mode of StreamEvents is served by store::PlacementsSnapshotSource
// (set on the Runtime by main.cc): every agreement, activity type, site and
// placement in its current state.
//
// Thread-safe: handlers share only thread-safe members (the store, the
// pipeline, the immutable policy; get_case must be thread-safe).
#ifndef KS_SERVICES_PLACEMENTS_PLACEMENTS_SERVICE_H_
#define KS_SERVICES_PLACEMENTS_PLACEMENTS_SERVICE_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/feed/consumer.h"
#include "common/policy/policy.h"
#include "common/rpc/executor.h"
#include "common/rpc/pipeline.h"
#include "common/server/runtime.h"
#include "common/time/clock.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/placements/v1/placements_service.grpc.pb.h"
#include "services/placements/domain/context.h"
#include "services/placements/domain/report.h"
#include "services/placements/domain/supervision_counts.h"
#include "services/placements/list_filter.h"
#include "services/placements/store/placements_store.h"

namespace ks::placements {

struct PlacementsServiceOptions {
  // Not owned; must outlive the service. The legal policy.
  const policy::PolicySet* policy = nullptr;
  // Not owned; must outlive the service.
  const Clock* clock = SystemClock();
  // Not owned. Null: handlers run on gRPC's callback threads.
  rpc::Executor* executor = nullptr;
  // The case as cases' GetCaseForExecution answers it, or its error
  // (UNAVAILABLE when cases cannot be reached). Thread-safe. Null: every
  // case check is UNAVAILABLE.
  std::function<absl::StatusOr<kerjasosial::cases::v1::CaseForExecution>(
      const std::string& case_name)>
      get_case;
};

class PlacementsService final
    : public server::FeedService<
          kerjasosial::placements::v1::Placements::CallbackService> {
 public:
  PlacementsService(server::Runtime& runtime, PlacementsServiceOptions options);
  PlacementsService(const PlacementsService&) = delete;
  PlacementsService& operator=(const PlacementsService&) = delete;

  // Commits EXPIRED (and its event) for every IN_FORCE agreement past its
  // expiry date. Returns how many it expired. Safe to run concurrently with
  // the handlers and with itself (each commit is conditional on the
  // version it read).
  absl::StatusOr<int> SweepExpiredAgreements();

  // The effect of one event of supervision's feed (feed::Handler): counter
  // increments of the session's or incident's site, local month and
  // activity type; nothing for events of sites and cases not here.
  // INVALID_ARGUMENT for a payload that does not parse (dead-lettered);
  // UNAVAILABLE when Redis cannot be read (retried).
  absl::StatusOr<feed::RedisOps> ApplySupervisionEvent(
      const kerjasosial::common::v1::Event& event);

#define KS_PLACEMENTS_RPC(Method, Req, Resp)       \
  grpc::ServerUnaryReactor* Method(                \
      grpc::CallbackServerContext* ctx,            \
      const kerjasosial::placements::v1::Req* req, \
      kerjasosial::placements::v1::Resp* resp) override;
#define KS_PLACEMENTS_RPCS(X)                                                  \
  X(CreateCooperationAgreement, CreateCooperationAgreementRequest,             \
    CooperationAgreement)                                                      \
  X(GetCooperationAgreement, GetCooperationAgreementRequest,                   \
    CooperationAgreement)                                                      \
  X(ListCooperationAgreements, ListCooperationAgreementsRequest,               \
    ListCooperationAgreementsResponse)                                         \
  X(UpdateCooperationAgreement, UpdateCooperationAgreementRequest,             \
    CooperationAgreement)                                                      \
  X(ActivateCooperationAgreement, ActivateCooperationAgreementRequest,         \
    CooperationAgreement)                                                      \
  X(RecordAgreementEvaluation, RecordAgreementEvaluationRequest,               \
    CooperationAgreement)                                                      \
  X(TerminateCooperationAgreement, TerminateCooperationAgreementRequest,       \
    CooperationAgreement)                                                      \
  X(RenewCooperationAgreement, RenewCooperationAgreementRequest,               \
    CooperationAgreement)                                                      \
  X(CreateActivityType, CreateActivityTypeRequest, ActivityType)               \
  X(GetActivityType, GetActivityTypeRequest, ActivityType)                     \
  X(ListActivityTypes, ListActivityTypesRequest, ListActivityTypesResponse)    \
  X(UpdateActivityType, UpdateActivityTypeRequest, ActivityType)               \
  X(RetireActivityType, RetireActivityTypeRequest, ActivityType)               \
  X(CreateSite, CreateSiteRequest, Site)                                       \
  X(GetSite, GetSiteRequest, Site)                                             \
  X(ListSites, ListSitesRequest, ListSitesResponse)                            \
  X(UpdateSite, UpdateSiteRequest, Site)                                       \
  X(SuspendSite, SuspendSiteRequest, Site)                                     \
  X(ReinstateSite, ReinstateSiteRequest, Site)                                 \
  X(CloseSite, CloseSiteRequest, Site)                                         \
  X(CreatePlacement, CreatePlacementRequest, Placement)                        \
  X(ProposePlacement, ProposePlacementRequest, Placement)                      \
  X(AcceptPlacementProposal, AcceptPlacementProposalRequest, Placement)        \
  X(DeclinePlacementProposal, DeclinePlacementProposalRequest, Placement)      \
  X(GetPlacement, GetPlacementRequest, Placement)                              \
  X(ListPlacements, ListPlacementsRequest, ListPlacementsResponse)             \
  X(UpdatePlacement, UpdatePlacementRequest, Placement)                        \
  X(StartPlacement, StartPlacementRequest, Placement)                          \
  X(SuspendPlacement, SuspendPlacementRequest, Placement)                      \
  X(EndPlacement, EndPlacementRequest, Placement)                              \
  X(CancelPlacement, CancelPlacementRequest, Placement)                        \
  X(ReassignPlacement, ReassignPlacementRequest, ReassignPlacementResponse)    \
  X(SuggestSites, SuggestSitesRequest, SuggestSitesResponse)                   \
  X(CreateOutreachEvent, CreateOutreachEventRequest, OutreachEvent)            \
  X(GetOutreachEvent, GetOutreachEventRequest, OutreachEvent)                  \
  X(ListOutreachEvents, ListOutreachEventsRequest, ListOutreachEventsResponse) \
  X(UpdateOutreachEvent, UpdateOutreachEventRequest, OutreachEvent)            \
  X(CreateJointEvaluation, CreateJointEvaluationRequest, JointEvaluation)      \
  X(GetJointEvaluation, GetJointEvaluationRequest, JointEvaluation)            \
  X(ListJointEvaluations, ListJointEvaluationsRequest,                         \
    ListJointEvaluationsResponse)                                              \
  X(UpdateJointEvaluation, UpdateJointEvaluationRequest, JointEvaluation)      \
  X(RecordMonitoringVisit, RecordMonitoringVisitRequest, MonitoringVisit)      \
  X(GetMonitoringVisit, GetMonitoringVisitRequest, MonitoringVisit)            \
  X(ListMonitoringVisits, ListMonitoringVisitsRequest,                         \
    ListMonitoringVisitsResponse)                                              \
  X(CreatePeriodicReport, CreatePeriodicReportRequest, PeriodicReport)         \
  X(GetPeriodicReport, GetPeriodicReportRequest, PeriodicReport)               \
  X(ListPeriodicReports, ListPeriodicReportsRequest,                           \
    ListPeriodicReportsResponse)                                               \
  X(UpdatePeriodicReport, UpdatePeriodicReportRequest, PeriodicReport)         \
  X(SubmitPeriodicReport, SubmitPeriodicReportRequest, PeriodicReport)
  KS_PLACEMENTS_RPCS(KS_PLACEMENTS_RPC)
#undef KS_PLACEMENTS_RPC

 private:
  using CaseView = kerjasosial::cases::v1::CaseForExecution;

  // The domain step of a mutation of one stored R: given the call, the
  // stored R and the context, it fills `batch` and returns the answer.
  template <typename R>
  using Step =
      std::function<absl::StatusOr<R>(const rpc::Call&, const R& current,
                                      const domain::Context&, store::Batch&)>;

  // Every mutation of an existing R named by the request's `field`.
  template <typename R>
  absl::StatusOr<R> MutateOne(grpc::CallbackServerContext& ctx,
                              absl::string_view method,
                              const google::protobuf::Message& request,
                              absl::string_view field,
                              absl::string_view pattern, absl::string_view what,
                              Step<R> step,
                              std::function<void(Validator&)> checks = {});
  // A create under `parent`: `step` gets the call and the new resource's
  // name prefix ("regencies/64.01/sites/").
  template <typename R>
  absl::StatusOr<R> CreateOne(
      grpc::CallbackServerContext& ctx, absl::string_view method,
      const google::protobuf::Message& request, absl::string_view pattern,
      std::function<absl::StatusOr<R>(const rpc::Call&, const domain::Context&,
                                      store::Batch&)>
          step,
      std::function<void(Validator&)> checks = {});
  // Begin + load + relation check of a read of one R.
  template <typename R>
  absl::StatusOr<R> ReadOne(grpc::CallbackServerContext& ctx,
                            absl::string_view method,
                            const google::protobuf::Message& request,
                            absl::string_view pattern, absl::string_view what);
  // One page of `collection` under the request's `parent`
  // (`regencies/{regency}` or `regencies/-`), filtered by the request's
  // AIP-160 filter (list_filter.h) over R's fields and `extra` ones, limited
  // to the caller's regencies and relations. `view` adjusts each record as
  // read (an agreement's expiry). Appends to `out`; sets the token.
  template <typename R, typename Req>
  absl::Status ListOf(grpc::CallbackServerContext& ctx,
                      absl::string_view method, const Req& req,
                      absl::string_view collection, std::vector<R>* out,
                      std::string* next_page_token, int32_t* total_size,
                      std::function<void(R&)> view = {},
                      const ExtraFields& extra = {},
                      absl::string_view pattern = "regencies/{regency}");

  // Catalogue helpers (catalogue_handlers.cc).
  absl::StatusOr<
      std::map<std::string, kerjasosial::placements::v1::ActivityType>>
  ActivitiesOf(const kerjasosial::placements::v1::Site& site);
  kerjasosial::placements::v1::Site WithCounters(
      kerjasosial::placements::v1::Site s);
  absl::StatusOr<std::vector<kerjasosial::placements::v1::Placement>>
  PlacementsAt(
      const std::string& site,
      const std::function<bool(const kerjasosial::placements::v1::Placement&)>&
          keep);

  // The agreement's figures and rows for `period`, supervision's counters
  // included (report_handlers.cc).
  absl::StatusOr<domain::AgreementReport> AgreementReportOf(
      const kerjasosial::placements::v1::CooperationAgreement& agreement,
      const kerjasosial::common::v1::DateRange& period);
  absl::StatusOr<kerjasosial::placements::v1::ReportFigures> AgreementFigures(
      const kerjasosial::placements::v1::CooperationAgreement& agreement,
      const kerjasosial::common::v1::DateRange& period);
  // The figures of `report`'s agreement and period now.
  absl::StatusOr<domain::AgreementReport> ReportFiguresOf(
      const kerjasosial::placements::v1::PeriodicReport& report);
  // ReadOne of a report, a DRAFT's figures recomputed.
  absl::StatusOr<kerjasosial::placements::v1::PeriodicReport> ReadReport(
      grpc::CallbackServerContext& ctx, absl::string_view method,
      const google::protobuf::Message& request);
  // HINCRBY effects of counter deltas.
  absl::StatusOr<feed::RedisOps> IncrementsOf(
      const std::vector<domain::CounterDelta>& deltas) const;
  // A violation or warning of `case_name` at `at`, on its placement then.
  absl::StatusOr<feed::RedisOps> IncidentOps(const std::string& case_name,
                                             absl::Time at,
                                             absl::string_view counter);

  // Placement helpers (placement_handlers.cc).
  // Adds `after` (the new state of `before`; null `before`: a new
  // placement) to `batch`: the record, its indexes, the slots it takes or
  // releases (site capacity `capacity`, one open placement per case), the
  // ACTIVE counter and its event. Sets after.etag.
  absl::Status PutPlacement(
      store::Batch& batch, const kerjasosial::placements::v1::Placement* before,
      kerjasosial::placements::v1::Placement& after, int64_t capacity,
      std::vector<std::string> changed_fields = {});
  // A new placement of `in` in `state` (Create, Propose, Reassign): the
  // lookups, the case check through cases, the domain rules, PutPlacement.
  absl::StatusOr<kerjasosial::placements::v1::Placement> PlanNew(
      const rpc::Call& call, const domain::Context& ctx,
      const kerjasosial::placements::v1::Placement& in, absl::string_view field,
      kerjasosial::placements::v1::PlacementState state, store::Batch& batch,
      const std::string& predecessor = "", const std::string& name = "");
  // A transition of one placement by `rule`, given its site.
  grpc::ServerUnaryReactor* Transition(
      grpc::CallbackServerContext* ctx, absl::string_view method,
      const google::protobuf::Message& req,
      kerjasosial::placements::v1::Placement* resp,
      std::function<absl::StatusOr<kerjasosial::placements::v1::Placement>(
          const kerjasosial::placements::v1::Placement&,
          const kerjasosial::placements::v1::Site&, const domain::Context&)>
          rule);
  // Tells the caller which placements a site's suspension or closure
  // changed (trailing metadata "ks-affected-placements", comma-separated
  // resource names); the feed carries one event per placement as well.
  static void ReportAffected(grpc::CallbackServerContext& ctx,
                             const std::vector<std::string>& names);

  domain::Context ContextFor(const rpc::Call& call) const;
  // The relation facts of a stored resource (site staff, handover office).
  auth::RelationFacts FactsOf(const google::protobuf::Message& resource);
  absl::StatusOr<CaseView> GetCase(const std::string& case_name) const;

  server::Runtime& runtime_;
  const PlacementsServiceOptions options_;
  store::PlacementsStore store_;
  rpc::Pipeline pipeline_;
};

}  // namespace ks::placements

#endif  // KS_SERVICES_PLACEMENTS_PLACEMENTS_SERVICE_H_
