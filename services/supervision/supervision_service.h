// The gRPC handlers of the supervision service
// (kerjasosial.supervision.v1.Supervision), run by a Bapas office: PK
// assignments and the hours (issue #10, part 1). Each handler is the shared
// request pipeline (common/rpc: authenticate, envelope, authorize from the
// rpc's access option, replay, load, etag, commit) plus supervision's own
// keys (store/) and rules (domain/).
//
// The hours. Every change of a case's credit (a session recorded or voided)
// recomputes the case's whole allocation from its live sessions
// (domain/credit.h: order-independent, capped per "Hari" by the policy's day
// rule, by the minutes owed and by the child rules) and commits the ledger,
// every session whose credit moved, the indexes and the feed events in ONE
// outbox step conditional on the ledger's version. Two concurrent changes of
// one case therefore cannot both credit the same window: the loser's commit
// is refused (ABORTED) and the handler recomputes and retries it. Completion
// is announced by the step that takes credit to the target, and withdrawn
// by the step that takes it back, each exactly once (the ledger's state is
// committed with the event).
//
// Recording works without cases and placements: RecordWorkSession reads the
// placement (period, zone, ACTIVE intervals, site staff) from the local read
// model (store/read_model.h) that feed::Consumer keeps from placements'
// feed. Only CreatePkAssignment calls cases (GetCaseForExecution, through
// `options.cases`), for the person summary and the sentence the ledger
// counts to; the summary is kept as this service's personal data and never
// put in a feed, a log or a metric.
//
// Part 2 (guidance, partner agreements and programs, referrals,
// evaluations, safety incidents, integration clients) comes from the base
// programs::WithPrograms, which forwards its rpcs to programs_
// (programs/programs_handlers.h), fed by this class's assignment records,
// work sessions and read model. Violations, warnings and group sessions are
// in conduct_handlers.cc; Litmas, the lists, the site roll,
// ReassignPk/EndPkAssignment, AdjustHoursLedger and the sweep in
// ledger_handlers.cc and litmas_handlers.cc.
//
// Thread-safe: handlers share only thread-safe members (the stores, the
// pipeline, the immutable policy, the peer).
#ifndef KS_SERVICES_SUPERVISION_SUPERVISION_SERVICE_H_
#define KS_SERVICES_SUPERVISION_SUPERVISION_SERVICE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/audit/audit.h"
#include "common/client/peer.h"
#include "common/policy/policy.h"
#include "common/rpc/executor.h"
#include "common/rpc/pipeline.h"
#include "common/server/runtime.h"
#include "common/time/clock.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"
#include "services/supervision/domain/hours.h"
#include "services/supervision/domain/planner.h"
#include "services/supervision/programs/programs_service.h"
#include "services/supervision/programs/store/table.h"
#include "services/supervision/store/conduct_store.h"
#include "services/supervision/store/hours_store.h"
#include "services/supervision/store/list_store.h"
#include "services/supervision/store/read_model.h"

