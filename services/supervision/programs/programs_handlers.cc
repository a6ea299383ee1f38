#include "services/supervision/programs/programs_handlers.h"

#include <optional>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth/access.h"
#include "common/ids/id.h"
#include "common/regions/regions.h"
#include "common/rpc/page_token.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "services/supervision/programs/domain/evaluation.h"
#include "services/supervision/programs/domain/guidance.h"
#include "services/supervision/programs/domain/incident.h"
#include "services/supervision/programs/domain/integration_client.h"
#include "services/supervision/programs/domain/list_filter.h"
#include "services/supervision/programs/domain/program.h"
#include "services/supervision/programs/domain/referral.h"

namespace ks::supervision::programs {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;
using store::Key;
using store::Table;

constexpr char kService[] = "kerjasosial.supervision.v1.Supervision";
constexpr int kMaxPageSize = 500;

template <typename R>
std::string Pattern(const Table<R>& table) {
  return absl::StrCat("regencies/{regency}/", table.collection(), "/{id}");
}

// The stored version behind a loaded record's etag.
template <typename R>
int64_t VersionOf(const R& r) {
  absl::StatusOr<int64_t> v = outbox::VersionFromEtag(r.etag());
  return v.ok() ? *v : 0;
}

Key KeyOf(const rpc::Call& call) {
  return Key{call.vars.at("regency"), call.vars.at("id")};
}

// The plan writing `out` at `key` (expected version `expected`) with its
// events; the audit entry names the record.
template <typename R>
rpc::Plan<R> PlanOf(const Table<R>& table, const Key& key, int64_t expected,
                    domain::Outcome<R> out) {
  rpc::Plan<R> plan;
  table.Put(plan.txn, key, expected, std::move(out.after));
  for (auto& e : out.events) plan.txn.events.push_back(std::move(e));
  plan.audit_resource = table.Name(key);
  return plan;
}

template <typename R>
rpc::Plan<R> PlanOf(const Table<R>& table, const Key& key, int64_t expected,
                    R after) {
  return PlanOf(table, key, expected, domain::Outcome<R>{std::move(after), {}});
}

// The PK's own records (notes, the evaluation document, an incident's
// account) are read in full by the Bapas only.
bool SeesNotes(const auth::Principal& who) {
  return who.role == auth::Role::PK_BAPAS || who.role == auth::Role::ADMIN;
}

// What another reader sees of a record (domain/ says what each keeps).
template <typename R>
R Redact(R r) {
  if constexpr (std::is_same_v<R, v1::GuidanceSession>) {
    return domain::RedactGuidance(std::move(r));
  } else if constexpr (std::is_same_v<R, v1::SafetyIncident>) {
    return domain::RedactIncident(std::move(r));
  } else if constexpr (std::is_same_v<R, v1::Evaluation>) {
    return domain::RedactEvaluation(std::move(r));
  } else {
    return r;
  }
}

}  // namespace

ProgramsHandlers::ProgramsHandlers(const auth::Authenticator& auth,
                                   outbox::Writer& writer, redis::Pool& pool,
                                   ProgramsOptions options)
    : options_(std::move(options)),
      store_(pool, writer),
      pipeline_(auth, writer, kService,
                rpc::PipelineOptions{options_.clock, options_.executor}) {}

domain::Context ProgramsHandlers::ContextFor(const rpc::Call& call) const {
  domain::Context ctx;
  ctx.now = call.now;
  const auto it = call.vars.find("regency");
  absl::StatusOr<absl::TimeZone> zone =
      it == call.vars.end() || it->second == "-"
          ? absl::StatusOr<absl::TimeZone>(absl::NotFoundError(""))
          : regions::Regions::Get().TimeZone(it->second);
  ctx.today = LocalDay(call.now,
                       zone.ok() ? *zone : options_.policy.default_time_zone());
  ctx.actor.set_principal_id(call.principal.id);
  ctx.actor.set_role(auth::ProtoRole(call.principal.role));
  ctx.actor.set_agency_code(call.principal.agency);
  ctx.policy = &options_.policy.At(ctx.today);
  return ctx;
}

absl::StatusOr<ProgramsHandlers::SubjectFacts> ProgramsHandlers::SubjectOf(
    const std::string& case_name, const std::string& client,
    const domain::Context& ctx) const {
  SubjectFacts out;
  if (!case_name.empty()) {
    out.subject.case_name = case_name;
    absl::StatusOr<Key> key = store::ParseKey(case_name, "cases", "case_name");
    if (!key.ok()) return out;
    out.facts.case_regency = key->regency;
    if (!options_.case_facts) return out;
    absl::StatusOr<CaseFacts> facts = options_.case_facts(case_name);
    if (absl::IsNotFound(facts.status())) return out;
    KS_RETURN_IF_ERROR(facts.status());
    out.subject.active = facts->active;
    out.subject.child = facts->child;
    out.facts.assigned_pk = facts->assigned_pk;
    if (!facts->placement_regency.empty()) {
      out.facts.placement_regency = facts->placement_regency;
    }
    return out;
  }
  if (!client.empty()) {
    out.subject.client = client;
    absl::StatusOr<Key> key =
        store::ParseKey(client, "integrationClients", "client");
    if (!key.ok()) return out;
    KS_ASSIGN_OR_RETURN(v1::IntegrationClient c, store_.clients.Get(*key));
    out.subject = domain::ClientSubject(c, ctx);
    out.facts.assigned_pk = c.pk_principal_id();
  }
  return out;
}

