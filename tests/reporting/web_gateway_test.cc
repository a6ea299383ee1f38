// The HTTP gateway against an in-process Reporting server that records what
// it is asked: the bearer token is forwarded, queries map onto requests,
// errors keep their code, lists are paged through for CSV, the public page
// uses the gateway's own token and caches, and every page asset is local.
#include <atomic>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/synchronization/mutex.h"
#include "common/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "kerjasosial/reporting/v1/reporting_service.grpc.pb.h"
#include "services/reporting/web/gateway.h"

namespace ks::reporting::web {
namespace {

namespace rv1 = ::kerjasosial::reporting::v1;
using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

constexpr char kViewer[] = "Bearer viewer-token";
constexpr char kPublic[] = "public-service-token";

// Answers from fixed figures; UNAUTHENTICATED without a token,
// PERMISSION_DENIED for an unknown one. Unlisted rpcs are UNIMPLEMENTED.
class FakeReporting final : public rv1::Reporting::CallbackService {
 public:
  std::atomic<int> public_calls{0};

  std::string last_authorization() {
    absl::MutexLock l(&mu_);
    return authorization_;
  }
  rv1::GetTimeSeriesRequest last_series() {
    absl::MutexLock l(&mu_);
    return series_;
  }

  ServerUnaryReactor* GetNationalSummary(CallbackServerContext* ctx,
                                         const rv1::GetNationalSummaryRequest*,
                                         rv1::Summary* out) override {
    out->set_name("nation/summary");
    out->mutable_totals()->set_cases_registered(4200);
    out->mutable_totals()->set_cases_overdue(0);
    return Finish(ctx, {kViewer});
  }
  ServerUnaryReactor* GetProvinceSummary(
      CallbackServerContext* ctx, const rv1::GetProvinceSummaryRequest* r,
      rv1::Summary* out) override {
    out->set_name(r->name());
    return Finish(ctx, {kViewer});
  }
  ServerUnaryReactor* GetTimeSeries(CallbackServerContext* ctx,
                                    const rv1::GetTimeSeriesRequest* r,
                                    rv1::GetTimeSeriesResponse* out) override {
    {
      absl::MutexLock l(&mu_);
      series_ = *r;
    }
    for (auto m : r->metrics()) {
      rv1::TimeSeries* s = out->add_series();
      s->set_metric(static_cast<rv1::Metric>(m));
      rv1::TimeSeriesPoint* p = s->add_points();
      *p->mutable_start_date() = r->range().start_date();
      *p->mutable_end_date() = r->range().start_date();
      p->set_value(7);
    }
    return Finish(ctx, {kViewer});
  }
  // Two pages: 64.01 and 64.02, then 64.03.
  ServerUnaryReactor* ListRegencySummaries(
      CallbackServerContext* ctx, const rv1::ListRegencySummariesRequest* r,
      rv1::ListRegencySummariesResponse* out) override {
    auto add = [&](const char* code, int64_t n) {
      rv1::Summary* s = out->add_summaries();
      s->set_name(std::string("regencies/") + code + "/summary");
      s->mutable_totals()->set_cases_active(n);
    };
    if (r->page_token().empty()) {
      add("64.01", 11);
      add("64.02", 12);
      out->set_next_page_token("p2");
    } else {
      add("64.03", 13);
    }
    return Finish(ctx, {kViewer});
  }
  ServerUnaryReactor* GetPublicSummary(CallbackServerContext* ctx,
                                       const rv1::GetPublicSummaryRequest* r,
                                       rv1::PublicSummary* out) override {
    ++public_calls;
    out->set_name(r->name());
    out->mutable_cases_completed()->set_suppressed(
        r->name() == "provinces/65/publicSummary");
    out->mutable_cases_completed()->set_value(
        r->name() == "provinces/65/publicSummary" ? 0 : 25);
    return Finish(ctx, {kViewer, std::string("Bearer ") + kPublic});
  }

