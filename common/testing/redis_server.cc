#include "common/testing/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ks::testing {
namespace {

bool AnswersPing(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  bool ok = false;
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const char ping[] = "PING\r\n";
    if (write(fd, ping, sizeof(ping) - 1) == sizeof(ping) - 1) {
      char buf[16] = {};
      ok = read(fd, buf, sizeof(buf) - 1) > 0 &&
           std::string(buf).rfind("+PONG", 0) == 0;
    }
  }
  close(fd);
  return ok;
}

}  // namespace

int PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

RedisServer::RedisServer() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "ks-redis-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) != nullptr) dir_ = buf.data();
}

RedisServer::~RedisServer() {
  Kill();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

absl::Status RedisServer::Start() {
  if (running()) return absl::OkStatus();
  if (dir_.empty()) return absl::InternalError("could not create a temp dir");
  // A port picked earlier may have been taken meanwhile; retry a few times
  // with new ports, but only on the first start (restarts keep their port so
  // clients reconnect to the same address).
  const bool first = port_ == 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (first) port_ = PickFreePort();
    pid_t pid = fork();
    if (pid < 0) return absl::InternalError("fork failed");
    if (pid == 0) {
      // Keep the test's stdout/stderr pipes free: ctest waits for every
      // holder of its pipe to exit.
      int devnull = open("/dev/null", O_RDWR);
      if (devnull >= 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
        close(devnull);
      }
      std::string port = std::to_string(port_);
      execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind",
             host_.c_str(), "--dir", dir_.c_str(), "--appendonly", "yes",
             "--appendfsync", "always", "--save", "", "--daemonize", "no",
             "--loglevel", "warning", "--logfile",
             (dir_ + "/redis.log").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    pid_ = pid;
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      if (AnswersPing(host_, port_)) return absl::OkStatus();
      int wstatus = 0;
      if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
        pid_ = -1;  // exited: most likely the port was taken
        break;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    if (running()) Kill();
    if (!first) break;
  }
  return absl::UnavailableError(absl::StrCat(
      "redis-server did not start on port ", port_, " (is it installed?)"));
}

void RedisServer::Signal(int sig) {
  if (!running()) return;
  kill(pid_, sig);
  int wstatus = 0;
  waitpid(pid_, &wstatus, 0);
  pid_ = -1;
}

void RedisServer::Stop() { Signal(SIGTERM); }
void RedisServer::Kill() { Signal(SIGKILL); }

std::string RedisServer::Cli(const std::string& args) const {
  std::string cmd =
      absl::StrCat("redis-cli -h ", host_, " -p ", port_, " ", args, " 2>&1");
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    out.append(buf.data(), n);
  pclose(p);
  return out;
}

}  // namespace ks::testing
