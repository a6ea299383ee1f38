#include "services/cases/cases_service.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/access.h"
#include "common/ids/id.h"
#include "common/log/log.h"
#include "common/outbox/outbox.h"
#include "common/regions/regions.h"
#include "common/rpc/page_token.h"
#include "common/status/grpc_status.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "services/cases/domain/visit.h"

namespace ks::cases {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
using ::kerjasosial::common::v1::Event;

constexpr char kService[] = "kerjasosial.cases.v1.Cases";
constexpr char kCasePattern[] = "regencies/{regency}/cases/{case}";
constexpr char kVisitPattern[] =
    "regencies/{regency}/cases/{case}/supervisionVisits/{visit}";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kDefaultHistoryPageSize = 100;
constexpr int kMaxHistoryPageSize = 1000;

store::CaseName NameOf(const rpc::Call& call) {
  return {call.vars.at("regency"), call.vars.at("case")};
}

// What a relation grant of a cases rpc is checked against.
auth::RelationFacts FactsOf(const v1::Case& c) {
  auth::RelationFacts facts;
  if (c.has_handover())
    facts.handover_office = c.handover().bapas_office_code();
  facts.case_regency = c.regency_code();
  return facts;
}

// The one place a domain transition becomes a case write. `before` is the
// stored case (null for a new one).
store::CaseWrite WriteOf(const v1::Case* before, domain::Transition t) {
  store::CaseWrite write;
  if (before != nullptr) {
    write.before = *before;
    write.expected_version = before->version();
  }
  write.after = std::move(t.after);
  write.history.push_back(std::move(t.history));
  write.events = std::move(t.events);
  return write;
}

// A one-case change from a domain command.
template <typename F>
std::function<absl::StatusOr<store::Change>(const v1::Case&,
                                            const domain::CommandContext&)>
Step(F f) {
  return [f = std::move(f)](const v1::Case& current,
                            const domain::CommandContext& context)
             -> absl::StatusOr<store::Change> {
    KS_ASSIGN_OR_RETURN(domain::Transition t, f(current, context));
    store::Change change;
    change.cases.push_back(WriteOf(&current, std::move(t)));
    return change;
  };
}

}  // namespace

CasesService::CasesService(server::Runtime& runtime,
                           CasesServiceOptions options)
    : runtime_(runtime),
      options_(std::move(options)),
      store_(runtime.redis(), runtime.outbox()),
      visits_(runtime.redis(), runtime.outbox()),
      pipeline_(runtime.auth(), runtime.outbox(), kService,
                rpc::PipelineOptions{options_.clock, options_.executor}) {}

const domain::PolicyVersion& CasesService::PolicyFor(const Case& c) const {
  absl::StatusOr<absl::CivilDay> day =
      CivilDayFromDate(c.decision().final_date(), "decision.final_date");
  if (day.ok()) return options_.policy.At(*day);
  return options_.policy.Current(*options_.clock);
}

domain::CommandContext CasesService::ContextFor(const rpc::Call& call) const {
  domain::CommandContext ctx;
  ctx.now = call.now;
  absl::StatusOr<absl::TimeZone> zone =
      regions::Regions::Get().TimeZone(call.vars.at("regency"));
  ctx.zone = zone.ok() ? *zone : options_.policy.default_time_zone();
  ctx.actor.set_principal_id(call.principal.id);
  ctx.actor.set_role(auth::ProtoRole(call.principal.role));
  ctx.actor.set_agency_code(call.principal.agency);
  ctx.request_id = call.request_id;
  return ctx;
}

bool CasesService::Serves(absl::string_view regency) const {
  return options_.served_regencies.empty() ||
         std::find(options_.served_regencies.begin(),
                   options_.served_regencies.end(),
                   regency) != options_.served_regencies.end();
}

// ---------------------------------------------------------------------------
// Mutations.

