// The activity type and site rpcs of PlacementsService (see
// placements_service.h).
#include <map>

#include "services/placements/domain/activity.h"
#include "services/placements/domain/agreement.h"
#include "services/placements/domain/placement.h"
#include "services/placements/domain/site.h"
#include "services/placements/service_impl.h"

namespace ks::placements {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
using pv1::ActivityType;
using pv1::Placement;
using pv1::Site;

}  // namespace

// ---------------------------------------------------------------------------
// Activity types.

grpc::ServerUnaryReactor* PlacementsService::CreateActivityType(
    grpc::CallbackServerContext* ctx, const pv1::CreateActivityTypeRequest* req,
    ActivityType* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        CreateOne<ActivityType>(
            *ctx, "CreateActivityType", *req, kParentPattern,
            [=](const rpc::Call& call, const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<ActivityType> {
              const std::string regency = call.vars.at("regency");
              KS_ASSIGN_OR_RETURN(
                  ActivityType a,
                  domain::NewActivityType(
                      req->activity_type(),
                      absl::StrCat("regencies/", regency, "/activityTypes/",
                                   ids::NewId()),
                      c));
              batch.Create(a, store::kActivityTypes, regency);
              batch.Event(kActivityType, a.name(), 1, regency,
                          domain::ChangedEvent(a));
              return a;
            },
            [=](Validator& v) {
              v.Required("activity_type", req->has_activity_type());
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::GetActivityType(
    grpc::CallbackServerContext* ctx, const pv1::GetActivityTypeRequest* req,
    ActivityType* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(ReadOne<ActivityType>(*ctx, "GetActivityType", *req,
                                             kActivityPattern, "activity type"),
                       resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::ListActivityTypes(
    grpc::CallbackServerContext* ctx, const pv1::ListActivityTypesRequest* req,
    pv1::ListActivityTypesResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    std::vector<ActivityType> out;
    KS_RETURN_IF_ERROR(ListOf<ActivityType>(
        *ctx, "ListActivityTypes", *req, store::kActivityTypes, &out,
        resp->mutable_next_page_token(), nullptr));
    for (ActivityType& a : out) *resp->add_activity_types() = std::move(a);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementsService::UpdateActivityType(
    grpc::CallbackServerContext* ctx, const pv1::UpdateActivityTypeRequest* req,
    ActivityType* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<ActivityType>(
            *ctx, "UpdateActivityType", *req, "activity_type.name",
            kActivityPattern, "activity type",
            [=](const rpc::Call&, const ActivityType& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<ActivityType> {
              KS_ASSIGN_OR_RETURN(
                  ActivityType a,
                  domain::UpdateActivityType(current, req->activity_type(),
                                             req->update_mask(), c));
              const int64_t v = batch.Put(a, VersionOf(current));
              batch.Event(kActivityType, a.name(), v, RegencyOf(a.name()),
                          domain::ChangedEvent(a));
              return a;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::RetireActivityType(
    grpc::CallbackServerContext* ctx, const pv1::RetireActivityTypeRequest* req,
    ActivityType* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<ActivityType>(
            *ctx, "RetireActivityType", *req, "name", kActivityPattern,
            "activity type",
            [=](const rpc::Call&, const ActivityType& current,
                const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<ActivityType> {
              KS_ASSIGN_OR_RETURN(ActivityType a, domain::Retire(current, c));
              const int64_t v = batch.Put(a, VersionOf(current));
              batch.Event(kActivityType, a.name(), v, RegencyOf(a.name()),
                          domain::ChangedEvent(a));
              return a;
            }),
        resp);
  });
}

// ---------------------------------------------------------------------------
// Sites.

absl::StatusOr<std::map<std::string, ActivityType>>
PlacementsService::ActivitiesOf(const Site& site) {
  std::map<std::string, ActivityType> out;
  for (const pv1::SiteActivity& a : site.activities()) {
    if (out.count(a.activity_type())) continue;
    absl::StatusOr<ActivityType> t =
        store_.Get<ActivityType>(a.activity_type(), "activity type");
    if (absl::IsNotFound(t.status())) continue;  // the domain names it
    KS_RETURN_IF_ERROR(t.status());
    out.emplace(a.activity_type(), *std::move(t));
  }
  return out;
}

Site PlacementsService::WithCounters(Site s) {
  absl::StatusOr<int64_t> active = store_.Held(store::kActiveKey, s.name());
  if (active.ok()) s.set_active_placements(static_cast<int32_t>(*active));
  return s;
}

grpc::ServerUnaryReactor* PlacementsService::CreateSite(
    grpc::CallbackServerContext* ctx, const pv1::CreateSiteRequest* req,
    Site* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        CreateOne<Site>(
            *ctx, "CreateSite", *req, kParentPattern,
            [=](const rpc::Call& call, const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<Site> {
              const std::string regency = call.vars.at("regency");
              KS_ASSIGN_OR_RETURN(std::string zone,
                                  regions::Regions::Get().IanaZone(regency));
              Validator v;
              v.ResourceName("site.agreement", req->site().agreement(),
                             kAgreementPattern);
              KS_RETURN_IF_ERROR(v.Finish());
              KS_ASSIGN_OR_RETURN(pv1::CooperationAgreement agreement,
                                  store_.Get<pv1::CooperationAgreement>(
                                      req->site().agreement(), "agreement"));
              KS_ASSIGN_OR_RETURN(auto activities, ActivitiesOf(req->site()));
              KS_ASSIGN_OR_RETURN(
                  Site s,
                  domain::NewSite(req->site(),
                                  absl::StrCat("regencies/", regency, "/sites/",
                                               ids::NewId()),
                                  regency, zone, agreement, activities, c));
              batch.Create(s, store::kSites, regency);
              batch.Event(kSiteType, s.name(), 1, regency,
                          domain::ChangedEvent(s, pv1::SITE_STATE_UNSPECIFIED));
              return s;
            },
            [=](Validator& v) { v.Required("site", req->has_site()); }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::GetSite(
    grpc::CallbackServerContext* ctx, const pv1::GetSiteRequest* req,
    Site* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    KS_ASSIGN_OR_RETURN(
        Site s, ReadOne<Site>(*ctx, "GetSite", *req, kSitePattern, "site"));
    *resp = WithCounters(std::move(s));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementsService::ListSites(
    grpc::CallbackServerContext* ctx, const pv1::ListSitesRequest* req,
    pv1::ListSitesResponse* resp) {
  return pipeline_.Unary(ctx, [=]() -> absl::Status {
    std::vector<Site> out;
    ExtraFields extra;
    extra["activities.activity_type"] = [](const google::protobuf::Message& m) {
      std::vector<std::string> v;
      for (const auto& a : static_cast<const Site&>(m).activities()) {
        v.push_back(a.activity_type());
      }
      return v;
    };
    extra["has_free_capacity"] = [this](const google::protobuf::Message& m) {
      const Site& s = static_cast<const Site&>(m);
      absl::StatusOr<int64_t> held =
          store_.Held(store::kSiteSlotsKey, s.name());
      return std::vector<std::string>{
          held.ok() && *held < s.capacity() ? "true" : "false"};
    };
    int32_t total = 0;
    KS_RETURN_IF_ERROR(ListOf<Site>(*ctx, "ListSites", *req, store::kSites,
                                    &out, resp->mutable_next_page_token(),
                                    &total, {}, extra));
    resp->set_total_size(total);
    for (Site& s : out) *resp->add_sites() = WithCounters(std::move(s));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementsService::UpdateSite(
    grpc::CallbackServerContext* ctx, const pv1::UpdateSiteRequest* req,
    Site* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<Site>(
            *ctx, "UpdateSite", *req, "site.name", kSitePattern, "site",
            [=](const rpc::Call&, const Site& current, const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<Site> {
              KS_ASSIGN_OR_RETURN(
                  int64_t held,
                  store_.Held(store::kSiteSlotsKey, current.name()));
              KS_ASSIGN_OR_RETURN(auto activities, ActivitiesOf(req->site()));
              auto current_activities = ActivitiesOf(current);
              if (current_activities.ok()) {
                activities.insert(current_activities->begin(),
                                  current_activities->end());
              }
              KS_ASSIGN_OR_RETURN(
                  Site s,
                  domain::UpdateSite(current, req->site(), req->update_mask(),
                                     held, activities, c));
              const int64_t v = batch.Put(s, VersionOf(current));
              batch.Event(kSiteType, s.name(), v, s.regency_code(),
                          domain::ChangedEvent(s, current.state()));
              return s;
            }),
        resp);
  });
}

// The placements of `site` in `states`, with their versions.
absl::StatusOr<std::vector<Placement>> PlacementsService::PlacementsAt(
    const std::string& site,
    const std::function<bool(const Placement&)>& keep) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names,
                      store_.Members(store::SitePlacementsKey(site)));
  KS_ASSIGN_OR_RETURN(auto records, store_.GetMany(names));
  std::vector<Placement> out;
  for (const auto& [name, rec] : records) {
    KS_ASSIGN_OR_RETURN(Placement p,
                        store::PlacementsStore::Parse<Placement>(rec, name));
    if (keep(p)) out.push_back(std::move(p));
  }
  return out;
}

grpc::ServerUnaryReactor* PlacementsService::SuspendSite(
    grpc::CallbackServerContext* ctx, const pv1::SuspendSiteRequest* req,
    Site* resp) {
  return pipeline_.Unary(ctx, [=] {
    std::vector<std::string> affected;
    absl::StatusOr<Site> out = MutateOne<Site>(
        *ctx, "SuspendSite", *req, "name", kSitePattern, "site",
        [&](const rpc::Call&, const Site& current, const domain::Context& c,
            store::Batch& batch) -> absl::StatusOr<Site> {
          KS_ASSIGN_OR_RETURN(Site s,
                              domain::Suspend(current, req->reason_code(), c));
          const int64_t v = batch.Put(s, VersionOf(current));
          batch.Event(kSiteType, s.name(), v, s.regency_code(),
                      domain::ChangedEvent(s, current.state()));
          // The site's ACTIVE placements are suspended in the same step, one
          // event each (events.proto), each conditional on its version.
          KS_ASSIGN_OR_RETURN(std::vector<Placement> active,
                              PlacementsAt(s.name(), [](const Placement& p) {
                                return p.state() == pv1::PLACEMENT_STATE_ACTIVE;
                              }));
          for (const Placement& p : active) {
            KS_ASSIGN_OR_RETURN(Placement next, domain::SuspendPlacement(
                                                    p, "site_suspended", c));
            KS_RETURN_IF_ERROR(PutPlacement(batch, &p, next, 0));
            affected.push_back(p.name());
          }
          return WithCounters(s);
        });
    ReportAffected(*ctx, affected);
    return rpc::Answer(std::move(out), resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::ReinstateSite(
    grpc::CallbackServerContext* ctx, const pv1::ReinstateSiteRequest* req,
    Site* resp) {
  return pipeline_.Unary(ctx, [=] {
    return rpc::Answer(
        MutateOne<Site>(
            *ctx, "ReinstateSite", *req, "name", kSitePattern, "site",
            [=](const rpc::Call&, const Site& current, const domain::Context& c,
                store::Batch& batch) -> absl::StatusOr<Site> {
              KS_ASSIGN_OR_RETURN(pv1::CooperationAgreement agreement,
                                  store_.Get<pv1::CooperationAgreement>(
                                      current.agreement(), "agreement"));
              KS_RETURN_IF_ERROR(domain::CheckInForce(
                  agreement, current.regency_code(), c.today));
              KS_ASSIGN_OR_RETURN(Site s, domain::Reinstate(current, c));
              const int64_t v = batch.Put(s, VersionOf(current));
              batch.Event(kSiteType, s.name(), v, s.regency_code(),
                          domain::ChangedEvent(s, current.state()));
              return s;
            }),
        resp);
  });
}

grpc::ServerUnaryReactor* PlacementsService::CloseSite(
    grpc::CallbackServerContext* ctx, const pv1::CloseSiteRequest* req,
    Site* resp) {
  return pipeline_.Unary(ctx, [=] {
    std::vector<std::string> affected;
    absl::StatusOr<Site> out = MutateOne<Site>(
        *ctx, "CloseSite", *req, "name", kSitePattern, "site",
        [&](const rpc::Call&, const Site& current, const domain::Context& c,
            store::Batch& batch) -> absl::StatusOr<Site> {
          KS_ASSIGN_OR_RETURN(Site s,
                              domain::Close(current, req->reason_code(), c));
          const int64_t v = batch.Put(s, VersionOf(current));
          batch.Event(kSiteType, s.name(), v, s.regency_code(),
                      domain::ChangedEvent(s, current.state()));
          // Every placement holding a slot ends (SITE_CLOSED) or, if it never
          // started, is cancelled; open proposals are declined.
          KS_ASSIGN_OR_RETURN(std::vector<Placement> open,
                              PlacementsAt(s.name(), [](const Placement& p) {
                                return domain::HoldsSlot(p.state()) ||
                                       p.state() ==
                                           pv1::PLACEMENT_STATE_PROPOSED;
                              }));
          for (const Placement& p : open) {
            absl::StatusOr<Placement> next =
                p.state() == pv1::PLACEMENT_STATE_ACTIVE ||
                        p.state() == pv1::PLACEMENT_STATE_SUSPENDED
                    ? domain::End(p, pv1::PLACEMENT_END_REASON_SITE_CLOSED, c)
                : p.state() == pv1::PLACEMENT_STATE_PROPOSED
                    ? domain::Decline(p, "site closed", c)
                    : domain::Cancel(p, c);
            KS_RETURN_IF_ERROR(next.status());
            KS_RETURN_IF_ERROR(PutPlacement(batch, &p, *next, 0));
            affected.push_back(p.name());
          }
          return s;
        });
    ReportAffected(*ctx, affected);
    return rpc::Answer(std::move(out), resp);
  });
}

}  // namespace ks::placements
