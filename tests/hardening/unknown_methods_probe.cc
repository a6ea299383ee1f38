// Probe: what made-up method paths cost a running service (issue #8).
// Reads the process's RSS and the size of its /metrics, sends N distinct
// unknown paths (UnknownMethodPath: each carries a name and a NIK), and
// reads both again.
//
// Usage: unknown_methods_probe <grpc host:port> <metrics port> <pid> <paths>
// Example (a local kerjasosial-cases on the deploy/ defaults):
//   unknown_methods_probe 127.0.0.1:7101 9101 $(pidof kerjasosial-cases) 20000
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "common/testing/http_get.h"
#include "common/testing/unknown_methods.h"

namespace {

// VmRSS of `pid` in KiB, or -1.
long RssKib(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string key;
  long value = -1;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
    in.ignore(1 << 12, '\n');
  }
  return -1;
}

// Size of the /metrics body (the HTTP response less its headers).
size_t MetricsBytes(int port) {
  const std::string response = ks::testing::HttpGet(port, "/metrics");
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? 0 : response.size() - body - 4;
}

}  // namespace

int main(int argc, char** argv) {
  int metrics_port = 0, paths = 0;
  if (argc != 5 || !absl::SimpleAtoi(argv[2], &metrics_port) ||
      !absl::SimpleAtoi(argv[4], &paths)) {
    std::fprintf(stderr,
                 "usage: %s <grpc host:port> <metrics port> <pid> <paths>\n",
                 argv[0]);
    return 2;
  }
  const long rss_before = RssKib(argv[3]);
  const size_t metrics_before = MetricsBytes(metrics_port);
  const int unimplemented = ks::testing::CallUnknownMethods(argv[1], paths);
  const long rss_after = RssKib(argv[3]);
  const size_t metrics_after = MetricsBytes(metrics_port);
  std::printf(
      "paths=%d unimplemented=%d rss_kib_before=%ld rss_kib_after=%ld "
      "metrics_bytes_before=%zu metrics_bytes_after=%zu\n",
      paths, unimplemented, rss_before, rss_after, metrics_before,
      metrics_after);
  return unimplemented == paths ? 0 : 1;
}
