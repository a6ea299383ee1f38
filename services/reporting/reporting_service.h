// The gRPC handlers of the reporting service
// (kerjasosial.reporting.v1.Reporting), run nationally. Methods not implemented
// yet answer gRPC's own UNIMPLEMENTED (the generated base class does).
// Reporting publishes no feed.
#ifndef KS_SERVICES_REPORTING_REPORTING_SERVICE_H_
#define KS_SERVICES_REPORTING_REPORTING_SERVICE_H_

#include "common/server/runtime.h"
#include "kerjasosial/reporting/v1/reporting_service.grpc.pb.h"

namespace ks::reporting {

class ReportingService final
    : public kerjasosial::reporting::v1::Reporting::CallbackService {
 public:
  explicit ReportingService(server::Runtime& runtime) : runtime_(runtime) {}

 private:
  [[maybe_unused]] server::Runtime& runtime_;
};

}  // namespace ks::reporting

#endif  // KS_SERVICES_REPORTING_REPORTING_SERVICE_H_
