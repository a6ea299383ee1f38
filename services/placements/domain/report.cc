#include "services/placements/domain/report.h"

#include <set>
#include <utility>

#include "common/time/clock.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}
bool IsSet(const google::protobuf::Timestamp& t) {
  return t.seconds() != 0 || t.nanos() != 0;
}

void AddAttendance(pv1::AttendanceFigures& to,
                   const pv1::AttendanceFigures& from) {
  to.set_attended_complied(to.attended_complied() + from.attended_complied());
  to.set_failed_to_comply(to.failed_to_comply() + from.failed_to_comply());
  to.set_sent_home(to.sent_home() + from.sent_home());
  to.set_absent_acceptable(to.absent_acceptable() + from.absent_acceptable());
  to.set_absent_unacceptable(to.absent_unacceptable() +
                             from.absent_unacceptable());
}

}  // namespace

AgreementReport ReportOf(const std::vector<pv1::Site>& sites,
                         const std::vector<pv1::Placement>& placements,
                         const cv1::DateRange& period, absl::TimeZone zone,
                         const SiteCounters& counters) {
  AgreementReport out;
  pv1::ReportFigures& f = out.figures;
  absl::StatusOr<absl::CivilDay> first =
      CivilDayFromDate(period.start_date(), "period.start_date");
  absl::StatusOr<absl::CivilDay> last =
      CivilDayFromDate(period.end_date(), "period.end_date");
  auto day_of = [&](const google::protobuf::Timestamp& t) {
    return LocalDay(FromProto(t), zone);
  };
  auto in_period = [&](const google::protobuf::Timestamp& t) {
    if (!first.ok() || !last.ok() || !IsSet(t)) return false;
    const absl::CivilDay d = day_of(t);
    return *first <= d && d <= *last;
  };
  // Active at some time in the period: started by its last day, not ended
  // before its first.
  auto overlaps = [&](const pv1::Placement& p) {
    if (!first.ok() || !last.ok() || !IsSet(p.start_time())) return false;
    if (day_of(p.start_time()) > *last) return false;
    return !IsSet(p.end_time()) || day_of(p.end_time()) >= *first;
  };
  for (const pv1::Site& s : sites) {
    if (s.state() != pv1::SITE_STATE_ACTIVE) continue;
    f.set_sites_active(f.sites_active() + 1);
    f.set_capacity_total(f.capacity_total() + s.capacity());
  }
  std::set<std::string> people;
  // site -> activity type -> ACTIVE placements.
  std::map<std::string, std::map<std::string, int>> active;
  for (const pv1::Placement& p : placements) {
    if (in_period(p.start_time())) {
      f.set_placements_started(f.placements_started() + 1);
    }
    if (overlaps(p)) people.insert(p.case_name());
    if (p.state() == pv1::PLACEMENT_STATE_ENDED && in_period(p.end_time())) {
      f.set_placements_ended(f.placements_ended() + 1);
      if (p.end_reason() == pv1::PLACEMENT_END_REASON_COMPLETED) {
        f.set_placements_completed(f.placements_completed() + 1);
      }
    }
    if (p.state() == pv1::PLACEMENT_STATE_ACTIVE) {
      ++active[p.site()][p.activity_type()];
      f.set_placements_active(f.placements_active() + 1);
      if (p.kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT) {
        f.set_children_placed(f.children_placed() + 1);
      } else {
        f.set_adults_placed(f.adults_placed() + 1);
      }
    }
  }
  f.set_people_placed(static_cast<int32_t>(people.size()));

  std::set<std::string> activities_used;
  for (const pv1::Site& s : sites) {
    // The rows of this site: its offered activities (while ACTIVE) and
    // whatever supervision counted there.
    std::map<std::string, pv1::SiteActivityFigures> rows;
    if (s.state() == pv1::SITE_STATE_ACTIVE) {
      for (const pv1::SiteActivity& a : s.activities()) {
        rows[a.activity_type()];
      }
    }
    if (auto it = counters.find(s.name()); it != counters.end()) {
      for (const auto& [activity, row] : it->second) rows[activity] = row;
    }
    for (const auto& [activity, n] : active[s.name()]) rows[activity];
    bool used = false;
    for (auto& [activity, row] : rows) {
      row.set_site(s.name());
      row.set_activity_type(activity);
      row.set_placements_active(active[s.name()][activity]);
      if (row.sessions_recorded() > 0) {
        used = true;
        activities_used.insert(activity);
      }
      f.set_sessions_recorded(f.sessions_recorded() + row.sessions_recorded());
      f.set_credited_minutes(f.credited_minutes() + row.credited_minutes());
      f.set_violations_recorded(f.violations_recorded() +
                                row.violations_recorded());
      f.set_warnings_issued(f.warnings_issued() + row.warnings_issued());
      AddAttendance(*f.mutable_attendance(), row.attendance());
      out.rows.push_back(std::move(row));
    }
    if (used) {
      f.set_sites_used(f.sites_used() + 1);
    } else if (s.state() == pv1::SITE_STATE_ACTIVE) {
      f.set_sites_idle(f.sites_idle() + 1);
    }
  }
  f.set_activity_types_used(static_cast<int32_t>(activities_used.size()));
  return out;
}

}  // namespace ks::placements::domain
