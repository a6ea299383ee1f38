// The gRPC handlers of the placements service
// (kerjasosial.placements.v1.Placements), run by the Pemda. Only StreamEvents
// (this deployment's outbox feed) is served so far; every other method answers
// gRPC's own UNIMPLEMENTED until the issue that builds the placements service
// lands.
#ifndef KS_SERVICES_PLACEMENTS_PLACEMENTS_SERVICE_H_
#define KS_SERVICES_PLACEMENTS_PLACEMENTS_SERVICE_H_

#include "common/server/runtime.h"
#include "kerjasosial/placements/v1/placements_service.grpc.pb.h"

namespace ks::placements {

using PlacementsService = server::FeedService<
    kerjasosial::placements::v1::Placements::CallbackService>;

}  // namespace ks::placements

#endif  // KS_SERVICES_PLACEMENTS_PLACEMENTS_SERVICE_H_
