// The gRPC handlers of the supervision service
// (kerjasosial.supervision.v1.Supervision), run by the Bapas. Only StreamEvents
// (this deployment's outbox feed) is served so far; every other method answers
// gRPC's own UNIMPLEMENTED until the issue that builds the supervision service
// lands.
#ifndef KS_SERVICES_SUPERVISION_SUPERVISION_SERVICE_H_
#define KS_SERVICES_SUPERVISION_SUPERVISION_SERVICE_H_

#include "common/server/runtime.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"

namespace ks::supervision {

using SupervisionService = server::FeedService<
    kerjasosial::supervision::v1::Supervision::CallbackService>;

}  // namespace ks::supervision

#endif  // KS_SERVICES_SUPERVISION_SUPERVISION_SERVICE_H_
