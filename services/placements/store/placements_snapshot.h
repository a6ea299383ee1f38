// PlacementsSnapshotSource: the placements feed's snapshot mode
// (common/feed/snapshot.h) over the placements store. Enumerates every
// agreement, activity type, site and placement of the deployment through
// the deployment-wide indexes (`idx:<collection>:g`), a page at a time
// (feed::EnumeratePages), and emits one Event each: aggregate type = the
// resource's full name, its name, the version of the state read, its
// regency, and the state payload of domain/snapshot.h. Activity types go
// before placements so each placement's facts carry its activity's
// category.
//
// Each page is read on its own; the FeedServer's replay after the snapshot
// head brings any change made during the enumeration.
//
// Errors: the store's (UNAVAILABLE when Redis cannot be read); an emitter's
// error unchanged.
//
// Thread-safe: holds references only.
#ifndef KS_SERVICES_PLACEMENTS_STORE_PLACEMENTS_SNAPSHOT_H_
#define KS_SERVICES_PLACEMENTS_STORE_PLACEMENTS_SNAPSHOT_H_

#include "absl/status/status.h"
#include "common/feed/snapshot.h"
#include "common/policy/policy.h"
#include "common/time/clock.h"
#include "services/placements/store/placements_store.h"

namespace ks::placements::store {

class PlacementsSnapshotSource final : public feed::SnapshotSource {
 public:
  // `store` and `policy` must outlive the source; `clock` picks the policy
  // version an agreement's payload resolves its reporting period by.
  PlacementsSnapshotSource(PlacementsStore& store,
                           const policy::PolicySet& policy,
                           const Clock* clock = SystemClock(),
                           int page_size = 200)
      : store_(store), policy_(policy), clock_(clock), page_size_(page_size) {}
  PlacementsSnapshotSource(const PlacementsSnapshotSource&) = delete;
  PlacementsSnapshotSource& operator=(const PlacementsSnapshotSource&) = delete;

  absl::Status Enumerate(const feed::SnapshotEmit& emit) override;

 private:
  PlacementsStore& store_;
  const policy::PolicySet& policy_;
  const Clock* const clock_;
  const int page_size_;
};

}  // namespace ks::placements::store

#endif  // KS_SERVICES_PLACEMENTS_STORE_PLACEMENTS_SNAPSHOT_H_