 private:
  ServerUnaryReactor* Finish(CallbackServerContext* ctx,
                             const std::vector<std::string>& allowed) {
    const auto& md = ctx->client_metadata();
    auto it = md.find("authorization");
    std::string auth =
        it == md.end() ? "" : std::string(it->second.data(), it->second.size());
    {
      absl::MutexLock l(&mu_);
      authorization_ = auth;
    }
    grpc::Status status;
    if (auth.empty()) {
      status = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no token");
    } else if (std::find(allowed.begin(), allowed.end(), auth) ==
               allowed.end()) {
      status = grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "not yours");
    }
    ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

  absl::Mutex mu_;
  std::string authorization_ ABSL_GUARDED_BY(mu_);
  rv1::GetTimeSeriesRequest series_ ABSL_GUARDED_BY(mu_);
};

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    GatewayOptions options;
    options.reporting = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                            grpc::InsecureChannelCredentials());
    options.public_token = kPublic;
    options.public_cache_for = absl::Seconds(60);
    options.clock = &clock_;
    auto g = Gateway::Start(options);
    ASSERT_TRUE(g.ok()) << g.status();
    gateway_ = *std::move(g);
    http_ = std::make_unique<httplib::Client>("127.0.0.1", gateway_->port());
  }
  void TearDown() override {
    gateway_.reset();
    if (server_) server_->Shutdown();
  }

  httplib::Result Get(const std::string& path, bool with_token = true) {
    httplib::Headers h;
    if (with_token) h.emplace("Authorization", kViewer);
    return http_->Get(path, h);
  }

  FakeReporting fake_;
  FakeClock clock_{absl::FromUnixSeconds(1796000000)};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(GatewayTest, ForwardsTheBearerTokenAndAnswersProtoJson) {
  auto r = Get("/api/v1/nation/summary");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(fake_.last_authorization(), kViewer);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  // Proto field names, int64 as strings (proto3 JSON), zeros printed.
  EXPECT_NE(r->body.find(R"("cases_registered":"4200")"), std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find(R"("cases_overdue":"0")"), std::string::npos);
}

TEST_F(GatewayTest, ErrorsKeepTheirCodeAsHttpAndJson) {
  auto none = Get("/api/v1/nation/summary", /*with_token=*/false);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_NE(none->body.find(R"("code":16)"), std::string::npos) << none->body;
  EXPECT_EQ(fake_.last_authorization(), "");

  httplib::Headers other = {{"Authorization", "Bearer someone-else"}};
  auto denied = http_->Get("/api/v1/provinces/64/summary", other);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  EXPECT_NE(denied->body.find(R"("code":7)"), std::string::npos);

  auto unimplemented = Get("/api/v1/compareScopes?scope_a=nation");
  ASSERT_TRUE(unimplemented);
  EXPECT_EQ(unimplemented->status, 501);

  // A bad parameter never reaches reporting: 400 naming it.
  auto bad = Get("/api/v1/nation/timeSeries?granularity=DAY");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find(R"("field":"granularity")"), std::string::npos)
      << bad->body;
  EXPECT_NE(bad->body.find("google.rpc.BadRequest"), std::string::npos);

  auto unknown_path = Get("/api/v1/provinces/6/summary");
  ASSERT_TRUE(unknown_path);
  EXPECT_EQ(unknown_path->status, 404);
}

TEST_F(GatewayTest, PathAndQueryFillTheRequest) {
  auto r = Get(
      "/api/v1/provinces/64/timeSeries?metrics=CASES_REGISTERED,AT_RISK_CASES"
      "&granularity=MONTH&range.start_date=2026-01-01&range.end_date=2026-06-"
      "30");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const rv1::GetTimeSeriesRequest seen = fake_.last_series();
  EXPECT_EQ(seen.scope(), "provinces/64");
  ASSERT_EQ(seen.metrics_size(), 2);
  EXPECT_EQ(seen.metrics(1), rv1::METRIC_AT_RISK_CASES);
  EXPECT_EQ(seen.granularity(), rv1::GRANULARITY_MONTH);
  EXPECT_EQ(seen.range().end_date().month(), 6);
  EXPECT_NE(r->body.find(R"("metric":"METRIC_AT_RISK_CASES")"),
            std::string::npos);
}

