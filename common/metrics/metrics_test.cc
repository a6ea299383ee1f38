#include "common/metrics/metrics.h"

#include "common/testing/http_get.h"
#include "gtest/gtest.h"

namespace ks::metrics {
namespace {

TEST(RegistryTest, RendersCountersGaugesAndCumulativeHistograms) {
  Registry r;
  r.Counter("ks_rpc_total", "RPCs", {{"method", "/a.B/C"}, {"code", "OK"}})
      .Increment();
  r.Counter("ks_rpc_total", "RPCs", {{"method", "/a.B/C"}, {"code", "OK"}})
      .Increment(2);
  r.Gauge("ks_feed_lag_seconds", "lag", {{"upstream", "cases"}}).Set(1.5);
  auto& h =
      r.Histogram("ks_rpc_seconds", "latency", {{"method", "m"}}, {0.01, 0.1});
  h.Observe(0.005);
  h.Observe(0.05);
  h.Observe(5);
  std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE ks_rpc_total counter"), std::string::npos);
  EXPECT_NE(text.find("ks_rpc_total{code=\"OK\",method=\"/a.B/C\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("ks_feed_lag_seconds{upstream=\"cases\"} 1.5\n"),
            std::string::npos);
  EXPECT_NE(text.find("ks_rpc_seconds_bucket{method=\"m\",le=\"0.01\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "ks_rpc_seconds_bucket{method=\"m\",le=\"0.10000000000000001\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("ks_rpc_seconds_bucket{method=\"m\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("ks_rpc_seconds_count{method=\"m\"} 3\n"),
            std::string::npos);
}

TEST(HttpExporterTest, ServesMetricsOverHttp) {
  Registry r;
  r.Counter("ks_test_total", "t").Increment();
  auto exporter = HttpExporter::Start("127.0.0.1:0", &r);
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  std::string resp = testing::HttpGet((*exporter)->port(), "/metrics");
  EXPECT_EQ(resp.rfind("HTTP/1.0 200 OK", 0), 0u) << resp;
  EXPECT_NE(resp.find("ks_test_total 1\n"), std::string::npos);
  EXPECT_NE(testing::HttpGet((*exporter)->port(), "/nope").find("404"),
            std::string::npos);
  (*exporter)->Stop();
}

TEST(HttpExporterTest, RejectsAMalformedAddress) {
  Registry r;
  EXPECT_EQ(HttpExporter::Start("nonsense", &r).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ks::metrics
