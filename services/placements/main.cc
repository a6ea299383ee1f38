// kerjasosial-placements: the placements service, one deployment per Pemda
// office.
#include "common/server/runtime.h"
#include "services/placements/placements_service.h"

int main(int argc, char** argv) {
  return ks::server::RunServiceMain<ks::placements::PlacementsService>(
      argc, argv, {"placements", 7102, 9102},
      "kerjasosial-placements: the placements service of kerjasosial.\n"
      "Flags may also be set as KS_<FLAG> environment variables.",
      /*publishes_feed=*/true);
}