auth::RelationFacts ProgramsHandlers::FactsOf(
    const std::string& case_name, const std::string& client,
    const domain::Context& ctx) const {
  absl::StatusOr<SubjectFacts> sf = SubjectOf(case_name, client, ctx);
  // Facts that cannot be read admit no relation (never an open door).
  return sf.ok() ? sf->facts : auth::RelationFacts{};
}

auth::RelationFacts ProgramsHandlers::SiteFacts(const std::string& site) const {
  auth::RelationFacts facts;
  if (options_.site_staff) facts.site_staff = options_.site_staff(site);
  facts.placement_regency = auth::RegencyOf(site);
  return facts;
}

absl::Status ProgramsHandlers::FillAttendance(v1::Evaluation& e) const {
  if (!options_.case_sessions) return absl::OkStatus();
  KS_ASSIGN_OR_RETURN(std::vector<v1::WorkSession> sessions,
                      options_.case_sessions(e.case_name()));
  *e.mutable_attendance() = domain::SummarizeAttendance(sessions, e.period());
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// The three shapes every rpc of this part takes.

template <typename R, typename Req>
absl::StatusOr<R> ProgramsHandlers::Read(grpc::CallbackServerContext& ctx,
                                         absl::string_view method,
                                         const Req& req, const Table<R>& table,
                                         const FactsFn<R>& facts) const {
  KS_ASSIGN_OR_RETURN(
      rpc::Call call,
      pipeline_.Begin(ctx, method, req, rpc::Envelope("name", Pattern(table))));
  KS_ASSIGN_OR_RETURN(R r, table.Get(KeyOf(call)));
  if (call.access.needs_relation()) {
    KS_RETURN_IF_ERROR(auth::CheckRelations(
        call.principal, call.access,
        facts ? facts(r, ContextFor(call)) : auth::RelationFacts{}));
  }
  if (!SeesNotes(call.principal)) r = Redact(std::move(r));
  if constexpr (std::is_same_v<R, v1::PartnerProgram>) {
    std::vector<R> one{std::move(r)};
    KS_RETURN_IF_ERROR(store_.FillSeats(one));
    r = std::move(one.front());
  }
  return r;
}

template <typename R, typename Req>
absl::StatusOr<std::pair<std::vector<R>, std::string>> ProgramsHandlers::List(
    grpc::CallbackServerContext& ctx, absl::string_view method, const Req& req,
    const Table<R>& table, const std::vector<std::string>& filter_fields,
    const FactsFn<R>& facts) const {
  int page_size = 50;
  absl::StatusOr<domain::FieldFilter> filter =
      domain::FieldFilter::Parse(req.filter(), *R::descriptor(), filter_fields);
  KS_ASSIGN_OR_RETURN(
      rpc::Call call,
      pipeline_.Begin(ctx, method, req,
                      rpc::Envelope("parent", "regencies/{regency}",
                                    /*allow_wildcard=*/true, [&](Validator& v) {
                                      const int size = v.PageSize(
                                          "page_size", req.page_size(),
                                          kMaxPageSize);
                                      if (req.page_size() != 0) {
                                        page_size = size;
                                      }
                                    })));
  KS_RETURN_IF_ERROR(filter.status());
  const std::string regency = call.vars.at("regency");
  const auth::Principal who = call.principal;
  const bool national = who.regencies.size() == 1 && who.regencies[0] == "*";
  const bool by_relation = call.access.needs_relation();
  const bool scope_check = regency == "-" && !national && !by_relation;
  const domain::Context context = ContextFor(call);
  std::function<bool(const R&)> predicate;
  if (!filter->empty() || scope_check || by_relation) {
    predicate = [&](const R& r) {
      if (!filter->Matches(r)) return false;
      if (scope_check && !who.MayActIn(auth::RegencyOf(r.name()))) {
        return false;
      }
      return !by_relation || auth::CheckRelations(who, call.access,
                                                  facts ? facts(r, context)
                                                        : auth::RelationFacts{})
                                 .ok();
    };
  }
  const std::string hash =
      rpc::QueryHash({table.collection(), req.parent(), req.filter()});
  KS_ASSIGN_OR_RETURN(std::string after,
                      rpc::DecodePageToken(req.page_token(), "pg", hash));
  KS_ASSIGN_OR_RETURN(store::Page<R> page,
                      table.List(regency, after, page_size, predicate));
  if (!SeesNotes(who)) {
    for (R& r : page.items) r = Redact(std::move(r));
  }
  if constexpr (std::is_same_v<R, v1::PartnerProgram>) {
    KS_RETURN_IF_ERROR(store_.FillSeats(page.items));
  }
  std::string token;
  if (!page.next_after.empty()) {
    token = rpc::EncodePageToken("pg", hash, page.next_after);
  }
  return std::make_pair(std::move(page.items), std::move(token));
}

template <typename R, typename Req>
absl::StatusOr<R> ProgramsHandlers::Create(grpc::CallbackServerContext& ctx,
                                           absl::string_view method,
                                           const Req& req,
                                           absl::string_view resource_field,
                                           bool has_resource,
                                           const CreatePlan<R>& plan) const {
  rpc::MutationSteps<R> steps;
  steps.plan = [&](const rpc::Call& call,
                   const R*) -> absl::StatusOr<rpc::Plan<R>> {
    return plan(call, ContextFor(call));
  };
  return pipeline_.Mutate(
      ctx, method, req,
      rpc::Envelope(
          "parent", "regencies/{regency}", false,
          [&](Validator& v) { v.Required(resource_field, has_resource); }),
      steps);
}

template <typename R, typename Req>
absl::StatusOr<R> ProgramsHandlers::Change(
    grpc::CallbackServerContext& ctx, absl::string_view method, const Req& req,
    absl::string_view name_field, const Table<R>& table,
    const FactsFn<R>& facts, const ChangePlan<R>& plan,
    std::function<void(Validator&)> checks) const {
  rpc::MutationSteps<R> steps;
  steps.load = [&](const rpc::Call& call) { return table.Get(KeyOf(call)); };
  if (facts) {
    steps.facts = [&](const R& r) { return facts(r, domain::Context{}); };
  }
  steps.version = [](const R& r) { return VersionOf(r); };
  steps.plan = [&](const rpc::Call& call,
                   const R* current) -> absl::StatusOr<rpc::Plan<R>> {
    return plan(call, ContextFor(call), *current);
  };
  return pipeline_.Mutate(ctx, method, req,
                          rpc::Envelope(std::string(name_field), Pattern(table),
                                        false, std::move(checks)),
                          steps);
}

// Relation facts of the records about a case or a client.
template <typename R>
ProgramsHandlers::FactsFn<R> ProgramsHandlers::SubjectFactsFn() const {
  return [this](const R& r, const domain::Context& ctx) {
    return FactsOf(r.case_name(), r.client(), ctx);
  };
}

ProgramsHandlers::FactsFn<v1::Evaluation> ProgramsHandlers::EvaluationFactsFn()
    const {
  return [this](const v1::Evaluation& r, const domain::Context& ctx) {
    return FactsOf(r.case_name(), "", ctx);
  };
}

// ---------------------------------------------------------------------------
// Guidance sessions.

grpc::ServerUnaryReactor* ProgramsHandlers::CreateGuidanceSession(
    grpc::CallbackServerContext* ctx,
    const v1::CreateGuidanceSessionRequest* req, v1::GuidanceSession* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Create<v1::GuidanceSession>(
            *ctx, "CreateGuidanceSession", *req, "guidance_session",
            req->has_guidance_session(),
            [&](const rpc::Call& call, const domain::Context& context)
                -> absl::StatusOr<rpc::Plan<v1::GuidanceSession>> {
              const v1::GuidanceSession& in = req->guidance_session();
              KS_ASSIGN_OR_RETURN(
                  SubjectFacts sf,
                  SubjectOf(in.case_name(), in.client(), context));
              if (call.access.needs_relation()) {
                KS_RETURN_IF_ERROR(auth::CheckRelations(call.principal,
                                                        call.access, sf.facts));
              }
              const Key key{call.vars.at("regency"), ids::NewId()};
              KS_ASSIGN_OR_RETURN(
                  auto out, domain::RecordGuidance(in, sf.subject,
                                                   store_.guidance.Name(key),
                                                   key.regency, context));
              return PlanOf(store_.guidance, key, 0, std::move(out));
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::GetGuidanceSession(
    grpc::CallbackServerContext* ctx, const v1::GetGuidanceSessionRequest* req,
    v1::GuidanceSession* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(Read(*ctx, "GetGuidanceSession", *req, store_.guidance,
                            SubjectFactsFn<v1::GuidanceSession>()),
                       resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::ListGuidanceSessions(
    grpc::CallbackServerContext* ctx,
    const v1::ListGuidanceSessionsRequest* req,
    v1::ListGuidanceSessionsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto page,
        List(*ctx, "ListGuidanceSessions", *req, store_.guidance,
             {"case_name", "client", "mode", "attended", "pk_principal_id"},
             SubjectFactsFn<v1::GuidanceSession>()));
    for (auto& r : page.first) *resp->add_guidance_sessions() = std::move(r);
    resp->set_next_page_token(page.second);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::UpdateGuidanceSession(
    grpc::CallbackServerContext* ctx,
    const v1::UpdateGuidanceSessionRequest* req, v1::GuidanceSession* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Change<v1::GuidanceSession>(
            *ctx, "UpdateGuidanceSession", *req, "guidance_session.name",
            store_.guidance, SubjectFactsFn<v1::GuidanceSession>(),
            [&](const rpc::Call& call, const domain::Context& context,
                const v1::GuidanceSession& current)
                -> absl::StatusOr<rpc::Plan<v1::GuidanceSession>> {
              KS_ASSIGN_OR_RETURN(
                  auto out,
                  domain::CorrectGuidance(current, VersionOf(current), *req,
                                          call.vars.at("regency"), context));
              return PlanOf(store_.guidance, KeyOf(call), VersionOf(current),
                            std::move(out));
            }),
        resp);
  });
}

// ---------------------------------------------------------------------------
// Partner agreements.

grpc::ServerUnaryReactor* ProgramsHandlers::CreatePartnerAgreement(
    grpc::CallbackServerContext* ctx,
    const v1::CreatePartnerAgreementRequest* req, v1::PartnerAgreement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Create<v1::PartnerAgreement>(
            *ctx, "CreatePartnerAgreement", *req, "partner_agreement",
            req->has_partner_agreement(),
            [&](const rpc::Call& call, const domain::Context& context)
                -> absl::StatusOr<rpc::Plan<v1::PartnerAgreement>> {
              const Key key{call.vars.at("regency"), ids::NewId()};
              const std::string name = store_.agreements.Name(key);
              KS_ASSIGN_OR_RETURN(v1::PartnerAgreement a,
                                  domain::NewAgreement(req->partner_agreement(),
                                                       name, context));
              rpc::Plan<v1::PartnerAgreement> plan =
                  PlanOf(store_.agreements, key, 0, a);
              plan.txn.records.push_back(
                  store::ProgramsStore::AgreementNumberClaim(key.regency,
                                                             a.number(), name));
              return plan;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::GetPartnerAgreement(
    grpc::CallbackServerContext* ctx, const v1::GetPartnerAgreementRequest* req,
    v1::PartnerAgreement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Read<v1::PartnerAgreement>(*ctx, "GetPartnerAgreement", *req,
                                   store_.agreements, nullptr),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::ListPartnerAgreements(
    grpc::CallbackServerContext* ctx,
    const v1::ListPartnerAgreementsRequest* req,
    v1::ListPartnerAgreementsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto page, List<v1::PartnerAgreement>(
                       *ctx, "ListPartnerAgreements", *req, store_.agreements,
                       {"partner_kind", "validity.end_date"}, nullptr));
    for (auto& r : page.first) *resp->add_partner_agreements() = std::move(r);
    resp->set_next_page_token(page.second);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::UpdatePartnerAgreement(
    grpc::CallbackServerContext* ctx,
    const v1::UpdatePartnerAgreementRequest* req, v1::PartnerAgreement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Change<v1::PartnerAgreement>(
            *ctx, "UpdatePartnerAgreement", *req, "partner_agreement.name",
            store_.agreements, nullptr,
            [&](const rpc::Call& call, const domain::Context& context,
                const v1::PartnerAgreement& current)
                -> absl::StatusOr<rpc::Plan<v1::PartnerAgreement>> {
              KS_ASSIGN_OR_RETURN(
                  v1::PartnerAgreement a,
                  domain::UpdateAgreement(current, *req, context));
              return PlanOf(store_.agreements, KeyOf(call), VersionOf(current),
                            std::move(a));
            }),
        resp);
  });
}

// ---------------------------------------------------------------------------
// Partner programs.

grpc::ServerUnaryReactor* ProgramsHandlers::CreatePartnerProgram(
    grpc::CallbackServerContext* ctx,
    const v1::CreatePartnerProgramRequest* req, v1::PartnerProgram* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Create<v1::PartnerProgram>(
            *ctx, "CreatePartnerProgram", *req, "partner_program",
            req->has_partner_program(),
            [&](const rpc::Call& call, const domain::Context& context)
                -> absl::StatusOr<rpc::Plan<v1::PartnerProgram>> {
              const v1::PartnerProgram& in = req->partner_program();
              const Key key{call.vars.at("regency"), ids::NewId()};
              std::optional<v1::PartnerAgreement> agreement;
              std::optional<Key> agreement_key;
              if (!in.partner_agreement().empty()) {
                KS_ASSIGN_OR_RETURN(
                    agreement_key,
                    store::ParseKey(in.partner_agreement(), "partnerAgreements",
                                    "partner_program.partner_agreement"));
                KS_ASSIGN_OR_RETURN(agreement,
                                    store_.agreements.Get(*agreement_key));
              }
              KS_ASSIGN_OR_RETURN(
                  v1::PartnerProgram p,
                  domain::NewProgram(in, agreement ? &*agreement : nullptr,
                                     store_.programs.Name(key), context));
              rpc::Plan<v1::PartnerProgram> plan;
              if (agreement) {
                // The agreement lists its programs: written in the same
                // step, conditional on its version.
                v1::PartnerAgreement listed = *agreement;
                listed.add_programs(p.name());
                store_.agreements.Put(plan.txn, *agreement_key,
                                      VersionOf(*agreement), listed);
              }
              store_.programs.Put(plan.txn, key, 0, std::move(p));
              plan.audit_resource = store_.programs.Name(key);
              return plan;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::GetPartnerProgram(
    grpc::CallbackServerContext* ctx, const v1::GetPartnerProgramRequest* req,
    v1::PartnerProgram* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(Read<v1::PartnerProgram>(*ctx, "GetPartnerProgram", *req,
                                                store_.programs, nullptr),
                       resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::ListPartnerPrograms(
    grpc::CallbackServerContext* ctx, const v1::ListPartnerProgramsRequest* req,
    v1::ListPartnerProgramsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto page, List<v1::PartnerProgram>(
                       *ctx, "ListPartnerPrograms", *req, store_.programs,
                       {"state", "category", "partner_kind", "accepts_children",
                        "partner_agreement"},
                       nullptr));
    for (auto& r : page.first) *resp->add_partner_programs() = std::move(r);
    resp->set_next_page_token(page.second);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::UpdatePartnerProgram(
    grpc::CallbackServerContext* ctx,
    const v1::UpdatePartnerProgramRequest* req, v1::PartnerProgram* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Change<v1::PartnerProgram>(
            *ctx, "UpdatePartnerProgram", *req, "partner_program.name",
            store_.programs, nullptr,
            [&](const rpc::Call& call, const domain::Context& context,
                const v1::PartnerProgram& current)
                -> absl::StatusOr<rpc::Plan<v1::PartnerProgram>> {
              const Key key = KeyOf(call);
              KS_ASSIGN_OR_RETURN(v1::PartnerProgram seated,
                                  store_.GetProgram(key));
              KS_ASSIGN_OR_RETURN(
                  v1::PartnerProgram p,
                  domain::UpdateProgram(current, *req,
                                        seated.active_referrals(), context));
              p.set_active_referrals(seated.active_referrals());
              rpc::Plan<v1::PartnerProgram> plan =
                  PlanOf(store_.programs, key, VersionOf(current), p);
              if (p.capacity() > 0) {
                // Re-checked in the commit: a referral racing this change
                // cannot leave more seats held than the new capacity.
                outbox::Reservation room =
                    store::ProgramsStore::Seats(key, p.name(), 0, p.capacity());
                room.on_full.reason =
                    std::string(domain::kReasonCapacityBelowHeld);
                room.on_full.message =
                    "the capacity must not fall below the seats held by "
                    "referrals";
                plan.txn.reservations.push_back(std::move(room));
              }
              return plan;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::ClosePartnerProgram(
    grpc::CallbackServerContext* ctx, const v1::ClosePartnerProgramRequest* req,
    v1::PartnerProgram* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Change<v1::PartnerProgram>(
            *ctx, "ClosePartnerProgram", *req, "name", store_.programs, nullptr,
            [&](const rpc::Call& call, const domain::Context& context,
                const v1::PartnerProgram& current)
                -> absl::StatusOr<rpc::Plan<v1::PartnerProgram>> {
              KS_ASSIGN_OR_RETURN(v1::PartnerProgram p,
                                  domain::CloseProgram(current, context));
              return PlanOf(store_.programs, KeyOf(call), VersionOf(current),
                            std::move(p));
            }),
        resp);
  });
}

// ---------------------------------------------------------------------------
// Referrals.

grpc::ServerUnaryReactor* ProgramsHandlers::CreateReferral(
    grpc::CallbackServerContext* ctx, const v1::CreateReferralRequest* req,
    v1::Referral* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Create<v1::Referral>(
            *ctx, "CreateReferral", *req, "referral", req->has_referral(),
            [&](const rpc::Call& call, const domain::Context& context)
                -> absl::StatusOr<rpc::Plan<v1::Referral>> {
              const v1::Referral& in = req->referral();
              KS_ASSIGN_OR_RETURN(
                  SubjectFacts sf,
                  SubjectOf(in.case_name(), in.client(), context));
              if (call.access.needs_relation()) {
                KS_RETURN_IF_ERROR(auth::CheckRelations(call.principal,
                                                        call.access, sf.facts));
              }
              KS_ASSIGN_OR_RETURN(
                  Key program_key,
                  store::ParseKey(in.program(), "partnerPrograms",
                                  "referral.program"));
              KS_ASSIGN_OR_RETURN(v1::PartnerProgram program,
                                  store_.programs.Get(program_key));
              const Key key{call.vars.at("regency"), ids::NewId()};
              KS_ASSIGN_OR_RETURN(
                  domain::ReferralStep step,
                  domain::CreateReferral(in, program, sf.subject,
                                         store_.referrals.Name(key),
                                         key.regency, context));
              rpc::Plan<v1::Referral> plan =
                  PlanOf(store_.referrals, key, 0, std::move(step.outcome));
              plan.txn.reservations.push_back(store::ProgramsStore::Seats(
                  program_key, program.name(), step.seat_delta,
                  domain::SeatLimit(program)));
              return plan;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::GetReferral(
    grpc::CallbackServerContext* ctx, const v1::GetReferralRequest* req,
    v1::Referral* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(Read(*ctx, "GetReferral", *req, store_.referrals,
                            SubjectFactsFn<v1::Referral>()),
                       resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::ListReferrals(
    grpc::CallbackServerContext* ctx, const v1::ListReferralsRequest* req,
    v1::ListReferralsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto page, List(*ctx, "ListReferrals", *req, store_.referrals,
                        {"state", "case_name", "client", "program", "outcome"},
                        SubjectFactsFn<v1::Referral>()));
    for (auto& r : page.first) *resp->add_referrals() = std::move(r);
    resp->set_next_page_token(page.second);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Referral> ProgramsHandlers::StepReferral(
    grpc::CallbackServerContext& ctx, absl::string_view method,
    const google::protobuf::Message& req,
    const std::function<absl::StatusOr<domain::ReferralStep>(
        const v1::Referral&, int64_t, const v1::PartnerProgram&,
        absl::string_view, const domain::Context&)>& step) const {
  return Change<v1::Referral>(
      ctx, method, req, "name", store_.referrals,
      SubjectFactsFn<v1::Referral>(),
      [&](const rpc::Call& call, const domain::Context& context,
          const v1::Referral& current)
          -> absl::StatusOr<rpc::Plan<v1::Referral>> {
        KS_ASSIGN_OR_RETURN(
            Key program_key,
            store::ParseKey(current.program(), "partnerPrograms",
                            "referral.program"));
        KS_ASSIGN_OR_RETURN(v1::PartnerProgram program,
                            store_.programs.Get(program_key));
        KS_ASSIGN_OR_RETURN(domain::ReferralStep s,
                            step(current, VersionOf(current), program,
                                 call.vars.at("regency"), context));
        rpc::Plan<v1::Referral> plan =
            PlanOf(store_.referrals, KeyOf(call), VersionOf(current),
                   std::move(s.outcome));
        if (s.seat_delta != 0) {
          plan.txn.reservations.push_back(store::ProgramsStore::Seats(
              program_key, program.name(), s.seat_delta,
              domain::SeatLimit(program)));
        }
        return plan;
      });
}

grpc::ServerUnaryReactor* ProgramsHandlers::AcceptReferral(
    grpc::CallbackServerContext* ctx, const v1::AcceptReferralRequest* req,
    v1::Referral* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        StepReferral(*ctx, "AcceptReferral", *req, domain::AcceptReferral),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::RecordReferralAttendance(
    grpc::CallbackServerContext* ctx,
    const v1::RecordReferralAttendanceRequest* req, v1::Referral* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        StepReferral(*ctx, "RecordReferralAttendance", *req,
                     [&](const v1::Referral& r, int64_t version,
                         const v1::PartnerProgram& p, absl::string_view regency,
                         const domain::Context& context) {
                       return domain::RecordReferralAttendance(
                           r, version, *req, p, regency, context);
                     }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::CompleteReferral(
    grpc::CallbackServerContext* ctx, const v1::CompleteReferralRequest* req,
    v1::Referral* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        StepReferral(*ctx, "CompleteReferral", *req,
                     [&](const v1::Referral& r, int64_t version,
                         const v1::PartnerProgram& p, absl::string_view regency,
                         const domain::Context& context) {
                       return domain::CompleteReferral(r, version, *req, p,
                                                       regency, context);
                     }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::WithdrawReferral(
    grpc::CallbackServerContext* ctx, const v1::WithdrawReferralRequest* req,
    v1::Referral* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        StepReferral(*ctx, "WithdrawReferral", *req,
                     [&](const v1::Referral& r, int64_t version,
                         const v1::PartnerProgram& p, absl::string_view regency,
                         const domain::Context& context) {
                       return domain::WithdrawReferral(r, version, *req, p,
                                                       regency, context);
                     }),
        resp);
  });
}

// ---------------------------------------------------------------------------
// Evaluations.

grpc::ServerUnaryReactor* ProgramsHandlers::CreateEvaluation(
    grpc::CallbackServerContext* ctx, const v1::CreateEvaluationRequest* req,
    v1::Evaluation* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Create<v1::Evaluation>(
            *ctx, "CreateEvaluation", *req, "evaluation", req->has_evaluation(),
            [&](const rpc::Call& call, const domain::Context& context)
                -> absl::StatusOr<rpc::Plan<v1::Evaluation>> {
              const v1::Evaluation& in = req->evaluation();
              KS_ASSIGN_OR_RETURN(SubjectFacts sf,
                                  SubjectOf(in.case_name(), "", context));
              if (call.access.needs_relation()) {
                KS_RETURN_IF_ERROR(auth::CheckRelations(call.principal,
                                                        call.access, sf.facts));
              }
              std::optional<v1::Evaluation> corrected;
              std::optional<Key> corrected_key;
              if (!in.corrects().empty()) {
                KS_ASSIGN_OR_RETURN(
                    corrected_key, store::ParseKey(in.corrects(), "evaluations",
                                                   "evaluation.corrects"));
                KS_ASSIGN_OR_RETURN(corrected,
                                    store_.evaluations.Get(*corrected_key));
              }
              const Key key{call.vars.at("regency"), ids::NewId()};
              const std::string name = store_.evaluations.Name(key);
              KS_ASSIGN_OR_RETURN(auto out,
                                  domain::CreateEvaluation(
                                      in, corrected ? &*corrected : nullptr,
                                      sf.subject, name, key.regency, context));
              KS_RETURN_IF_ERROR(FillAttendance(out.after));
              rpc::Plan<v1::Evaluation> plan =
                  PlanOf(store_.evaluations, key, 0, std::move(out));
              if (corrected_key) {
                plan.txn.records.push_back(
                    store::ProgramsStore::CorrectionClaim(*corrected_key,
                                                          name));
              } else if (in.kind() == v1::EVALUATION_KIND_FINAL) {
                KS_ASSIGN_OR_RETURN(Key case_key,
                                    store::ParseKey(in.case_name(), "cases",
                                                    "evaluation.case_name"));
                absl::StatusOr<std::string> final_one =
                    store_.FinalEvaluation(case_key);
                if (final_one.ok()) {
                  return WithErrorInfo(
                      domain::Precondition(
                          "the case has a FINAL evaluation; correct it with "
                          "an evaluation whose `corrects` names it",
                          "FINAL_EVALUATION", in.case_name(),
                          store::kReasonFinalEvaluationExists),
                      store::kReasonFinalEvaluationExists,
                      {{"evaluation", *final_one}});
                }
                if (!absl::IsNotFound(final_one.status())) {
                  return final_one.status();
                }
                // The claim closes the race between two FINAL creations.
                plan.txn.records.push_back(
                    store::ProgramsStore::FinalEvaluationClaim(case_key, name));
              }
              return plan;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::GetEvaluation(
    grpc::CallbackServerContext* ctx, const v1::GetEvaluationRequest* req,
    v1::Evaluation* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Read<v1::Evaluation>(*ctx, "GetEvaluation", *req, store_.evaluations,
                             EvaluationFactsFn()),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::ListEvaluations(
    grpc::CallbackServerContext* ctx, const v1::ListEvaluationsRequest* req,
    v1::ListEvaluationsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto page, List<v1::Evaluation>(
                       *ctx, "ListEvaluations", *req, store_.evaluations,
                       {"case_name", "kind", "state", "assessment", "corrects"},
                       EvaluationFactsFn()));
    for (auto& r : page.first) *resp->add_evaluations() = std::move(r);
    resp->set_next_page_token(page.second);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::UpdateEvaluation(
    grpc::CallbackServerContext* ctx, const v1::UpdateEvaluationRequest* req,
    v1::Evaluation* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Change<v1::Evaluation>(
            *ctx, "UpdateEvaluation", *req, "evaluation.name",
            store_.evaluations, EvaluationFactsFn(),
            [&](const rpc::Call& call, const domain::Context& context,
                const v1::Evaluation& current)
                -> absl::StatusOr<rpc::Plan<v1::Evaluation>> {
              KS_ASSIGN_OR_RETURN(
                  auto out, domain::UpdateEvaluation(current, *req, context));
              KS_RETURN_IF_ERROR(FillAttendance(out.after));
              return PlanOf(store_.evaluations, KeyOf(call), VersionOf(current),
                            std::move(out));
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::SubmitEvaluation(
    grpc::CallbackServerContext* ctx, const v1::SubmitEvaluationRequest* req,
    v1::Evaluation* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Change<v1::Evaluation>(
            *ctx, "SubmitEvaluation", *req, "name", store_.evaluations,
            EvaluationFactsFn(),
            [&](const rpc::Call& call, const domain::Context& context,
                const v1::Evaluation& current)
                -> absl::StatusOr<rpc::Plan<v1::Evaluation>> {
              KS_ASSIGN_OR_RETURN(
                  auto out,
                  domain::SubmitEvaluation(current, VersionOf(current),
                                           call.vars.at("regency"), context));
              // The figures as they stand at submission, then frozen.
              KS_RETURN_IF_ERROR(FillAttendance(out.after));
              return PlanOf(store_.evaluations, KeyOf(call), VersionOf(current),
                            std::move(out));
            }),
        resp);
  });
}

// ---------------------------------------------------------------------------
// Safety incidents.

grpc::ServerUnaryReactor* ProgramsHandlers::RecordSafetyIncident(
    grpc::CallbackServerContext* ctx,
    const v1::RecordSafetyIncidentRequest* req, v1::SafetyIncident* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Create<v1::SafetyIncident>(
            *ctx, "RecordSafetyIncident", *req, "safety_incident",
            req->has_safety_incident(),
            [&](const rpc::Call& call, const domain::Context& context)
                -> absl::StatusOr<rpc::Plan<v1::SafetyIncident>> {
              if (call.access.needs_relation()) {
                KS_RETURN_IF_ERROR(auth::CheckRelations(
                    call.principal, call.access,
                    SiteFacts(req->safety_incident().site())));
              }
              const Key key{call.vars.at("regency"), ids::NewId()};
              KS_ASSIGN_OR_RETURN(
                  auto out, domain::RecordIncident(req->safety_incident(),
                                                   store_.incidents.Name(key),
                                                   key.regency, context));
              return PlanOf(store_.incidents, key, 0, std::move(out));
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::GetSafetyIncident(
    grpc::CallbackServerContext* ctx, const v1::GetSafetyIncidentRequest* req,
    v1::SafetyIncident* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Read<v1::SafetyIncident>(
            *ctx, "GetSafetyIncident", *req, store_.incidents,
            [this](const v1::SafetyIncident& r, const domain::Context&) {
              return SiteFacts(r.site());
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::ListSafetyIncidents(
    grpc::CallbackServerContext* ctx, const v1::ListSafetyIncidentsRequest* req,
    v1::ListSafetyIncidentsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto page,
        List<v1::SafetyIncident>(
            *ctx, "ListSafetyIncidents", *req, store_.incidents,
            {"site", "severity", "occur_time", "case_name"},
            [this](const v1::SafetyIncident& r, const domain::Context&) {
              return SiteFacts(r.site());
            }));
    for (auto& r : page.first) *resp->add_safety_incidents() = std::move(r);
    resp->set_next_page_token(page.second);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------
// Program-integrasi clients.

grpc::ServerUnaryReactor* ProgramsHandlers::CreateIntegrationClient(
    grpc::CallbackServerContext* ctx,
    const v1::CreateIntegrationClientRequest* req,
    v1::IntegrationClient* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Create<v1::IntegrationClient>(
            *ctx, "CreateIntegrationClient", *req, "integration_client",
            req->has_integration_client(),
            [&](const rpc::Call& call, const domain::Context& context)
                -> absl::StatusOr<rpc::Plan<v1::IntegrationClient>> {
              const Key key{call.vars.at("regency"), ids::NewId()};
              KS_ASSIGN_OR_RETURN(auto out,
                                  domain::OpenClient(req->integration_client(),
                                                     store_.clients.Name(key),
                                                     key.regency, context));
              return PlanOf(store_.clients, key, 0, std::move(out));
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::GetIntegrationClient(
    grpc::CallbackServerContext* ctx,
    const v1::GetIntegrationClientRequest* req, v1::IntegrationClient* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Read<v1::IntegrationClient>(*ctx, "GetIntegrationClient", *req,
                                    store_.clients, nullptr),
        resp);
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::ListIntegrationClients(
    grpc::CallbackServerContext* ctx,
    const v1::ListIntegrationClientsRequest* req,
    v1::ListIntegrationClientsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        auto page,
        List<v1::IntegrationClient>(
            *ctx, "ListIntegrationClients", *req, store_.clients,
            {"kind", "pk_principal_id", "period.end_date"}, nullptr));
    for (auto& r : page.first) *resp->add_integration_clients() = std::move(r);
    resp->set_next_page_token(page.second);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgramsHandlers::UpdateIntegrationClient(
    grpc::CallbackServerContext* ctx,
    const v1::UpdateIntegrationClientRequest* req,
    v1::IntegrationClient* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        Change<v1::IntegrationClient>(
            *ctx, "UpdateIntegrationClient", *req, "integration_client.name",
            store_.clients, nullptr,
            [&](const rpc::Call& call, const domain::Context& context,
                const v1::IntegrationClient& current)
                -> absl::StatusOr<rpc::Plan<v1::IntegrationClient>> {
              KS_ASSIGN_OR_RETURN(
                  auto out,
                  domain::UpdateClient(current, VersionOf(current), *req,
                                       call.vars.at("regency"), context));
              return PlanOf(store_.clients, KeyOf(call), VersionOf(current),
                            std::move(out));
            }),
        resp);
  });
}

}  // namespace ks::supervision::programs
