// The conduct rpcs of SupervisionService (issue #10): violations, the
// warning ladder and group sessions. Each is the shared pipeline
// (common/rpc) around the rules of domain/conduct.h and the records of
// store/conduct_store.h.
//
// Consistency. Every change of a case's violations or warnings commits, in
// its one outbox step, the record(s), the feed event(s) and the case's
// conduct guard conditional on its version; counts and ladder levels are
// computed from the case's records read under that version, so two racing
// changes of one case cannot both count from the same state (the loser is
// ABORTED and recomputed by WithRetry).
//
// Group sessions. Each accepted attendee's session goes through DoRecord —
// the very path of RecordWorkSession, its own ledger commit — with a
// request id derived from the group's request id and the attendee's case,
// and the group's own name derived from its request id. A retry after a
// crash mid-group therefore replays the attendees already committed (no
// double credit) and names the same group; the group record and its
// GroupSessionRecorded event are committed last under the group's request
// id, which the pipeline replays for every later retry.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/access.h"
#include "common/crypto/sha256.h"
#include "common/ids/id.h"
#include "common/regions/regions.h"
#include "common/rpc/page_token.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "google/rpc/error_details.pb.h"
#include "services/supervision/domain/conduct.h"
#include "services/supervision/handler_support.h"
#include "services/supervision/programs/domain/common.h"
#include "services/supervision/programs/domain/list_filter.h"
#include "services/supervision/supervision_service.h"

