#include "services/placements/domain/report.h"

#include "common/time/clock.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

pv1::ReportFigures FiguresOf(const std::vector<pv1::Site>& sites,
                             const std::vector<pv1::Placement>& placements,
                             const cv1::DateRange& period,
                             absl::TimeZone zone) {
  pv1::ReportFigures f;
  absl::StatusOr<absl::CivilDay> first =
      CivilDayFromDate(period.start_date(), "period.start_date");
  absl::StatusOr<absl::CivilDay> last =
      CivilDayFromDate(period.end_date(), "period.end_date");
  auto in_period = [&](const google::protobuf::Timestamp& t) {
    if (!first.ok() || !last.ok() || (t.seconds() == 0 && t.nanos() == 0)) {
      return false;
    }
    const absl::CivilDay d = LocalDay(FromProto(t), zone);
    return *first <= d && d <= *last;
  };
  for (const pv1::Site& s : sites) {
    if (s.state() != pv1::SITE_STATE_ACTIVE) continue;
    f.set_sites_active(f.sites_active() + 1);
    f.set_capacity_total(f.capacity_total() + s.capacity());
  }
  for (const pv1::Placement& p : placements) {
    if (in_period(p.start_time())) {
      f.set_placements_started(f.placements_started() + 1);
    }
    if (p.state() == pv1::PLACEMENT_STATE_ENDED && in_period(p.end_time())) {
      f.set_placements_ended(f.placements_ended() + 1);
      if (p.end_reason() == pv1::PLACEMENT_END_REASON_COMPLETED) {
        f.set_placements_completed(f.placements_completed() + 1);
      }
    }
    if (p.state() == pv1::PLACEMENT_STATE_ACTIVE) {
      f.set_placements_active(f.placements_active() + 1);
      if (p.kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT) {
        f.set_children_placed(f.children_placed() + 1);
      } else {
        f.set_adults_placed(f.adults_placed() + 1);
      }
    }
  }
  return f;
}

}  // namespace ks::placements::domain
