// kerjasosial-reporting: the reporting service, one deployment per national
// office.
#include "common/server/runtime.h"
#include "services/reporting/reporting_service.h"

int main(int argc, char** argv) {
  return ks::server::RunServiceMain<ks::reporting::ReportingService>(
      argc, argv, {"reporting", 7104, 9104},
      "kerjasosial-reporting: the reporting service of kerjasosial.\n"
      "Flags may also be set as KS_<FLAG> environment variables.",
      /*publishes_feed=*/false);
}