namespace ks::supervision {
namespace {

namespace sv1 = ::kerjasosial::supervision::v1;
namespace cv1 = ::kerjasosial::common::v1;
using ::ks::supervision::programs::domain::FieldFilter;
using ::ks::supervision::programs::domain::FromProto;
using ::ks::supervision::programs::domain::MakeEvent;
using ::ks::supervision::programs::domain::ToProto;

using support::ActorOf;
using support::kCasePattern;
using support::kParent;
using support::kPlacementPattern;
using support::kSitePattern;
constexpr char kViolationPattern[] =
    "regencies/{regency}/violations/{violation}";
constexpr char kWarningPattern[] = "regencies/{regency}/warnings/{warning}";
constexpr char kGroupPattern[] =
    "regencies/{regency}/groupSessions/{group_session}";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kMaxAttendees = 200;
// Hex digits of the digest in an attendee's derived request id: 160 bits,
// and "gs-" + 40 stays within the 64 characters a request id may have.
constexpr int kDerivedRequestIdDigits = 40;

store::TableKey KeyOf(const rpc::Call& call, absl::string_view id_var) {
  return store::TableKey{call.vars.at("regency"),
                         call.vars.at(std::string(id_var))};
}

absl::StatusOr<store::TableKey> KeyOfName(absl::string_view name,
                                          absl::string_view pattern,
                                          absl::string_view id_var) {
  KS_ASSIGN_OR_RETURN(auto vars, ParseResourceName(name, pattern));
  return store::TableKey{vars.at("regency"), vars.at(std::string(id_var))};
}

int64_t VersionOf(const google::protobuf::Message& m) {
  const auto* f = m.GetDescriptor()->FindFieldByName("etag");
  absl::StatusOr<int64_t> v =
      outbox::VersionFromEtag(m.GetReflection()->GetString(m, f));
  return v.ok() ? *v : 0;
}

// The request id of attendee `case_name` of the group recorded under
// `group_request_id`: the same on every retry of the group, distinct per
// attendee and from any client's id in practice.
std::string AttendeeRequestId(absl::string_view group_request_id,
                              absl::string_view case_name) {
  return absl::StrCat(
      "gs-", crypto::Sha256Hex(absl::StrCat(group_request_id, "\n", case_name))
                 .substr(0, kDerivedRequestIdDigits));
}

// `status` with the field paths of its BadRequest moved from
// RecordWorkSession's request ("work_session.x") to the attendee's place in the
// group
// ("group_session.attendances[i].x"), as the group's contract names them.
absl::Status AsAttendeeStatus(const absl::Status& status, int index) {
  const std::string type_url =
      absl::StrCat("type.googleapis.com/",
                   google::rpc::BadRequest::descriptor()->full_name());
  const auto payload = status.GetPayload(type_url);
  if (!payload) return status;
  google::rpc::BadRequest bad;
  if (!bad.ParseFromString(std::string(*payload))) return status;
  const std::string prefix =
      absl::StrCat("group_session.attendances[", index, "].");
  for (auto& v : *bad.mutable_field_violations()) {
    std::string field = v.field();
    if (absl::StartsWith(field, "work_session.")) {
      field = field.substr(std::string("work_session.").size());
    }
    v.set_field(absl::StrCat(prefix, field));
  }
  absl::Status out = status;
  out.SetPayload(type_url, absl::Cord(bad.SerializeAsString()));
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Shared.

auth::RelationFacts SupervisionService::CaseFacts(
    const std::string& case_name) {
  absl::StatusOr<std::map<std::string, std::string>> vars =
      ParseResourceName(case_name, kCasePattern);
  if (!vars.ok()) return {};
  absl::StatusOr<HoursLedger> ledger =
      hours_.GetLedger(vars->at("regency"), vars->at("case"));
  if (ledger.ok()) return FactsOf(*ledger);
  auth::RelationFacts facts;
  facts.case_regency = vars->at("regency");
  return facts;
}

absl::CivilDay SupervisionService::CaseToday(const std::string& case_name,
                                             absl::Time now) const {
  absl::StatusOr<absl::TimeZone> zone =
      regions::Regions::Get().TimeZone(auth::RegencyOf(case_name));
  return LocalDay(now, zone.ok() ? *zone : options_.policy.default_time_zone());
}

absl::Status SupervisionService::AddNewViolation(const rpc::Call& call,
                                                 const Violation& v,
                                                 outbox::Transaction& txn) {
  KS_ASSIGN_OR_RETURN(const int64_t guard,
                      conduct_.GuardVersion(v.case_name()));
  KS_ASSIGN_OR_RETURN(std::vector<Violation> of_case,
                      conduct_.ViolationsOf(v.case_name()));
  of_case.push_back(v);
  KS_ASSIGN_OR_RETURN(store::TableKey key,
                      KeyOfName(v.name(), kViolationPattern, "violation"));
  conduct_.violations().Put(txn, key, 0, v);
  store::ConductStore::IndexViolation(txn, v.case_name(), key);
  store::ConductStore::AddGuard(txn, v.case_name(), guard);
  sv1::ViolationRecorded ev;
  ev.set_case_name(v.case_name());
  ev.set_kind(v.kind());
  ev.set_enforceable(v.enforceable());
  ev.set_work_session(v.work_session());
  *ev.mutable_occur_time() = v.occur_time();
  ev.set_violations_count(domain::CountedViolations(of_case));
  ev.set_violation(v.name());
  txn.events.push_back(
      MakeEvent("violation", v.name(), 1, key.regency, ev, call.now));
  return absl::OkStatus();
}

namespace {

// One page of `table`'s records under the list request's parent, filtered
// by `fields` of the AIP-160 filter, the caller's regencies (for
// `regencies/-`) and, for a relation grant, `facts`. `as_read` turns a
// stored record into what is answered (e.g. a warning's expiry on read)
// before the filter sees it.
template <typename R, typename Req>
absl::StatusOr<std::pair<std::vector<R>, std::string>> ListConduct(
    const rpc::Pipeline& pipeline, grpc::CallbackServerContext& ctx,
    absl::string_view method, const Req& req, const store::Table<R>& table,
    const std::vector<std::string>& fields,
    const std::function<auth::RelationFacts(const R&)>& facts,
    const std::function<R(R)>& as_read) {
  int page_size = kDefaultPageSize;
  absl::StatusOr<FieldFilter> filter =
      FieldFilter::Parse(req.filter(), *R::descriptor(), fields);
  KS_ASSIGN_OR_RETURN(
      rpc::Call call,
      pipeline.Begin(ctx, method, req,
                     rpc::Envelope("parent", kParent, /*allow_wildcard=*/true,
                                   [&](Validator& v) {
                                     const int size = v.PageSize(
                                         "page_size", req.page_size(),
                                         kMaxPageSize);
                                     if (req.page_size() != 0) page_size = size;
                                   })));
  KS_RETURN_IF_ERROR(filter.status());
  const std::string regency = call.vars.at("regency");
  const auth::Principal& who = call.principal;
  const bool national = who.regencies.size() == 1 && who.regencies[0] == "*";
  const bool by_relation = call.access.needs_relation();
  const bool scope_check = regency == "-" && !national && !by_relation;
  std::function<bool(const R&)> predicate;
  if (!filter->empty() || scope_check || by_relation || as_read) {
    predicate = [&](const R& stored) {
      const R r = as_read ? as_read(stored) : stored;
      if (!filter->Matches(r)) return false;
      if (scope_check && !who.MayActIn(auth::RegencyOf(r.name()))) {
        return false;
      }
      return !by_relation ||
             auth::CheckRelations(who, call.access, facts(r)).ok();
    };
  }
  const std::string hash =
      rpc::QueryHash({table.collection(), req.parent(), req.filter()});
  KS_ASSIGN_OR_RETURN(std::string after,
                      rpc::DecodePageToken(req.page_token(), "cd", hash));
  KS_ASSIGN_OR_RETURN(auto page,
                      table.List(regency, after, page_size, predicate));
  if (as_read) {
    for (R& r : page.items) r = as_read(std::move(r));
  }
  std::string token;
  if (!page.next_after.empty()) {
    token = rpc::EncodePageToken("cd", hash, page.next_after);
  }
  return std::make_pair(std::move(page.items), std::move(token));
}

}  // namespace

// ---------------------------------------------------------------------------
// Violations.

absl::StatusOr<sv1::Violation> SupervisionService::DoRecordViolation(
    grpc::CallbackServerContext& ctx, const sv1::RecordViolationRequest& req) {
  const Violation& in = req.violation();
  rpc::MutationSteps<Violation> steps;
  steps.plan = [&](const rpc::Call& call,
                   const Violation*) -> absl::StatusOr<rpc::Plan<Violation>> {
    const std::string regency = call.vars.at("regency");
    if (auth::RegencyOf(in.case_name()) != regency) {
      return InvalidArgumentError(
          {{"violation.case_name", "must be a case of the parent regency"}});
    }
    KS_ASSIGN_OR_RETURN(auto case_vars,
                        ParseResourceName(in.case_name(), kCasePattern));
    absl::StatusOr<HoursLedger> ledger =
        hours_.GetLedger(regency, case_vars.at("case"));
    if (absl::IsNotFound(ledger.status()) ||
        (ledger.ok() && ledger->pk_principal_id().empty())) {
      return FailedPreconditionError("the case has no ACTIVE PK assignment",
                                     "ASSIGNMENT", in.case_name(),
                                     "NO_ACTIVE_ASSIGNMENT");
    }
    KS_RETURN_IF_ERROR(ledger.status());
    if (call.access.needs_relation()) {
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, FactsOf(*ledger)));
    }
    const absl::Duration skew =
        absl::Seconds(options_.policy.At(CaseToday(in.case_name(), call.now))
                          .operations()
                          .session_clock_skew_seconds());
    if (FromProto(in.occur_time()) > call.now + skew) {
      return InvalidArgumentError(
          {{"violation.occur_time", "must not be in the future"}});
    }
    Violation v;
    v.set_name(
        absl::StrCat("regencies/", regency, "/violations/", ids::NewId()));
    v.set_case_name(in.case_name());
    v.set_kind(in.kind());
    v.set_kind_code(in.kind_code());
    *v.mutable_occur_time() = in.occur_time();
    // Not from a session: enforceable only when the recorder says so.
    v.set_enforceable(in.has_enforceable() && in.enforceable());
    *v.mutable_recorded_by() = ActorOf(call);
    v.set_state(sv1::VIOLATION_STATE_OPEN);
    *v.mutable_create_time() = ToProto(call.now);
    *v.mutable_update_time() = ToProto(call.now);
    rpc::Plan<Violation> plan;
    KS_RETURN_IF_ERROR(AddNewViolation(call, v, plan.txn));
    plan.audit_resource = v.name();
    return plan;
  };
  rpc::Envelope envelope("parent", kParent, false, [&](Validator& v) {
    if (!v.Required("violation", req.has_violation())) return;
    v.ResourceName("violation.case_name", in.case_name(), kCasePattern);
    if (in.kind() == sv1::VIOLATION_KIND_UNSPECIFIED) {
      v.AddViolation("violation.kind", "is required");
    }
    if (in.kind() == sv1::VIOLATION_KIND_OTHER && in.kind_code().empty()) {
      v.AddViolation("violation.kind_code", "is required when kind is OTHER");
    }
    v.Required("violation.occur_time", in.has_occur_time());
    if (!in.work_session().empty()) {
      v.AddViolation("violation.work_session",
                     "is set by the service (RecordWorkSession records the "
                     "violation of an enforceable outcome)");
    }
  });
  return WithRetry<Violation>([&] {
    return pipeline_.Mutate(ctx, "RecordViolation", req, envelope, steps);
  });
}

grpc::ServerUnaryReactor* SupervisionService::RecordViolation(
    grpc::CallbackServerContext* ctx, const sv1::RecordViolationRequest* req,
    sv1::Violation* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoRecordViolation(*ctx, *req), resp); });
}

