// Prometheus text-format metrics: counters, gauges and histograms with
// labels, and a small HTTP endpoint that serves them (`GET /metrics`).
//
// prometheus-cpp is not packaged for Debian 12; the exposition format is
// simple enough to write once here.
//
// Example:
//   ks::metrics::Registry& r = ks::metrics::Registry::Global();
//   r.Counter("ks_rpc_total", "RPCs handled", {{"method", m}, {"code", "OK"}})
//       .Increment();
//   r.Histogram("ks_rpc_seconds", "RPC latency", {{"method", m}})
//       .Observe(0.003);
//
// Thread-safe: metric families are created under a mutex; updates are
// atomic or take the series' own lock.
#ifndef KS_COMMON_METRICS_METRICS_H_
#define KS_COMMON_METRICS_METRICS_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace ks::metrics {

using Labels = std::map<std::string, std::string>;

class CounterSeries {
 public:
  void Increment(double by = 1) {
    double cur = value_.load();
    while (!value_.compare_exchange_weak(cur, cur + by)) {
    }
  }
  double value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0};
};

class GaugeSeries {
 public:
  void Set(double v) { value_.store(v); }
  double value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0};
};

class HistogramSeries {
 public:
  explicit HistogramSeries(std::vector<double> bounds);
  void Observe(double value);
  // Cumulative counts per bound (+Inf last), sum and count.
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> bounds_;
  mutable absl::Mutex mu_;
  std::vector<uint64_t> counts_ ABSL_GUARDED_BY(mu_);
  double sum_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t count_ ABSL_GUARDED_BY(mu_) = 0;
};

// Latency buckets in seconds, 100 µs to 10 s.
std::vector<double> LatencyBuckets();

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry the server exports.
  static Registry& Global();

  // Returns the series for (name, labels), creating it on first use. The
  // reference stays valid for the registry's lifetime. A name must always be
  // used with the same kind.
  CounterSeries& Counter(absl::string_view name, absl::string_view help,
                         const Labels& labels = {});
  GaugeSeries& Gauge(absl::string_view name, absl::string_view help,
                     const Labels& labels = {});
  HistogramSeries& Histogram(
      absl::string_view name, absl::string_view help, const Labels& labels = {},
      const std::vector<double>& bounds = LatencyBuckets());

  // The Prometheus text exposition (version 0.0.4) of every series.
  std::string Render() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<Labels, std::unique_ptr<CounterSeries>> counters;
    std::map<Labels, std::unique_ptr<GaugeSeries>> gauges;
    std::map<Labels, std::unique_ptr<HistogramSeries>> histograms;
  };
  Family& GetFamily(absl::string_view name, absl::string_view help, Kind kind)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Family> families_ ABSL_GUARDED_BY(mu_);
};

// Serves `GET /metrics` (the registry) and `GET /healthz` on its own port,
// separate from the gRPC port so scrapers need no gRPC. One thread, one
// request at a time: scrapes are rare and small.
class HttpExporter {
 public:
  // Binds `host:port` (port 0 picks a free one). Returns an error if the
  // address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpExporter>> Start(
      const std::string& address, const Registry* registry);
  ~HttpExporter();
  HttpExporter(const HttpExporter&) = delete;
  HttpExporter& operator=(const HttpExporter&) = delete;

  int port() const { return port_; }
  void Stop();

 private:
  HttpExporter(int fd, int port, const Registry* registry);
  void Loop();

  int listen_fd_;
  int port_;
  const Registry* registry_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ks::metrics

#endif  // KS_COMMON_METRICS_METRICS_H_
