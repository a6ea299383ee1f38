// Bounded fan-in (issue #12: "bounded threads, not a thread per upstream:
// hundreds of upstreams must work"): the real kerjasosial-reporting binary
// follows 200 upstreams with a fixed number of workers. Every event is
// applied exactly once, the binary's thread count does not grow with the
// upstreams, and one dead and one garbage-sending upstream do not hold up
// the other 200.
//
// The 200 upstreams are 200 feed servers in this process (reporting keeps
// one upstream per kind and address), upstream i publishing the cases of
// regency i only, so the per-upstream and per-regency counts below are
// exact.
#include <dirent.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/regions/regions.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "tests/reporting/reporting_harness.h"
#include "tests/reporting/scenario.h"

namespace ks::reporting::testing {
namespace {

constexpr int kUpstreams = 200;
constexpr int kWorkers = 4;

// Threads of process `pid` now.
int ThreadsOf(pid_t pid) {
  DIR* dir = opendir(absl::StrCat("/proc/", pid, "/task").c_str());
  if (dir == nullptr) return -1;
  int n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n;
}

// A new sentence of `hours` hours in `regency`.
Event Registered(const std::string& regency, int n, int hours) {
  cv1::CaseRegistered p;
  cv1::CaseFacts* f = p.mutable_facts();
  f->set_regency_code(regency);
  f->set_kind(kerjasosial::common::v1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
  f->set_sentence_hours(hours);
  f->set_state(cv1::CASE_STATE_REGISTERED);
  p.mutable_final_date()->set_year(2026);
  p.mutable_final_date()->set_month(11);
  p.mutable_final_date()->set_day(2);
  int64_t seq = n;
  Event e = EventOf(&seq, "kerjasosial.cases.v1.Case",
                    absl::StrCat("regencies/", regency, "/cases/c", n), 1,
                    regency, absl::FromUnixSeconds(1'793'000'000 + n), p);
  e.set_event_id(absl::StrCat("fan-", regency, "-", n));
  return e;
}

class ReportingFanInTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Start({absl::StrCat("--upstream_workers=", kWorkers)});
  }
  void TearDown() override { env_.Stop(); }

  ReportingEnvironment env_;
};

TEST_F(ReportingFanInTest, TwoHundredUpstreamsOnFixedWorkersExactlyOnce) {
  const pid_t pid = env_.binary().pid();
  const int threads_idle = ThreadsOf(pid);
  ASSERT_GT(threads_idle, 0);

  // Regency i of the 514 goes to upstream i.
  const auto& regencies = regions::Regions::Get().regencies();
  ASSERT_GE(regencies.size(), static_cast<size_t>(kUpstreams));
  std::vector<Upstream*> servers;
  for (int i = 0; i < kUpstreams; ++i) {
    servers.push_back(env_.AddUpstream<kerjasosial::cases::v1::Cases>(
        absl::StrCat("cases-", i)));
  }
  auto id = [](int i) { return absl::StrFormat("up-%03d", i); };
  // Upstream i has i % 3 + 1 events before it is registered (a backlog).
  std::vector<int64_t> events(kUpstreams, 0), hours(kUpstreams, 0);
  auto publish = [&](int i) {
    const int n = static_cast<int>(events[i]++);
    const int h = 10 + i % 50;
    hours[i] += h;
    servers[i]->Publish(Registered(regencies[i].code, n, h),
                        env_.upstream_pool());
  };
  for (int i = 0; i < kUpstreams; ++i) {
    for (int k = 0; k <= i % 3; ++k) publish(i);
  }
  // A dead upstream (nothing listens at its address) and a garbage one,
  // registered first so that they sit among the others on the workers.
  UpstreamOf<kerjasosial::cases::v1::Cases> dead(env_.upstream_pool(), "dead",
                                                 "unused");
  env_.Register(dead, rv1::UPSTREAM_KIND_CASES, "dead");
  Upstream* garbage =
      env_.AddUpstream<kerjasosial::cases::v1::Cases>("garbage");
  env_.Register(*garbage, rv1::UPSTREAM_KIND_CASES, "garbage");
  for (int g = 0; g < 5; ++g) {
    Event bad = Registered("64.01", 1000 + g, 1);
    bad.mutable_payload()->set_value("\xff\xff\xff\xff");
    garbage->Publish(bad, env_.upstream_pool());
  }
  for (int i = 0; i < kUpstreams; ++i) {
    env_.Register(*servers[i], rv1::UPSTREAM_KIND_CASES, id(i),
                  {regencies[i].code});
  }
  for (int i = 0; i < kUpstreams; ++i) {
    env_.WaitHandled(id(i), events[i]);
  }
  // Live: with all 200 streams open and idle, new events still get through
  // to each of them.
  for (int i = 0; i < kUpstreams; ++i) publish(i);
  for (int i = 0; i < kUpstreams; ++i) {
    env_.WaitHandled(id(i), events[i]);
  }
  env_.WaitHandled("garbage", 5);

  const int threads_following = ThreadsOf(pid);
  // The workers exist from the start; following 200 upstreams adds none of
  // ours, and gRPC's own threads do not grow per stream. (A thread per
  // upstream would add 200.)
  EXPECT_LT(threads_following - threads_idle, 20)
      << "idle " << threads_idle << ", following " << threads_following;
  std::printf("reporting threads: %d idle, %d following %d upstreams\n",
              threads_idle, threads_following, kUpstreams + 2);

  int64_t total_events = 0, total_hours = 0;
  for (int i = 0; i < kUpstreams; ++i) {
    SCOPED_TRACE(i);
    const rv1::Upstream u = env_.GetUpstream(id(i));
    EXPECT_EQ(u.events_applied(), events[i]);
    EXPECT_EQ(u.events_rejected(), 0);
    EXPECT_EQ(u.state(), rv1::UPSTREAM_STATE_LIVE);
    rv1::GetRegencySummaryRequest req;
    req.set_name(absl::StrCat("regencies/", regencies[i].code, "/summary"));
    rv1::Summary s;
    grpc::Status st =
        env_.stub().GetRegencySummary(env_.Ctx(env_.viewer()).get(), req, &s);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(s.totals().cases_registered(), events[i]);
    EXPECT_EQ(s.totals().sentenced_hours(), hours[i]);
    total_events += events[i];
    total_hours += hours[i];
  }
  rv1::Summary nation;
  ASSERT_TRUE(env_.stub()
                  .GetNationalSummary(env_.Ctx(env_.viewer()).get(),
                                      rv1::GetNationalSummaryRequest(), &nation)
                  .ok());
  EXPECT_EQ(nation.totals().cases_registered(), total_events);
  EXPECT_EQ(nation.totals().sentenced_hours(), total_hours);

  const rv1::Upstream d = env_.GetUpstream("dead");
  EXPECT_NE(d.state(), rv1::UPSTREAM_STATE_LIVE);
  EXPECT_EQ(d.events_applied(), 0);
  EXPECT_NE(d.last_error().find("UNAVAILABLE"), std::string::npos)
      << d.ShortDebugString();
  const rv1::Upstream g = env_.GetUpstream("garbage");
  EXPECT_EQ(g.events_rejected(), 5);
  EXPECT_EQ(g.events_applied(), 0);

  // Removing one upstream disturbs none of the others: the next event of
  // another upstream still arrives.
  rv1::DeleteUpstreamRequest del;
  del.set_name("upstreams/" + id(0));
  del.set_request_id("delete-" + id(0));
  del.set_etag(env_.GetUpstream(id(0)).etag());
  google::protobuf::Empty empty;
  grpc::Status deleted =
      env_.stub().DeleteUpstream(env_.Ctx(env_.admin()).get(), del, &empty);
  ASSERT_TRUE(deleted.ok()) << deleted.error_message();
  publish(1);
  env_.WaitHandled(id(1), events[1]);
}

}  // namespace
}  // namespace ks::reporting::testing
