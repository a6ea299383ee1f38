#include "services/placements/domain/periodic_report.h"

#include "common/csv/csv.h"
#include "common/time/clock.h"
#include "gtest/gtest.h"
#include "services/placements/domain/test_util.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;
using testing::Ctx;
using testing::Fields;

cv1::DateRange Range(absl::CivilDay a, absl::CivilDay b) {
  cv1::DateRange r;
  *r.mutable_start_date() = DateFromCivilDay(a);
  *r.mutable_end_date() = DateFromCivilDay(b);
  return r;
}

pv1::CooperationAgreement Quarterly() {
  pv1::CooperationAgreement a;
  a.set_name("regencies/64.01/agreements/a1");
  a.set_reporting_period(cv1::REPORTING_PERIOD_QUARTERLY);
  return a;
}

pv1::PeriodicReport Draft(cv1::DateRange period) {
  pv1::PeriodicReport in;
  *in.mutable_period() = period;
  in.set_narrative("Kegiatan berjalan baik.");
  absl::StatusOr<pv1::PeriodicReport> r = NewPeriodicReport(
      in, Quarterly(), "regencies/64.01/agreements/a1/reports/2026-01-01", {},
      Ctx());
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

TEST(PeriodicReportTest, PeriodMustBeOneReportingPeriod) {
  const auto check = [](cv1::DateRange r, cv1::ReportingPeriod p) {
    Validator v;
    CheckReportPeriod(v, "report.period", r, p);
    return Fields(v.Finish());
  };
  const cv1::ReportingPeriod q = cv1::REPORTING_PERIOD_QUARTERLY;
  EXPECT_TRUE(
      check(Range(absl::CivilDay(2026, 4, 1), absl::CivilDay(2026, 6, 30)), q)
          .empty());
  EXPECT_EQ(
      check(Range(absl::CivilDay(2026, 5, 1), absl::CivilDay(2026, 7, 31)), q),
      std::vector<std::string>{"report.period.start_date"});
  EXPECT_EQ(
      check(Range(absl::CivilDay(2026, 4, 1), absl::CivilDay(2026, 6, 29)), q),
      std::vector<std::string>{"report.period.end_date"});
  EXPECT_TRUE(
      check(Range(absl::CivilDay(2026, 2, 1), absl::CivilDay(2026, 2, 28)),
            cv1::REPORTING_PERIOD_MONTHLY)
          .empty());
  EXPECT_EQ(
      check(Range(absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 12, 31)),
            cv1::REPORTING_PERIOD_UNSPECIFIED),
      std::vector<std::string>{"report.period"});
}

TEST(PeriodicReportTest, NewReportIsDraftNamedByItsPeriod) {
  const pv1::PeriodicReport r =
      Draft(Range(absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31)));
  EXPECT_EQ(r.state(), pv1::REPORT_STATE_DRAFT);
  EXPECT_EQ(ReportId(r.period()), "2026-01-01");
}

TEST(PeriodicReportTest, NarrativeWithANikIsRefused) {
  pv1::PeriodicReport in;
  *in.mutable_period() =
      Range(absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31));
  in.set_narrative("Peserta 6401010101900001 hadir.");
  absl::Status s = NewPeriodicReport(in, Quarterly(), "x", {}, Ctx()).status();
  EXPECT_EQ(Fields(s), std::vector<std::string>{"report.narrative"});
}

TEST(PeriodicReportTest, SubmitNeedsTheEndedPeriodAndFreezes) {
  const pv1::PeriodicReport draft =
      Draft(Range(absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31)));
  // Ctx() is 2026-03-02: the quarter is still open.
  absl::StatusOr<pv1::PeriodicReport> early =
      SubmitPeriodicReport(draft, {}, Ctx());
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  AgreementReport figures;
  figures.figures.set_sessions_recorded(7);
  absl::StatusOr<pv1::PeriodicReport> done =
      SubmitPeriodicReport(draft, figures, Ctx(absl::CivilDay(2026, 4, 1)));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), pv1::REPORT_STATE_SUBMITTED);
  EXPECT_EQ(done->figures().sessions_recorded(), 7);
  EXPECT_EQ(done->submitted_by().principal_id(), "pemda-6401");

  // Submitted is immutable: no second submit, no edit, no refresh.
  EXPECT_EQ(SubmitPeriodicReport(*done, {}, Ctx(absl::CivilDay(2026, 4, 2)))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  google::protobuf::FieldMask mask;
  mask.add_paths("narrative");
  EXPECT_EQ(UpdatePeriodicReport(*done, pv1::PeriodicReport(), mask, {},
                                 Ctx(absl::CivilDay(2026, 4, 2)))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  pv1::PeriodicReport refreshed = *done;
  RefreshFigures(refreshed, AgreementReport{});
  EXPECT_EQ(refreshed.figures().sessions_recorded(), 7);
}

// The default policy gives 10 days after the period (reporting.
// report_due_days): the first quarter's report is due 2026-04-10.
TEST(PeriodicReportTest, DueTenDaysAfterThePeriodAndOnTimeByThen) {
  const pv1::PeriodicReport draft =
      Draft(Range(absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31)));
  EXPECT_EQ(*CivilDayFromDate(draft.due_date()), absl::CivilDay(2026, 4, 10));
  EXPECT_FALSE(draft.submitted_on_time());
  absl::StatusOr<pv1::PeriodicReport> by_due =
      SubmitPeriodicReport(draft, {}, Ctx(absl::CivilDay(2026, 4, 10)));
  ASSERT_TRUE(by_due.ok()) << by_due.status();
  EXPECT_TRUE(by_due->submitted_on_time());
  absl::StatusOr<pv1::PeriodicReport> late =
      SubmitPeriodicReport(draft, {}, Ctx(absl::CivilDay(2026, 4, 11)));
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_FALSE(late->submitted_on_time());
}

