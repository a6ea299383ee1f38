// CaseSnapshotSource: the cases feed's snapshot mode (common/feed/snapshot.h)
// over the case store. Enumerates every case of the deployment through the
// deployment-wide creation index (`idx:g:created`), a page at a time, and
// emits one Event per case: aggregate type/name/version/regency of the case
// as stored, event_type and payload from `state_of` (the domain's
// non-personal CaseStateSnapshot), event_time the case's update time.
//
// Each page is read on its own; a case changed during the enumeration is
// sent in the state read, with that state's version, and the FeedServer's
// replay after the snapshot head brings any newer change (snapshot.h).
//
// Errors: UNAVAILABLE (or the pool's error) when Redis cannot be read; the
// emitter's error unchanged, which ends the enumeration.
//
// Thread-safe: holds references only; concurrent enumerations each read
// through the store's pool.
#ifndef KS_SERVICES_CASES_STORE_CASE_SNAPSHOT_H_
#define KS_SERVICES_CASES_STORE_CASE_SNAPSHOT_H_

#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "common/feed/snapshot.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "services/cases/store/case_store.h"

namespace ks::cases::store {

class CaseSnapshotSource final : public feed::SnapshotSource {
 public:
  // The payload of a case's snapshot event (domain::SnapshotOf); must
  // carry no personal data.
  using StateOf = std::function<kerjasosial::cases::v1::CaseStateSnapshot(
      const kerjasosial::cases::v1::Case&)>;

  // `store` must outlive the source. `page_size`: cases read per index page.
  CaseSnapshotSource(CaseStore& store, StateOf state_of, int page_size = 200)
      : store_(store), state_of_(std::move(state_of)), page_size_(page_size) {}
  CaseSnapshotSource(const CaseSnapshotSource&) = delete;
  CaseSnapshotSource& operator=(const CaseSnapshotSource&) = delete;

  absl::Status Enumerate(const feed::SnapshotEmit& emit) override;

 private:
  CaseStore& store_;
  const StateOf state_of_;
  const int page_size_;
};

}  // namespace ks::cases::store

#endif  // KS_SERVICES_CASES_STORE_CASE_SNAPSHOT_H_
