#include "services/supervision/store/list_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/outbox/index_scan.h"
#include "common/status/status_macros.h"
#include "services/supervision/store/hours_store.h"
#include "services/supervision/store/keys.h"

namespace ks::supervision::store {
namespace {

namespace sv1 = ::kerjasosial::supervision::v1;

// Adds `member` to the regency's index and to the "-" index.
void AddToBoth(outbox::Transaction& txn,
               std::string (*index)(absl::string_view),
               absl::string_view regency, const std::string& member) {
  txn.index_ops.push_back(outbox::IndexOp::ZAdd(index(regency), 0, member));
  txn.index_ops.push_back(outbox::IndexOp::ZAdd(index("-"), 0, member));
}

}  // namespace

template <typename R>
absl::StatusOr<ListPage<R>> ListStore::Page(
    const std::string& index, absl::string_view record_prefix,
    absl::string_view after, int page_size, bool descending,
    const std::function<bool(const R&)>& predicate) {
  outbox::IndexScan scan;
  scan.index = index;
  scan.descending = descending;
  scan.after = std::string(after);
  scan.page_size = page_size;
  const std::string prefix(record_prefix);
  scan.record_key =
      [prefix](absl::string_view member) -> absl::StatusOr<std::string> {
    const std::vector<absl::string_view> parts = absl::StrSplit(member, ':');
    if (parts.size() != 3) {
      return absl::InternalError("malformed index member");
    }
    return absl::StrCat(prefix, ":", parts[1], ":", parts[2]);
  };
  ListPage<R> page;
  KS_ASSIGN_OR_RETURN(
      outbox::IndexPageInfo info,
      outbox::ScanIndexInto<R>(
          pool_, writer_, std::move(scan), R::descriptor()->name(), predicate,
          [](R& r, int64_t version) { r.set_etag(outbox::Etag(version)); },
          &page.items));
  page.next_after = std::move(info.next_after);
  page.total_size = info.total_size;
  return page;
}

template absl::StatusOr<ListPage<sv1::HoursLedger>>
ListStore::Page<sv1::HoursLedger>(
    const std::string&, absl::string_view, absl::string_view, int, bool,
    const std::function<bool(const sv1::HoursLedger&)>&);
template absl::StatusOr<ListPage<sv1::PkAssignment>>
ListStore::Page<sv1::PkAssignment>(
    const std::string&, absl::string_view, absl::string_view, int, bool,
    const std::function<bool(const sv1::PkAssignment&)>&);
template absl::StatusOr<ListPage<sv1::WorkSession>>
ListStore::Page<sv1::WorkSession>(
    const std::string&, absl::string_view, absl::string_view, int, bool,
    const std::function<bool(const sv1::WorkSession&)>&);

absl::StatusOr<int64_t> ListStore::Caseload(absl::string_view pk_principal_id) {
  KS_ASSIGN_OR_RETURN(
      redis::Reply r,
      pool_.Command({"ZCARD", writer_.Key(PkCaseloadIndex(pk_principal_id))}));
  return r.integer;
}

void ListStore::IndexLedger(outbox::Transaction& txn, const sv1::HoursLedger& l,
                            absl::string_view regency,
                            absl::string_view case_id) {
  // The ledger's members sort by creation like the assignments'.
  sv1::PkAssignment by_time;
  *by_time.mutable_create_time() = l.create_time();
  AddToBoth(txn, &RegencyLedgersIndex, regency,
            HoursStore::AssignmentMember(by_time, regency, case_id));
}

void ListStore::IndexAssignment(outbox::Transaction& txn,
                                const sv1::PkAssignment& a,
                                absl::string_view regency,
                                absl::string_view id) {
  AddToBoth(txn, &RegencyAssignmentsIndex, regency,
            HoursStore::AssignmentMember(a, regency, id));
}

void ListStore::IndexSession(outbox::Transaction& txn,
                             const sv1::WorkSession& s,
                             absl::string_view regency, absl::string_view id) {
  AddToBoth(txn, &RegencySessionsIndex, regency,
            HoursStore::SessionMember(s, regency, id));
}

}  // namespace ks::supervision::store
