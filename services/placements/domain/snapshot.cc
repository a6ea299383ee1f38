#include "services/placements/domain/snapshot.h"

#include "services/placements/domain/activity.h"
#include "services/placements/domain/agreement.h"
#include "services/placements/domain/placement.h"
#include "services/placements/domain/site.h"

namespace ks::placements::domain {
namespace {
namespace pv1 = ::kerjasosial::placements::v1;

template <typename M>
std::unique_ptr<google::protobuf::Message> Boxed(M m) {
  return std::make_unique<M>(std::move(m));
}
}  // namespace

std::unique_ptr<google::protobuf::Message> AgreementSnapshot(
    const pv1::CooperationAgreement& a, const PolicyVersion& policy) {
  switch (a.state()) {
    case pv1::AGREEMENT_STATE_IN_FORCE:
      return Boxed(ActivatedEvent(a, policy));
    case pv1::AGREEMENT_STATE_EXPIRED:
    case pv1::AGREEMENT_STATE_TERMINATED:
      return Boxed(EndedEvent(a));
    default:
      return nullptr;
  }
}

std::unique_ptr<google::protobuf::Message> ActivityTypeSnapshot(
    const pv1::ActivityType& a) {
  return Boxed(ChangedEvent(a));
}

std::unique_ptr<google::protobuf::Message> SiteSnapshot(const pv1::Site& s) {
  return Boxed(ChangedEvent(s, s.state()));
}

std::unique_ptr<google::protobuf::Message> PlacementSnapshot(
    const pv1::Placement& p, pv1::ActivityCategory category) {
  const pv1::PlacementFacts facts = FactsOf(p, p.state(), category);
  switch (p.state()) {
    case pv1::PLACEMENT_STATE_ACTIVE: {
      pv1::PlacementStarted e;
      *e.mutable_facts() = facts;
      return Boxed(std::move(e));
    }
    case pv1::PLACEMENT_STATE_SUSPENDED: {
      pv1::PlacementSuspended e;
      *e.mutable_facts() = facts;
      e.set_reason_code(p.state_reason_code());
      return Boxed(std::move(e));
    }
    case pv1::PLACEMENT_STATE_ENDED: {
      pv1::PlacementEnded e;
      *e.mutable_facts() = facts;
      e.set_end_reason(p.end_reason());
      e.set_credited_minutes(p.credited_minutes());
      return Boxed(std::move(e));
    }
    case pv1::PLACEMENT_STATE_CANCELLED: {
      pv1::PlacementCancelled e;
      *e.mutable_facts() = facts;
      return Boxed(std::move(e));
    }
    default: {
      pv1::PlacementCreated e;
      *e.mutable_facts() = facts;
      return Boxed(std::move(e));
    }
  }
}

}  // namespace ks::placements::domain