namespace ks::supervision {

struct SupervisionServiceOptions {
  // The legal policy (every legal number comes from it).
  policy::PolicySet policy;
  // Not owned; must outlive the service.
  const Clock* clock = SystemClock();
  // Not owned. Null: handlers run on gRPC's callback threads.
  rpc::Executor* executor = nullptr;
  // Not owned. The cases deployment (GetCaseForExecution at assignment).
  // Null: CreatePkAssignment answers UNAVAILABLE.
  client::Peer* cases = nullptr;
};

// The programs part's rpcs come from WithPrograms (programs/), which
// forwards them to programs_.
class SupervisionService final
    : public programs::WithPrograms<
          kerjasosial::supervision::v1::Supervision::CallbackService> {
 public:
  SupervisionService(server::Runtime& runtime,
                     SupervisionServiceOptions options);
  // With the runtime's policy and the system clock (RunServiceMain).
  explicit SupervisionService(server::Runtime& runtime);
  SupervisionService(const SupervisionService&) = delete;
  SupervisionService& operator=(const SupervisionService&) = delete;

  // PK assignments.
  grpc::ServerUnaryReactor* CreatePkAssignment(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreatePkAssignmentRequest* req,
      kerjasosial::supervision::v1::PkAssignment* resp) override;
  grpc::ServerUnaryReactor* GetPkAssignment(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetPkAssignmentRequest* req,
      kerjasosial::supervision::v1::PkAssignment* resp) override;

  // ---- sup-ledger (ledger_handlers.cc, litmas_handlers.cc): assignment
  // lists and history, Litmas, session and ledger lists, adjustments, the
  // site roll, and the at-risk/overdue sweep. ----
  grpc::ServerUnaryReactor* ListPkAssignments(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListPkAssignmentsRequest* req,
      kerjasosial::supervision::v1::ListPkAssignmentsResponse* resp) override;
  grpc::ServerUnaryReactor* ReassignPk(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ReassignPkRequest* req,
      kerjasosial::supervision::v1::PkAssignment* resp) override;
  grpc::ServerUnaryReactor* EndPkAssignment(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::EndPkAssignmentRequest* req,
      kerjasosial::supervision::v1::PkAssignment* resp) override;
  grpc::ServerUnaryReactor* CreateLitmasReport(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::CreateLitmasReportRequest* req,
      kerjasosial::supervision::v1::LitmasReport* resp) override;
  grpc::ServerUnaryReactor* GetLitmasReport(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetLitmasReportRequest* req,
      kerjasosial::supervision::v1::LitmasReport* resp) override;
  grpc::ServerUnaryReactor* ListLitmasReports(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListLitmasReportsRequest* req,
      kerjasosial::supervision::v1::ListLitmasReportsResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateLitmasReport(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::UpdateLitmasReportRequest* req,
      kerjasosial::supervision::v1::LitmasReport* resp) override;
  grpc::ServerUnaryReactor* SubmitLitmasReport(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::SubmitLitmasReportRequest* req,
      kerjasosial::supervision::v1::LitmasReport* resp) override;
  grpc::ServerUnaryReactor* ListWorkSessions(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListWorkSessionsRequest* req,
      kerjasosial::supervision::v1::ListWorkSessionsResponse* resp) override;
  grpc::ServerUnaryReactor* ListHoursLedgers(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListHoursLedgersRequest* req,
      kerjasosial::supervision::v1::ListHoursLedgersResponse* resp) override;
  grpc::ServerUnaryReactor* AdjustHoursLedger(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::AdjustHoursLedgerRequest* req,
      kerjasosial::supervision::v1::HoursLedger* resp) override;
  grpc::ServerUnaryReactor* ListSiteRoll(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListSiteRollRequest* req,
      kerjasosial::supervision::v1::ListSiteRollResponse* resp) override;

  // The at-risk/overdue sweep (main.cc runs it with server::Periodic every
  // --risk_sweep_interval): recomputes both flags of every OPEN ledger at the
  // clock's now (time passing shrinks what can still be worked; a changed
  // schedule in the read model changes it too) and commits, through
  // UpdateRiskFlags, AtRiskChanged / LedgerOverdue only where a flag
  // changed — so a second sweep over unchanged facts writes nothing.
  // Returns how many ledgers changed. A ledger changed concurrently is left
  // to the next sweep.
  absl::StatusOr<int> SweepRisk();

  // The warning sweep (main.cc runs it with server::Periodic every
  // --warning_sweep_interval): commits every ISSUED warning whose
  // respond-by date has passed in its case's local zone as EXPIRED, with
  // its WarningClosed (state EXPIRED), in one outbox step conditional on
  // the warning's version — so a warning is expired and announced exactly
  // once however often or concurrently the sweep runs. Reads show EXPIRED
  // by the same rule (domain::EffectiveWarningState) before the sweep
  // commits it. Returns how many warnings it expired; one changed
  // concurrently is left to the next sweep.
  absl::StatusOr<int> SweepWarnings();

  // Work sessions and the ledger.
  grpc::ServerUnaryReactor* RecordWorkSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::RecordWorkSessionRequest* req,
      kerjasosial::supervision::v1::WorkSession* resp) override;
  grpc::ServerUnaryReactor* GetWorkSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetWorkSessionRequest* req,
      kerjasosial::supervision::v1::WorkSession* resp) override;
  grpc::ServerUnaryReactor* VoidWorkSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::VoidWorkSessionRequest* req,
      kerjasosial::supervision::v1::WorkSession* resp) override;
  grpc::ServerUnaryReactor* GetHoursLedger(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetHoursLedgerRequest* req,
      kerjasosial::supervision::v1::HoursLedger* resp) override;

  grpc::ServerUnaryReactor* PlanRemainingSessions(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::PlanRemainingSessionsRequest* req,
      kerjasosial::supervision::v1::PlanRemainingSessionsResponse* resp)
      override;

  // Violations (conduct_handlers.cc).
  grpc::ServerUnaryReactor* RecordViolation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::RecordViolationRequest* req,
      kerjasosial::supervision::v1::Violation* resp) override;
  grpc::ServerUnaryReactor* GetViolation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetViolationRequest* req,
      kerjasosial::supervision::v1::Violation* resp) override;
  grpc::ServerUnaryReactor* ListViolations(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListViolationsRequest* req,
      kerjasosial::supervision::v1::ListViolationsResponse* resp) override;
  grpc::ServerUnaryReactor* ResolveViolation(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ResolveViolationRequest* req,
      kerjasosial::supervision::v1::Violation* resp) override;
  grpc::ServerUnaryReactor* ReferViolationToProsecutor(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ReferViolationToProsecutorRequest*
          req,
      kerjasosial::supervision::v1::Violation* resp) override;

  // Warnings on the policy's ladder (conduct_handlers.cc).
  grpc::ServerUnaryReactor* IssueWarning(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::IssueWarningRequest* req,
      kerjasosial::supervision::v1::Warning* resp) override;
  grpc::ServerUnaryReactor* GetWarning(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetWarningRequest* req,
      kerjasosial::supervision::v1::Warning* resp) override;
  grpc::ServerUnaryReactor* ListWarnings(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListWarningsRequest* req,
      kerjasosial::supervision::v1::ListWarningsResponse* resp) override;
  grpc::ServerUnaryReactor* RecordWarningResponse(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::RecordWarningResponseRequest* req,
      kerjasosial::supervision::v1::Warning* resp) override;

  // Group sessions: one work session per attendee through the same path as
  // RecordWorkSession (conduct_handlers.cc).
  grpc::ServerUnaryReactor* RecordGroupSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::RecordGroupSessionRequest* req,
      kerjasosial::supervision::v1::GroupSession* resp) override;
  grpc::ServerUnaryReactor* GetGroupSession(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::GetGroupSessionRequest* req,
      kerjasosial::supervision::v1::GroupSession* resp) override;
  grpc::ServerUnaryReactor* ListGroupSessions(
      grpc::CallbackServerContext* ctx,
      const kerjasosial::supervision::v1::ListGroupSessionsRequest* req,
      kerjasosial::supervision::v1::ListGroupSessionsResponse* resp) override;

  // ---- Part 2 (programs/): guidance, partner agreements and programs,
  // referrals, evaluations, safety incidents, integration clients are
  // forwarded by WithPrograms to these handlers. ----
 protected:
  programs::ProgramsHandlers& programs() override { return programs_; }

 public:
  grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request) override {
    return runtime_.StreamEvents(context, request);
  }

  // The read model the feed consumers of main.cc feed (their handlers are
  // read_model().ApplyCasesEvent / ApplyPlacementsEvent).
  store::ReadModel& read_model() { return read_model_; }

 private:
  using WorkSession = kerjasosial::supervision::v1::WorkSession;
  using HoursLedger = kerjasosial::supervision::v1::HoursLedger;
  using PkAssignment = kerjasosial::supervision::v1::PkAssignment;

  absl::StatusOr<PkAssignment> DoCreateAssignment(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::CreatePkAssignmentRequest& req);
  // Records one work session (RecordWorkSession, and each attendee of
  // RecordGroupSession, named by `group_session`): the one credit path.
  absl::StatusOr<WorkSession> DoRecord(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::RecordWorkSessionRequest& req,
      const std::string& group_session = "");
  absl::Status DoPlan(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::PlanRemainingSessionsRequest& req,
      kerjasosial::supervision::v1::PlanRemainingSessionsResponse* resp);
  absl::StatusOr<WorkSession> DoVoid(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::VoidWorkSessionRequest& req);

  // The person summary and sentence of a case from cases; UNAVAILABLE when
  // cases cannot be reached (or no peer is configured).
  absl::StatusOr<kerjasosial::cases::v1::CaseForExecution> FetchCase(
      const std::string& case_name);

  // The plan of the minutes `ledger` still owes at its placement's schedule
  // from `from` (default: tomorrow in the site's zone, returned in
  // `zone_out` when not null). FAILED_PRECONDITION NO_PLACEMENT /
  // NO_DEADLINE; NOT_FOUND when the read model lacks the placement.
  absl::StatusOr<domain::Plan> PlanFor(const rpc::Call& call,
                                       const HoursLedger& ledger,
                                       const std::vector<WorkSession>& live,
                                       std::optional<absl::CivilDay> from,
                                       absl::TimeZone* zone_out);

  // Sets `after`'s at_risk (the plan from tomorrow at the placement's
  // schedule leaves a shortfall; DESIGN §7) and appends AtRiskChanged /
  // LedgerOverdue when the flag changed from `before` — only on change.
  absl::Status UpdateRiskFlags(
      const rpc::Call& call, const HoursLedger& before, HoursLedger& after,
      const std::vector<WorkSession>& live, absl::string_view regency,
      std::vector<kerjasosial::common::v1::Event>* events);

  // The context of a credit recomputation: the policy version, the child
  // working days, the decision's hours per day (from the case read model).
  domain::HoursContext ContextFor(
      const rpc::Call& call,
      const kerjasosial::common::v1::PolicyVersion& policy,
      const absl::StatusOr<store::CaseView>& case_view) const;

  // The relation facts of a case's resources: its ledger's PK and site.
  auth::RelationFacts FactsOf(const HoursLedger& ledger);

  // Retries `attempt` while it fails on a concurrent change of the same
  // ledger or conduct guard (ABORTED, or the guard's creation race): each
  // retry recomputes.
  template <typename R>
  absl::StatusOr<R> WithRetry(const std::function<absl::StatusOr<R>()>& f);

  // ---- Conduct (conduct_handlers.cc): violations, warnings, group
  // sessions. ----
  using Violation = kerjasosial::supervision::v1::Violation;
  using Warning = kerjasosial::supervision::v1::Warning;
  using GroupSession = kerjasosial::supervision::v1::GroupSession;

  absl::StatusOr<Violation> DoRecordViolation(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::RecordViolationRequest& req);
  // ResolveViolation (kResolve / kWithdraw) and ReferViolationToProsecutor
  // (kRefer), by the request's type: one violation moved by the transition
  // table (domain/conduct.h).
  template <typename Req>
  absl::StatusOr<Violation> DoMoveViolation(
      grpc::CallbackServerContext& ctx, absl::string_view method,
      const Req& req, std::function<void(Validator&)> checks);
  absl::StatusOr<Warning> DoIssueWarning(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::IssueWarningRequest& req);
  absl::StatusOr<Warning> DoRespondWarning(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::RecordWarningResponseRequest& req);
  absl::StatusOr<GroupSession> DoRecordGroup(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::RecordGroupSessionRequest& req);

  // Adds to `txn` a new violation of its case (record, indexes, the case's
  // conduct guard and ViolationRecorded with the count), in the step that
  // creates it: RecordViolation, or RecordWorkSession for the violation an
  // enforceable outcome makes.
  absl::Status AddNewViolation(const rpc::Call& call, const Violation& v,
                               outbox::Transaction& txn);
  // The relation facts of a case's conduct records: its ledger's
  // (FactsOf), or only the case's regency when the case has no ledger.
  auth::RelationFacts CaseFacts(const std::string& case_name);
  // The local day of `now` in the zone of `case_name`'s regency.
  absl::CivilDay CaseToday(const std::string& case_name, absl::Time now) const;

  store::ConductStore conduct_;
  server::Runtime& runtime_;
  const SupervisionServiceOptions options_;
  store::HoursStore hours_;
  store::ReadModel read_model_;
  rpc::Pipeline pipeline_;
  // Part 2's handlers, on part 1's assignment facts and read model.
  programs::ProgramsHandlers programs_;
  // sup-ledger: the regency lists, Litmas reports (programs' generic
  // table, keys "pg:lit:*"), and the helpers of ledger_handlers.cc /
  // litmas_handlers.cc.
  store::ListStore lists_;
  programs::store::Table<kerjasosial::supervision::v1::LitmasReport> litmas_;

  absl::StatusOr<PkAssignment> DoReassign(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::ReassignPkRequest& req);
  absl::StatusOr<PkAssignment> DoEndAssignment(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::EndPkAssignmentRequest& req);
  absl::StatusOr<HoursLedger> DoAdjust(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::AdjustHoursLedgerRequest& req);
  absl::Status DoListSiteRoll(
      grpc::CallbackServerContext& ctx,
      const kerjasosial::supervision::v1::ListSiteRollRequest& req,
      kerjasosial::supervision::v1::ListSiteRollResponse* resp);
  // The relation facts of an assignment (its PK, its case's regency).
  static auth::RelationFacts AssignmentFacts(const PkAssignment& a);
  // The relation facts of a Litmas: its PK, its case's regency.
  static auth::RelationFacts LitmasFacts(
      const kerjasosial::supervision::v1::LitmasReport& l);
  // FAILED_PRECONDITION unless a case of `c` may be assigned under the
  // Litmas requirement (domain/litmas.h), at `now`.
  absl::Status CheckLitmasRequirement(
      const kerjasosial::cases::v1::CaseForExecution& c, absl::Time now);
  // One warning's sweep step; true when it committed its expiry.
  absl::StatusOr<bool> SweepWarning(const Warning& w, absl::Time now);
  // The audit record of a sweep's commit (principal "supervision-sweep",
  // role SYSTEM).
  static audit::Record SweepAudit(absl::string_view method,
                                  const std::string& resource_name,
                                  absl::Time now);
  // One ledger's sweep step; true when it committed a change.
  absl::StatusOr<bool> SweepLedger(const HoursLedger& ledger, absl::Time now);
  // The case's RECORDED work sessions, oldest first.
  absl::StatusOr<std::vector<WorkSession>> LiveSessionsOf(
      const std::string& case_name);
  // The steps of a change of an ACTIVE assignment (ReassignPk,
  // EndPkAssignment): load it by name, compare its version, refuse it
  // unless ACTIVE (FAILED_PRECONDITION ASSIGNMENT_NOT_ACTIVE), then `plan`
  // with the assignment and its case's ledger.
  using AssignmentPlan = std::function<absl::StatusOr<rpc::Plan<PkAssignment>>(
      const rpc::Call&, const PkAssignment&, HoursLedger)>;
  rpc::MutationSteps<PkAssignment> ActiveAssignmentSteps(AssignmentPlan plan);
  // The load, relation facts and version steps of a change of a Litmas.
  rpc::MutationSteps<kerjasosial::supervision::v1::LitmasReport> LitmasSteps();
};

// In the header: conduct_handlers.cc retries its guarded commits too.
template <typename R>
absl::StatusOr<R> SupervisionService::WithRetry(
    const std::function<absl::StatusOr<R>()>& f) {
  constexpr int kMaxConcurrentRetries = 8;
  absl::StatusOr<R> out = f();
  for (int i = 0; i < kMaxConcurrentRetries &&
                  (absl::IsAborted(out.status()) ||
                   store::ConductStore::IsGuardRace(out.status()));
       ++i) {
    out = f();
  }
  return out;
}

}  // namespace ks::supervision

#endif  // KS_SERVICES_SUPERVISION_SUPERVISION_SERVICE_H_
