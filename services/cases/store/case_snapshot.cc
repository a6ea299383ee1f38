#include "services/cases/store/case_snapshot.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace ks::cases::store {

absl::Status CaseSnapshotSource::Enumerate(const feed::SnapshotEmit& emit) {
  ListQuery query;
  query.index = CaseStore::IndexKey("g", "created");
  query.page_size = page_size_;
  while (true) {
    KS_ASSIGN_OR_RETURN(Page page, store_.List(query));
    for (const kerjasosial::cases::v1::Case& c : page.cases) {
      kerjasosial::common::v1::Event e;
      e.set_event_id(absl::StrCat(c.name(), "@", c.version()));
      e.set_aggregate_type(std::string(kCaseAggregateType));
      e.set_aggregate_name(c.name());
      e.set_aggregate_version(c.version());
      e.set_regency_code(c.regency_code());
      if (c.has_update_time()) *e.mutable_event_time() = c.update_time();
      const kerjasosial::cases::v1::CaseStateSnapshot state = state_of_(c);
      e.set_event_type(state.GetDescriptor()->full_name());
      e.mutable_payload()->PackFrom(state);
      KS_RETURN_IF_ERROR(emit(std::move(e)));
    }
    if (page.next_after.empty()) return absl::OkStatus();
    query.after = page.next_after;
  }
}

}  // namespace ks::cases::store
