#include "services/cases/cases_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/audit/audit.h"
#include "common/ids/id.h"
#include "common/log/log.h"
#include "common/outbox/outbox.h"
#include "common/regions/regions.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"

namespace ks::cases {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
using ::kerjasosial::common::v1::Event;

constexpr char kMethodPrefix[] = "/kerjasosial.cases.v1.Cases/";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kDefaultHistoryPageSize = 100;
constexpr int kMaxHistoryPageSize = 1000;

std::string Method(absl::string_view name) {
  return absl::StrCat(kMethodPrefix, name);
}

// Finishes a unary call with `status` (OK or the error, details attached).
grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* ctx,
                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

template <typename T>
grpc::ServerUnaryReactor* FinishWith(grpc::CallbackServerContext* ctx,
                                     absl::StatusOr<T> result, T* resp) {
  if (result.ok()) *resp = *std::move(result);
  return Finish(ctx, result.status());
}

kerjasosial::common::v1::Role ProtoRole(auth::Role role) {
  kerjasosial::common::v1::Role out = kerjasosial::common::v1::ROLE_UNSPECIFIED;
  kerjasosial::common::v1::Role_Parse(
      absl::StrCat("ROLE_", auth::RoleName(role)), &out);
  return out;
}

// Page tokens are opaque to clients: base64url("<kind>|<query hash>|<pos>").
// The hash binds a token to the query that made it, so a token replayed
// with another filter is INVALID_ARGUMENT instead of a wrong page.
std::string QueryHash(absl::string_view a, absl::string_view b,
                      absl::string_view c) {
  return audit::Sha256Hex(absl::StrCat(a, "\n", b, "\n", c)).substr(0, 16);
}

std::string EncodeToken(absl::string_view kind, absl::string_view hash,
                        absl::string_view position) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kind, "|", hash, "|", position));
}

absl::StatusOr<std::string> DecodeToken(absl::string_view token,
                                        absl::string_view kind,
                                        absl::string_view hash) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) {
    return InvalidArgumentError({{"page_token", "is not a token of this API"}});
  }
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits('|', 2));
  if (parts.size() != 3 || parts[0] != kind || parts[2].empty()) {
    return InvalidArgumentError({{"page_token", "is not a token of this API"}});
  }
  if (parts[1] != hash) {
    return InvalidArgumentError(
        {{"page_token", "was issued for another parent, filter or order"}});
  }
  return parts[2];
}

}  // namespace

CasesService::CasesService(server::Runtime& runtime,
                           CasesServiceOptions options)
    : runtime_(runtime),
      options_(std::move(options)),
      store_(runtime.redis(), runtime.outbox()) {}

const domain::PolicyVersion& CasesService::PolicyFor(const Case& c) const {
  absl::StatusOr<absl::CivilDay> day =
      CivilDayFromDate(c.decision().final_date(), "decision.final_date");
  if (day.ok()) return options_.policy.At(*day);
  return options_.policy.Current(*options_.clock);
}

domain::CommandContext CasesService::ContextFor(
    const auth::Principal& who, absl::string_view regency,
    const std::string& request_id) const {
  domain::CommandContext ctx;
  ctx.now = options_.clock->Now();
  absl::StatusOr<absl::TimeZone> zone =
      regions::Regions::Get().TimeZone(regency);
  ctx.zone = zone.ok() ? *zone : options_.policy.default_time_zone();
  ctx.actor.set_principal_id(who.id);
  ctx.actor.set_role(ProtoRole(who.role));
  ctx.actor.set_agency_code(who.agency);
  ctx.request_id = request_id;
  return ctx;
}

audit::Record CasesService::AuditFor(const grpc::CallbackServerContext& ctx,
                                     const auth::Principal& who,
                                     absl::string_view method,
                                     absl::string_view resource,
                                     const std::string& request_id) const {
  audit::Record record;
  record.principal_id = who.id;
  record.role = std::string(auth::RoleName(who.role));
  record.agency = who.agency;
  record.method = std::string(method);
  record.resource_name = std::string(resource);
  record.time = options_.clock->Now();
  record.peer = ctx.peer();
  record.request_id = request_id;
  return record;
}