absl::StatusOr<CasesService::Case> CasesService::Mutate(
    grpc::CallbackServerContext& ctx, absl::string_view method,
    const google::protobuf::Message& request, absl::string_view field,
    Plan plan, std::function<void(Validator&)> checks) {
  rpc::MutationSteps<Case> steps;
  steps.load = [this](const rpc::Call& call) {
    return store_.Get(NameOf(call));
  };
  steps.facts = FactsOf;
  steps.version = [](const Case& c) { return c.version(); };
  steps.plan = [&](const rpc::Call& call,
                   const Case* current) -> absl::StatusOr<rpc::Plan<Case>> {
    KS_ASSIGN_OR_RETURN(store::Change change, plan(*current, ContextFor(call)));
    rpc::Plan<Case> out;
    KS_ASSIGN_OR_RETURN(out.txn, store_.Plan(change));
    return out;
  };
  return pipeline_.Mutate(
      ctx, method, request,
      rpc::Envelope(std::string(field), kCasePattern, false, std::move(checks)),
      steps);
}

absl::StatusOr<CasesService::Case> CasesService::DoCreate(
    grpc::CallbackServerContext& ctx, const v1::CreateCaseRequest& req) {
  std::vector<std::string> warnings;
  rpc::MutationSteps<Case> steps;
  steps.plan = [&](const rpc::Call& call,
                   const Case*) -> absl::StatusOr<rpc::Plan<Case>> {
    const std::string regency = call.vars.at("regency");
    const store::CaseName name{regency, ids::NewId()};
    const Case& input = req.case_data();
    KS_ASSIGN_OR_RETURN(
        domain::Transition t,
        domain::RegisterCase(input, name.Name(), regency, PolicyFor(input),
                             ContextFor(call), &warnings));
    rpc::Plan<Case> out;
    if (req.validate_only()) {
      // Nothing is claimed: say early whether the decision is taken.
      absl::StatusOr<std::string> holder = store_.FindDecision(
          input.decision().court_name(), input.decision().decision_number());
      if (holder.ok()) {
        return WithErrorInfo(
            absl::AlreadyExistsError(
                "a case with this court and decision number exists"),
            store::kReasonDecisionAlreadyRegistered, {{"case", *holder}});
      }
      if (!absl::IsNotFound(holder.status())) return holder.status();
      out.dry_run = std::move(t.after);
      return out;
    }
    // The claim on the decision key is checked by the commit script after
    // the request's idempotency entry, so a racing retry is replayed, and a
    // second registration is DECISION_ALREADY_REGISTERED.
    store::Change change;
    change.cases.push_back(WriteOf(nullptr, std::move(t)));
    change.cases.front().claim_decision = true;
    KS_ASSIGN_OR_RETURN(out.txn, store_.Plan(change));
    out.audit_resource = name.Name();
    return out;
  };
  rpc::Envelope envelope(
      "parent", "regencies/{regency}", false,
      [&](Validator& v) { v.Required("case_data", req.has_case_data()); });
  absl::StatusOr<Case> out =
      pipeline_.Mutate(ctx, "CreateCase", req, envelope, steps);
  if (out.ok() && !req.validate_only() && !warnings.empty()) {
    log::Info("case_registered_with_warnings",
              {{"case", out->name()},
               {"warnings", static_cast<int64_t>(warnings.size())}});
  }
  return out;
}

grpc::ServerUnaryReactor* CasesService::CreateCase(
    grpc::CallbackServerContext* ctx, const v1::CreateCaseRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoCreate(*ctx, *req), resp); });
}

grpc::ServerUnaryReactor* CasesService::UpdateCase(
    grpc::CallbackServerContext* ctx, const v1::UpdateCaseRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Mutate(*ctx, "UpdateCase", *req, "case_data.name",
               Step([=](const Case& c, const domain::CommandContext& context) {
                 return domain::UpdateCase(c, *req, PolicyFor(c), context,
                                           nullptr);
               }),
               [=](Validator& v) {
                 v.Required("update_mask",
                            req->has_update_mask() &&
                                req->update_mask().paths_size() > 0);
               }),
        resp);
  });
}

