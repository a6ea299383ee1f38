#include "services/placements/store/placements_snapshot.h"

#include <map>
#include <string>
#include <vector>

#include "common/status/status_macros.h"
#include "kerjasosial/placements/v1/resources.pb.h"
#include "services/placements/domain/snapshot.h"

namespace ks::placements::store {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;

// Every record of `collection`, page by page, each given to `each`.
template <typename R>
absl::Status EachOf(PlacementsStore& store, absl::string_view collection,
                    int page_size,
                    const std::function<absl::Status(const R&)>& each) {
  return feed::EnumeratePages(
      [&](const std::string& after) -> absl::StatusOr<std::string> {
        std::vector<R> items;
        KS_ASSIGN_OR_RETURN(
            outbox::IndexPageInfo page,
            store.List<R>(collection, "g", after, page_size, {}, {}, &items));
        for (const R& r : items) KS_RETURN_IF_ERROR(each(r));
        return page.next_after;
      });
}

template <typename R>
absl::Status EmitState(const feed::SnapshotEmit& emit, const R& r,
                       absl::string_view regency,
                       const google::protobuf::Message* state) {
  if (state == nullptr) return absl::OkStatus();
  absl::StatusOr<int64_t> version = outbox::VersionFromEtag(r.etag());
  return emit(feed::SnapshotEvent(R::descriptor()->full_name(), r.name(),
                                  version.ok() ? *version : 0, regency,
                                  r.update_time(), *state));
}

}  // namespace

absl::Status PlacementsSnapshotSource::Enumerate(
    const feed::SnapshotEmit& emit) {
  const kerjasosial::common::v1::PolicyVersion& today =
      policy_.Current(*clock_);
  KS_RETURN_IF_ERROR(EachOf<pv1::CooperationAgreement>(
      store_, kAgreements, page_size_, [&](const pv1::CooperationAgreement& a) {
        return EmitState(emit, a, a.regency_code(),
                         domain::AgreementSnapshot(a, today).get());
      }));
  std::map<std::string, pv1::ActivityCategory> categories;
  KS_RETURN_IF_ERROR(EachOf<pv1::ActivityType>(
      store_, kActivityTypes, page_size_, [&](const pv1::ActivityType& a) {
        categories[a.name()] = a.category();
        return EmitState(emit, a, RegencyOf(a.name()),
                         domain::ActivityTypeSnapshot(a).get());
      }));
  KS_RETURN_IF_ERROR(
      EachOf<pv1::Site>(store_, kSites, page_size_, [&](const pv1::Site& s) {
        return EmitState(emit, s, s.regency_code(),
                         domain::SiteSnapshot(s).get());
      }));
  return EachOf<pv1::Placement>(
      store_, kPlacements, page_size_, [&](const pv1::Placement& p) {
        auto it = categories.find(p.activity_type());
        return EmitState(
            emit, p, p.regency_code(),
            domain::PlacementSnapshot(
                p, it == categories.end() ? pv1::ACTIVITY_CATEGORY_UNSPECIFIED
                                          : it->second)
                .get());
      });
}

}  // namespace ks::placements::store
