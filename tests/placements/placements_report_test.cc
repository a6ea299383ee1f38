// Periodic reports end to end: the real placements binary follows a
// supervision feed served by common/feed's FeedServer (the cases harness's
// SupervisionFeedService), the test publishes scripted supervision events
// (sessions with sites, minutes and outcomes, a void, violations, warnings)
// and checks the drafted report and its CSV over HTTP against the numbers
// computed here from the same events. Plus the rpcs' bad input, stale etag,
// cross-regency denial and submitted-is-immutable.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/csv/csv.h"
#include "common/outbox/outbox.h"
#include "common/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "kerjasosial/supervision/v1/events.pb.h"
#include "tests/placements/placements_harness.h"

namespace ks::placements::testing {
namespace {

namespace sv1 = ::kerjasosial::supervision::v1;
using google::protobuf::util::TimeUtil;

// The monthly period (the default policy's reporting period) holding `day`.
cv1::DateRange MonthOf(absl::CivilDay day) {
  cv1::DateRange r;
  const absl::CivilMonth m(day);
  *r.mutable_start_date() = DateOf(absl::CivilDay(m));
  *r.mutable_end_date() = DateOf(absl::CivilDay(m + 1) - 1);
  return r;
}

// "YYYY-MM-DD" of the period's first day (the report id and CSV column).
std::string StartOf(const cv1::DateRange& r) {
  return absl::FormatCivilTime(absl::CivilDay(
      r.start_date().year(), r.start_date().month(), r.start_date().day()));
}

class PlacementsReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http_port_ = ks::testing::PickFreePort();
    // cases' harness serves the supervision feed; placements follows it
    // with the same SERVICE token file it presents to cases.
    env_.Start(absl::Milliseconds(500),
               {absl::StrCat("--http_listen=127.0.0.1:", http_port_)},
               /*follow_supervision=*/true);
  }
  void TearDown() override { env_.Stop(); }

  pv1::Placement Started(const pv1::Site& site, const pv1::ActivityType& t) {
    return env_.Started(site, t);
  }

  void Publish(const google::protobuf::Message& payload,
               const std::string& aggregate) {
    env_.cases_.PublishSupervision(payload, aggregate, "64.01");
  }

  sv1::SessionRecorded Session(const std::string& id, const pv1::Placement& p,
                               sv1::AttendanceOutcome outcome, int64_t credited,
                               absl::CivilDay day) {
    sv1::SessionRecorded s;
    s.set_work_session(absl::StrCat("regencies/64.01/workSessions/", id));
    s.set_placement(p.name());
    s.set_site(p.site());
    s.set_activity_type(p.activity_type());
    s.set_outcome(outcome);
    s.set_credited_minutes(credited);
    s.set_worked_minutes(credited);
    *s.mutable_local_date() = DateOf(day);
    s.set_time_zone("Asia/Makassar");
    return s;
  }

  grpc::Status CreateReport(const std::string& agreement,
                            const cv1::DateRange& period,
                            pv1::PeriodicReport* out,
                            const std::string& token = "") {
    pv1::CreatePeriodicReportRequest req;
    req.set_parent(agreement);
    req.set_request_id(NewRequestId());
    *req.mutable_report()->mutable_period() = period;
    req.mutable_report()->set_narrative("Laporan berkala bulanan.");
    return env_.stub_->CreatePeriodicReport(
        env_.Ctx(token.empty() ? env_.officer_ : token).get(), req, out);
  }