grpc::ServerUnaryReactor* SupervisionService::GetViolation(
    grpc::CallbackServerContext* ctx, const sv1::GetViolationRequest* req,
    sv1::Violation* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(*ctx, "GetViolation", *req,
                        rpc::Envelope("name", kViolationPattern)));
    KS_ASSIGN_OR_RETURN(Violation v,
                        conduct_.violations().Get(KeyOf(call, "violation")));
    if (call.access.needs_relation()) {
      KS_RETURN_IF_ERROR(auth::CheckRelations(call.principal, call.access,
                                              CaseFacts(v.case_name())));
    }
    *resp = std::move(v);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SupervisionService::ListViolations(
    grpc::CallbackServerContext* ctx, const sv1::ListViolationsRequest* req,
    sv1::ListViolationsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto page,
        ListConduct<Violation>(
            pipeline_, *ctx, "ListViolations", *req, conduct_.violations(),
            {"state", "kind", "case_name", "enforceable", "occur_time"},
            [this](const Violation& v) { return CaseFacts(v.case_name()); },
            nullptr));
    for (Violation& v : page.first) *resp->add_violations() = std::move(v);
    resp->set_next_page_token(page.second);
    return absl::OkStatus();
  });
}

template <typename Req>
absl::StatusOr<sv1::Violation> SupervisionService::DoMoveViolation(
    grpc::CallbackServerContext& ctx, absl::string_view method, const Req& req,
    std::function<void(Validator&)> checks) {
  rpc::MutationSteps<Violation> steps;
  steps.load = [this](const rpc::Call& call) {
    return conduct_.violations().Get(KeyOf(call, "violation"));
  };
  steps.facts = [this](const Violation& v) { return CaseFacts(v.case_name()); };
  steps.version = [](const Violation& v) { return VersionOf(v); };
  steps.plan =
      [&](const rpc::Call& call,
          const Violation* current) -> absl::StatusOr<rpc::Plan<Violation>> {
    sv1::ViolationState to;
    std::string resolution_code;
    if constexpr (std::is_same_v<Req, sv1::ResolveViolationRequest>) {
      KS_ASSIGN_OR_RETURN(
          to,
          domain::MoveViolation(
              *current, req.withdraw() ? domain::ViolationAction::kWithdraw
                                       : domain::ViolationAction::kResolve));
      resolution_code = req.resolution_code();
    } else {
      KS_ASSIGN_OR_RETURN(to, domain::ReferViolation(*current));
    }
    KS_ASSIGN_OR_RETURN(const int64_t guard,
                        conduct_.GuardVersion(current->case_name()));
    KS_ASSIGN_OR_RETURN(std::vector<Violation> of_case,
                        conduct_.ViolationsOf(current->case_name()));
    Violation after = *current;
    after.set_state(to);
    if (!resolution_code.empty()) after.set_resolution_code(resolution_code);
    *after.mutable_update_time() = ToProto(call.now);
    for (Violation& v : of_case) {
      if (v.name() == after.name()) v = after;
    }
    rpc::Plan<Violation> plan;
    const store::TableKey key = KeyOf(call, "violation");
    const int64_t version = VersionOf(*current);
    conduct_.violations().Put(plan.txn, key, version, after);
    store::ConductStore::AddGuard(plan.txn, after.case_name(), guard);
    sv1::ViolationStateChanged ev;
    ev.set_case_name(after.case_name());
    ev.set_state(to);
    ev.set_violations_count(domain::CountedViolations(of_case));
    ev.set_violation(after.name());
    plan.txn.events.push_back(MakeEvent("violation", after.name(), version + 1,
                                        key.regency, ev, call.now));
    return plan;
  };
  return WithRetry<Violation>([&] {
    return pipeline_.Mutate(
        ctx, method, req,
        rpc::Envelope("name", kViolationPattern, false, std::move(checks)),
        steps);
  });
}

