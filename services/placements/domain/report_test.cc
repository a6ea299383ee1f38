#include "services/placements/domain/report.h"

#include "common/time/clock.h"
#include "gtest/gtest.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;

constexpr char kUsed[] = "regencies/64.01/sites/used";
constexpr char kIdle[] = "regencies/64.01/sites/idle";
constexpr char kSweep[] = "regencies/64.01/activityTypes/sapu";
constexpr char kPaint[] = "regencies/64.01/activityTypes/cat";

pv1::Site Site(const std::string& name) {
  pv1::Site s;
  s.set_name(name);
  s.set_state(pv1::SITE_STATE_ACTIVE);
  s.set_capacity(4);
  s.add_activities()->set_activity_type(kSweep);
  return s;
}

google::protobuf::Timestamp Day(absl::CivilDay d, absl::TimeZone z) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::FromCivil(d, z) + absl::Hours(9)));
  return t;
}

TEST(ReportTest, CountsPlacementsPeopleAndSupervisionRows) {
  absl::TimeZone wita;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Makassar", &wita));
  cv1::DateRange march;
  *march.mutable_start_date() = DateFromCivilDay(absl::CivilDay(2026, 3, 1));
  *march.mutable_end_date() = DateFromCivilDay(absl::CivilDay(2026, 3, 31));

  std::vector<pv1::Placement> placements(3);
  // Active since February: placed in March, not started in it.
  placements[0].set_case_name("regencies/64.01/cases/c1");
  placements[0].set_site(kUsed);
  placements[0].set_activity_type(kSweep);
  placements[0].set_state(pv1::PLACEMENT_STATE_ACTIVE);
  *placements[0].mutable_start_time() = Day(absl::CivilDay(2026, 2, 2), wita);
  // Started and completed in March.
  placements[1].set_case_name("regencies/64.01/cases/c2");
  placements[1].set_site(kUsed);
  placements[1].set_activity_type(kPaint);
  placements[1].set_state(pv1::PLACEMENT_STATE_ENDED);
  placements[1].set_end_reason(pv1::PLACEMENT_END_REASON_COMPLETED);
  *placements[1].mutable_start_time() = Day(absl::CivilDay(2026, 3, 2), wita);
  *placements[1].mutable_end_time() = Day(absl::CivilDay(2026, 3, 20), wita);
  // Ended in January: not in the period at all.
  placements[2].set_case_name("regencies/64.01/cases/c3");
  placements[2].set_site(kIdle);
  placements[2].set_state(pv1::PLACEMENT_STATE_ENDED);
  *placements[2].mutable_start_time() = Day(absl::CivilDay(2026, 1, 2), wita);
  *placements[2].mutable_end_time() = Day(absl::CivilDay(2026, 1, 30), wita);

  SiteCounters counters;
  pv1::SiteActivityFigures& sweep = counters[kUsed][kSweep];
  sweep.set_sessions_recorded(5);
  sweep.set_credited_minutes(1200);
  sweep.mutable_attendance()->set_attended_complied(4);
  sweep.mutable_attendance()->set_sent_home(1);
  sweep.set_violations_recorded(1);
  counters[kUsed][kPaint].set_sessions_recorded(2);
  counters[kUsed][kPaint].set_credited_minutes(300);
  counters[kUsed][kPaint].set_warnings_issued(1);

  const AgreementReport r =
      ReportOf({Site(kUsed), Site(kIdle)}, placements, march, wita, counters);
  const pv1::ReportFigures& f = r.figures;
  EXPECT_EQ(f.sites_active(), 2);
  EXPECT_EQ(f.capacity_total(), 8);
  EXPECT_EQ(f.placements_started(), 1);
  EXPECT_EQ(f.placements_ended(), 1);
  EXPECT_EQ(f.placements_completed(), 1);
  EXPECT_EQ(f.placements_active(), 1);
  EXPECT_EQ(f.people_placed(), 2);
  EXPECT_EQ(f.sessions_recorded(), 7);
  EXPECT_EQ(f.credited_minutes(), 1500);
  EXPECT_EQ(f.attendance().attended_complied(), 4);
  EXPECT_EQ(f.attendance().sent_home(), 1);
  EXPECT_EQ(f.violations_recorded(), 1);
  EXPECT_EQ(f.warnings_issued(), 1);
  EXPECT_EQ(f.sites_used(), 1);
  EXPECT_EQ(f.sites_idle(), 1);
  EXPECT_EQ(f.activity_types_used(), 2);

  // Rows: used×cat, used×sapu, idle×sapu (offered, nothing done).
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0].site(), kUsed);
  EXPECT_EQ(r.rows[0].activity_type(), kPaint);
  EXPECT_EQ(r.rows[1].activity_type(), kSweep);
  EXPECT_EQ(r.rows[1].placements_active(), 1);
  EXPECT_EQ(r.rows[1].credited_minutes(), 1200);
  EXPECT_EQ(r.rows[2].site(), kIdle);
  EXPECT_EQ(r.rows[2].sessions_recorded(), 0);
}

}  // namespace
}  // namespace ks::placements::domain
