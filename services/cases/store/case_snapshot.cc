#include "services/cases/store/case_snapshot.h"

#include <string>
#include <utility>

#include "common/status/status_macros.h"

namespace ks::cases::store {

absl::Status CaseSnapshotSource::Enumerate(const feed::SnapshotEmit& emit) {
  ListQuery query;
  query.index = CaseStore::IndexKey("g", "created");
  query.page_size = page_size_;
  return feed::EnumeratePages(
      [&](const std::string& after) -> absl::StatusOr<std::string> {
        query.after = after;
        KS_ASSIGN_OR_RETURN(Page page, store_.List(query));
        for (const kerjasosial::cases::v1::Case& c : page.cases) {
          KS_RETURN_IF_ERROR(emit(feed::SnapshotEvent(
              kCaseAggregateType, c.name(), c.version(), c.regency_code(),
              c.update_time(), state_of_(c))));
        }
        return page.next_after;
      });
}

}  // namespace ks::cases::store
