// The placement rpcs of PlacementsService (see placements_service.h).
#include "absl/strings/str_join.h"
#include "services/placements/domain/activity.h"
#include "services/placements/domain/agreement.h"
#include "services/placements/domain/placement.h"
#include "services/placements/domain/site.h"
#include "services/placements/domain/suggest.h"
#include "services/placements/service_impl.h"

namespace ks::placements {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
using pv1::Placement;
using pv1::Site;

outbox::Conflict SiteFull(absl::string_view site) {
  outbox::Conflict c;
  c.reason = domain::kReasonSiteCapacityExhausted;
  c.message = "the site has no free slot";
  c.metadata = {{"site", std::string(site)}};
  return c;
}

outbox::Conflict CasePlaced(absl::string_view case_name) {
  outbox::Conflict c;
  c.reason = domain::kReasonCaseAlreadyPlaced;
  c.message =
      "the case already has a placement holding a slot (ACCEPTED, PLANNED, "
      "ACTIVE or SUSPENDED)";
  c.metadata = {{"case", std::string(case_name)}};
  return c;
}

}  // namespace

void PlacementsService::ReportAffected(grpc::CallbackServerContext& ctx,
                                       const std::vector<std::string>& names) {
  if (names.empty()) return;
  ctx.AddTrailingMetadata("ks-affected-placements", absl::StrJoin(names, ","));
}

absl::Status PlacementsService::PutPlacement(
    store::Batch& batch, const Placement* before, Placement& after,
    int64_t capacity, std::vector<std::string> changed_fields) {
  const pv1::PlacementState previous =
      before != nullptr ? before->state() : pv1::PLACEMENT_STATE_UNSPECIFIED;
  const int64_t version =
      batch.Put(after, before != nullptr ? VersionOf(*before) : 0);
  if (before == nullptr) {
    batch.Index(store::kPlacements, after.regency_code(), after.name());
    batch.Op(outbox::IndexOp::SAdd(store::SitePlacementsKey(after.site()),
                                   after.name()));
    batch.Op(outbox::IndexOp::SAdd(store::CasePlacementsKey(after.case_name()),
                                   after.name()));
  }
  const bool held = before != nullptr && domain::HoldsSlot(previous);
  const bool holds = domain::HoldsSlot(after.state());
  if (held && !holds) {
    batch.Reserve(store::kSiteSlotsKey, after.site(), -1, capacity);
    batch.Reserve(store::kCaseSlotsKey, after.case_name(), -1, 1);
  } else if (!held && holds) {
    batch.Reserve(store::kCaseSlotsKey, after.case_name(), 1, 1,
                  CasePlaced(after.case_name()));
    batch.Reserve(store::kSiteSlotsKey, after.site(), 1, capacity,
                  SiteFull(after.site()));
  }
  const bool was_active = previous == pv1::PLACEMENT_STATE_ACTIVE;
  const bool is_active = after.state() == pv1::PLACEMENT_STATE_ACTIVE;
  if (was_active != is_active) {
    batch.Op(outbox::IndexOp::HIncrBy(store::kActiveKey, after.site(),
                                      is_active ? 1 : -1));
  }
  pv1::ActivityCategory category = pv1::ACTIVITY_CATEGORY_UNSPECIFIED;
  absl::StatusOr<pv1::ActivityType> activity =
      store_.Get<pv1::ActivityType>(after.activity_type(), "activity type");
  if (activity.ok()) {
    category = activity->category();
  } else if (!absl::IsNotFound(activity.status())) {
    return activity.status();
  }
  const pv1::PlacementFacts facts = domain::FactsOf(after, previous, category);
  const std::string& name = after.name();
  const std::string& regency = after.regency_code();
  if (before == nullptr) {
    pv1::PlacementCreated e;
    *e.mutable_facts() = facts;
    batch.Event(kPlacementType, name, version, regency, e);
  } else if (!changed_fields.empty()) {
    pv1::PlacementChanged e;
    *e.mutable_facts() = facts;
    for (std::string& f : changed_fields) e.add_changed_fields(std::move(f));
    batch.Event(kPlacementType, name, version, regency, e);
  } else if (after.state() == pv1::PLACEMENT_STATE_ACTIVE) {
    pv1::PlacementStarted e;
    *e.mutable_facts() = facts;
    batch.Event(kPlacementType, name, version, regency, e);
  } else if (after.state() == pv1::PLACEMENT_STATE_SUSPENDED) {
    pv1::PlacementSuspended e;
    *e.mutable_facts() = facts;
    e.set_reason_code(after.state_reason_code());
    batch.Event(kPlacementType, name, version, regency, e);
  } else if (after.state() == pv1::PLACEMENT_STATE_ENDED) {
    pv1::PlacementEnded e;
    *e.mutable_facts() = facts;
    e.set_end_reason(after.end_reason());
    e.set_credited_minutes(after.credited_minutes());
    batch.Event(kPlacementType, name, version, regency, e);
  } else if (after.state() == pv1::PLACEMENT_STATE_CANCELLED) {
    pv1::PlacementCancelled e;
    *e.mutable_facts() = facts;
    batch.Event(kPlacementType, name, version, regency, e);
  } else {
    // ACCEPTED, DECLINED: the proposal's answer.
    pv1::PlacementChanged e;
    *e.mutable_facts() = facts;
    e.add_changed_fields("state");
    batch.Event(kPlacementType, name, version, regency, e);
  }
  return absl::OkStatus();
}

