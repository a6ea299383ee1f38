#include "services/placements/domain/supervision_counts.h"

#include "common/time/clock.h"
#include "gtest/gtest.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace sv1 = ::kerjasosial::supervision::v1;

constexpr char kSite[] = "regencies/64.01/sites/taman";
constexpr char kSweep[] = "regencies/64.01/activityTypes/sapu";

sv1::SessionRecorded Session(sv1::AttendanceOutcome outcome, int minutes) {
  sv1::SessionRecorded s;
  s.set_work_session("regencies/64.01/workSessions/w1");
  s.set_site(kSite);
  s.set_activity_type(kSweep);
  s.set_outcome(outcome);
  s.set_credited_minutes(minutes);
  *s.mutable_local_date() = DateFromCivilDay(absl::CivilDay(2026, 3, 31));
  return s;
}

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  return out;
}

TEST(SupervisionCountsTest, SessionCountsInTheMonthOfItsLocalDate) {
  absl::StatusOr<SessionMemo> memo =
      MemoOf(Session(sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 240));
  ASSERT_TRUE(memo.ok()) << memo.status();
  EXPECT_EQ(memo->month, absl::CivilMonth(2026, 3));
  const std::vector<CounterDelta> deltas = SessionDeltas(*memo, 240, +1);
  ASSERT_EQ(deltas.size(), 3u);
  EXPECT_EQ(deltas[0].counter, kCounterSessions);
  EXPECT_EQ(deltas[0].delta, 1);
  EXPECT_EQ(deltas[1].counter, kCounterMinutes);
  EXPECT_EQ(deltas[1].delta, 240);
  EXPECT_EQ(deltas[2].counter, "attendance.attended_complied");
}

TEST(SupervisionCountsTest, VoidingWithdrawsWhatRecordingAdded) {
  SessionMemo memo = *MemoOf(Session(sv1::ATTENDANCE_OUTCOME_SENT_HOME, 90));
  std::map<std::string, pv1::SiteActivityFigures> rows;
  for (const CounterDelta& d : SessionDeltas(memo, 90, +1)) {
    ASSERT_TRUE(
        AddCounter(CounterField(d.activity_type, d.counter), d.delta, &rows));
  }
  EXPECT_EQ(rows[kSweep].attendance().sent_home(), 1);
  EXPECT_EQ(rows[kSweep].credited_minutes(), 90);
  for (const CounterDelta& d : SessionDeltas(memo, 90, -1)) {
    AddCounter(CounterField(d.activity_type, d.counter), d.delta, &rows);
  }
  EXPECT_EQ(rows[kSweep].sessions_recorded(), 0);
  EXPECT_EQ(rows[kSweep].credited_minutes(), 0);
  EXPECT_EQ(rows[kSweep].attendance().sent_home(), 0);
}

TEST(SupervisionCountsTest, MemoRoundTrips) {
  SessionMemo memo =
      *MemoOf(Session(sv1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE, 0));
  std::optional<SessionMemo> back = DecodeMemo(EncodeMemo(memo));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->site, kSite);
  EXPECT_EQ(back->month, absl::CivilMonth(2026, 3));
  EXPECT_EQ(back->activity_type, kSweep);
  EXPECT_EQ(back->outcome, sv1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE);
  EXPECT_FALSE(DecodeMemo("garbage").has_value());
}

TEST(SupervisionCountsTest, SessionWithoutSiteOrDateIsRefused) {
  sv1::SessionRecorded s = Session(sv1::ATTENDANCE_OUTCOME_SENT_HOME, 0);
  s.clear_site();
  EXPECT_EQ(MemoOf(s).status().code(), absl::StatusCode::kInvalidArgument);
  s = Session(sv1::ATTENDANCE_OUTCOME_SENT_HOME, 0);
  s.clear_local_date();
  EXPECT_EQ(MemoOf(s).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SupervisionCountsTest, IncidentLandsOnThePlacementOfItsTime) {
  absl::TimeZone wita;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Makassar", &wita));
  std::vector<pv1::Placement> placements(2);
  placements[0].set_site("regencies/64.01/sites/old");
  *placements[0].mutable_start_time() =
      At(absl::FromCivil(absl::CivilDay(2026, 1, 5), wita));
  *placements[0].mutable_end_time() =
      At(absl::FromCivil(absl::CivilDay(2026, 2, 10), wita));
  placements[1].set_site(kSite);
  placements[1].set_activity_type(kSweep);
  *placements[1].mutable_start_time() =
      At(absl::FromCivil(absl::CivilDay(2026, 2, 10), wita));
  // 2026-02-28 23:30 WITA is 15:30 UTC: February locally.
  const absl::Time late_february =
      absl::FromCivil(absl::CivilSecond(2026, 2, 28, 23, 30, 0), wita);
  const pv1::Placement* p = PlacementAt(placements, late_february, wita);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->site(), kSite);
  const CounterDelta d =
      IncidentDelta(*p, late_february, wita, kCounterViolations);
  EXPECT_EQ(d.month, absl::CivilMonth(2026, 2));
  EXPECT_EQ(d.activity_type, kSweep);
  EXPECT_EQ(
      PlacementAt(placements,
                  absl::FromCivil(absl::CivilDay(2025, 12, 1), wita), wita),
      nullptr);
  // Earlier the same local day as the start (an incident stamped by another
  // clock): still that placement.
  const absl::Time morning =
      absl::FromCivil(absl::CivilSecond(2026, 2, 10, 7, 0, 0), wita);
  *placements[1].mutable_start_time() =
      At(absl::FromCivil(absl::CivilSecond(2026, 2, 10, 9, 0, 0), wita));
  ASSERT_NE(PlacementAt(placements, morning, wita), nullptr);
  EXPECT_EQ(PlacementAt(placements, morning, wita)->site(), kSite);
}

TEST(SupervisionCountsTest, UnknownCounterIsIgnored) {
  std::map<std::string, pv1::SiteActivityFigures> rows;
  EXPECT_FALSE(AddCounter("sapu|bogus", 3, &rows));
  EXPECT_FALSE(AddCounter("no-bar", 3, &rows));
  EXPECT_TRUE(rows.empty());
}

TEST(SupervisionCountsTest, MonthsOfAQuarter) {
  kerjasosial::common::v1::DateRange q;
  *q.mutable_start_date() = DateFromCivilDay(absl::CivilDay(2026, 4, 1));
  *q.mutable_end_date() = DateFromCivilDay(absl::CivilDay(2026, 6, 30));
  const std::vector<absl::CivilMonth> months = MonthsOf(q);
  ASSERT_EQ(months.size(), 3u);
  EXPECT_EQ(MonthKey(months[0]), "2026-04");
  EXPECT_EQ(MonthKey(months[2]), "2026-06");
}

}  // namespace
}  // namespace ks::placements::domain