grpc::ServerUnaryReactor* SupervisionService::ResolveViolation(
    grpc::CallbackServerContext* ctx, const sv1::ResolveViolationRequest* req,
    sv1::Violation* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(DoMoveViolation(*ctx, "ResolveViolation", *req,
                                       [req](Validator& v) {
                                         v.RequiredString(
                                             "resolution_code",
                                             req->resolution_code());
                                         v.RequiredString("etag", req->etag());
                                       }),
                       resp);
  });
}

grpc::ServerUnaryReactor* SupervisionService::ReferViolationToProsecutor(
    grpc::CallbackServerContext* ctx,
    const sv1::ReferViolationToProsecutorRequest* req, sv1::Violation* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(DoMoveViolation(*ctx, "ReferViolationToProsecutor", *req,
                                       [req](Validator& v) {
                                         v.RequiredString("etag", req->etag());
                                       }),
                       resp);
  });
}

// ---------------------------------------------------------------------------
// Warnings.

absl::StatusOr<sv1::Warning> SupervisionService::DoIssueWarning(
    grpc::CallbackServerContext& ctx, const sv1::IssueWarningRequest& req) {
  const Warning& in = req.warning();
  rpc::MutationSteps<Warning> steps;
  steps.plan = [&](const rpc::Call& call,
                   const Warning*) -> absl::StatusOr<rpc::Plan<Warning>> {
    const std::string regency = call.vars.at("regency");
    if (auth::RegencyOf(in.case_name()) != regency) {
      return InvalidArgumentError(
          {{"warning.case_name", "must be a case of the parent regency"}});
    }
    if (call.access.needs_relation()) {
      KS_RETURN_IF_ERROR(auth::CheckRelations(call.principal, call.access,
                                              CaseFacts(in.case_name())));
    }
    const absl::CivilDay today = CaseToday(in.case_name(), call.now);
    const cv1::WarningLadder& ladder = options_.policy.At(today).warnings();
    KS_ASSIGN_OR_RETURN(
        absl::CivilDay respond_by,
        CivilDayFromDate(in.respond_by_date(), "warning.respond_by_date"));
    KS_RETURN_IF_ERROR(domain::CheckRespondBy(today, respond_by, ladder,
                                              "warning.respond_by_date"));
    KS_ASSIGN_OR_RETURN(const int64_t guard,
                        conduct_.GuardVersion(in.case_name()));
    KS_ASSIGN_OR_RETURN(std::vector<Warning> earlier,
                        conduct_.WarningsOf(in.case_name()));
    KS_ASSIGN_OR_RETURN(const int level,
                        domain::NextWarningLevel(earlier, ladder));
    KS_ASSIGN_OR_RETURN(std::vector<Violation> of_case,
                        conduct_.ViolationsOf(in.case_name()));

    Warning w;
    const std::string id = ids::NewId();
    w.set_name(absl::StrCat("regencies/", regency, "/warnings/", id));
    w.set_case_name(in.case_name());
    w.set_level(level);
    *w.mutable_respond_by_date() = in.respond_by_date();
    *w.mutable_issue_time() = ToProto(call.now);
    *w.mutable_issued_by() = ActorOf(call);
    if (in.has_document()) *w.mutable_document() = in.document();
    w.set_state(sv1::WARNING_STATE_ISSUED);
    *w.mutable_create_time() = ToProto(call.now);
    *w.mutable_update_time() = ToProto(call.now);

    rpc::Plan<Warning> plan;
    std::vector<Violation*> answered;
    for (int i = 0; i < in.violations_size(); ++i) {
      auto it = std::find_if(
          of_case.begin(), of_case.end(),
          [&](const Violation& v) { return v.name() == in.violations(i); });
      if (it == of_case.end()) {
        return InvalidArgumentError(
            {{absl::StrCat("warning.violations[", i, "]"),
              "is not a violation of the warning's case"}});
      }
      answered.push_back(&*it);
    }
    std::vector<std::pair<Violation*, int64_t>> moved;  // with old version
    for (Violation* v : answered) {
      KS_ASSIGN_OR_RETURN(
          sv1::ViolationState to,
          domain::MoveViolation(*v, domain::ViolationAction::kWarn));
      const int64_t version = VersionOf(*v);
      if (to != v->state()) moved.emplace_back(v, version);
      v->set_state(to);
      v->add_warnings(w.name());
      *v->mutable_update_time() = ToProto(call.now);
      KS_ASSIGN_OR_RETURN(store::TableKey vkey,
                          KeyOfName(v->name(), kViolationPattern, "violation"));
      conduct_.violations().Put(plan.txn, vkey, version, *v);
      *w.add_violations() = v->name();
    }
    const int count = domain::CountedViolations(of_case);
    for (const auto& [v, version] : moved) {
      sv1::ViolationStateChanged ev;
      ev.set_case_name(v->case_name());
      ev.set_state(v->state());
      ev.set_violations_count(count);
      ev.set_violation(v->name());
      plan.txn.events.push_back(MakeEvent("violation", v->name(), version + 1,
                                          auth::RegencyOf(v->name()), ev,
                                          call.now));
    }
    const store::TableKey key{regency, id};
    store::ConductStore::IndexWarning(plan.txn, in.case_name(), key);
    store::ConductStore::AddGuard(plan.txn, in.case_name(), guard);
    sv1::WarningIssued issued;
    issued.set_case_name(in.case_name());
    issued.set_level(level);
    issued.set_violations_count(in.violations_size());
    plan.txn.events.push_back(
        MakeEvent("warning", w.name(), 1, regency, issued, call.now));
    // Last: Put sets the response.
    conduct_.warnings().Put(plan.txn, key, 0, w);
    plan.audit_resource = w.name();
    return plan;
  };
  rpc::Envelope envelope("parent", kParent, false, [&](Validator& v) {
    if (!v.Required("warning", req.has_warning())) return;
    v.ResourceName("warning.case_name", in.case_name(), kCasePattern);
    if (in.violations().empty()) {
      v.AddViolation("warning.violations", "must name at least one violation");
    }
    std::set<std::string> seen;
    for (int i = 0; i < in.violations_size(); ++i) {
      const std::string field = absl::StrCat("warning.violations[", i, "]");
      if (v.ResourceName(field, in.violations(i), kViolationPattern) &&
          !seen.insert(in.violations(i)).second) {
        v.AddViolation(field, "is named twice");
      }
    }
    v.Required("warning.respond_by_date", in.has_respond_by_date());
  });
  return WithRetry<Warning>([&] {
    return pipeline_.Mutate(ctx, "IssueWarning", req, envelope, steps);
  });
}