grpc::ServerUnaryReactor* CasesService::IssueExecutionOrder(
    grpc::CallbackServerContext* ctx, const v1::IssueExecutionOrderRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Mutate(*ctx, "IssueExecutionOrder", *req, "name",
               Step([=](const Case& c, const domain::CommandContext& context) {
                 return domain::IssueExecutionOrder(c, *req, PolicyFor(c),
                                                    context);
               }),
               [=](Validator& v) {
                 v.Required("execution_order", req->has_execution_order());
               }),
        resp);
  });
}

grpc::ServerUnaryReactor* CasesService::HandOverToBapas(
    grpc::CallbackServerContext* ctx, const v1::HandOverToBapasRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Mutate(
            *ctx, "HandOverToBapas", *req, "name",
            Step([=](const Case& c, const domain::CommandContext& context) {
              return domain::HandOverToBapas(c, *req, PolicyFor(c), context);
            }),
            [=](Validator& v) { v.Required("handover", req->has_handover()); }),
        resp);
  });
}

grpc::ServerUnaryReactor* CasesService::RecordFinePayment(
    grpc::CallbackServerContext* ctx, const v1::RecordFinePaymentRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Mutate(
            *ctx, "RecordFinePayment", *req, "name",
            Step([=](const Case& c, const domain::CommandContext& context) {
              return domain::RecordFinePayment(c, *req, PolicyFor(c), context);
            }),
            [=](Validator& v) { v.Required("payment", req->has_payment()); }),
        resp);
  });
}

grpc::ServerUnaryReactor* CasesService::ConfirmCompletion(
    grpc::CallbackServerContext* ctx, const v1::ConfirmCompletionRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Mutate(*ctx, "ConfirmCompletion", *req, "name",
               Step([=](const Case& c, const domain::CommandContext& context) {
                 return domain::ConfirmCompletion(c, *req, context);
               })),
        resp);
  });
}

grpc::ServerUnaryReactor* CasesService::RecordBreach(
    grpc::CallbackServerContext* ctx, const v1::RecordBreachRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Mutate(*ctx, "RecordBreach", *req, "name",
               Step([=](const Case& c, const domain::CommandContext& context) {
                 return domain::RecordBreach(c, *req, context);
               })),
        resp);
  });
}

grpc::ServerUnaryReactor* CasesService::DecideBreachOutcome(
    grpc::CallbackServerContext* ctx, const v1::DecideBreachOutcomeRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Mutate(
            *ctx, "DecideBreachOutcome", *req, "name",
            Step([=](const Case& c, const domain::CommandContext& context) {
              return domain::DecideBreachOutcome(c, *req, PolicyFor(c),
                                                 context);
            }),
            [=](Validator& v) { v.Required("outcome", req->has_outcome()); }),
        resp);
  });
}

grpc::ServerUnaryReactor* CasesService::CancelCase(
    grpc::CallbackServerContext* ctx, const v1::CancelCaseRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Mutate(*ctx, "CancelCase", *req, "name",
               Step([=](const Case& c, const domain::CommandContext& context) {
                 return domain::CancelCase(c, *req, context);
               }),
               [=](Validator& v) {
                 v.Required("cancellation", req->has_cancellation());
               }),
        resp);
  });
}

