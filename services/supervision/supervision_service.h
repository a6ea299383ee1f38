// The gRPC handlers of the supervision service
// (kerjasosial.supervision.v1.Supervision), run by the Bapas. Methods not
// implemented yet answer gRPC's own UNIMPLEMENTED (the generated base class
// does); StreamEvents serves this deployment's outbox feed.
#ifndef KS_SERVICES_SUPERVISION_SUPERVISION_SERVICE_H_
#define KS_SERVICES_SUPERVISION_SUPERVISION_SERVICE_H_

#include "common/server/runtime.h"
#include "kerjasosial/supervision/v1/supervision_service.grpc.pb.h"

namespace ks::supervision {

class SupervisionService final
    : public kerjasosial::supervision::v1::Supervision::CallbackService {
 public:
  explicit SupervisionService(server::Runtime& runtime) : runtime_(runtime) {}

  grpc::ServerWriteReactor<kerjasosial::common::v1::Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const kerjasosial::common::v1::StreamEventsRequest* request) override {
    return runtime_.StreamEvents(context, request);
  }

 private:
  server::Runtime& runtime_;
};

}  // namespace ks::supervision

#endif  // KS_SERVICES_SUPERVISION_SUPERVISION_SERVICE_H_