grpc::ServerUnaryReactor* SupervisionService::IssueWarning(
    grpc::CallbackServerContext* ctx, const sv1::IssueWarningRequest* req,
    sv1::Warning* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoIssueWarning(*ctx, *req), resp); });
}

grpc::ServerUnaryReactor* SupervisionService::GetWarning(
    grpc::CallbackServerContext* ctx, const sv1::GetWarningRequest* req,
    sv1::Warning* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(*ctx, "GetWarning", *req,
                        rpc::Envelope("name", kWarningPattern)));
    KS_ASSIGN_OR_RETURN(Warning w,
                        conduct_.warnings().Get(KeyOf(call, "warning")));
    if (call.access.needs_relation()) {
      KS_RETURN_IF_ERROR(auth::CheckRelations(call.principal, call.access,
                                              CaseFacts(w.case_name())));
    }
    const absl::CivilDay today = CaseToday(w.case_name(), call.now);
    *resp = domain::WarningAsOf(std::move(w), today);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SupervisionService::ListWarnings(
    grpc::CallbackServerContext* ctx, const sv1::ListWarningsRequest* req,
    sv1::ListWarningsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    const absl::Time now = pipeline_.clock().Now();
    KS_ASSIGN_OR_RETURN(
        auto page,
        ListConduct<Warning>(
            pipeline_, *ctx, "ListWarnings", *req, conduct_.warnings(),
            {"state", "case_name", "respond_by_date"},
            [this](const Warning& w) { return CaseFacts(w.case_name()); },
            [this, now](Warning w) {
              const absl::CivilDay today = CaseToday(w.case_name(), now);
              return domain::WarningAsOf(std::move(w), today);
            }));
    for (Warning& w : page.first) *resp->add_warnings() = std::move(w);
    resp->set_next_page_token(page.second);
    return absl::OkStatus();
  });
}

