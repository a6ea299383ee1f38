// The reporting service end to end (issue #12 acceptance): upstreams publish
// the scripted scenario through common/'s feed server; the real binary
// consumes them over real gRPC into a real Redis; every figure must equal the
// scenario's own independent computation. Also: restarts of reporting and of
// an upstream mid-way (no gap, no double count), a garbage upstream
// isolated, access, and a privacy scan of reporting's Redis.
#include <algorithm>
#include <set>

#include "absl/strings/str_split.h"
#include "common/feed/retention.h"
#include "common/feed/snapshot.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/time_util.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "tests/reporting/reporting_harness.h"
#include "tests/reporting/scenario.h"

namespace ks::reporting::testing {
namespace {

// A cases deployment's snapshot: fixed aggregate states.
class FixedSnapshot final : public feed::SnapshotSource {
 public:
  explicit FixedSnapshot(std::vector<Event> states)
      : states_(std::move(states)) {}
  absl::Status Enumerate(const feed::SnapshotEmit& emit) override {
    for (const Event& e : states_) {
      if (absl::Status s = emit(e); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  const std::vector<Event> states_;
};

// The CaseStateSnapshot event of each case in `events` after the last of
// them, as the cases service's SnapshotSource would send it: read from the
// CaseFacts every case payload carries.
std::vector<Event> CaseStatesAfter(const std::vector<Event>& events) {
  std::map<std::string, Event> latest;
  for (const Event& e : events) latest[e.aggregate_name()] = e;
  std::vector<Event> out;
  for (const auto& [name, e] : latest) {
    const auto* type = google::protobuf::DescriptorPool::generated_pool()
                           ->FindMessageTypeByName(e.event_type());
    std::unique_ptr<google::protobuf::Message> payload(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(type)
            ->New());
    EXPECT_TRUE(e.payload().UnpackTo(payload.get())) << e.event_type();
    cv1::CaseFacts facts;
    facts.CopyFrom(payload->GetReflection()->GetMessage(
        *payload, type->FindFieldByName("facts")));
    cv1::CaseStateSnapshot state;
    state.set_name(name);
    state.set_regency_code(e.regency_code());
    state.set_kind(facts.kind());
    state.set_state(facts.state());
    state.set_sentence_hours(facts.sentence_hours());
    state.set_version(e.aggregate_version());
    Event snap = e;
    snap.set_event_id(absl::StrCat(name, "@", e.aggregate_version()));
    snap.set_event_type(state.GetDescriptor()->full_name());
    snap.mutable_payload()->PackFrom(state);
    out.push_back(snap);
  }
  return out;
}

constexpr char kPersonName[] = "Siti Rahayu Binti Ahmad";
constexpr char kNik[] = "6401234567890012";

class ReportingE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.Start(); }
  void TearDown() override { env_.Stop(); }

  rv1::Summary Summary(const std::string& scope,
                       const std::string& token = "") {
    rv1::Summary out;
    grpc::Status s;
    const std::string t = token.empty() ? env_.viewer() : token;
    if (scope == "N") {
      rv1::GetNationalSummaryRequest req;
      s = env_.stub().GetNationalSummary(env_.Ctx(t).get(), req, &out);
    } else if (scope.rfind("P:", 0) == 0) {
      rv1::GetProvinceSummaryRequest req;
      req.set_name("provinces/" + scope.substr(2) + "/summary");
      s = env_.stub().GetProvinceSummary(env_.Ctx(t).get(), req, &out);
    } else {
      rv1::GetRegencySummaryRequest req;
      req.set_name("regencies/" + scope.substr(2) + "/summary");
      s = env_.stub().GetRegencySummary(env_.Ctx(t).get(), req, &out);
    }
    EXPECT_TRUE(s.ok()) << scope << ": " << s.error_code() << " "
                        << s.error_message();
    return out;
  }

  static void ExpectFigures(const std::string& what, const rv1::Figures& f,
                            const Expected& x, bool totals) {
    SCOPED_TRACE(what);
    EXPECT_EQ(f.cases_registered(), x.registered);
    EXPECT_EQ(f.cases_active(), x.active);
    EXPECT_EQ(f.cases_completed(), x.completed);
    EXPECT_EQ(f.breaches_recorded(), x.breached);
    EXPECT_EQ(f.cases_converted(), x.converted);
    EXPECT_EQ(f.sentenced_hours(), x.sentenced_hours);
    EXPECT_EQ(f.prison_days_averted(), x.prison_days);
    EXPECT_EQ(f.fines_replaced_rupiah(), x.fines);
    // Every scripted sentence replaced a fine: each completed case counts.
    EXPECT_EQ(f.fines_replaced_cases(), x.completed);
    const int64_t decided = x.completed + x.converted;
    EXPECT_DOUBLE_EQ(
        f.completion_rate(),
        decided == 0 ? 0.0 : static_cast<double>(x.completed) / decided);
    // Supervision's figures (all but PK assignments count in the totals
    // only: their events name no sentence kind).
    EXPECT_EQ(f.pk_assignments_active(), x.pk_assignments);
    EXPECT_EQ(f.guidance_sessions(), x.guidance);
    EXPECT_EQ(f.referrals_made(), x.referrals_made);
    EXPECT_EQ(f.referrals_completed(), x.referrals_completed);
    EXPECT_EQ(f.litmas_submitted(), x.litmas);
    EXPECT_EQ(f.warnings_issued(), x.warnings);
    if (totals) {
      EXPECT_EQ(f.integrasi_clients(), x.integrasi_clients);
      EXPECT_EQ(f.cases_at_risk(), x.at_risk);
      EXPECT_EQ(f.cases_overdue(), x.overdue);
      EXPECT_EQ(f.sessions_recorded(), x.sessions);
      EXPECT_EQ(f.credited_minutes(), x.credited_minutes);
    }
    ASSERT_EQ(f.days_to_complete_size(), 13);
    for (int b = 0; b < 13; ++b) {
      auto it = x.days_buckets.find(b);
      EXPECT_EQ(f.days_to_complete(b).count(),
                it == x.days_buckets.end() ? 0 : it->second)
          << "days bucket " << b;
    }
  }

  // `placements`: the placements feed was published too.
  void ExpectScope(const std::string& scope, const Scenario& sc,
                   bool placements) {
    SCOPED_TRACE(scope);
    const rv1::Summary s = Summary(scope);
    const auto& by_kind = sc.expected.at(scope);
    ExpectFigures("totals", s.totals(), by_kind.at(0), true);
    if (placements) {
      const Expected& x = by_kind.at(0);
      EXPECT_EQ(s.sites().sites_active(), x.sites_active);
      EXPECT_EQ(s.sites().sites_suspended(), x.sites_suspended);
      EXPECT_EQ(s.sites().capacity(), x.capacity);
      EXPECT_EQ(s.sites().active_placements(), x.active_placements);
      EXPECT_DOUBLE_EQ(s.sites().utilisation(),
                       static_cast<double>(x.active_placements) / x.capacity);
      EXPECT_EQ(s.sites().agreements_in_force(), x.agreements_in_force);
      EXPECT_EQ(s.sites().periodic_reports_submitted(), x.periodic_reports);
    } else {
      EXPECT_EQ(s.sites().ShortDebugString(), "");
    }
    for (const rv1::KindFigures& k : s.by_kind()) {
      auto it = by_kind.find(k.kind());
      ExpectFigures(absl::StrCat("kind ", k.kind()), k.figures(),
                    it == by_kind.end() ? Expected() : it->second, false);
    }
    // Cases by state and breaches by outcome, per kind.
    std::map<int, int64_t> states;
    for (const rv1::CaseCount& c : s.cases_by_state()) {
      states[c.state()] += c.count();
    }
    EXPECT_EQ(states, by_kind.at(0).states);
    std::map<std::pair<int, int>, int64_t> outcomes;
    for (const rv1::BreachOutcomeCount& c : s.breaches_by_outcome()) {
      outcomes[{c.kind(), c.extent()}] += c.count();
    }
    EXPECT_EQ(outcomes, by_kind.at(0).outcomes);
    EXPECT_EQ(outcomes.size(), 4u) << "every breach outcome appears";
  }

  void ExpectSeries(const std::string& scope, const std::string& api_scope,
                    const Scenario& sc) {
    SCOPED_TRACE(scope);
    rv1::GetTimeSeriesRequest req;
    req.set_scope(api_scope);
    req.add_metrics(rv1::METRIC_CASES_REGISTERED);
    req.add_metrics(rv1::METRIC_CASES_COMPLETED);
    req.add_metrics(rv1::METRIC_ACTIVE_CASES);
    req.add_metrics(rv1::METRIC_OWED_HOURS);
    req.add_metrics(rv1::METRIC_PK_CASELOAD_X100);
    req.set_granularity(rv1::GRANULARITY_MONTH);
    *req.mutable_range()->mutable_start_date() =
        DateOf(absl::CivilDay(2026, 9, 14));  // widened to 1 September
    *req.mutable_range()->mutable_end_date() =
        DateOf(absl::CivilDay(2026, 12, 31));
    rv1::GetTimeSeriesResponse resp;
    grpc::Status st =
        env_.stub().GetTimeSeries(env_.Ctx(env_.viewer()).get(), req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(resp.series_size(), 5);
    const Expected& x = sc.expected.at(scope).at(0);
    // Supervision's ledgers and assignments all start after September
    // (two months after the first sentence): those stocks are 0 at its end
    // and at their final value by December's.
    EXPECT_EQ(resp.series(3).points(0).value(), 0);
    EXPECT_EQ(resp.series(4).points(0).value(), 0);
    ASSERT_EQ(resp.series(3).points_size(), 4);
    EXPECT_GT(x.owed_minutes, 0);
    EXPECT_EQ(resp.series(3).points(3).value(), x.owed_minutes / 60);
    EXPECT_GT(x.pk_caseload_x100, 0);
    EXPECT_EQ(resp.series(4).points(3).value(), x.pk_caseload_x100);
    const char* months[] = {"2026-09", "2026-10", "2026-11", "2026-12"};
    for (int m = 0; m < 4; ++m) {
      SCOPED_TRACE(months[m]);
      ASSERT_EQ(resp.series(0).points_size(), 4);
      EXPECT_EQ(resp.series(0).points(m).start_date().month(), 9 + m);
      EXPECT_EQ(resp.series(0).points(m).start_date().day(), 1);
      auto get = [&](const std::map<std::string, int64_t>& by, const char* k) {
        auto it = by.find(k);
        return it == by.end() ? int64_t{0} : it->second;
      };
      EXPECT_EQ(resp.series(0).points(m).value(),
                get(x.registered_by_month, months[m]));
      EXPECT_EQ(resp.series(1).points(m).value(),
                get(x.completed_by_month, months[m]));
      auto a = sc.active_at_month_end.find(scope);
      EXPECT_EQ(
          resp.series(2).points(m).value(),
          a == sc.active_at_month_end.end() ? 0 : get(a->second, months[m]));
    }
  }

  // Reports due, on time and evaluations due, month by month over the
  // agreements' whole schedule (future months included).
  void ExpectAgreementDues(const std::string& scope,
                           const std::string& api_scope, const Scenario& sc) {
    SCOPED_TRACE(scope);
    rv1::GetTimeSeriesRequest req;
    req.set_scope(api_scope);
    req.add_metrics(rv1::METRIC_PERIODIC_REPORTS_DUE);
    req.add_metrics(rv1::METRIC_PERIODIC_REPORTS_ON_TIME);
    req.add_metrics(rv1::METRIC_EVALUATIONS_DUE);
    req.set_granularity(rv1::GRANULARITY_MONTH);
    *req.mutable_range()->mutable_start_date() =
        DateOf(absl::CivilDay(2026, 8, 1));
    *req.mutable_range()->mutable_end_date() =
        DateOf(absl::CivilDay(2028, 12, 31));
    rv1::GetTimeSeriesResponse resp;
    grpc::Status st =
        env_.stub().GetTimeSeries(env_.Ctx(env_.viewer()).get(), req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(resp.series_size(), 3);
    const Expected& x = sc.expected.at(scope).at(0);
    const std::map<rv1::Metric, const std::map<std::string, int64_t>*> want = {
        {rv1::METRIC_PERIODIC_REPORTS_DUE, &x.reports_due_by_month},
        {rv1::METRIC_PERIODIC_REPORTS_ON_TIME, &x.reports_on_time_by_month},
        {rv1::METRIC_EVALUATIONS_DUE, &x.evaluations_due_by_month}};
    int64_t total_due = 0;
    for (const rv1::TimeSeries& series : resp.series()) {
      ASSERT_EQ(series.points_size(), 29);  // 2026-08 .. 2028-12
      const std::map<std::string, int64_t>& by_month =
          *want.at(series.metric());
      for (const auto& point : series.points()) {
        const std::string month = MonthKey(absl::CivilMonth(
            point.start_date().year(), point.start_date().month()));
        auto it = by_month.find(month);
        EXPECT_EQ(point.value(), it == by_month.end() ? 0 : it->second)
            << rv1::Metric_Name(series.metric()) << " " << month;
        if (series.metric() == rv1::METRIC_PERIODIC_REPORTS_DUE) {
          total_due += point.value();
        }
      }
    }
    EXPECT_GT(total_due, 0);
  }

  void ExpectEverything(const Scenario& sc, bool placements = false) {
    for (const char* scope : {"N", "P:31", "P:64", "P:91", "R:31.71", "R:64.01",
                              "R:64.72", "R:91.71"}) {
      ExpectScope(scope, sc, placements);
    }
    if (placements) {
      ExpectAgreementDues("N", "nation", sc);
      ExpectAgreementDues("P:64", "provinces/64", sc);
      ExpectAgreementDues("R:91.71", "regencies/91.71", sc);
    }
    ExpectSeries("N", "nation", sc);
    ExpectSeries("P:64", "provinces/64", sc);
    ExpectSeries("R:91.71", "regencies/91.71", sc);
  }

  // Starts a rebuild and waits (up to 30 s) until it ends; the last state
  // read.
  rv1::Rebuild Rebuild(const std::string& request_id) {
    rv1::StartRebuildRequest start;
    start.set_request_id(request_id);
    rv1::Rebuild rebuild;
    grpc::Status st =
        env_.stub().StartRebuild(env_.Ctx(env_.admin()).get(), start, &rebuild);
    EXPECT_TRUE(st.ok()) << st.error_message();
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (st.ok() && rebuild.state() != rv1::REBUILD_STATE_SUCCEEDED &&
           rebuild.state() != rv1::REBUILD_STATE_FAILED &&
           absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(100));
      rv1::GetRebuildRequest get;
      get.set_name(rebuild.name());
      st = env_.stub().GetRebuild(env_.Ctx(env_.admin()).get(), get, &rebuild);
      EXPECT_TRUE(st.ok()) << st.error_message();
    }
    return rebuild;
  }

  // Publishes events [from, to) of `source` to `u`.
  void Publish(const Scenario& sc, const std::string& source, Upstream* u,
               size_t from, size_t to) {
    const auto& events = sc.events.at(source);
    for (size_t i = from; i < std::min(to, events.size()); ++i) {
      u->Publish(events[i], env_.upstream_pool());
    }
  }

  ReportingEnvironment env_;
};

TEST_F(ReportingE2eTest, ScenarioFiguresEqualTheIndependentComputation) {
  const Scenario sc = BuildScenario(21);
  Upstream* a = env_.AddUpstream<kerjasosial::cases::v1::Cases>("cases-a");
  Upstream* b = env_.AddUpstream<kerjasosial::cases::v1::Cases>("cases-b");
  Upstream* sup = env_.AddUpstream<kerjasosial::supervision::v1::Supervision>(
      "supervision");
  Upstream* pl =
      env_.AddUpstream<kerjasosial::placements::v1::Placements>("placements");
  Publish(sc, "cases-a", a, 0, 1'000'000);
  env_.Register(*a, rv1::UPSTREAM_KIND_CASES, "cases-a");
  env_.Register(*b, rv1::UPSTREAM_KIND_CASES, "cases-b");
  env_.Register(*sup, rv1::UPSTREAM_KIND_SUPERVISION, "supervision");
  env_.Register(*pl, rv1::UPSTREAM_KIND_PLACEMENTS, "placements");
  // Published after registration: followed live.
  Publish(sc, "cases-b", b, 0, 1'000'000);
  Publish(sc, "supervision", sup, 0, 1'000'000);
  Publish(sc, "placements", pl, 0, 1'000'000);
  env_.WaitHandled("cases-a", a->published());
  env_.WaitHandled("cases-b", b->published());
  env_.WaitHandled("supervision", sup->published());
  env_.WaitHandled("placements", pl->published());
  ExpectEverything(sc, /*placements=*/true);
  EXPECT_EQ(env_.GetUpstream("placements").events_rejected(), 0);

  const rv1::Upstream u = env_.GetUpstream("cases-a");
  EXPECT_EQ(u.events_applied(), a->published());
  EXPECT_EQ(u.events_rejected(), 0);
  EXPECT_EQ(u.state(), rv1::UPSTREAM_STATE_LIVE);
  EXPECT_FALSE(u.cursor().empty());
  EXPECT_TRUE(u.has_last_event_time());
  EXPECT_EQ(u.kind(), rv1::UPSTREAM_KIND_CASES);
  EXPECT_EQ(u.etag(), "v1");

  rv1::ListUpstreamsRequest list;
  rv1::ListUpstreamsResponse listed;
  ASSERT_TRUE(env_.stub()
                  .ListUpstreams(env_.Ctx(env_.admin()).get(), list, &listed)
                  .ok());
  EXPECT_EQ(listed.total_size(), 4);
  ASSERT_EQ(listed.upstreams_size(), 4);
  for (const rv1::Upstream& x : listed.upstreams()) {
    EXPECT_EQ(x.state(), rv1::UPSTREAM_STATE_LIVE) << x.name();
  }
  list.set_filter("kind = SUPERVISION AND state = LIVE");
  {
    grpc::Status fs =
        env_.stub().ListUpstreams(env_.Ctx(env_.admin()).get(), list, &listed);
    ASSERT_TRUE(fs.ok()) << fs.error_code() << " " << fs.error_message();
  }
  ASSERT_EQ(listed.upstreams_size(), 1);
  EXPECT_EQ(listed.upstreams(0).name(), "upstreams/supervision");
  list.set_filter("address = x");
  EXPECT_EQ(env_.stub()
                .ListUpstreams(env_.Ctx(env_.admin()).get(), list, &listed)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Lists ordered by a figure.
  rv1::ListRegencySummariesRequest lrs;
  lrs.set_parent("provinces/64");
  lrs.set_order_by("totals.cases_registered desc");
  lrs.set_page_size(3);
  rv1::ListRegencySummariesResponse regencies;
  ASSERT_TRUE(
      env_.stub()
          .ListRegencySummaries(env_.Ctx(env_.viewer()).get(), lrs, &regencies)
          .ok());
  ASSERT_EQ(regencies.summaries_size(), 3);
  EXPECT_EQ(regencies.summaries(0).name(), "regencies/64.01/summary");
  EXPECT_EQ(regencies.summaries(1).name(), "regencies/64.72/summary");
  EXPECT_EQ(regencies.summaries(0).totals().cases_registered(),
            sc.expected.at("R:64.01").at(0).registered);
  EXPECT_EQ(regencies.summaries(2).totals().cases_registered(), 0);
  EXPECT_GT(regencies.total_size(), 3);
  EXPECT_FALSE(regencies.next_page_token().empty());
  rv1::ListProvinceSummariesRequest lps;
  lps.set_order_by("prison_days_averted desc");
  rv1::ListProvinceSummariesResponse provinces;
  ASSERT_TRUE(
      env_.stub()
          .ListProvinceSummaries(env_.Ctx(env_.viewer()).get(), lps, &provinces)
          .ok());
  ASSERT_GE(provinces.summaries_size(), 3);
  EXPECT_EQ(provinces.summaries(0).name(), "provinces/64/summary");
  EXPECT_EQ(provinces.summaries(0).totals().prison_days_averted(),
            sc.expected.at("P:64").at(0).prison_days);
  lps.set_order_by("totals.nope");
  EXPECT_EQ(
      env_.stub()
          .ListProvinceSummaries(env_.Ctx(env_.viewer()).get(), lps, &provinces)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);

  // Ranking: the regencies of province 64 by prison days averted; the
  // freshness filter keeps only those silent since before the scenario.
  rv1::RankScopesRequest rank;
  rank.set_level(rv1::SUMMARY_SCOPE_REGENCY);
  rank.set_within("provinces/64");
  rank.set_metric(rv1::METRIC_PRISON_DAYS_AVERTED);
  *rank.mutable_range()->mutable_start_date() =
      DateOf(absl::CivilDay(2026, 9, 1));
  *rank.mutable_range()->mutable_end_date() =
      DateOf(absl::CivilDay(2026, 12, 31));
  rank.set_page_size(2);
  rv1::RankScopesResponse ranked;
  grpc::Status st =
      env_.stub().RankScopes(env_.Ctx(env_.viewer()).get(), rank, &ranked);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(ranked.ranked_size(), 2);
  EXPECT_EQ(ranked.ranked(0).scope(), "regencies/64.01");  // ties by code
  EXPECT_EQ(ranked.ranked(0).value(),
            sc.expected.at("R:64.01").at(0).prison_days);
  EXPECT_EQ(ranked.ranked(0).rank(), 1);
  EXPECT_TRUE(ranked.ranked(0).has_last_event_time());
  EXPECT_EQ(ranked.ranked(1).scope(), "regencies/64.72");
  EXPECT_FALSE(ranked.next_page_token().empty());
  rank.set_page_size(100);
  rank.mutable_silent_since()->set_seconds(
      absl::ToUnixSeconds(absl::Now() - absl::Hours(1)));
  ASSERT_TRUE(env_.stub()
                  .RankScopes(env_.Ctx(env_.viewer()).get(), rank, &ranked)
                  .ok());
  std::set<std::string> silent;
  for (const rv1::RankedScope& r : ranked.ranked()) silent.insert(r.scope());
  EXPECT_EQ(silent.count("regencies/64.01"), 0u);
  EXPECT_EQ(silent.count("regencies/64.72"), 0u);
  EXPECT_EQ(silent.count("regencies/64.02"), 1u) << "never heard from";

  // A rebuild from the feeds into empty aggregates reproduces them exactly.
  std::vector<rv1::Summary> before;
  for (const char* scope : {"N", "P:64", "R:91.71"}) {
    before.push_back(Summary(scope));
  }
  EXPECT_GT(before[0].sites().capacity(), 0);
  const rv1::Rebuild rebuild = Rebuild("rebuild-1");
  EXPECT_EQ(rebuild.upstreams_size(), 4);
  ASSERT_EQ(rebuild.state(), rv1::REBUILD_STATE_SUCCEEDED)
      << rebuild.ShortDebugString();
  EXPECT_DOUBLE_EQ(rebuild.fraction_done(), 1.0);
  EXPECT_EQ(rebuild.events_applied(), a->published() + b->published() +
                                          sup->published() + pl->published());
  ASSERT_EQ(rebuild.progress_size(), 4);
  for (const rv1::UpstreamProgress& p : rebuild.progress()) {
    EXPECT_TRUE(p.done()) << p.upstream();
  }
  ExpectEverything(sc, /*placements=*/true);
  int i = 0;
  for (const char* scope : {"N", "P:64", "R:91.71"}) {
    rv1::Summary after = Summary(scope);
    after.clear_as_of_time();
    before[i].clear_as_of_time();
    EXPECT_EQ(after.SerializeAsString(), before[i].SerializeAsString())
        << scope;
    ++i;
  }
  rv1::ListRebuildsRequest lr;
  rv1::ListRebuildsResponse rebuilds;
  ASSERT_TRUE(env_.stub()
                  .ListRebuilds(env_.Ctx(env_.admin()).get(), lr, &rebuilds)
                  .ok());
  ASSERT_EQ(rebuilds.rebuilds_size(), 1);
  EXPECT_EQ(rebuilds.rebuilds(0).name(), rebuild.name());
}

TEST_F(ReportingE2eTest, RebuildGoesThroughASnapshotWhereTheFeedWasTrimmed) {
  const Scenario sc = BuildScenario(14);
  Upstream* a = env_.AddUpstream<kerjasosial::cases::v1::Cases>("cases-a");
  env_.Register(*a, rv1::UPSTREAM_KIND_CASES, "cases-a");
  Publish(sc, "cases-a", a, 0, 1'000'000);
  env_.WaitHandled("cases-a", a->published());
  std::vector<rv1::Summary> before;
  for (const char* scope : {"N", "P:64", "R:31.71"}) {
    before.push_back(Summary(scope));
  }

  // The upstream's retention trims all but its last 3 events; it offers a
  // snapshot of its cases' current states.
  FixedSnapshot snapshot(CaseStatesAfter(sc.events.at("cases-a")));
  a->SetSnapshotSource(&snapshot);
  absl::StatusOr<redis::Reply> ids =
      env_.upstream_pool().Command({"XRANGE", a->stream(), "-", "+"});
  ASSERT_TRUE(ids.ok());
  const size_t n = ids->elements.size();
  ASSERT_GT(n, 4u);
  const std::string last = ids->elements[n - 1].elements[0].str;
  const std::string trimmed_through = ids->elements[n - 4].elements[0].str;
  ASSERT_TRUE(
      env_.upstream_pool().Command({"XTRIM", a->stream(), "MAXLEN", "3"}).ok());
  ASSERT_TRUE(
      env_.upstream_pool()
          .Command({"SET", feed::TrimmedKey(a->stream()), trimmed_through})
          .ok());

  // Rebuilding replays from the start, which the upstream no longer has
  // (FEED_CURSOR_TRIMMED): reporting takes the snapshot instead.
  const rv1::Rebuild rebuild = Rebuild("rebuild-trimmed");
  ASSERT_EQ(rebuild.state(), rv1::REBUILD_STATE_SUCCEEDED)
      << rebuild.ShortDebugString();
  const rv1::Upstream u = env_.GetUpstream("cases-a");
  EXPECT_EQ(u.cursor(), last) << "the snapshot's head";
  EXPECT_EQ(u.events_rejected(), 0);
  // One snapshot event per case.
  EXPECT_EQ(
      u.events_applied(),
      static_cast<int64_t>(CaseStatesAfter(sc.events.at("cases-a")).size()));

  // The stocks equal the incremental ones exactly. The flows of the trimmed
  // events (registrations, completions, prison days, fines by business
  // date) are not in a CaseStateSnapshot, so they are not compared.
  int i = 0;
  for (const char* scope : {"N", "P:64", "R:31.71"}) {
    SCOPED_TRACE(scope);
    const rv1::Summary after = Summary(scope);
    EXPECT_EQ(after.totals().cases_active(), before[i].totals().cases_active());
    EXPECT_GT(after.totals().cases_active(), 0);
    ASSERT_EQ(after.cases_by_state_size(), before[i].cases_by_state_size());
    for (int c = 0; c < after.cases_by_state_size(); ++c) {
      EXPECT_EQ(after.cases_by_state(c).ShortDebugString(),
                before[i].cases_by_state(c).ShortDebugString());
    }
    ASSERT_EQ(after.by_kind_size(), before[i].by_kind_size());
    for (int k = 0; k < after.by_kind_size(); ++k) {
      EXPECT_EQ(after.by_kind(k).figures().cases_active(),
                before[i].by_kind(k).figures().cases_active());
    }
    ++i;
  }

  // Following live goes on after the snapshot's head.
  Event next = sc.events.at("cases-b").front();
  next.set_event_id("after-snapshot");
  next.set_regency_code("64.01");
  cv1::CaseRegistered p;
  ASSERT_TRUE(next.payload().UnpackTo(&p));
  p.mutable_facts()->set_regency_code("64.01");
  next.set_aggregate_name("regencies/64.01/cases/after");
  next.mutable_payload()->PackFrom(p);
  const int64_t active_before = Summary("R:64.01").totals().cases_active();
  a->Publish(next, env_.upstream_pool());
  env_.WaitHandled("cases-a", u.events_applied() + 1);
  EXPECT_EQ(Summary("R:64.01").totals().cases_active(), active_before + 1);
}

TEST_F(ReportingE2eTest, RestartsMidwayLoseAndDoubleNothing) {
  const Scenario sc = BuildScenario(21);
  Upstream* a = env_.AddUpstream<kerjasosial::cases::v1::Cases>("cases-a");
  Upstream* b = env_.AddUpstream<kerjasosial::cases::v1::Cases>("cases-b");
  Upstream* sup = env_.AddUpstream<kerjasosial::supervision::v1::Supervision>(
      "supervision");
  env_.Register(*a, rv1::UPSTREAM_KIND_CASES, "cases-a");
  env_.Register(*b, rv1::UPSTREAM_KIND_CASES, "cases-b");
  env_.Register(*sup, rv1::UPSTREAM_KIND_SUPERVISION, "supervision");
  const size_t half_a = sc.events.at("cases-a").size() / 2;
  const size_t half_b = sc.events.at("cases-b").size() / 2;
  Publish(sc, "cases-a", a, 0, half_a);
  Publish(sc, "cases-b", b, 0, half_b);
  Publish(sc, "supervision", sup, 0, 1'000'000);
  env_.WaitHandled("cases-a", a->published());
  env_.WaitHandled("cases-b", b->published());

  // Reporting stops; the feeds go on; upstream b goes down too and comes
  // back only after reporting restarted.
  env_.StopBinary();
  Publish(sc, "cases-a", a, half_a, 1'000'000);
  b->Stop();
  Publish(sc, "cases-b", b, half_b, half_b + 10);
  env_.StartBinary();
  env_.WaitHandled("cases-a", a->published());
  {
    const rv1::Upstream down = env_.GetUpstream("cases-b");
    EXPECT_NE(down.state(), rv1::UPSTREAM_STATE_LIVE);
    EXPECT_EQ(down.events_applied(), static_cast<int64_t>(half_b));
    EXPECT_TRUE(Summary("N").stale()) << "an upstream of the nation is down";
  }
  b->Start();
  // Upstream a stops mid-stream while reporting runs, then returns.
  a->Stop();
  Publish(sc, "cases-b", b, half_b + 10, 1'000'000);
  a->Start();
  env_.WaitHandled("cases-a", a->published());
  env_.WaitHandled("cases-b", b->published());
  env_.WaitHandled("supervision", sup->published());
  ExpectEverything(sc);
  EXPECT_FALSE(Summary("N").stale());
}

TEST_F(ReportingE2eTest, GarbageUpstreamIsIsolatedAndNothingPersonalIsStored) {
  const Scenario sc = BuildScenario(7);
  Upstream* a = env_.AddUpstream<kerjasosial::cases::v1::Cases>("cases-a");
  Upstream* b = env_.AddUpstream<kerjasosial::cases::v1::Cases>("cases-b");
  Upstream* sup = env_.AddUpstream<kerjasosial::supervision::v1::Supervision>(
      "supervision");
  Upstream* g = env_.AddUpstream<kerjasosial::cases::v1::Cases>("garbage");
  env_.Register(*g, rv1::UPSTREAM_KIND_CASES, "garbage");
  env_.Register(*a, rv1::UPSTREAM_KIND_CASES, "cases-a");
  env_.Register(*b, rv1::UPSTREAM_KIND_CASES, "cases-b");
  env_.Register(*sup, rv1::UPSTREAM_KIND_SUPERVISION, "supervision");

  // 1: bytes that are no CaseRegistered.
  Event bad = sc.events.at("cases-a").front();
  bad.set_event_id("g-1");
  bad.mutable_payload()->set_value("\xff\xff\xff\xff");
  g->Publish(bad, env_.upstream_pool());
  // 2: a payload carrying a person (name, NIK, address).
  kerjasosial::cases::v1::Person person;
  person.set_full_name(kPersonName);
  person.set_nik(kNik);
  person.set_address("Jl. Merdeka 1, Tanah Grogot");
  Event personal = sc.events.at("cases-a").front();
  personal.set_event_id("g-2");
  personal.set_event_type("kerjasosial.cases.v1.Person");
  personal.mutable_payload()->PackFrom(person);
  g->Publish(personal, env_.upstream_pool());
  // 3: a regency that does not exist.
  Event nowhere = sc.events.at("cases-a").front();
  nowhere.set_event_id("g-3");
  nowhere.set_regency_code("64.99");
  g->Publish(nowhere, env_.upstream_pool());
  // Meanwhile the honest upstreams publish the whole scenario.
  Publish(sc, "cases-a", a, 0, 1'000'000);
  Publish(sc, "cases-b", b, 0, 1'000'000);
  Publish(sc, "supervision", sup, 0, 1'000'000);
  env_.WaitHandled("garbage", 3);
  env_.WaitHandled("cases-a", a->published());
  env_.WaitHandled("cases-b", b->published());
  env_.WaitHandled("supervision", sup->published());

  const rv1::Upstream garbage = env_.GetUpstream("garbage");
  EXPECT_EQ(garbage.events_rejected(), 3);
  EXPECT_EQ(garbage.events_applied(), 0);
  EXPECT_NE(garbage.last_error().find("regency_code is not a regency"),
            std::string::npos)
      << garbage.last_error();
  EXPECT_TRUE(garbage.has_last_error_time());
  ExpectEverything(sc);

  // Privacy: nothing of the person anywhere in reporting's Redis (keys,
  // hash fields and values, set members, strings, streams), nor in its log.
  std::string dump;
  for (absl::string_view key :
       absl::StrSplit(env_.reporting_redis().Cli("--scan --pattern '*'"), '\n',
                      absl::SkipWhitespace())) {
    const std::string k(key);
    const std::string type = env_.reporting_redis().Cli("TYPE '" + k + "'");
    dump += k + "\n";
    if (type.rfind("hash", 0) == 0) {
      dump += env_.reporting_redis().Cli("HGETALL '" + k + "'");
    } else if (type.rfind("set", 0) == 0) {
      dump += env_.reporting_redis().Cli("SMEMBERS '" + k + "'");
    } else if (type.rfind("string", 0) == 0) {
      dump += env_.reporting_redis().Cli("GET '" + k + "'");
    } else if (type.rfind("stream", 0) == 0) {
      dump += env_.reporting_redis().Cli("XRANGE '" + k + "' - +");
    } else if (type.rfind("zset", 0) == 0) {
      dump += env_.reporting_redis().Cli("ZRANGE '" + k + "' 0 -1");
    }
  }
  EXPECT_GT(dump.size(), 1000u) << "the scan read the aggregates";
  for (const char* secret : {kPersonName, "Siti", kNik, "Jl. Merdeka"}) {
    EXPECT_EQ(dump.find(secret), std::string::npos) << secret;
    EXPECT_EQ(env_.binary().ReadLog().find(secret), std::string::npos)
        << secret;
  }
}

TEST_F(ReportingE2eTest, AccessAndArguments) {
  Upstream* a = env_.AddUpstream<kerjasosial::cases::v1::Cases>("cases-a");
  rv1::Upstream created =
      env_.Register(*a, rv1::UPSTREAM_KIND_CASES, "cases-a");
  // A regional prosecutor reads its regency, not the nation nor another.
  rv1::GetNationalSummaryRequest nat;
  rv1::Summary out;
  EXPECT_EQ(env_.stub()
                .GetNationalSummary(env_.Ctx(env_.jaksa()).get(), nat, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  rv1::GetRegencySummaryRequest own;
  own.set_name("regencies/64.01/summary");
  EXPECT_TRUE(env_.stub()
                  .GetRegencySummary(env_.Ctx(env_.jaksa()).get(), own, &out)
                  .ok());
  EXPECT_EQ(out.name(), "regencies/64.01/summary");
  rv1::GetRegencySummaryRequest other;
  other.set_name("regencies/31.71/summary");
  EXPECT_EQ(env_.stub()
                .GetRegencySummary(env_.Ctx(env_.jaksa()).get(), other, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  rv1::GetRegencySummaryRequest unknown;
  unknown.set_name("regencies/64.99/summary");
  EXPECT_EQ(env_.stub()
                .GetRegencySummary(env_.Ctx(env_.viewer()).get(), unknown, &out)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(env_.stub()
                .GetNationalSummary(env_.Ctx("").get(), nat, &out)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Upstreams are ADMIN's.
  rv1::ListUpstreamsRequest list;
  rv1::ListUpstreamsResponse listed;
  EXPECT_EQ(env_.stub()
                .ListUpstreams(env_.Ctx(env_.viewer()).get(), list, &listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The same address and kind twice: ALREADY_EXISTS.
  rv1::CreateUpstreamRequest dup;
  dup.set_request_id("dup-1");
  dup.set_upstream_id("cases-a-again");
  dup.mutable_upstream()->set_kind(rv1::UPSTREAM_KIND_CASES);
  dup.mutable_upstream()->set_address(a->address());
  rv1::Upstream u;
  EXPECT_EQ(env_.stub()
                .CreateUpstream(env_.Ctx(env_.admin()).get(), dup, &u)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  // Plaintext to a non-loopback address.
  rv1::CreateUpstreamRequest remote = dup;
  remote.set_request_id("remote-1");
  remote.mutable_upstream()->set_address("cases.kejari-paser.go.id:443");
  grpc::Status s =
      env_.stub().CreateUpstream(env_.Ctx(env_.admin()).get(), remote, &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("upstream.use_tls"), std::string::npos)
      << s.error_message();
  // A retry of the first create answers the first result.
  rv1::CreateUpstreamRequest again;
  again.set_upstream_id("cases-a");
  again.set_request_id("create-cases-a");
  again.mutable_upstream()->set_kind(rv1::UPSTREAM_KIND_CASES);
  again.mutable_upstream()->set_address(a->address());
  again.mutable_upstream()->set_credential_name("feed");
  again.mutable_upstream()->set_display_name("cases-a");
  ASSERT_TRUE(
      env_.stub().CreateUpstream(env_.Ctx(env_.admin()).get(), again, &u).ok());
  EXPECT_EQ(u.name(), created.name());
  // Update with a stale etag: ABORTED; an immutable path: INVALID_ARGUMENT.
  rv1::UpdateUpstreamRequest upd;
  upd.mutable_upstream()->set_name(created.name());
  upd.mutable_upstream()->set_display_name("Kejari Paser");
  upd.mutable_update_mask()->add_paths("display_name");
  upd.set_etag("v7");
  upd.set_request_id("upd-1");
  EXPECT_EQ(env_.stub()
                .UpdateUpstream(env_.Ctx(env_.admin()).get(), upd, &u)
                .error_code(),
            grpc::StatusCode::ABORTED);
  upd.set_etag(created.etag());
  upd.set_request_id("upd-2");
  ASSERT_TRUE(
      env_.stub().UpdateUpstream(env_.Ctx(env_.admin()).get(), upd, &u).ok());
  EXPECT_EQ(u.display_name(), "Kejari Paser");
  EXPECT_EQ(u.etag(), "v2");
  upd.mutable_update_mask()->set_paths(0, "kind");
  upd.set_etag("v2");
  upd.set_request_id("upd-3");
  s = env_.stub().UpdateUpstream(env_.Ctx(env_.admin()).get(), upd, &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Delete, then it is gone.
  rv1::DeleteUpstreamRequest del;
  del.set_name(created.name());
  del.set_request_id("del-1");
  // The pipeline requires the etag (the contract says optional: reported).
  del.set_etag("v2");
  google::protobuf::Empty empty;
  s = env_.stub().DeleteUpstream(env_.Ctx(env_.admin()).get(), del, &empty);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  rv1::GetUpstreamRequest get;
  get.set_name(created.name());
  EXPECT_EQ(env_.stub()
                .GetUpstream(env_.Ctx(env_.admin()).get(), get, &u)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Time series arguments.
  rv1::GetTimeSeriesRequest ts;
  ts.set_scope("nation");
  ts.set_granularity(rv1::GRANULARITY_MONTH);
  *ts.mutable_range()->mutable_start_date() =
      DateOf(absl::CivilDay(2026, 9, 1));
  *ts.mutable_range()->mutable_end_date() = DateOf(absl::CivilDay(2026, 8, 1));
  rv1::GetTimeSeriesResponse tsr;
  s = env_.stub().GetTimeSeries(env_.Ctx(env_.viewer()).get(), ts, &tsr);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("metrics"), std::string::npos);
  EXPECT_NE(s.error_message().find("range.end_date"), std::string::npos);
}

}  // namespace
}  // namespace ks::reporting::testing