absl::StatusOr<CasesService::Case> CasesService::DoTransfer(
    grpc::CallbackServerContext& ctx, const v1::TransferCaseRequest& req) {
  return Mutate(
      ctx, "TransferCase", req, "name",
      [&](const Case& current, const domain::CommandContext& context)
          -> absl::StatusOr<store::Change> {
        KS_ASSIGN_OR_RETURN(store::CaseName source,
                            store::ParseCaseName(current.name()));
        const std::string destination =
            req.transfer().destination_regency_code();
        const bool valid =
            regions::Regions::Get().IsValidRegencyCode(destination) &&
            destination != source.regency;
        const bool local = valid && Serves(destination);
        // What the transfer records: its id and the minutes it carries.
        v1::TransferCaseRequest effective = req;
        effective.mutable_transfer()->set_transfer_id(
            domain::TransferIdFor(current.name(), req));
        effective.mutable_transfer()->set_credited_minutes(
            current.progress().credited_minutes());
        std::optional<std::string> route;
        if (valid && !local) {
          route = options_.transfer_routes.Find(destination);
          Validator v;
          if (!route) {
            v.AddViolation("transfer.destination_regency_code",
                           "is not served by this deployment and no "
                           "transfer route names its deployment");
          } else if (!req.transfer().destination_address().empty() &&
                     req.transfer().destination_address() != *route) {
            v.AddViolation("transfer.destination_address",
                           "must be the routing table's address of the "
                           "destination, or empty");
          }
          KS_RETURN_IF_ERROR(v.Finish());
          effective.mutable_transfer()->set_destination_address(*route);
        }
        const store::CaseName dest_name{destination, ids::NewId()};
        // The whole command is checked before any peer is called: a refused
        // transfer leaves no trace at the destination either.
        KS_ASSIGN_OR_RETURN(
            domain::Transition out,
            domain::TransferCase(current, effective,
                                 local ? dest_name.Name() : "", context));
        if (route) {
          KS_ASSIGN_OR_RETURN(
              Case received,
              SendTransfer(*route, domain::TransferPayload(
                                       current, effective,
                                       effective.transfer().transfer_id())));
          // Acknowledged: the source side records where the case went.
          KS_ASSIGN_OR_RETURN(
              out, domain::TransferCase(current, effective, received.name(),
                                        context));
        }
        store::Change change;
        change.cases.push_back(WriteOf(&current, std::move(out)));
        if (local) {
          // The receiving case is created in the same atomic step: the case
          // is never in neither regency, nor in both.
          KS_ASSIGN_OR_RETURN(domain::Transition in,
                              domain::ReceiveTransferredCase(
                                  change.cases.front().after, dest_name.Name(),
                                  destination, context));
          change.cases.push_back(WriteOf(nullptr, std::move(in)));
        }
        return change;
      },
      [&](Validator& v) { v.Required("transfer", req.has_transfer()); });
}

