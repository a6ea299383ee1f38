// RedisServer starts a real `redis-server` for a test: a free loopback port,
// a fresh temporary directory, AOF on with `appendfsync always` (as in
// production), and removes everything when destroyed.
//
// Tests of storage never use an in-memory stand-in: what they prove holds for
// the server the services run against.
//
// Example:
//   ks::testing::RedisServer redis;
//   ASSERT_TRUE(redis.Start().ok());
//   ... connect to redis.host(), redis.port() ...
//   redis.Kill();          // SIGKILL, like a crash or a pulled cable
//   redis.Start();         // same port, same data directory (AOF replay)
//
// Not thread-safe; owned by one test fixture.
#ifndef KS_COMMON_TESTING_REDIS_SERVER_H_
#define KS_COMMON_TESTING_REDIS_SERVER_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"

namespace ks::testing {

// A free TCP port on 127.0.0.1 at the time of the call.
int PickFreePort();

class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts redis-server (again, after Stop/Kill: same port and directory)
  // and waits until it answers PING. UNAVAILABLE if it does not within 10 s.
  absl::Status Start();
  // SIGTERM and wait: a clean shutdown.
  void Stop();
  // SIGKILL and wait: the process dies with no chance to flush.
  void Kill();
  bool running() const { return pid_ > 0; }

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

  // Runs `redis-cli -p <port> <args>` and returns its stdout (tests use this
  // to inspect the raw keyspace independently of common/redis).
  std::string Cli(const std::string& args) const;

 private:
  void Signal(int sig);

  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace ks::testing

#endif  // KS_COMMON_TESTING_REDIS_SERVER_H_
