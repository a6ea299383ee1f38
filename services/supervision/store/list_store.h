// The lists of supervision part 1 (ListHoursLedgers, ListPkAssignments,
// ListWorkSessions) over the regency indexes of keys.h, paged with
// outbox::ScanIndex, and the index ops that keep those indexes: every step
// that creates a ledger, an assignment or a work session adds them to its
// own outbox transaction (Index*()), so an index never lags its records.
//
// Members are "<sort seconds, 12 digits>:<regency>:<id>" (the layout of
// HoursStore's per-case indexes) and name the record "<prefix>:<regency>:
// <id>"; the "-" index of each holds every regency's members.
//
// Thread-safe as the pool and the writer are.
#ifndef KS_SERVICES_SUPERVISION_STORE_LIST_STORE_H_
#define KS_SERVICES_SUPERVISION_STORE_LIST_STORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "kerjasosial/supervision/v1/resources.pb.h"

namespace ks::supervision::store {

template <typename R>
struct ListPage {
  std::vector<R> items;
  // Index member of the page's last item when more match; "" on the last.
  std::string next_after;
  int64_t total_size = 0;
};

class ListStore {
 public:
  // `pool` and `writer` must outlive the store.
  ListStore(redis::Pool& pool, outbox::Writer& writer)
      : pool_(pool), writer_(writer) {}
  ListStore(const ListStore&) = delete;
  ListStore& operator=(const ListStore&) = delete;

  // One page of `index` (a key of keys.h) whose members name records
  // "<record_prefix>:<regency>:<id>", from the exclusive member `after`;
  // `predicate` (null admits all) filters them.
  template <typename R>
  absl::StatusOr<ListPage<R>> Page(
      const std::string& index, absl::string_view record_prefix,
      absl::string_view after, int page_size, bool descending,
      const std::function<bool(const R&)>& predicate);

  // The number of ACTIVE assignments of a PK (its caseload index).
  absl::StatusOr<int64_t> Caseload(absl::string_view pk_principal_id);

  // Index ops of a new ledger (of `case_id`), assignment or work session.
  static void IndexLedger(outbox::Transaction& txn,
                          const kerjasosial::supervision::v1::HoursLedger& l,
                          absl::string_view regency, absl::string_view case_id);
  static void IndexAssignment(
      outbox::Transaction& txn,
      const kerjasosial::supervision::v1::PkAssignment& a,
      absl::string_view regency, absl::string_view id);
  static void IndexSession(outbox::Transaction& txn,
                           const kerjasosial::supervision::v1::WorkSession& s,
                           absl::string_view regency, absl::string_view id);

 private:
  redis::Pool& pool_;
  outbox::Writer& writer_;
};

}  // namespace ks::supervision::store

#endif  // KS_SERVICES_SUPERVISION_STORE_LIST_STORE_H_
