// The state payloads of the placements feed's snapshot mode
// (StreamEventsRequest.snapshot): each resource's current state as the
// event a consumer would have last applied for it, so a new supervision or
// reporting deployment starts from a snapshot with the same handlers it
// uses for the live feed. No personal data (the event payloads carry none).
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_SNAPSHOT_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_SNAPSHOT_H_

#include <memory>

#include "google/protobuf/message.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "services/placements/domain/context.h"

namespace ks::placements::domain {

// IN_FORCE: CooperationAgreementActivated; EXPIRED or TERMINATED:
// CooperationAgreementEnded; null for a DRAFT (never on the feed).
std::unique_ptr<google::protobuf::Message> AgreementSnapshot(
    const kerjasosial::placements::v1::CooperationAgreement& a,
    const PolicyVersion& policy);

// ActivityTypeChanged.
std::unique_ptr<google::protobuf::Message> ActivityTypeSnapshot(
    const kerjasosial::placements::v1::ActivityType& a);

// SiteChanged (previous state = current: nothing changed).
std::unique_ptr<google::protobuf::Message> SiteSnapshot(
    const kerjasosial::placements::v1::Site& s);

// The event of the placement's state: PlacementStarted (ACTIVE),
// PlacementSuspended, PlacementEnded, PlacementCancelled, and
// PlacementCreated for the states before the start (proposed, accepted,
// planned, declined), each with its facts.
std::unique_ptr<google::protobuf::Message> PlacementSnapshot(
    const kerjasosial::placements::v1::Placement& p,
    kerjasosial::placements::v1::ActivityCategory category);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_SNAPSHOT_H_