TEST_F(GatewayTest, CsvPagesThroughTheWholeListInTheAskedLanguage) {
  auto r = Get("/v1/provinces/64/regencySummaries.csv?lang=en");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r->body.rfind("Region code,Region name,Cases registered,", 0), 0u)
      << r->body;
  EXPECT_NE(r->body.find("\r\n64.01,Kabupaten Paser,0,11,"), std::string::npos);
  EXPECT_NE(r->body.find("\r\n64.03,"), std::string::npos);  // page two
  auto id =
      Get("/v1/nation/timeSeries.csv?metrics=CASES_COMPLETED"
          "&granularity=MONTH&range.start_date=2026-03-01");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->body,
            "Tanggal mulai,Tanggal akhir,Perkara selesai\r\n"
            "2026-03-01,2026-03-01,7\r\n");
  auto bad = Get("/v1/nation/timeSeries.csv?lang=fr");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find(R"("field":"lang")"), std::string::npos);
}

TEST_F(GatewayTest, PublicPageNeedsNoLoginUsesItsOwnTokenAndCaches) {
  auto r = Get("/api/v1/publik", /*with_token=*/false);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(fake_.last_authorization(), std::string("Bearer ") + kPublic);
  EXPECT_EQ(fake_.public_calls.load(), 39);  // the nation and 38 provinces
  EXPECT_NE(
      r->body.find(
          R"("name":"provinces/65/publicSummary","cases_completed":{"value":"0","suppressed":true})"),
      std::string::npos)
      << r->body;
  // Within the cache window reporting is not asked again; after it, it is.
  ASSERT_TRUE(Get("/v1/publik.csv", false));
  EXPECT_EQ(fake_.public_calls.load(), 39);
  clock_.Advance(absl::Seconds(61));
  auto csv = Get("/v1/publik.csv?lang=en", false);
  ASSERT_TRUE(csv);
  EXPECT_EQ(fake_.public_calls.load(), 78);
  EXPECT_NE(csv->body.find("\r\n65,Kalimantan Utara,,true,"), std::string::npos)
      << csv->body;
  auto page = Get("/publik", false);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/static/public.js"), std::string::npos);
}

TEST_F(GatewayTest, EveryAssetIsLocalAndTheBrowserIsToldSo) {
  auto page = Get("/", false);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Security-Policy")
                .rfind("default-src 'self';", 0),
            0u);
  EXPECT_EQ(page->body.find("http://"), std::string::npos);
  EXPECT_EQ(page->body.find("https://"), std::string::npos);
  std::ifstream in("/usr/share/javascript/chart.js/chart.min.js");
  std::stringstream chartjs;
  chartjs << in.rdbuf();
  auto js = Get("/static/chart.min.js", false);
  ASSERT_TRUE(js);
  EXPECT_EQ(js->body, chartjs.str());
  for (const char* path :
       {"/static/app.js", "/static/common.js", "/static/public.js",
        "/static/style.css", "/api/v1/labels", "/api/v1/regions"}) {
    auto r = Get(path, false);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
  }
  EXPECT_NE(
      Get("/api/v1/regions", false)->body.find(R"("name":"Kabupaten Paser")"),
      std::string::npos);
}

TEST(GatewayStartTest, RefusesAMissingChartJsAndNoChannel) {
  GatewayOptions options;
  EXPECT_EQ(Gateway::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.reporting =
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  options.chartjs_file = "/nonexistent/chart.min.js";
  auto g = Gateway::Start(options);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(g.status().message().find("libjs-chart.js"), std::string::npos);
}

TEST(GatewayStartTest, PublicPageIsOffWithoutAToken) {
  GatewayOptions options;
  options.reporting =
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  auto g = Gateway::Start(options);
  ASSERT_TRUE(g.ok()) << g.status();
  httplib::Client http("127.0.0.1", (*g)->port());
  EXPECT_EQ(http.Get("/publik")->status, 404);
  EXPECT_EQ(http.Get("/api/v1/publik")->status, 404);
}

}  // namespace
}  // namespace ks::reporting::web