bool CasesService::Serves(absl::string_view regency) const {
  return options_.served_regencies.empty() ||
         std::find(options_.served_regencies.begin(),
                   options_.served_regencies.end(),
                   regency) != options_.served_regencies.end();
}

absl::Status CasesService::CheckPkOffice(const auth::Principal& who,
                                         const Case& c) {
  if (who.role != auth::Role::PK_BAPAS) return absl::OkStatus();
  if (!c.has_handover() || c.handover().bapas_office_code() != who.agency) {
    return WithErrorInfo(
        absl::PermissionDeniedError(absl::StrCat(
            "principal ", who.id, " (PK_BAPAS of ", who.agency,
            ") may read only cases handed over to its Bapas office")),
        "BAPAS_OFFICE_REQUIRED",
        {{"principal", who.id}, {"agency", who.agency}});
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Mutations.

absl::StatusOr<CasesService::Case> CasesService::Mutate(
    grpc::CallbackServerContext& ctx, absl::string_view method_name,
    const google::protobuf::Message& request, absl::string_view name_field,
    const std::string& name, const std::string& etag,
    const std::string& request_id, Apply apply,
    std::function<void(Validator&)> validate) {
  const std::string method = Method(method_name);
  KS_ASSIGN_OR_RETURN(auth::Principal who, runtime_.auth().Authenticate(ctx));
  Validator v;
  std::map<std::string, std::string> vars;
  v.ResourceName(name_field, name, "regencies/{regency}/cases/{case}", &vars);
  if (v.RequiredString("etag", etag)) {
    if (!outbox::VersionFromEtag(etag).ok()) {
      v.AddViolation("etag", "is not an etag returned by this API");
    }
  }
  v.RequestId("request_id", request_id);
  if (validate) validate(v);
  KS_RETURN_IF_ERROR(v.Finish());
  const store::CaseName case_name{vars["regency"], vars["case"]};
  KS_RETURN_IF_ERROR(
      auth::Require(who, {auth::Role::JAKSA}, case_name.regency));

  const std::string fingerprint = outbox::Fingerprint(request);
  KS_ASSIGN_OR_RETURN(std::optional<Case> replay,
                      store_.LookupRequest(request_id, fingerprint));
  if (replay) return *replay;

  KS_ASSIGN_OR_RETURN(Case current, store_.Get(case_name));
  const int64_t expected = *outbox::VersionFromEtag(etag);
  if (expected != current.version()) {
    return WithErrorInfo(absl::AbortedError(absl::StrCat(
                             "stale etag: ", name, " is at ", current.etag(),
                             ", request has ", etag)),
                         "STALE_ETAG", {{"current_etag", current.etag()}});
  }
  const domain::CommandContext context =
      ContextFor(who, case_name.regency, request_id);
  KS_ASSIGN_OR_RETURN(domain::Transition t, apply(current, context));

  store::Change change;
  store::CaseWrite write;
  write.before = current;
  write.after = std::move(t.after);
  write.expected_version = expected;
  write.history.push_back(std::move(t.history));
  write.events = std::move(t.events);
  change.cases.push_back(std::move(write));
  change.request_id = request_id;
  change.fingerprint = fingerprint;
  change.audit = AuditFor(ctx, who, method, name, request_id);
  KS_ASSIGN_OR_RETURN(store::Committed committed,
                      store_.Commit(std::move(change)));
  return committed.cases.front();
}

absl::StatusOr<CasesService::Case> CasesService::DoCreate(
    grpc::CallbackServerContext& ctx, const v1::CreateCaseRequest& req) {
  KS_ASSIGN_OR_RETURN(auth::Principal who, runtime_.auth().Authenticate(ctx));
  Validator v;
  std::map<std::string, std::string> vars;
  v.ResourceName("parent", req.parent(), "regencies/{regency}", &vars);
  v.RequestId("request_id", req.request_id());
  v.Required("case_data", req.has_case_data());
  KS_RETURN_IF_ERROR(v.Finish());
  const std::string regency = vars["regency"];
  KS_RETURN_IF_ERROR(auth::Require(who, {auth::Role::JAKSA}, regency));

  const std::string fingerprint = outbox::Fingerprint(req);
  if (!req.validate_only()) {
    KS_ASSIGN_OR_RETURN(std::optional<Case> replay,
                        store_.LookupRequest(req.request_id(), fingerprint));
    if (replay) return *replay;
  }

  const store::CaseName name{regency, ids::NewId()};
  const Case& input = req.case_data();
  const domain::PolicyVersion& policy = PolicyFor(input);
  std::vector<std::string> warnings;
  KS_ASSIGN_OR_RETURN(
      domain::Transition t,
      domain::RegisterCase(input, name.Name(), regency, policy,
                           ContextFor(who, regency, req.request_id()),
                           &warnings));
  // Early, readable answer; the commit's claim on the decision key is the
  // atomic guard against a concurrent duplicate.
  absl::StatusOr<std::string> holder = store_.FindDecision(
      input.decision().court_name(), input.decision().decision_number());
  if (holder.ok()) {
    return WithErrorInfo(
        absl::AlreadyExistsError(absl::StrCat(
            "a case with this court and decision number exists: ", *holder)),
        "DECISION_ALREADY_REGISTERED", {{"case", *holder}});
  }
  if (!absl::IsNotFound(holder.status())) return holder.status();
  if (req.validate_only()) return t.after;

  store::Change change;
  store::CaseWrite write;
  write.after = std::move(t.after);
  write.claim_decision = true;
  write.history.push_back(std::move(t.history));
  write.events = std::move(t.events);
  change.cases.push_back(std::move(write));
  change.request_id = req.request_id();
  change.fingerprint = fingerprint;
  change.audit =
      AuditFor(ctx, who, Method("CreateCase"), name.Name(), req.request_id());
  KS_ASSIGN_OR_RETURN(store::Committed committed,
                      store_.Commit(std::move(change)));
  if (!committed.replayed) {
    log::Info("case_registered",
              {{"case", committed.cases.front().name()},
               {"principal", who.id},
               {"warnings", static_cast<int64_t>(warnings.size())}});
  }
  return committed.cases.front();
}

grpc::ServerUnaryReactor* CasesService::CreateCase(
    grpc::CallbackServerContext* ctx, const v1::CreateCaseRequest* req,
    v1::Case* resp) {
  return FinishWith(ctx, DoCreate(*ctx, *req), resp);
}

grpc::ServerUnaryReactor* CasesService::UpdateCase(
    grpc::CallbackServerContext* ctx, const v1::UpdateCaseRequest* req,
    v1::Case* resp) {
  return FinishWith(
      ctx,
      Mutate(
          *ctx, "UpdateCase", *req, "case_data.name", req->case_data().name(),
          req->etag(), req->request_id(),
          [&](const Case& c, const domain::CommandContext& context) {
            return domain::UpdateCase(c, *req, PolicyFor(c), context, nullptr);
          },
          [&](Validator& v) {
            v.Required("update_mask", req->has_update_mask() &&
                                          req->update_mask().paths_size() > 0);
          }),
      resp);
}

grpc::ServerUnaryReactor* CasesService::IssueExecutionOrder(
    grpc::CallbackServerContext* ctx, const v1::IssueExecutionOrderRequest* req,
    v1::Case* resp) {
  return FinishWith(
      ctx,
      Mutate(
          *ctx, "IssueExecutionOrder", *req, "name", req->name(), req->etag(),
          req->request_id(),
          [&](const Case& c, const domain::CommandContext& context) {
            return domain::IssueExecutionOrder(c, *req, PolicyFor(c), context);
          },
          [&](Validator& v) {
            v.Required("execution_order", req->has_execution_order());
          }),
      resp);
}

grpc::ServerUnaryReactor* CasesService::HandOverToBapas(
    grpc::CallbackServerContext* ctx, const v1::HandOverToBapasRequest* req,
    v1::Case* resp) {
  return FinishWith(
      ctx,
      Mutate(
          *ctx, "HandOverToBapas", *req, "name", req->name(), req->etag(),
          req->request_id(),
          [&](const Case& c, const domain::CommandContext& context) {
            return domain::HandOverToBapas(c, *req, context);
          },
          [&](Validator& v) { v.Required("handover", req->has_handover()); }),
      resp);
}

grpc::ServerUnaryReactor* CasesService::RecordFinePayment(
    grpc::CallbackServerContext* ctx, const v1::RecordFinePaymentRequest* req,
    v1::Case* resp) {
  return FinishWith(
      ctx,
      Mutate(
          *ctx, "RecordFinePayment", *req, "name", req->name(), req->etag(),
          req->request_id(),
          [&](const Case& c, const domain::CommandContext& context) {
            return domain::RecordFinePayment(c, *req, PolicyFor(c), context);
          },
          [&](Validator& v) { v.Required("payment", req->has_payment()); }),
      resp);
}

grpc::ServerUnaryReactor* CasesService::ConfirmCompletion(
    grpc::CallbackServerContext* ctx, const v1::ConfirmCompletionRequest* req,
    v1::Case* resp) {
  return FinishWith(
      ctx,
      Mutate(*ctx, "ConfirmCompletion", *req, "name", req->name(), req->etag(),
             req->request_id(),
             [&](const Case& c, const domain::CommandContext& context) {
               return domain::ConfirmCompletion(c, *req, context);
             }),
      resp);
}

grpc::ServerUnaryReactor* CasesService::RecordBreach(
    grpc::CallbackServerContext* ctx, const v1::RecordBreachRequest* req,
    v1::Case* resp) {
  return FinishWith(
      ctx,
      Mutate(*ctx, "RecordBreach", *req, "name", req->name(), req->etag(),
             req->request_id(),
             [&](const Case& c, const domain::CommandContext& context) {
               return domain::RecordBreach(c, *req, context);
             }),
      resp);
}

grpc::ServerUnaryReactor* CasesService::DecideBreachOutcome(
    grpc::CallbackServerContext* ctx, const v1::DecideBreachOutcomeRequest* req,
    v1::Case* resp) {
  return FinishWith(
      ctx,
      Mutate(
          *ctx, "DecideBreachOutcome", *req, "name", req->name(), req->etag(),
          req->request_id(),
          [&](const Case& c, const domain::CommandContext& context) {
            return domain::DecideBreachOutcome(c, *req, PolicyFor(c), context);
          },
          [&](Validator& v) { v.Required("outcome", req->has_outcome()); }),
      resp);
}

grpc::ServerUnaryReactor* CasesService::CancelCase(
    grpc::CallbackServerContext* ctx, const v1::CancelCaseRequest* req,
    v1::Case* resp) {
  return FinishWith(
      ctx,
      Mutate(
          *ctx, "CancelCase", *req, "name", req->name(), req->etag(),
          req->request_id(),
          [&](const Case& c, const domain::CommandContext& context) {
            return domain::CancelCase(c, *req, context);
          },
          [&](Validator& v) {
            v.Required("cancellation", req->has_cancellation());
          }),
      resp);
}

absl::StatusOr<CasesService::Case> CasesService::DoTransfer(
    grpc::CallbackServerContext& ctx, const v1::TransferCaseRequest& req) {
  const std::string method = Method("TransferCase");
  KS_ASSIGN_OR_RETURN(auth::Principal who, runtime_.auth().Authenticate(ctx));
  Validator v;
  std::map<std::string, std::string> vars;
  v.ResourceName("name", req.name(), "regencies/{regency}/cases/{case}", &vars);
  if (v.RequiredString("etag", req.etag()) &&
      !outbox::VersionFromEtag(req.etag()).ok()) {
    v.AddViolation("etag", "is not an etag returned by this API");
  }
  v.RequestId("request_id", req.request_id());
  v.Required("transfer", req.has_transfer());
  KS_RETURN_IF_ERROR(v.Finish());
  const store::CaseName source_name{vars["regency"], vars["case"]};
  KS_RETURN_IF_ERROR(
      auth::Require(who, {auth::Role::JAKSA}, source_name.regency));
  const std::string fingerprint = outbox::Fingerprint(req);
  KS_ASSIGN_OR_RETURN(std::optional<Case> replay,
                      store_.LookupRequest(req.request_id(), fingerprint));
  if (replay) return *replay;

  KS_ASSIGN_OR_RETURN(Case current, store_.Get(source_name));
  const int64_t expected = *outbox::VersionFromEtag(req.etag());
  if (expected != current.version()) {
    return WithErrorInfo(absl::AbortedError(absl::StrCat(
                             "stale etag: ", req.name(), " is at ",
                             current.etag(), ", request has ", req.etag())),
                         "STALE_ETAG", {{"current_etag", current.etag()}});
  }
  const domain::CommandContext context =
      ContextFor(who, source_name.regency, req.request_id());
  const std::string destination = req.transfer().destination_regency_code();
  const bool local = regions::Regions::Get().IsValidRegencyCode(destination) &&
                     destination != source_name.regency && Serves(destination);
  const store::CaseName dest_name{destination, ids::NewId()};
  KS_ASSIGN_OR_RETURN(
      domain::Transition out,
      domain::TransferCase(current, req, local ? dest_name.Name() : "",
                           context));

  store::Change change;
  store::CaseWrite write;
  write.before = current;
  write.after = std::move(out.after);
  write.expected_version = expected;
  write.history.push_back(std::move(out.history));
  write.events = std::move(out.events);
  change.cases.push_back(std::move(write));
  if (local) {
    // The receiving case is created in the same atomic step: the case is
    // never in neither regency, nor in both.
    KS_ASSIGN_OR_RETURN(
        domain::Transition in,
        domain::ReceiveTransferredCase(change.cases.front().after,
                                       dest_name.Name(), destination, context));
    store::CaseWrite received;
    received.after = std::move(in.after);
    received.history.push_back(std::move(in.history));
    received.events = std::move(in.events);
    change.cases.push_back(std::move(received));
  }
  change.request_id = req.request_id();
  change.fingerprint = fingerprint;
  change.audit = AuditFor(ctx, who, method, req.name(), req.request_id());
  KS_ASSIGN_OR_RETURN(store::Committed committed,
                      store_.Commit(std::move(change)));
  return committed.cases.front();
}

grpc::ServerUnaryReactor* CasesService::TransferCase(
    grpc::CallbackServerContext* ctx, const v1::TransferCaseRequest* req,
    v1::Case* resp) {
  return FinishWith(ctx, DoTransfer(*ctx, *req), resp);
}

// ---------------------------------------------------------------------------
// Reads.

absl::StatusOr<CasesService::Case> CasesService::DoGet(
    grpc::CallbackServerContext& ctx, const v1::GetCaseRequest& req) {
  KS_ASSIGN_OR_RETURN(auth::Principal who, runtime_.auth().Authenticate(ctx));
  KS_ASSIGN_OR_RETURN(store::CaseName name, store::ParseCaseName(req.name()));
  KS_RETURN_IF_ERROR(auth::Require(
      who, {auth::Role::JAKSA, auth::Role::PK_BAPAS}, name.regency));
  KS_ASSIGN_OR_RETURN(Case c, store_.Get(name));
  KS_RETURN_IF_ERROR(CheckPkOffice(who, c));
  return domain::MaskForRole(std::move(c), who.role);
}

grpc::ServerUnaryReactor* CasesService::GetCase(
    grpc::CallbackServerContext* ctx, const v1::GetCaseRequest* req,
    v1::Case* resp) {
  return FinishWith(ctx, DoGet(*ctx, *req), resp);
}

absl::Status CasesService::DoList(grpc::CallbackServerContext& ctx,
                                  const v1::ListCasesRequest& req,
                                  v1::ListCasesResponse* resp) {
  KS_ASSIGN_OR_RETURN(auth::Principal who, runtime_.auth().Authenticate(ctx));
  Validator v;
  std::map<std::string, std::string> vars;
  v.ResourceName("parent", req.parent(), "regencies/{regency}", &vars,
                 /*allow_wildcard=*/true);
  int page_size = v.PageSize("page_size", req.page_size(), kMaxPageSize);
  if (req.page_size() == 0) page_size = kDefaultPageSize;
  std::string order = std::string(absl::StripAsciiWhitespace(req.order_by()));
  bool descending = false;
  if (absl::EndsWith(order, " desc")) {
    descending = true;
    order = std::string(
        absl::StripAsciiWhitespace(order.substr(0, order.size() - 5)));
  }
  if (!order.empty() && order != "create_time" &&
      order != "progress.deadline_time") {
    v.AddViolation("order_by",
                   "must be create_time or progress.deadline_time, "
                   "optionally followed by \" desc\"");
  }
  absl::StatusOr<domain::ListFilter> filter =
      domain::ListFilter::Parse(req.filter());
  KS_RETURN_IF_ERROR(v.Finish());
  KS_RETURN_IF_ERROR(filter.status());
  std::string regency = vars["regency"] == "-" ? "" : vars["regency"];
  if (regency.empty() && filter->RegencyEquals()) {
    regency = *filter->RegencyEquals();
  }
  const std::initializer_list<auth::Role> readers = {
      auth::Role::JAKSA, auth::Role::PK_BAPAS, auth::Role::NATIONAL_VIEWER};
  KS_RETURN_IF_ERROR(auth::Require(who, readers, regency));

  store::ListQuery query;
  const std::string scope = regency.empty() ? "g" : absl::StrCat("r:", regency);
  if (order == "progress.deadline_time") {
    query.index = store::CaseStore::IndexKey(scope, "deadline");
  } else if (filter->StateEquals()) {
    query.index = store::CaseStore::IndexKey(
        scope, absl::StrCat("state:", *filter->StateEquals()));
  } else {
    query.index = store::CaseStore::IndexKey(scope, "created");
  }
  query.descending = descending;
  query.page_size = page_size;
  const bool needs_scope_check =
      regency.empty() &&
      !(who.regencies.size() == 1 && who.regencies[0] == "*");
  if (!filter->terms().empty() || needs_scope_check ||
      who.role == auth::Role::PK_BAPAS) {
    query.predicate = [f = *filter, who](const Case& c) {
      return f.Matches(c) && who.MayActIn(c.regency_code()) &&
             CheckPkOffice(who, c).ok();
    };
  }
  const std::string hash =
      QueryHash(req.parent(), req.filter(), req.order_by());
  if (!req.page_token().empty()) {
    KS_ASSIGN_OR_RETURN(query.after, DecodeToken(req.page_token(), "c", hash));
  }
  KS_ASSIGN_OR_RETURN(store::Page page, store_.List(query));
  for (Case& c : page.cases) {
    Case shown = domain::MaskForRole(std::move(c), who.role);
    // National viewers see no personal data at all (DESIGN §6).
    if (who.role == auth::Role::NATIONAL_VIEWER) shown.clear_person();
    *resp->add_cases() = std::move(shown);
  }
  if (!page.next_after.empty()) {
    resp->set_next_page_token(EncodeToken("c", hash, page.next_after));
  }
  resp->set_total_size(static_cast<int32_t>(page.total_size));
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* CasesService::ListCases(
    grpc::CallbackServerContext* ctx, const v1::ListCasesRequest* req,
    v1::ListCasesResponse* resp) {
  return Finish(ctx, DoList(*ctx, *req, resp));
}

absl::Status CasesService::DoHistory(grpc::CallbackServerContext& ctx,
                                     const v1::ListCaseHistoryRequest& req,
                                     v1::ListCaseHistoryResponse* resp) {
  KS_ASSIGN_OR_RETURN(auth::Principal who, runtime_.auth().Authenticate(ctx));
  Validator v;
  std::map<std::string, std::string> vars;
  v.ResourceName("name", req.name(), "regencies/{regency}/cases/{case}", &vars);
  int page_size = v.PageSize("page_size", req.page_size(), kMaxHistoryPageSize);
  if (req.page_size() == 0) page_size = kDefaultHistoryPageSize;
  KS_RETURN_IF_ERROR(v.Finish());
  const store::CaseName name{vars["regency"], vars["case"]};
  KS_RETURN_IF_ERROR(auth::Require(
      who,
      {auth::Role::JAKSA, auth::Role::PK_BAPAS, auth::Role::NATIONAL_VIEWER},
      name.regency));
  int64_t after = 0;
  const std::string hash = QueryHash(req.name(), "", "");
  if (!req.page_token().empty()) {
    KS_ASSIGN_OR_RETURN(std::string position,
                        DecodeToken(req.page_token(), "h", hash));
    if (!absl::SimpleAtoi(position, &after) || after < 0) {
      return InvalidArgumentError(
          {{"page_token", "is not a token of this API"}});
    }
  }
  KS_ASSIGN_OR_RETURN(Case c, store_.Get(name));
  KS_RETURN_IF_ERROR(CheckPkOffice(who, c));
  bool more = false;
  KS_ASSIGN_OR_RETURN(std::vector<v1::CaseHistoryEntry> entries,
                      store_.History(name, after, page_size, &more));
  for (v1::CaseHistoryEntry& e : entries) *resp->add_entries() = std::move(e);
  if (more && resp->entries_size() > 0) {
    resp->set_next_page_token(EncodeToken(
        "h", hash,
        absl::StrCat(resp->entries(resp->entries_size() - 1).version())));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* CasesService::ListCaseHistory(
    grpc::CallbackServerContext* ctx, const v1::ListCaseHistoryRequest* req,
    v1::ListCaseHistoryResponse* resp) {
  return Finish(ctx, DoHistory(*ctx, *req, resp));
}

absl::StatusOr<v1::CaseForExecution> CasesService::DoExecutionView(
    grpc::CallbackServerContext& ctx,
    const v1::GetCaseForExecutionRequest& req) {
  KS_ASSIGN_OR_RETURN(auth::Principal who, runtime_.auth().Authenticate(ctx));
  KS_ASSIGN_OR_RETURN(store::CaseName name, store::ParseCaseName(req.name()));
  KS_RETURN_IF_ERROR(
      auth::Require(who,
                    {auth::Role::SERVICE, auth::Role::PK_BAPAS,
                     auth::Role::PEMDA_OFFICER, auth::Role::JAKSA},
                    name.regency));
  KS_ASSIGN_OR_RETURN(Case c, store_.Get(name));
  KS_RETURN_IF_ERROR(CheckPkOffice(who, c));
  return domain::ExecutionView(c);
}

grpc::ServerUnaryReactor* CasesService::GetCaseForExecution(
    grpc::CallbackServerContext* ctx, const v1::GetCaseForExecutionRequest* req,
    v1::CaseForExecution* resp) {
  return FinishWith(ctx, DoExecutionView(*ctx, *req), resp);
}

// ---------------------------------------------------------------------------
// Supervision's feed.

absl::StatusOr<feed::RedisOps> CasesService::ApplySupervisionEvent(
    const Event& event) {
  absl::StatusOr<std::string> case_name =
      domain::SupervisionEventCaseName(event);
  if (absl::IsNotFound(case_name.status())) return feed::RedisOps{};
  KS_RETURN_IF_ERROR(case_name.status());
  absl::StatusOr<store::CaseName> name =
      store::ParseCaseName(*case_name, "case_name");
  // A malformed name is the publisher's bug: permanent (dead-lettered).
  KS_RETURN_IF_ERROR(name.status());
  absl::StatusOr<Case> current = store_.Get(*name);
  // Another prosecutor deployment's case: not ours to mirror.
  if (absl::IsNotFound(current.status())) return feed::RedisOps{};
  KS_RETURN_IF_ERROR(current.status());
  absl::StatusOr<absl::TimeZone> zone =
      regions::Regions::Get().TimeZone(name->regency);
  KS_ASSIGN_OR_RETURN(
      std::optional<domain::Transition> t,
      domain::ApplySupervisionEvent(
          *current, event, PolicyFor(*current),
          zone.ok() ? *zone : options_.policy.default_time_zone()));
  if (!t) return feed::RedisOps{};  // already applied, or no effect

  store::Change change;
  store::CaseWrite write;
  write.before = *current;
  write.after = std::move(t->after);
  write.expected_version = current->version();
  write.history.push_back(std::move(t->history));
  write.events = std::move(t->events);
  change.cases.push_back(std::move(write));
  audit::Record record;
  record.principal_id = "supervision-feed";
  record.role = std::string(auth::RoleName(auth::Role::SERVICE));
  record.agency = event.source();
  record.method = event.event_type();
  record.resource_name = *case_name;
  record.time = options_.clock->Now();
  record.peer = "feed";
  record.request_id = event.event_id();
  change.audit = std::move(record);
  // ABORTED (the case changed since it was read) is transient for the
  // consumer: it re-reads and re-applies from its cursor.
  KS_RETURN_IF_ERROR(store_.Commit(std::move(change)).status());
  return feed::RedisOps{};
}

}  // namespace ks::cases