absl::StatusOr<sv1::Warning> SupervisionService::DoRespondWarning(
    grpc::CallbackServerContext& ctx,
    const sv1::RecordWarningResponseRequest& req) {
  rpc::MutationSteps<Warning> steps;
  steps.load = [this](const rpc::Call& call) {
    return conduct_.warnings().Get(KeyOf(call, "warning"));
  };
  steps.facts = [this](const Warning& w) { return CaseFacts(w.case_name()); };
  steps.version = [](const Warning& w) { return VersionOf(w); };
  steps.plan =
      [&](const rpc::Call& call,
          const Warning* current) -> absl::StatusOr<rpc::Plan<Warning>> {
    KS_RETURN_IF_ERROR(domain::CheckWarningResponse(
        *current, CaseToday(current->case_name(), call.now)));
    KS_ASSIGN_OR_RETURN(const int64_t guard,
                        conduct_.GuardVersion(current->case_name()));
    Warning after = *current;
    after.set_state(sv1::WARNING_STATE_RESPONDED);
    *after.mutable_response_time() = ToProto(call.now);
    after.set_response_accepted(req.response_accepted());
    *after.mutable_update_time() = ToProto(call.now);
    rpc::Plan<Warning> plan;
    const store::TableKey key = KeyOf(call, "warning");
    const int64_t version = VersionOf(*current);
    store::ConductStore::AddGuard(plan.txn, after.case_name(), guard);
    plan.txn.events.push_back(
        MakeEvent("warning", after.name(), version + 1, key.regency,
                  domain::WarningClosedOf(after), call.now));
    conduct_.warnings().Put(plan.txn, key, version, after);
    return plan;
  };
  return WithRetry<Warning>([&] {
    return pipeline_.Mutate(
        ctx, "RecordWarningResponse", req,
        rpc::Envelope(
            "name", kWarningPattern, false,
            [&](Validator& v) { v.RequiredString("etag", req.etag()); }),
        steps);
  });
}

grpc::ServerUnaryReactor* SupervisionService::RecordWarningResponse(
    grpc::CallbackServerContext* ctx,
    const sv1::RecordWarningResponseRequest* req, sv1::Warning* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoRespondWarning(*ctx, *req), resp); });
}

// ---------------------------------------------------------------------------
// The warning sweep.

absl::StatusOr<bool> SupervisionService::SweepWarning(const Warning& w,
                                                      absl::Time now) {
  std::optional<Warning> after =
      domain::ExpiredWarning(w, CaseToday(w.case_name(), now), ToProto(now));
  if (!after) return false;
  KS_ASSIGN_OR_RETURN(const store::TableKey key,
                      KeyOfName(w.name(), kWarningPattern, "warning"));
  // Expiry is a change of the case's warnings like a response: it bumps the
  // case's conduct guard, so a ladder level or count computed concurrently
  // from the warning as ISSUED is recomputed.
  KS_ASSIGN_OR_RETURN(const int64_t guard,
                      conduct_.GuardVersion(w.case_name()));
  const int64_t version = VersionOf(w);
  outbox::Transaction txn;
  store::ConductStore::AddGuard(txn, w.case_name(), guard);
  txn.events.push_back(MakeEvent("warning", w.name(), version + 1, key.regency,
                                 domain::WarningClosedOf(*after), now));
  // Conditional on the version read: of two sweeps (or a sweep and a
  // response) only one commits, so WarningClosed is emitted exactly once.
  conduct_.warnings().Put(txn, key, version, *after);
  txn.audit = SweepAudit("sweep:warning_expiry", w.name(), now);
  absl::Status st = runtime_.outbox().Commit(txn).status();
  // Another change of the warning or its case committed first: the next
  // sweep re-reads the warning (and finds it EXPIRED already if a racing
  // sweep committed it).
  if (absl::IsAborted(st) || store::ConductStore::IsGuardRace(st)) {
    return false;
  }
  KS_RETURN_IF_ERROR(st);
  return true;
}

