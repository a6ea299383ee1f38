#include "services/placements/placements_service.h"

#include <utility>

#include "common/regions/regions.h"
#include "common/time/clock.h"
#include "services/placements/domain/agreement.h"
#include "services/placements/service_impl.h"

namespace ks::placements {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;

}  // namespace

PlacementsService::PlacementsService(server::Runtime& runtime,
                                     PlacementsServiceOptions options)
    : FeedService(runtime),
      runtime_(runtime),
      options_(std::move(options)),
      store_(runtime.redis(), runtime.outbox()),
      pipeline_(runtime.auth(), runtime.outbox(), kService,
                rpc::PipelineOptions{options_.clock, options_.executor}) {}

domain::Context PlacementsService::ContextFor(const rpc::Call& call) const {
  domain::Context ctx;
  ctx.now = call.now;
  auto it = call.vars.find("regency");
  absl::StatusOr<absl::TimeZone> zone =
      it != call.vars.end() && it->second != "-"
          ? regions::Regions::Get().TimeZone(it->second)
          : absl::StatusOr<absl::TimeZone>(
                options_.policy->default_time_zone());
  const absl::TimeZone tz =
      zone.ok() ? *zone : options_.policy->default_time_zone();
  ctx.today = LocalDay(call.now, tz);
  ctx.policy = &options_.policy->At(ctx.today);
  ctx.actor.set_principal_id(call.principal.id);
  ctx.actor.set_role(auth::ProtoRole(call.principal.role));
  ctx.actor.set_agency_code(call.principal.agency);
  return ctx;
}

auth::RelationFacts PlacementsService::FactsOf(
    const google::protobuf::Message& resource) {
  auth::RelationFacts facts;
  const pv1::Site* site = nullptr;
  absl::StatusOr<pv1::Site> loaded;
  if (const auto* s = dynamic_cast<const pv1::Site*>(&resource)) {
    site = s;
  } else if (const auto* p = dynamic_cast<const pv1::Placement*>(&resource)) {
    facts.placement_regency = p->regency_code();
    loaded = store_.Get<pv1::Site>(p->site(), "site");
    if (loaded.ok()) site = &*loaded;
    absl::StatusOr<std::string> office = store_.HandoverOffice(p->case_name());
    if (office.ok() && !office->empty()) facts.handover_office = *office;
  }
  if (site != nullptr) {
    for (const pv1::AccompanyingStaff& s : site->staff()) {
      facts.site_staff.push_back(s.principal_id());
    }
  }
  return facts;
}

absl::StatusOr<kerjasosial::cases::v1::CaseForExecution>
PlacementsService::GetCase(const std::string& case_name) const {
  if (!options_.get_case) {
    return absl::UnavailableError(
        "the cases service is not configured (--cases_address)");
  }
  return options_.get_case(case_name);
}

absl::StatusOr<int> PlacementsService::SweepExpiredAgreements() {
  const absl::Time now = options_.clock->Now();
  int expired = 0;
  std::string after;
  while (true) {
    std::vector<pv1::CooperationAgreement> due;
    KS_ASSIGN_OR_RETURN(
        outbox::IndexPageInfo page,
        store_.List<pv1::CooperationAgreement>(
            store::kAgreements, "g", after, 200, {},
            [&](const pv1::CooperationAgreement& a) {
              absl::StatusOr<absl::TimeZone> tz =
                  regions::Regions::Get().TimeZone(a.regency_code());
              const absl::CivilDay today = LocalDay(
                  now, tz.ok() ? *tz : options_.policy->default_time_zone());
              return a.state() == pv1::AGREEMENT_STATE_IN_FORCE &&
                     domain::EffectiveState(a, today) ==
                         pv1::AGREEMENT_STATE_EXPIRED;
            },
            &due));
    for (const pv1::CooperationAgreement& a : due) {
      absl::StatusOr<absl::TimeZone> tz =
          regions::Regions::Get().TimeZone(a.regency_code());
      domain::Context ctx;
      ctx.now = now;
      ctx.today =
          LocalDay(now, tz.ok() ? *tz : options_.policy->default_time_zone());
      ctx.policy = &options_.policy->At(ctx.today);
      ctx.actor.set_principal_id("placements-sweep");
      absl::StatusOr<pv1::CooperationAgreement> next = domain::Expire(a, ctx);
      if (!next.ok()) continue;
      store::Batch batch;
      const int64_t v = batch.Put(*next, VersionOf(a));
      batch.Event(kAgreementType, next->name(), v, next->regency_code(),
                  domain::EndedEvent(*next));
      outbox::Transaction txn = std::move(batch).Finish(*next);
      audit::Record record;
      record.principal_id = "placements-sweep";
      record.role = "SYSTEM";
      record.method = "sweep:agreement_expiry";
      record.resource_name = next->name();
      record.time = now;
      txn.audit = record;
      absl::Status st = runtime_.outbox().Commit(txn).status();
      // A concurrent change (or sweep) committed first: it is re-read on
      // the next sweep, never expired twice.
      if (st.ok()) {
        ++expired;
      } else if (!absl::IsAborted(st)) {
        return st;
      }
    }
    if (page.next_after.empty()) break;
    after = page.next_after;
  }
  return expired;
}

}  // namespace ks::placements
