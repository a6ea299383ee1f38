// The gRPC handlers of the placements service
// (kerjasosial.placements.v1.Placements), run by the Pemda. Methods not
// implemented yet answer gRPC's own UNIMPLEMENTED (the generated base class
// does); StreamEvents serves this deployment's outbox feed.
#ifndef KS_SERVICES_PLACEMENTS_PLACEMENTS_SERVICE_H_
#define KS_SERVICES_PLACEMENTS_PLACEMENTS_SERVICE_H_

#include "common/server/runtime.h"
#include "kerjasosial/placements/v1/placements_service.grpc.pb.h"

namespace ks::placements {

class PlacementsService final
    : public kerjasosial::placements::v1::Placements::CallbackService {
 public:
  explicit PlacementsService(server::Runtime& runtime) : runtime_(runtime) {}

  grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request) override {
    return runtime_.StreamEvents(context, request);
  }

 private:
  server::Runtime& runtime_;
};

}  // namespace ks::placements

#endif  // KS_SERVICES_PLACEMENTS_PLACEMENTS_SERVICE_H_