absl::StatusOr<int> SupervisionService::SweepWarnings() {
  constexpr int kSweepPageSize = 200;
  const absl::Time now = options_.clock->Now();
  int expired = 0;
  std::string after;
  while (true) {
    KS_ASSIGN_OR_RETURN(auto page,
                        conduct_.warnings().List(
                            "-", after, kSweepPageSize, [](const Warning& w) {
                              return w.state() == sv1::WARNING_STATE_ISSUED;
                            }));
    for (const Warning& w : page.items) {
      KS_ASSIGN_OR_RETURN(const bool committed, SweepWarning(w, now));
      if (committed) ++expired;
    }
    if (page.next_after.empty()) break;
    after = page.next_after;
  }
  return expired;
}

// ---------------------------------------------------------------------------
// Group sessions.

absl::StatusOr<sv1::GroupSession> SupervisionService::DoRecordGroup(
    grpc::CallbackServerContext& ctx,
    const sv1::RecordGroupSessionRequest& req) {
  const GroupSession& in = req.group_session();
  rpc::MutationSteps<GroupSession> steps;
  steps.plan =
      [&](const rpc::Call& call,
          const GroupSession*) -> absl::StatusOr<rpc::Plan<GroupSession>> {
    const std::string regency = call.vars.at("regency");
    if (auth::RegencyOf(in.site()) != regency) {
      return InvalidArgumentError(
          {{"group_session.site", "must be a site of the parent regency"}});
    }
    absl::StatusOr<store::SiteView> site = read_model_.GetSite(in.site());
    if (absl::IsNotFound(site.status())) {
      return WithErrorInfo(
          absl::UnavailableError(
              "the site is not known to supervision yet (placements' feed); "
              "retry later"),
          "SITE_NOT_YET_KNOWN", {{"site", in.site()}});
    }
    KS_RETURN_IF_ERROR(site.status());
    if (call.access.needs_relation()) {
      auth::RelationFacts facts;
      facts.site_staff = site->staff_principal_ids;
      facts.placement_regency = regency;
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, facts));
    }
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(site->time_zone, &zone)) {
      return absl::InternalError("the site's zone is unknown");
    }
    // Named by the request: a retry after a crash mid-group names the same
    // group in the sessions it records as the first attempt did.
    const std::string id =
        ids::DerivedId(FromProto(in.start_time()), call.request_id);
    GroupSession g;
    g.set_name(absl::StrCat("regencies/", regency, "/groupSessions/", id));
    g.set_site(in.site());
    g.set_activity_type(in.activity_type());
    *g.mutable_start_time() = in.start_time();
    *g.mutable_end_time() = in.end_time();
    *g.mutable_attendances() = in.attendances();
    *g.mutable_recorded_by() = ActorOf(call);
    *g.mutable_create_time() = ToProto(call.now);

    for (int i = 0; i < in.attendances_size(); ++i) {
      const sv1::GroupAttendance& a = in.attendances(i);
      sv1::GroupAttendanceResult* result = g.add_results();
      result->set_case_name(a.case_name());
      sv1::RecordWorkSessionRequest one;
      one.set_parent(
          absl::StrCat("regencies/", auth::RegencyOf(a.case_name())));
      one.set_request_id(AttendeeRequestId(call.request_id, a.case_name()));
      WorkSession* ws = one.mutable_work_session();
      ws->set_case_name(a.case_name());
      ws->set_placement(a.placement());
      *ws->mutable_start_time() =
          a.has_start_time() ? a.start_time() : in.start_time();
      *ws->mutable_end_time() = a.has_end_time() ? a.end_time() : in.end_time();
      ws->set_outcome(a.outcome());
      if (a.has_enforceable()) ws->set_enforceable(a.enforceable());
      ws->set_reason_code(a.reason_code());
      ws->set_credit_partial(a.credit_partial());
      ws->set_activity_type(in.activity_type());

      absl::StatusOr<WorkSession> recorded;
      absl::StatusOr<store::PlacementView> placement =
          read_model_.GetPlacement(a.placement());
      if (placement.ok() && placement->facts.site() != in.site()) {
        recorded =
            InvalidArgumentError({{"work_session.placement",
                                   "is not a placement at the group's site"}});
      } else {
        recorded = DoRecord(ctx, one, g.name());
      }
      if (!recorded.ok()) {
        *result->mutable_refusal() =
            ToRpcStatus(AsAttendeeStatus(recorded.status(), i));
        continue;
      }
      result->set_work_session(recorded->name());
      result->set_credited_minutes(recorded->credited_minutes());
      result->set_excess_minutes(recorded->excess_minutes());
      result->set_violation(recorded->violation());
      g.add_work_sessions(recorded->name());
    }

    rpc::Plan<GroupSession> plan;
    sv1::GroupSessionRecorded ev;
    ev.set_group_session(g.name());
    ev.set_site(g.site());
    *ev.mutable_start_time() = g.start_time();
    *ev.mutable_end_time() = g.end_time();
    *ev.mutable_local_date() =
        DateFromCivilDay(LocalDay(FromProto(g.start_time()), zone));
    *ev.mutable_work_sessions() = g.work_sessions();
    plan.txn.events.push_back(
        MakeEvent("groupSession", g.name(), 1, regency, ev, call.now));
    conduct_.groups().Put(plan.txn, store::TableKey{regency, id}, 0, g);
    plan.audit_resource = g.name();
    return plan;
  };
  rpc::Envelope envelope("parent", kParent, false, [&](Validator& v) {
    if (!v.Required("group_session", req.has_group_session())) return;
    v.ResourceName("group_session.site", in.site(), kSitePattern);
    const bool has_start =
        v.Required("group_session.start_time", in.has_start_time());
    const bool has_end =
        v.Required("group_session.end_time", in.has_end_time());
    if (has_start && has_end &&
        FromProto(in.end_time()) <= FromProto(in.start_time())) {
      v.AddViolation("group_session.end_time", "must be after start_time");
    }
    if (in.attendances().empty() || in.attendances_size() > kMaxAttendees) {
      v.AddViolation(
          "group_session.attendances",
          absl::StrCat("must list 1 to ", kMaxAttendees, " attendees"));
    }
    std::set<std::string> cases;
    for (int i = 0; i < in.attendances_size(); ++i) {
      const sv1::GroupAttendance& a = in.attendances(i);
      const std::string at =
          absl::StrCat("group_session.attendances[", i, "].");
      if (v.ResourceName(at + "case_name", a.case_name(), kCasePattern) &&
          !cases.insert(a.case_name()).second) {
        v.AddViolation(at + "case_name", "is listed twice in the group");
      }
      v.ResourceName(at + "placement", a.placement(), kPlacementPattern);
      if (a.outcome() == sv1::ATTENDANCE_OUTCOME_UNSPECIFIED) {
        v.AddViolation(at + "outcome", "is required");
      }
    }
  });
  return pipeline_.Mutate(ctx, "RecordGroupSession", req, envelope, steps);
}