// Only the periods the agreement owes: those overlapping its days in force
// (what reporting counts as due).
TEST(PeriodicReportTest, PeriodMustOverlapTheDaysInForce) {
  pv1::CooperationAgreement a = Quarterly();
  a.set_state(pv1::AGREEMENT_STATE_TERMINATED);
  *a.mutable_effective_date() = DateFromCivilDay(absl::CivilDay(2026, 2, 15));
  *a.mutable_expiry_date() = DateFromCivilDay(absl::CivilDay(2028, 2, 14));
  *a.mutable_terminated_date() = DateFromCivilDay(absl::CivilDay(2026, 5, 3));
  const auto create = [&](absl::CivilDay first, absl::CivilDay last) {
    pv1::PeriodicReport in;
    *in.mutable_period() = Range(first, last);
    return NewPeriodicReport(in, a, "x", {}, Ctx()).status();
  };
  EXPECT_TRUE(create(absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31))
                  .ok());  // partly in force
  EXPECT_TRUE(create(absl::CivilDay(2026, 4, 1), absl::CivilDay(2026, 6, 30))
                  .ok());  // ended in it
  EXPECT_EQ(
      Fields(create(absl::CivilDay(2026, 7, 1), absl::CivilDay(2026, 9, 30))),
      std::vector<std::string>{"report.period"});
  EXPECT_EQ(
      Fields(create(absl::CivilDay(2025, 10, 1), absl::CivilDay(2025, 12, 31))),
      std::vector<std::string>{"report.period"});
}

TEST(PeriodicReportTest, UpdateTakesOnlyNarrativeAndDocument) {
  const pv1::PeriodicReport draft =
      Draft(Range(absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31)));
  google::protobuf::FieldMask mask;
  mask.add_paths("figures");
  EXPECT_EQ(
      Fields(UpdatePeriodicReport(draft, draft, mask, {}, Ctx()).status()),
      std::vector<std::string>{"update_mask"});
  mask.Clear();
  mask.add_paths("narrative");
  pv1::PeriodicReport patch;
  patch.set_narrative("Dua lokasi belum dipakai.");
  absl::StatusOr<pv1::PeriodicReport> r =
      UpdatePeriodicReport(draft, patch, mask, {}, Ctx());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->narrative(), "Dua lokasi belum dipakai.");
}

TEST(PeriodicReportTest, CsvHasAHeaderAndOneRowPerSiteActivity) {
  pv1::PeriodicReport r =
      Draft(Range(absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 3, 31)));
  pv1::SiteActivityFigures* f = r.add_site_figures();
  f->set_site("regencies/64.01/sites/taman");
  f->set_activity_type("regencies/64.01/activityTypes/sapu");
  f->set_sessions_recorded(3);
  f->set_credited_minutes(600);
  f->mutable_attendance()->set_sent_home(1);
  f->set_warnings_issued(2);
  absl::StatusOr<std::vector<std::vector<std::string>>> rows =
      csv::Parse(ReportCsv(r));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  const std::vector<std::string>& header = (*rows)[0];
  const std::vector<std::string>& row = (*rows)[1];
  ASSERT_EQ(header.size(), row.size());
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return row[i];
    }
    return std::string("<missing>");
  };
  EXPECT_EQ(col("period_end"), "2026-03-31");
  EXPECT_EQ(col("sessions_recorded"), "3");
  EXPECT_EQ(col("credited_minutes"), "600");
  EXPECT_EQ(col("sent_home"), "1");
  EXPECT_EQ(col("warnings_issued"), "2");
}

}  // namespace
}  // namespace ks::placements::domain