absl::StatusOr<Placement> PlacementsService::PlanNew(
    const rpc::Call& call, const domain::Context& c, const Placement& in,
    absl::string_view field, pv1::PlacementState state, store::Batch& batch,
    const std::string& predecessor, const std::string& name) {
  KS_RETURN_IF_ERROR(domain::CheckPlacementInput(in, field, true));
  const std::string regency = call.vars.at("regency");
  if (RegencyOf(in.site()) != regency) {
    Validator v;
    v.AddViolation(absl::StrCat(field, ".site"),
                   absl::StrCat("must be a site of regency ", regency));
    return v.Finish();
  }
  KS_ASSIGN_OR_RETURN(Site site, store_.Get<Site>(in.site(), "site"));
  KS_ASSIGN_OR_RETURN(
      pv1::CooperationAgreement agreement,
      store_.Get<pv1::CooperationAgreement>(site.agreement(), "agreement"));
  KS_ASSIGN_OR_RETURN(
      pv1::ActivityType activity,
      store_.Get<pv1::ActivityType>(in.activity_type(), "activity type"));
  // The one cross-service call: after every local check that needs no
  // case, before anything is written.
  KS_ASSIGN_OR_RETURN(CaseView case_view, GetCase(in.case_name()));
  if (call.access.needs_relation()) {
    auth::RelationFacts facts;
    facts.handover_office = case_view.handover().bapas_office_code();
    facts.case_regency = case_view.regency_code();
    KS_RETURN_IF_ERROR(
        auth::CheckRelations(call.principal, call.access, facts));
  }
  domain::PlacementInputs inputs{&case_view, &site, &agreement, &activity};
  KS_ASSIGN_OR_RETURN(
      Placement p, domain::NewPlacement(
                       in,
                       name.empty() ? absl::StrCat("regencies/", regency,
                                                   "/placements/", ids::NewId())
                                    : name,
                       field, state, inputs, c));
  if (!predecessor.empty()) {
    p.set_predecessor(predecessor);
    *p.mutable_start_time() = domain::ToProto(c.now);
  }
  KS_RETURN_IF_ERROR(PutPlacement(batch, nullptr, p, site.capacity()));
  if (case_view.has_handover()) {
    batch.Op(outbox::IndexOp::HSet(store::kHandoverKey, p.case_name(),
                                   case_view.handover().bapas_office_code()));
  }
  return p;
}