absl::StatusOr<CasesService::Case> CasesService::SendTransfer(
    const std::string& address,
    const v1::ReceiveTransferredCaseRequest& payload) {
  if (!options_.transfer_peer) {
    return absl::UnavailableError(
        "this deployment has no client for transfers to other deployments");
  }
  absl::StatusOr<Case> received = options_.transfer_peer(address, payload);
  if (received.ok()) return received;
  const absl::Status& st = received.status();
  log::Warning("transfer_peer_failed",
               {{"destination", address},
                {"code", absl::StatusCodeToString(st.code())}});
  if (absl::IsUnavailable(st) || absl::IsDeadlineExceeded(st)) {
    return absl::UnavailableError(absl::StrCat(
        "the cases deployment of regency ",
        payload.transfer().destination_regency_code(),
        " cannot be reached; nothing was written, retry with the same "
        "request_id"));
  }
  // The destination's refusal (a decision registered there, a bad token
  // there...): its code and details, named as the destination's.
  absl::Status out(st.code(),
                   absl::StrCat("the destination deployment refused the "
                                "transfer: ",
                                st.message().substr(0, 200)));
  st.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

absl::StatusOr<CasesService::Case> CasesService::ReceivedCase(
    absl::string_view source_case, absl::string_view transfer_id) {
  KS_ASSIGN_OR_RETURN(std::string holder,
                      store_.FindTransfer(source_case, transfer_id));
  KS_ASSIGN_OR_RETURN(store::CaseName name, store::ParseCaseName(holder));
  return store_.Get(name);
}

absl::StatusOr<CasesService::Case> CasesService::DoReceive(
    grpc::CallbackServerContext& ctx,
    const v1::ReceiveTransferredCaseRequest& req) {
  KS_ASSIGN_OR_RETURN(
      rpc::Call call,
      pipeline_.Begin(
          ctx, "ReceiveTransferredCase", req,
          rpc::Envelope(
              "parent", "regencies/{regency}", false, [&](Validator& v) {
                v.Required("case_data", req.has_case_data());
                if (v.Required("transfer", req.has_transfer())) {
                  domain::CheckTransferId(v, "transfer.transfer_id",
                                          req.transfer().transfer_id());
                }
              })));
  const std::string regency = call.vars.at("regency");
  if (!Serves(regency)) {
    return InvalidArgumentError(
        {{"parent", "is a regency this deployment does not serve"}});
  }
  const std::string& source = req.case_data().name();
  const std::string& transfer_id = req.transfer().transfer_id();
  // The transfer decides a retry, before the request id: the source's retry
  // after a stale etag carries the same transfer id with other bytes.
  absl::StatusOr<Case> first = ReceivedCase(source, transfer_id);
  if (first.ok() || !absl::IsNotFound(first.status())) return first;
  KS_ASSIGN_OR_RETURN(std::optional<Case> replay, pipeline_.Replay<Case>(call));
  if (replay) return *std::move(replay);

  const store::CaseName name{regency, ids::NewId()};
  KS_ASSIGN_OR_RETURN(domain::Transition t,
                      domain::ReceiveRemoteTransfer(req, name.Name(), regency,
                                                    ContextFor(call)));
  store::Change change;
  change.cases.push_back(WriteOf(nullptr, std::move(t)));
  // The decision is claimed here as at a registration: a case of the same
  // court decision already kept here is ALREADY_EXISTS.
  change.cases.front().claim_decision = true;
  change.extra_records.push_back(
      store::CaseStore::TransferClaim(source, transfer_id, name.Name()));
  KS_ASSIGN_OR_RETURN(outbox::Transaction txn, store_.Plan(change));
  absl::StatusOr<outbox::CommitResult> committed =
      pipeline_.Commit(call, std::move(txn), name.Name());
  if (!committed.ok()) {
    if (outbox::IsConflict(committed.status())) {
      // A racing twin of this transfer committed first: its case answers.
      first = ReceivedCase(source, transfer_id);
      if (first.ok()) return first;
    }
    return committed.status();
  }
  Case out;
  if (!out.ParseFromString(committed->response)) {
    return absl::DataLossError("the committed response does not parse");
  }
  return out;
}

grpc::ServerUnaryReactor* CasesService::ReceiveTransferredCase(
    grpc::CallbackServerContext* ctx,
    const v1::ReceiveTransferredCaseRequest* req, v1::Case* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoReceive(*ctx, *req), resp); });
}

grpc::ServerUnaryReactor* CasesService::TransferCase(
    grpc::CallbackServerContext* ctx, const v1::TransferCaseRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoTransfer(*ctx, *req), resp); });
}

// ---------------------------------------------------------------------------
// Reads.

absl::StatusOr<std::pair<rpc::Call, CasesService::Case>> CasesService::ReadCase(
    grpc::CallbackServerContext& ctx, absl::string_view method,
    const google::protobuf::Message& request,
    std::function<void(Validator&)> checks) {
  KS_ASSIGN_OR_RETURN(rpc::Call call,
                      pipeline_.Begin(ctx, method, request,
                                      rpc::Envelope("name", kCasePattern, false,
                                                    std::move(checks))));
  KS_ASSIGN_OR_RETURN(Case c, store_.Get(NameOf(call)));
  KS_RETURN_IF_ERROR(
      auth::CheckRelations(call.principal, call.access, FactsOf(c)));
  return std::make_pair(std::move(call), std::move(c));
}

absl::StatusOr<CasesService::Case> CasesService::DoGet(
    grpc::CallbackServerContext& ctx, const v1::GetCaseRequest& req) {
  KS_ASSIGN_OR_RETURN(auto read, ReadCase(ctx, "GetCase", req));
  return domain::MaskForRole(std::move(read.second), read.first.principal.role);
}