grpc::ServerUnaryReactor* SupervisionService::RecordGroupSession(
    grpc::CallbackServerContext* ctx, const sv1::RecordGroupSessionRequest* req,
    sv1::GroupSession* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoRecordGroup(*ctx, *req), resp); });
}

grpc::ServerUnaryReactor* SupervisionService::GetGroupSession(
    grpc::CallbackServerContext* ctx, const sv1::GetGroupSessionRequest* req,
    sv1::GroupSession* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(rpc::Call call,
                        pipeline_.Begin(*ctx, "GetGroupSession", *req,
                                        rpc::Envelope("name", kGroupPattern)));
    KS_ASSIGN_OR_RETURN(GroupSession g,
                        conduct_.groups().Get(KeyOf(call, "group_session")));
    if (call.access.needs_relation()) {
      auth::RelationFacts facts;
      absl::StatusOr<store::SiteView> site = read_model_.GetSite(g.site());
      if (site.ok()) facts.site_staff = site->staff_principal_ids;
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, facts));
    }
    *resp = std::move(g);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SupervisionService::ListGroupSessions(
    grpc::CallbackServerContext* ctx, const sv1::ListGroupSessionsRequest* req,
    sv1::ListGroupSessionsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(auto page,
                        ListConduct<GroupSession>(
                            pipeline_, *ctx, "ListGroupSessions", *req,
                            conduct_.groups(), {"site", "start_time"},
                            [this](const GroupSession& g) {
                              auth::RelationFacts facts;
                              absl::StatusOr<store::SiteView> site =
                                  read_model_.GetSite(g.site());
                              if (site.ok())
                                facts.site_staff = site->staff_principal_ids;
                              return facts;
                            },
                            nullptr));
    for (GroupSession& g : page.first) {
      // The list carries the results, not the attendances (the contract).
      g.clear_attendances();
      *resp->add_group_sessions() = std::move(g);
    }
    resp->set_next_page_token(page.second);
    return absl::OkStatus();
  });
}

}  // namespace ks::supervision