grpc::ServerUnaryReactor* PlacementsService::CreatePlacement(
    grpc::CallbackServerContext* ctx, const pv1::CreatePlacementRequest* req,
    Placement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(CreateOne<Placement>(
                           *ctx, "CreatePlacement", *req, kParentPattern,
                           [=](const rpc::Call& call, const domain::Context& c,
                               store::Batch& batch) {
                             return PlanNew(
                                 call, c, req->placement(), "placement",
                                 pv1::PLACEMENT_STATE_PLANNED, batch);
                           },
                           [=](Validator& v) {
                             v.Required("placement", req->has_placement());
                           }),
                       resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::ProposePlacement(
    grpc::CallbackServerContext* ctx, const pv1::ProposePlacementRequest* req,
    Placement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(CreateOne<Placement>(
                           *ctx, "ProposePlacement", *req, kParentPattern,
                           [=](const rpc::Call& call, const domain::Context& c,
                               store::Batch& batch) {
                             return PlanNew(
                                 call, c, req->placement(), "placement",
                                 pv1::PLACEMENT_STATE_PROPOSED, batch);
                           },
                           [=](Validator& v) {
                             v.Required("placement", req->has_placement());
                           }),
                       resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::GetPlacement(
    grpc::CallbackServerContext* ctx, const pv1::GetPlacementRequest* req,
    Placement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(ReadOne<Placement>(*ctx, "GetPlacement", *req,
                                          kPlacementPattern, "placement"),
                       resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::ListPlacements(
    grpc::CallbackServerContext* ctx, const pv1::ListPlacementsRequest* req,
    pv1::ListPlacementsResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    std::vector<Placement> out;
    int32_t total = 0;
    KS_RETURN_IF_ERROR(
        ListOf<Placement>(*ctx, "ListPlacements", *req, store::kPlacements,
                          &out, resp->mutable_next_page_token(), &total));
    resp->set_total_size(total);
    for (Placement& p : out) *resp->add_placements() = std::move(p);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementsService::Transition(
    grpc::CallbackServerContext* ctx, absl::string_view method,
    const google::protobuf::Message& req, Placement* resp,
    std::function<absl::StatusOr<Placement>(const Placement&, const Site&,
                                            const domain::Context&)>
        rule) {
  return pipeline_.Unary(ctx, [=, &req] {
    return rpc::Answer(
        MutateOne<Placement>(
            *ctx, method, req, "name", kPlacementPattern, "placement",
            [&](const rpc::Call&, const Placement& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<Placement> {
              KS_ASSIGN_OR_RETURN(Site site,
                                  store_.Get<Site>(current.site(), "site"));
              KS_ASSIGN_OR_RETURN(Placement next, rule(current, site, c));
              KS_RETURN_IF_ERROR(
                  PutPlacement(batch, &current, next, site.capacity()));
              return next;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::StartPlacement(
    grpc::CallbackServerContext* ctx, const pv1::StartPlacementRequest* req,
    Placement* resp) {
  return Transition(
      ctx, "StartPlacement", *req, resp,
      [](const Placement& p, const Site& site, const domain::Context& c) {
        return domain::Start(p, site, c);
      });
}

grpc::ServerUnaryReactor* PlacementsService::SuspendPlacement(
    grpc::CallbackServerContext* ctx, const pv1::SuspendPlacementRequest* req,
    Placement* resp) {
  return Transition(
      ctx, "SuspendPlacement", *req, resp,
      [req](const Placement& p, const Site&, const domain::Context& c) {
        return domain::SuspendPlacement(p, req->reason_code(), c);
      });
}

grpc::ServerUnaryReactor* PlacementsService::EndPlacement(
    grpc::CallbackServerContext* ctx, const pv1::EndPlacementRequest* req,
    Placement* resp) {
  return Transition(
      ctx, "EndPlacement", *req, resp,
      [req](const Placement& p, const Site&, const domain::Context& c) {
        return domain::End(p, req->end_reason(), c);
      });
}

grpc::ServerUnaryReactor* PlacementsService::CancelPlacement(
    grpc::CallbackServerContext* ctx, const pv1::CancelPlacementRequest* req,
    Placement* resp) {
  return Transition(
      ctx, "CancelPlacement", *req, resp,
      [](const Placement& p, const Site&, const domain::Context& c) {
        return domain::Cancel(p, c);
      });
}

grpc::ServerUnaryReactor* PlacementsService::DeclinePlacementProposal(
    grpc::CallbackServerContext* ctx,
    const pv1::DeclinePlacementProposalRequest* req, Placement* resp) {
  return Transition(
      ctx, "DeclinePlacementProposal", *req, resp,
      [req](const Placement& p, const Site&, const domain::Context& c) {
        return domain::Decline(p, req->decline_note(), c);
      });
}

grpc::ServerUnaryReactor* PlacementsService::AcceptPlacementProposal(
    grpc::CallbackServerContext* ctx,
    const pv1::AcceptPlacementProposalRequest* req, Placement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<Placement>(
            *ctx, "AcceptPlacementProposal", *req, "name", kPlacementPattern,
            "placement",
            [=](const rpc::Call&, const Placement& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<Placement> {
              KS_ASSIGN_OR_RETURN(Site site,
                                  store_.Get<Site>(current.site(), "site"));
              KS_ASSIGN_OR_RETURN(Placement next, domain::Accept(current, c));
              // The site and its agreement are checked again at the answer:
              // either may have changed since the proposal.
              KS_RETURN_IF_ERROR(domain::CheckReceives(site));
              KS_ASSIGN_OR_RETURN(pv1::CooperationAgreement agreement,
                                  store_.Get<pv1::CooperationAgreement>(
                                      site.agreement(), "agreement"));
              KS_RETURN_IF_ERROR(domain::CheckInForce(
                  agreement, site.regency_code(), c.today));
              KS_RETURN_IF_ERROR(
                  PutPlacement(batch, &current, next, site.capacity()));
              return next;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::UpdatePlacement(
    grpc::CallbackServerContext* ctx, const pv1::UpdatePlacementRequest* req,
    Placement* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<Placement>(
            *ctx, "UpdatePlacement", *req, "placement.name", kPlacementPattern,
            "placement",
            [=](const rpc::Call&, const Placement& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<Placement> {
              KS_ASSIGN_OR_RETURN(Site site,
                                  store_.Get<Site>(current.site(), "site"));
              std::string activity_name = current.activity_type();
              for (const std::string& path : req->update_mask().paths()) {
                if (path == "activity_type") {
                  activity_name = req->placement().activity_type();
                }
              }
              KS_ASSIGN_OR_RETURN(pv1::ActivityType activity,
                                  store_.Get<pv1::ActivityType>(
                                      activity_name, "activity type"));
              domain::PlacementInputs inputs{nullptr, &site, nullptr,
                                             &activity};
              KS_ASSIGN_OR_RETURN(
                  Placement next,
                  domain::UpdatePlacement(current, req->placement(),
                                          req->update_mask(), inputs, c));
              std::vector<std::string> changed(
                  req->update_mask().paths().begin(),
                  req->update_mask().paths().end());
              KS_RETURN_IF_ERROR(PutPlacement(batch, &current, next,
                                              site.capacity(), changed));
              return next;
            },
            [=](Validator& v) {
              v.Required("update_mask",
                         req->has_update_mask() &&
                             req->update_mask().paths_size() > 0);
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::ReassignPlacement(
    grpc::CallbackServerContext* ctx, const pv1::ReassignPlacementRequest* req,
    pv1::ReassignPlacementResponse* resp) {
  using Resp = pv1::ReassignPlacementResponse;
  return pipeline_.Unary(ctx, [=] {
    rpc::MutationSteps<Resp> steps;
    steps.load = [this](const rpc::Call& call) -> absl::StatusOr<Resp> {
      Resp r;
      KS_ASSIGN_OR_RETURN(*r.mutable_ended(),
                          store_.Get<Placement>(call.resource, "placement"));
      return r;
    };
    steps.facts = [this](const Resp& r) { return FactsOf(r.ended()); };
    steps.version = [](const Resp& r) { return VersionOf(r.ended()); };
    steps.plan = [=](const rpc::Call& call,
                     const Resp* loaded) -> absl::StatusOr<rpc::Plan<Resp>> {
      const Placement& current = loaded->ended();
      const domain::Context c = ContextFor(call);
      store::Batch batch;
      KS_ASSIGN_OR_RETURN(
          Placement ended,
          domain::End(current, pv1::PLACEMENT_END_REASON_MOVED_TO_ANOTHER_SITE,
                      c));
      KS_ASSIGN_OR_RETURN(Site old_site,
                          store_.Get<Site>(current.site(), "site"));
      Placement in = req->successor();
      in.set_case_name(current.case_name());
      // The old placement releases its slots before the successor takes
      // them (reservations apply in order), so moving within a full site
      // or keeping the case's one open placement works.
      const std::string successor_name = absl::StrCat(
          "regencies/", call.vars.at("regency"), "/placements/", ids::NewId());
      ended.set_successor(successor_name);
      KS_RETURN_IF_ERROR(
          PutPlacement(batch, &current, ended, old_site.capacity()));
      KS_ASSIGN_OR_RETURN(
          Placement successor,
          PlanNew(call, c, in, "successor", pv1::PLACEMENT_STATE_ACTIVE, batch,
                  current.name(), successor_name));
      Resp out;
      *out.mutable_ended() = ended;
      *out.mutable_successor() = successor;
      rpc::Plan<Resp> plan;
      plan.txn = std::move(batch).Finish(out);
      return plan;
    };
    return rpc::Answer(
        pipeline_.Mutate(*ctx, "ReassignPlacement", *req,
                         rpc::Envelope("name", kPlacementPattern, false,
                                       [=](Validator& v) {
                                         v.Required("successor",
                                                    req->has_successor());
                                       }),
                         steps),
        resp);
  });
}

}  // namespace ks::placements

namespace ks::placements {

grpc::ServerUnaryReactor* PlacementsService::SuggestSites(
    grpc::CallbackServerContext* ctx,
    const kerjasosial::placements::v1::SuggestSitesRequest* req,
    kerjasosial::placements::v1::SuggestSitesResponse* resp) {
  namespace pv1 = ::kerjasosial::placements::v1;
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    int limit = 10;
    KS_ASSIGN_OR_RETURN(
        rpc::Call call,
        pipeline_.Begin(
            *ctx, "SuggestSites", *req,
            rpc::Envelope("parent", kParentPattern, false, [&](Validator& v) {
              v.ResourceName("case_name", req->case_name(),
                             "regencies/{regency}/cases/{case}");
              v.Coordinates("home_latitude", req->home_latitude(),
                            "home_longitude", req->home_longitude());
              const int size = v.PageSize("page_size", req->page_size(), 50);
              if (req->page_size() != 0) limit = size;
            })));
    KS_ASSIGN_OR_RETURN(CaseView c, GetCase(req->case_name()));
    if (call.access.needs_relation()) {
      auth::RelationFacts facts;
      facts.handover_office = c.handover().bapas_office_code();
      KS_RETURN_IF_ERROR(
          auth::CheckRelations(call.principal, call.access, facts));
    }
    const domain::Context context = ContextFor(call);
    const std::string regency = call.vars.at("regency");
    std::vector<pv1::Site> sites;
    std::string after;
    do {
      KS_ASSIGN_OR_RETURN(
          outbox::IndexPageInfo page,
          store_.List<pv1::Site>(
              store::kSites, absl::StrCat("r:", regency), after, 500, {},
              [](const pv1::Site& s) {
                return s.state() == pv1::SITE_STATE_ACTIVE;
              },
              &sites));
      after = page.next_after;
    } while (!after.empty());
    std::map<std::string, pv1::ActivityType> activities;
    std::map<std::string, bool> in_force;
    std::vector<domain::Candidate> candidates;
    for (pv1::Site& s : sites) {
      domain::Candidate cand;
      KS_ASSIGN_OR_RETURN(cand.held,
                          store_.Held(store::kSiteSlotsKey, s.name()));
      auto it = in_force.find(s.agreement());
      if (it == in_force.end()) {
        absl::StatusOr<pv1::CooperationAgreement> a =
            store_.Get<pv1::CooperationAgreement>(s.agreement(), "agreement");
        it = in_force
                 .emplace(
                     s.agreement(),
                     a.ok() &&
                         domain::CheckInForce(*a, regency, context.today).ok())
                 .first;
      }
      cand.agreement_in_force = it->second;
      KS_ASSIGN_OR_RETURN(auto acts, ActivitiesOf(s));
      activities.insert(acts.begin(), acts.end());
      cand.site = std::move(s);
      candidates.push_back(std::move(cand));
    }
    std::optional<domain::HomeLocation> home;
    if (req->home_latitude() != 0 || req->home_longitude() != 0) {
      home = domain::HomeLocation{req->home_latitude(), req->home_longitude()};
    }
    for (pv1::SiteSuggestion& s :
         domain::Suggest(c, candidates, activities, home, context, limit)) {
      *resp->add_suggestions() = std::move(s);
    }
    return absl::OkStatus();
  });
}

}  // namespace ks::placements