grpc::ServerUnaryReactor* CasesService::GetCase(
    grpc::CallbackServerContext* ctx, const v1::GetCaseRequest* req,
    v1::Case* resp) {
  return pipeline_.Unary(ctx,
                         [=] { return rpc::Answer(DoGet(*ctx, *req), resp); });
}

absl::Status CasesService::DoList(grpc::CallbackServerContext& ctx,
                                  const v1::ListCasesRequest& req,
                                  v1::ListCasesResponse* resp) {
  int page_size = kDefaultPageSize;
  std::string order = std::string(absl::StripAsciiWhitespace(req.order_by()));
  bool descending = false;
  if (absl::EndsWith(order, " desc")) {
    descending = true;
    order = std::string(
        absl::StripAsciiWhitespace(order.substr(0, order.size() - 5)));
  }
  absl::StatusOr<domain::ListFilter> filter =
      domain::ListFilter::Parse(req.filter());
  KS_ASSIGN_OR_RETURN(
      rpc::Call call,
      pipeline_.Begin(
          ctx, "ListCases", req,
          rpc::Envelope("parent", "regencies/{regency}",
                        /*allow_wildcard=*/true, [&](Validator& v) {
                          const int size = v.PageSize(
                              "page_size", req.page_size(), kMaxPageSize);
                          if (req.page_size() != 0) page_size = size;
                          if (!order.empty() && order != "create_time" &&
                              order != "update_time" &&
                              order != "progress.deadline_time") {
                            v.AddViolation(
                                "order_by",
                                "must be create_time, update_time or "
                                "progress.deadline_time, optionally followed "
                                "by \" desc\"");
                          }
                        })));
  KS_RETURN_IF_ERROR(filter.status());
  const auth::Principal& who = call.principal;
  std::string regency = call.vars["regency"] == "-" ? "" : call.vars["regency"];
  if (regency.empty() && filter->RegencyEquals()) {
    regency = *filter->RegencyEquals();
    // A regency named by the filter is checked like one named by the parent.
    if (!call.access.needs_relation()) {
      KS_RETURN_IF_ERROR(
          auth::Require(who, std::vector<auth::Role>{}, regency));
    }
  }

  store::ListQuery query;
  const std::string scope = regency.empty() ? "g" : absl::StrCat("r:", regency);
  bool index_answers_filter = filter->terms().empty();
  if (order == "progress.deadline_time") {
    query.index = store::CaseStore::IndexKey(scope, "deadline");
  } else if (order == "update_time") {
    query.index = store::CaseStore::IndexKey(scope, "updated");
  } else if (filter->StateEquals()) {
    query.index = store::CaseStore::IndexKey(
        scope, absl::StrCat("state:", *filter->StateEquals()));
    index_answers_filter = filter->terms().size() == 1;
  } else {
    query.index = store::CaseStore::IndexKey(scope, "created");
  }
  query.descending = descending;
  query.page_size = page_size;
  const bool national = who.regencies.size() == 1 && who.regencies[0] == "*";
  const bool by_relation = call.access.needs_relation();
  const bool needs_scope_check = regency.empty() && !national && !by_relation;
  if (!index_answers_filter || needs_scope_check || by_relation) {
    query.predicate = [f = *filter, who, access = call.access,
                       needs_scope_check](const Case& c) {
      return f.Matches(c) &&
             (!needs_scope_check || who.MayActIn(c.regency_code())) &&
             auth::CheckRelations(who, access, FactsOf(c)).ok();
    };
  }
  const std::string hash =
      rpc::QueryHash({req.parent(), req.filter(), req.order_by()});
  KS_ASSIGN_OR_RETURN(query.after,
                      rpc::DecodePageToken(req.page_token(), "c", hash));
  KS_ASSIGN_OR_RETURN(store::Page page, store_.List(query));
  for (Case& c : page.cases) {
    Case shown = domain::MaskForRole(std::move(c), who.role);
    // National viewers see no personal data at all (DESIGN §6).
    if (who.role == auth::Role::NATIONAL_VIEWER) shown.clear_person();
    *resp->add_cases() = std::move(shown);
  }
  if (!page.next_after.empty()) {
    resp->set_next_page_token(rpc::EncodePageToken("c", hash, page.next_after));
  }
  resp->set_total_size(static_cast<int32_t>(page.total_size));
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* CasesService::ListCases(
    grpc::CallbackServerContext* ctx, const v1::ListCasesRequest* req,
    v1::ListCasesResponse* resp) {
  return pipeline_.Unary(ctx, [=] { return DoList(*ctx, *req, resp); });
}

absl::Status CasesService::DoHistory(grpc::CallbackServerContext& ctx,
                                     const v1::ListCaseHistoryRequest& req,
                                     v1::ListCaseHistoryResponse* resp) {
  int page_size = kDefaultHistoryPageSize;
  KS_ASSIGN_OR_RETURN(
      auto read, ReadCase(ctx, "ListCaseHistory", req, [&](Validator& v) {
        const int size =
            v.PageSize("page_size", req.page_size(), kMaxHistoryPageSize);
        if (req.page_size() != 0) page_size = size;
      }));
  const std::string hash = rpc::QueryHash({req.name()});
  KS_ASSIGN_OR_RETURN(int64_t after,
                      rpc::DecodeIntPageToken(req.page_token(), "h", hash));
  bool more = false;
  KS_ASSIGN_OR_RETURN(
      std::vector<v1::CaseHistoryEntry> entries,
      store_.History(NameOf(read.first), after, page_size, &more));
  for (v1::CaseHistoryEntry& e : entries) *resp->add_entries() = std::move(e);
  if (more && resp->entries_size() > 0) {
    resp->set_next_page_token(rpc::EncodePageToken(
        "h", hash,
        absl::StrCat(resp->entries(resp->entries_size() - 1).version())));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* CasesService::ListCaseHistory(
    grpc::CallbackServerContext* ctx, const v1::ListCaseHistoryRequest* req,
    v1::ListCaseHistoryResponse* resp) {
  return pipeline_.Unary(ctx, [=] { return DoHistory(*ctx, *req, resp); });
}

absl::StatusOr<v1::CaseForExecution> CasesService::DoExecutionView(
    grpc::CallbackServerContext& ctx,
    const v1::GetCaseForExecutionRequest& req) {
  // ReadCase enforces the HANDOVER_OFFICE relation for a caller admitted
  // only by it (a PK_BAPAS, or a SERVICE outside its regencies), so the
  // person summary goes to the handover office and never elsewhere.
  KS_ASSIGN_OR_RETURN(auto read, ReadCase(ctx, "GetCaseForExecution", req));
  const rpc::Call& call = read.first;
  const domain::CommandContext context = ContextFor(call);
  return domain::ExecutionView(read.second, call.principal.role,
                               PolicyFor(read.second), context.zone);
}

grpc::ServerUnaryReactor* CasesService::GetCaseForExecution(
    grpc::CallbackServerContext* ctx, const v1::GetCaseForExecutionRequest* req,
    v1::CaseForExecution* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoExecutionView(*ctx, *req), resp); });
}

