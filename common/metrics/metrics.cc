#include "common/metrics/metrics.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace ks::metrics {
namespace {

std::string EscapeLabel(absl::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string FormatLabels(
    const Labels& labels,
    const std::pair<std::string, std::string>* extra = nullptr) {
  if (labels.empty() && extra == nullptr) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    absl::StrAppend(&out, first ? "" : ",", k, "=\"", EscapeLabel(v), "\"");
    first = false;
  }
  if (extra != nullptr) {
    absl::StrAppend(&out, first ? "" : ",", extra->first, "=\"",
                    EscapeLabel(extra->second), "\"");
  }
  return out + "}";
}

std::string FormatValue(double v) { return absl::StrFormat("%.17g", v); }

}  // namespace

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

HistogramSeries::HistogramSeries(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void HistogramSeries::Observe(double value) {
  size_t i =
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  absl::MutexLock lock(&mu_);
  ++counts_[i];
  sum_ += value;
  ++count_;
}

HistogramSeries::Snapshot HistogramSeries::Read() const {
  Snapshot s;
  s.bounds = bounds_;
  absl::MutexLock lock(&mu_);
  uint64_t acc = 0;
  for (uint64_t c : counts_) {
    acc += c;
    s.cumulative.push_back(acc);
  }
  s.sum = sum_;
  s.count = count_;
  return s;
}

Registry& Registry::Global() {
  static Registry* registry = new Registry;
  return *registry;
}

Registry::Family& Registry::GetFamily(absl::string_view name,
                                      absl::string_view help, Kind kind) {
  auto [it, inserted] = families_.try_emplace(std::string(name));
  if (inserted) {
    it->second.kind = kind;
    it->second.help = std::string(help);
  }
  return it->second;
}

CounterSeries& Registry::Counter(absl::string_view name, absl::string_view help,
                                 const Labels& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = GetFamily(name, help, Kind::kCounter).counters[labels];
  if (!slot) slot = std::make_unique<CounterSeries>();
  return *slot;
}

GaugeSeries& Registry::Gauge(absl::string_view name, absl::string_view help,
                             const Labels& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = GetFamily(name, help, Kind::kGauge).gauges[labels];
  if (!slot) slot = std::make_unique<GaugeSeries>();
  return *slot;
}

HistogramSeries& Registry::Histogram(absl::string_view name,
                                     absl::string_view help,
                                     const Labels& labels,
                                     const std::vector<double>& bounds) {
  absl::MutexLock lock(&mu_);
  auto& slot = GetFamily(name, help, Kind::kHistogram).histograms[labels];
  if (!slot) slot = std::make_unique<HistogramSeries>(bounds);
  return *slot;
}

std::string Registry::Render() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) {
    const char* type = family.kind == Kind::kCounter ? "counter"
                       : family.kind == Kind::kGauge ? "gauge"
                                                     : "histogram";
    absl::StrAppend(&out, "# HELP ", name, " ", family.help, "\n# TYPE ", name,
                    " ", type, "\n");
    for (const auto& [labels, c] : family.counters) {
      absl::StrAppend(&out, name, FormatLabels(labels), " ",
                      FormatValue(c->value()), "\n");
    }
    for (const auto& [labels, g] : family.gauges) {
      absl::StrAppend(&out, name, FormatLabels(labels), " ",
                      FormatValue(g->value()), "\n");
    }
    for (const auto& [labels, h] : family.histograms) {
      HistogramSeries::Snapshot s = h->Read();
      for (size_t i = 0; i <= s.bounds.size(); ++i) {
        std::pair<std::string, std::string> le{
            "le", i < s.bounds.size() ? FormatValue(s.bounds[i]) : "+Inf"};
        absl::StrAppend(&out, name, "_bucket", FormatLabels(labels, &le), " ",
                        s.cumulative[i], "\n");
      }
      absl::StrAppend(&out, name, "_sum", FormatLabels(labels), " ",
                      FormatValue(s.sum), "\n", name, "_count",
                      FormatLabels(labels), " ", s.count, "\n");
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<HttpExporter>> HttpExporter::Start(
    const std::string& address, const Registry* registry) {
  std::pair<std::string, std::string> hp =
      absl::StrSplit(address, absl::MaxSplits(':', 1));
  int port = 0;
  if (!absl::SimpleAtoi(hp.second, &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address must be host:port, got '", address, "'"));
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  std::string host = hp.first == "localhost" ? "127.0.0.1" : hp.first;
  if (host.empty()) host = "0.0.0.0";
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("metrics host must be an IPv4 address, got '", host, "'"));
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 16) != 0) {
    std::string err = strerror(errno);
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("cannot listen for metrics on ", address, ": ", err));
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return std::unique_ptr<HttpExporter>(
      new HttpExporter(fd, ntohs(addr.sin_port), registry));
}

HttpExporter::HttpExporter(int fd, int port, const Registry* registry)
    : listen_fd_(fd), port_(port), registry_(registry) {
  thread_ = std::thread([this] { Loop(); });
}

HttpExporter::~HttpExporter() { Stop(); }

void HttpExporter::Stop() {
  if (stop_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
}

void HttpExporter::Loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;  // wake up to notice Stop()
    int c = accept(listen_fd_, nullptr, nullptr);
    if (c < 0) continue;
    timeval tv{2, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[2048];
    ssize_t n = read(c, buf, sizeof(buf) - 1);
    std::string request(buf, n > 0 ? n : 0);
    std::string status = "200 OK", type = "text/plain; version=0.0.4", body;
    if (request.rfind("GET /metrics", 0) == 0) {
      body = registry_->Render();
    } else if (request.rfind("GET /healthz", 0) == 0) {
      body = "ok\n";
    } else {
      status = "404 Not Found";
      body = "try /metrics\n";
    }
    std::string response =
        absl::StrCat("HTTP/1.0 ", status, "\r\nContent-Type: ", type,
                     "\r\nContent-Length: ", body.size(),
                     "\r\nConnection: close\r\n\r\n", body);
    size_t off = 0;
    while (off < response.size()) {
      ssize_t w = write(c, response.data() + off, response.size() - off);
      if (w <= 0) break;
      off += w;
    }
    close(c);
  }
}

}  // namespace ks::metrics
