// kerjasosial-supervision: the supervision service, one deployment per Bapas
// office.
#include "common/server/runtime.h"
#include "services/supervision/supervision_service.h"

int main(int argc, char** argv) {
  return ks::server::RunServiceMain<ks::supervision::SupervisionService>(
      argc, argv, {"supervision", 7103, 9103},
      "kerjasosial-supervision: the supervision service of kerjasosial.\n"
      "Flags may also be set as KS_<FLAG> environment variables.",
      /*publishes_feed=*/true);
}