// ---------------------------------------------------------------------------
// Supervision visits.

absl::StatusOr<v1::SupervisionVisit> CasesService::DoCreateVisit(
    grpc::CallbackServerContext& ctx,
    const v1::CreateSupervisionVisitRequest& req) {
  rpc::MutationSteps<v1::SupervisionVisit> steps;
  steps.plan = [&](const rpc::Call& call, const v1::SupervisionVisit*)
      -> absl::StatusOr<rpc::Plan<v1::SupervisionVisit>> {
    KS_ASSIGN_OR_RETURN(Case c, store_.Get(NameOf(call)));
    const store::VisitName name{call.vars.at("regency"), call.vars.at("case"),
                                ids::NewId()};
    KS_ASSIGN_OR_RETURN(v1::SupervisionVisit visit,
                        domain::NewSupervisionVisit(c, req.visit(), name.Name(),
                                                    ContextFor(call)));
    rpc::Plan<v1::SupervisionVisit> out;
    KS_ASSIGN_OR_RETURN(out.txn, store::VisitStore::PlanCreate(visit));
    out.audit_resource = name.Name();
    return out;
  };
  return pipeline_.Mutate(ctx, "CreateSupervisionVisit", req,
                          rpc::Envelope("parent", kCasePattern, false,
                                        [&](Validator& v) {
                                          v.Required("visit", req.has_visit());
                                        }),
                          steps);
}