  pv1::PeriodicReport Get(const std::string& name,
                          const std::string& token = "") {
    pv1::GetPeriodicReportRequest req;
    req.set_name(name);
    pv1::PeriodicReport out;
    grpc::Status s = env_.stub_->GetPeriodicReport(
        env_.Ctx(token.empty() ? env_.officer_ : token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Reads the report until its figures show `sessions` sessions and
  // `warnings` warnings (the consumer applies the feed asynchronously);
  // generous deadline, never a timing assertion.
  pv1::PeriodicReport AwaitFigures(const std::string& name, int sessions,
                                   int warnings) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    pv1::PeriodicReport r;
    while (absl::Now() < deadline) {
      r = Get(name);
      if (r.figures().sessions_recorded() == sessions &&
          r.figures().warnings_issued() == warnings) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    EXPECT_EQ(r.figures().warnings_issued(), warnings)
        << "the feed was not applied; dead letters:\n"
        << env_.redis_.Cli(
               absl::StrCat("XRANGE ", kPrefix, "feed:supervision:dead - +"))
        << "\nplacements' log:\n"
        << env_.binary_->ReadLog();
    return r;
  }

  httplib::Result Csv(const std::string& name, const std::string& token) {
    httplib::Client http("127.0.0.1", http_port_);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return http.Get(absl::StrCat("/v1/", name, ".csv"), headers);
  }

  PlacementsEnvironment env_;
  int http_port_ = 0;
};

TEST_F(PlacementsReportTest, ReportAndCsvMatchTheSupervisionEventsFedIn) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  // No period of its own: the default policy's, monthly.
  ASSERT_EQ(agreement.reporting_period(), cv1::REPORTING_PERIOD_UNSPECIFIED);
  const pv1::ActivityType sweep = env_.Activity();
  const pv1::ActivityType paint = env_.Activity();
  // Site A offers both activities; site B only sweeping and sees no session.
  pv1::CreateSiteRequest site_a_req = env_.SiteRequest(agreement, sweep, 5);
  auto* second = site_a_req.mutable_site()->add_activities();
  second->set_activity_type(paint.name());
  second->set_non_commercial_attested(true);
  second->set_non_degrading_attested(true);
  pv1::Site site_a;
  ASSERT_TRUE(
      env_.stub_->CreateSite(env_.Ctx(env_.officer_).get(), site_a_req, &site_a)
          .ok());
  const pv1::Site site_b = env_.Site(agreement, sweep, 2);
  const pv1::Placement p1 = Started(site_a, sweep);
  const pv1::Placement p2 = Started(site_a, paint);

  const absl::CivilDay today = Today();
  const cv1::DateRange period = MonthOf(today);
  pv1::PeriodicReport report;
  grpc::Status s = CreateReport(agreement.name(), period, &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(report.state(), pv1::REPORT_STATE_DRAFT);

  // The scripted supervision events and the figures they must give.
  struct Expect {
    int sessions = 0;
    int64_t minutes = 0;
    std::map<sv1::AttendanceOutcome, int> outcomes;
    int violations = 0, warnings = 0;
  };
  std::map<std::string, Expect> want;  // by activity type at site A
  auto session = [&](const std::string& id, const pv1::Placement& p,
                     sv1::AttendanceOutcome o, int64_t minutes) {
    Publish(Session(id, p, o, minutes, today), p.name());
    Expect& e = want[p.activity_type()];
    ++e.sessions;
    e.minutes += minutes;
    ++e.outcomes[o];
  };
  session("s1", p1, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 240);
  session("s2", p1, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 180);
  session("s3", p1, sv1::ATTENDANCE_OUTCOME_SENT_HOME, 30);
  session("s4", p2, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 200);
  session("s5", p2, sv1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE, 0);
  // A session voided afterwards: it must leave no trace.
  Publish(
      Session("s6", p2, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 120, today),
      p2.name());
  sv1::SessionVoided voided;
  voided.set_work_session("regencies/64.01/workSessions/s6");
  voided.set_site(p2.site());
  voided.set_withdrawn_minutes(120);
  *voided.mutable_local_date() = DateOf(today);
  Publish(voided, p2.name());
  // Last month's session: in last month's counters, not this report's.
  Publish(Session("s7", p1, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 60,
                  absl::CivilDay(absl::CivilMonth(today)) - 1),
          p1.name());
  // Another Pemda's site: ignored.
  sv1::SessionRecorded foreign =
      Session("s8", p1, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 99, today);
  foreign.set_site("regencies/71.01/sites/elsewhere");
  Publish(foreign, "regencies/71.01/placements/x");
  // A violation and a warning of p1's case, one warning of p2's case, and a
  // warning of a case never placed here.
  sv1::ViolationRecorded violation;
  violation.set_case_name(p1.case_name());
  violation.set_kind(sv1::ViolationKind(1));
  *violation.mutable_occur_time() = TimeUtil::GetCurrentTime();
  Publish(violation, p1.case_name());
  ++want[p1.activity_type()].violations;
  sv1::WarningIssued warning;
  warning.set_case_name(p1.case_name());
  warning.set_level(1);
  Publish(warning, p1.case_name());
  ++want[p1.activity_type()].warnings;
  warning.set_case_name(p2.case_name());
  Publish(warning, p2.case_name());
  ++want[p2.activity_type()].warnings;
  warning.set_case_name("regencies/71.01/cases/not-here");
  Publish(warning, "regencies/71.01/cases/not-here");

  int total_sessions = 0, total_warnings = 0, total_violations = 0;
  int64_t total_minutes = 0;
  std::map<sv1::AttendanceOutcome, int> total_outcomes;
  for (const auto& [activity, e] : want) {
    total_sessions += e.sessions;
    total_minutes += e.minutes;
    total_warnings += e.warnings;
    total_violations += e.violations;
    for (const auto& [o, n] : e.outcomes) total_outcomes[o] += n;
  }
  report = AwaitFigures(report.name(), total_sessions, total_warnings);
  const pv1::ReportFigures& f = report.figures();
  EXPECT_EQ(f.sessions_recorded(), total_sessions);
  EXPECT_EQ(f.credited_minutes(), total_minutes);
  EXPECT_EQ(f.violations_recorded(), total_violations);
  EXPECT_EQ(f.warnings_issued(), total_warnings);
  EXPECT_EQ(f.attendance().attended_complied(),
            total_outcomes[sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED]);
  EXPECT_EQ(f.attendance().sent_home(),
            total_outcomes[sv1::ATTENDANCE_OUTCOME_SENT_HOME]);
  EXPECT_EQ(f.attendance().absent_unacceptable(),
            total_outcomes[sv1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE]);
  EXPECT_EQ(f.placements_started(), 2);
  EXPECT_EQ(f.placements_active(), 2);
  EXPECT_EQ(f.people_placed(), 2);
  EXPECT_EQ(f.sites_active(), 2);
  EXPECT_EQ(f.sites_used(), 1);
  EXPECT_EQ(f.sites_idle(), 1);
  EXPECT_EQ(f.activity_types_used(), 2);

  // The CSV: a header, one row per site and activity type, the same numbers.
  httplib::Result res = Csv(report.name(), env_.officer_);
  ASSERT_TRUE(res) << "no HTTP answer";
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  absl::StatusOr<std::vector<std::vector<std::string>>> rows =
      csv::Parse(res->body);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_FALSE(rows->empty());
  const std::vector<std::string> header = (*rows)[0];
  auto column = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    ADD_FAILURE() << "no column " << name;
    return size_t{0};
  };
  // Site A × sweep, site A × paint, site B × sweep.
  ASSERT_EQ(rows->size(), 4u) << res->body;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> by;
  for (size_t i = 1; i < rows->size(); ++i) {
    const std::vector<std::string>& row = (*rows)[i];
    ASSERT_EQ(row.size(), header.size());
    by[{row[column("site")], row[column("activity_type")]}] = row;
  }
  for (const auto& [activity, e] : want) {
    const auto it = by.find({site_a.name(), activity});
    ASSERT_NE(it, by.end()) << activity;
    const std::vector<std::string>& row = it->second;
    EXPECT_EQ(row[column("sessions_recorded")], absl::StrCat(e.sessions));
    EXPECT_EQ(row[column("credited_minutes")], absl::StrCat(e.minutes));
    EXPECT_EQ(row[column("placements_active")], "1");
    EXPECT_EQ(row[column("attended_complied")],
              absl::StrCat(
                  e.outcomes.count(sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED)
                      ? e.outcomes.at(sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED)
                      : 0));
    EXPECT_EQ(row[column("violations_recorded")], absl::StrCat(e.violations));
    EXPECT_EQ(row[column("warnings_issued")], absl::StrCat(e.warnings));
    EXPECT_EQ(row[column("period_start")], StartOf(period));
  }
  const auto idle = by.find({site_b.name(), sweep.name()});
  ASSERT_NE(idle, by.end());
  EXPECT_EQ(idle->second[column("sessions_recorded")], "0");

  // The cursor is durable and the effect exactly once: after a restart the
  // consumer resumes after the last applied event (nothing counted twice)
  // and applies what came while it was down.
  env_.binary_->Signal(SIGTERM, absl::Seconds(10));
  Publish(
      Session("s9", p1, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 45, today),
      p1.name());
  env_.StartBinary();
  const pv1::PeriodicReport after_restart =
      AwaitFigures(report.name(), total_sessions + 1, total_warnings);
  EXPECT_EQ(after_restart.figures().credited_minutes(), total_minutes + 45);
  EXPECT_EQ(after_restart.figures().violations_recorded(), total_violations);

  // The route takes the same token and access as GetPeriodicReport.
  httplib::Result anonymous = Csv(report.name(), "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  httplib::Result elsewhere = Csv(report.name(), env_.other_officer_);
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 403);
}

TEST_F(PlacementsReportTest, BadInputStaleEtagCrossRegencyAndSubmitted) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  const absl::CivilDay today = Today();

  // Not one reporting period: named field.
  cv1::DateRange skewed = MonthOf(today);
  *skewed.mutable_start_date() =
      DateOf(absl::CivilDay(absl::CivilMonth(today)) + 1);
  pv1::PeriodicReport r;
  grpc::Status s = CreateReport(agreement.name(), skewed, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_details().find("report.period.start_date"),
            std::string::npos);
  // Another regency's officer can neither create nor read.
  s = CreateReport(agreement.name(), MonthOf(today), &r, env_.other_officer_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // Last month: ended, so it can be submitted.
  const cv1::DateRange last_month =
      MonthOf(absl::CivilDay(absl::CivilMonth(today)) - 1);
  pv1::CreatePeriodicReportRequest create;
  create.set_parent(agreement.name());
  create.set_request_id(NewRequestId());
  *create.mutable_report()->mutable_period() = last_month;
  pv1::PeriodicReport past;
  ASSERT_TRUE(
      env_.stub_
          ->CreatePeriodicReport(env_.Ctx(env_.officer_).get(), create, &past)
          .ok());
  // Due the default policy's 10 days after the period's last day.
  const absl::CivilDay due = absl::CivilDay(absl::CivilMonth(today)) - 1 + 10;
  EXPECT_EQ(past.due_date().year(), due.year());
  EXPECT_EQ(past.due_date().month(), due.month());
  EXPECT_EQ(past.due_date().day(), due.day());
  // A retry of the same request answers the first result, not a conflict.
  pv1::PeriodicReport retried;
  s = env_.stub_->CreatePeriodicReport(env_.Ctx(env_.officer_).get(), create,
                                       &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(retried.name(), past.name());
  EXPECT_EQ(retried.etag(), past.etag());
  s = CreateReport(agreement.name(), last_month, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  {
    pv1::GetPeriodicReportRequest get;
    get.set_name(past.name());
    s = env_.stub_->GetPeriodicReport(env_.Ctx(env_.other_officer_).get(), get,
                                      &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }

  // Narrative edit: a stale etag is ABORTED.
  pv1::UpdatePeriodicReportRequest update;
  update.mutable_report()->set_name(past.name());
  update.mutable_report()->set_narrative("Dua lokasi belum dipakai.");
  update.mutable_update_mask()->add_paths("narrative");
  update.set_etag(past.etag());
  update.set_request_id(NewRequestId());
  pv1::PeriodicReport edited;
  s = env_.stub_->UpdatePeriodicReport(env_.Ctx(env_.officer_).get(), update,
                                       &edited);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(edited.narrative(), "Dua lokasi belum dipakai.");
  update.set_request_id(NewRequestId());
  update.mutable_report()->set_narrative("Lagi.");
  s = env_.stub_->UpdatePeriodicReport(env_.Ctx(env_.officer_).get(), update,
                                       &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);

  // This month's report cannot be submitted before the month ends.
  pv1::PeriodicReport current;
  ASSERT_TRUE(CreateReport(agreement.name(), MonthOf(today), &current).ok());
  pv1::SubmitPeriodicReportRequest submit;
  submit.set_name(current.name());
  submit.set_etag(current.etag());
  submit.set_request_id(NewRequestId());
  s = env_.stub_->SubmitPeriodicReport(env_.Ctx(env_.officer_).get(), submit,
                                       &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // Submit last month's: SUBMITTED, its event on the feed, then immutable.
  submit.set_name(past.name());
  submit.set_etag(edited.etag());
  submit.set_request_id(NewRequestId());
  pv1::PeriodicReport submitted;
  s = env_.stub_->SubmitPeriodicReport(env_.Ctx(env_.officer_).get(), submit,
                                       &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(submitted.state(), pv1::REPORT_STATE_SUBMITTED);
  EXPECT_EQ(submitted.submitted_on_time(), Today() <= due);
  EXPECT_EQ(env_.EventsOf(past.name()),
            std::vector<std::string>{
                "kerjasosial.placements.v1.PeriodicReportSubmitted"});
  update.set_etag(submitted.etag());
  update.set_request_id(NewRequestId());
  s = env_.stub_->UpdatePeriodicReport(env_.Ctx(env_.officer_).get(), update,
                                       &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  submit.set_etag(submitted.etag());
  submit.set_request_id(NewRequestId());
  s = env_.stub_->SubmitPeriodicReport(env_.Ctx(env_.officer_).get(), submit,
                                       &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Its figures stay frozen while the feed brings more of its month.
  const pv1::ActivityType sweep = env_.Activity();
  const pv1::Site site = env_.Site(agreement, sweep, 2);
  const pv1::Placement p = Started(site, sweep);
  Publish(Session("late", p, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 90,
                  absl::CivilDay(absl::CivilMonth(today)) - 1),
          p.name());
  // A warning after it in feed order: once this month's draft shows the
  // warning, the late session was applied too (one consumer, feed order).
  sv1::WarningIssued warning;
  warning.set_case_name(p.case_name());
  warning.set_level(1);
  Publish(warning, p.case_name());
  EXPECT_EQ(AwaitFigures(current.name(), 0, 1).figures().warnings_issued(), 1);
  EXPECT_EQ(Get(past.name()).figures().sessions_recorded(),
            submitted.figures().sessions_recorded());

  // Listing: newest period first.
  pv1::ListPeriodicReportsRequest list;
  list.set_parent(agreement.name());
  pv1::ListPeriodicReportsResponse page;
  s = env_.stub_->ListPeriodicReports(env_.Ctx(env_.jaksa_).get(), list, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(page.reports_size(), 2);
  EXPECT_EQ(page.reports(0).name(), current.name());
  EXPECT_EQ(page.reports(1).name(), past.name());
  list.set_page_size(1);
  s = env_.stub_->ListPeriodicReports(env_.Ctx(env_.jaksa_).get(), list, &page);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(page.reports_size(), 1);
  list.set_page_token(page.next_page_token());
  s = env_.stub_->ListPeriodicReports(env_.Ctx(env_.jaksa_).get(), list, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(page.reports_size(), 1);
  EXPECT_EQ(page.reports(0).name(), past.name());
  EXPECT_TRUE(page.next_page_token().empty());
}

// StreamEvents' snapshot mode: every agreement, activity type, site and
// placement in its current state, each with the version it is at, then
// SnapshotComplete; no DRAFT agreement (never on the feed).
TEST_F(PlacementsReportTest, SnapshotModeStreamsTheCurrentState) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  pv1::CreateCooperationAgreementRequest draft;
  draft.set_parent("regencies/64.01");
  draft.set_request_id(NewRequestId());
  *draft.mutable_agreement() = env_.AgreementInput(Today());
  pv1::CooperationAgreement drafted;
  ASSERT_TRUE(env_.stub_
                  ->CreateCooperationAgreement(env_.Ctx(env_.officer_).get(),
                                               draft, &drafted)
                  .ok());
  const pv1::ActivityType sweep = env_.Activity();
  const pv1::Site site = env_.Site(agreement, sweep, 2);
  const pv1::Placement placement = Started(site, sweep);

  cv1::StreamEventsRequest req;
  req.set_snapshot(true);
  req.set_stop_at_end(true);
  std::unique_ptr<grpc::ClientContext> ctx = env_.Ctx(env_.service_);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
  std::unique_ptr<grpc::ClientReader<cv1::Event>> reader =
      env_.stub_->StreamEvents(ctx.get(), req);
  std::map<std::string, cv1::Event> state;  // by aggregate, snapshot only
  bool complete = false;
  cv1::Event e;
  while (reader->Read(&e)) {
    if (!e.snapshot()) break;
    if (e.event_type() == "kerjasosial.common.v1.SnapshotComplete") {
      complete = true;
      break;
    }
    state[e.aggregate_name()] = e;
  }
  // Past SnapshotComplete the stream replays and follows the feed: end it.
  if (complete) ctx->TryCancel();
  const grpc::Status finished = reader->Finish();
  ASSERT_TRUE(complete) << state.size() << " states, then "
                        << finished.error_message() << " / "
                        << e.ShortDebugString();
  EXPECT_EQ(state.count(drafted.name()), 0u);
  ASSERT_EQ(state.count(agreement.name()), 1u);
  EXPECT_EQ(state[agreement.name()].event_type(),
            "kerjasosial.placements.v1.CooperationAgreementActivated");
  EXPECT_EQ(state[sweep.name()].event_type(),
            "kerjasosial.placements.v1.ActivityTypeChanged");
  ASSERT_EQ(state.count(site.name()), 1u);
  pv1::SiteChanged site_state;
  ASSERT_TRUE(state[site.name()].payload().UnpackTo(&site_state));
  EXPECT_EQ(state[site.name()].regency_code(), "64.01");
  ASSERT_EQ(state.count(placement.name()), 1u);
  EXPECT_EQ(state[placement.name()].event_type(),
            "kerjasosial.placements.v1.PlacementStarted");
  EXPECT_EQ(state[placement.name()].aggregate_version(),
            outbox::VersionFromEtag(placement.etag()).value());
  pv1::PlacementStarted started;
  ASSERT_TRUE(state[placement.name()].payload().UnpackTo(&started));
  EXPECT_EQ(started.facts().site(), site.name());
}

}  // namespace
}  // namespace ks::placements::testing