grpc::ServerUnaryReactor* CasesService::CreateSupervisionVisit(
    grpc::CallbackServerContext* ctx,
    const v1::CreateSupervisionVisitRequest* req, v1::SupervisionVisit* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoCreateVisit(*ctx, *req), resp); });
}

absl::StatusOr<v1::SupervisionVisit> CasesService::DoGetVisit(
    grpc::CallbackServerContext& ctx,
    const v1::GetSupervisionVisitRequest& req) {
  KS_ASSIGN_OR_RETURN(rpc::Call call,
                      pipeline_.Begin(ctx, "GetSupervisionVisit", req,
                                      rpc::Envelope("name", kVisitPattern)));
  return visits_.Get(store::VisitName{
      call.vars.at("regency"), call.vars.at("case"), call.vars.at("visit")});
}

grpc::ServerUnaryReactor* CasesService::GetSupervisionVisit(
    grpc::CallbackServerContext* ctx, const v1::GetSupervisionVisitRequest* req,
    v1::SupervisionVisit* resp) {
  return pipeline_.Unary(
      ctx, [=] { return rpc::Answer(DoGetVisit(*ctx, *req), resp); });
}

absl::Status CasesService::DoListVisits(
    grpc::CallbackServerContext& ctx,
    const v1::ListSupervisionVisitsRequest& req,
    v1::ListSupervisionVisitsResponse* resp) {
  int page_size = kDefaultPageSize;
  absl::StatusOr<domain::VisitFilter> filter =
      domain::VisitFilter::Parse(req.filter());
  KS_ASSIGN_OR_RETURN(
      rpc::Call call,
      pipeline_.Begin(
          ctx, "ListSupervisionVisits", req,
          rpc::Envelope("parent", kCasePattern, /*allow_wildcard=*/true,
                        [&](Validator& v) {
                          const int size = v.PageSize(
                              "page_size", req.page_size(), kMaxPageSize);
                          if (req.page_size() != 0) page_size = size;
                          // Visits are listed per regency (its prosecutor
                          // supervises); only the case may be "-".
                          if (absl::StartsWith(req.parent(), "regencies/-/")) {
                            v.AddViolation("parent",
                                           "must name a regency; only the "
                                           "case may be -");
                          }
                        })));
  KS_RETURN_IF_ERROR(filter.status());
  store::VisitQuery query;
  query.regency = call.vars.at("regency");
  query.case_id = call.vars.at("case") == "-" ? "" : call.vars.at("case");
  query.page_size = page_size;
  if (!filter->empty()) {
    query.predicate = [f = *filter](const v1::SupervisionVisit& v) {
      return f.Matches(v);
    };
  }
  const std::string hash = rpc::QueryHash({req.parent(), req.filter()});
  KS_ASSIGN_OR_RETURN(query.after,
                      rpc::DecodePageToken(req.page_token(), "v", hash));
  KS_ASSIGN_OR_RETURN(store::VisitPage page, visits_.List(query));
  for (v1::SupervisionVisit& v : page.visits) {
    *resp->add_visits() = std::move(v);
  }
  if (!page.next_after.empty()) {
    resp->set_next_page_token(rpc::EncodePageToken("v", hash, page.next_after));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* CasesService::ListSupervisionVisits(
    grpc::CallbackServerContext* ctx,
    const v1::ListSupervisionVisitsRequest* req,
    v1::ListSupervisionVisitsResponse* resp) {
  return pipeline_.Unary(ctx, [=] { return DoListVisits(*ctx, *req, resp); });
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
  change.cases.push_back(WriteOf(&*current, std::move(*t)));
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
