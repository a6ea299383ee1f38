#include "common/redis/client.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/testing/redis_server.h"
#include "gtest/gtest.h"

namespace ks::redis {
namespace {

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start().ok()); }

  Options ServerOptions() const {
    Options o;
    o.host = server_.host();
    o.port = server_.port();
    o.command_timeout = absl::Seconds(5);
    return o;
  }

  ks::testing::RedisServer server_;
};

TEST(ReplyErrorToStatusTest, MapsEachKindOfError) {
  absl::Status s = ReplyErrorToStatus("ABORTED: stale etag");
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s.message(), "stale etag");
  EXPECT_EQ(ReplyErrorToStatus("ALREADY_EXISTS: x").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReplyErrorToStatus("FAILED_PRECONDITION: x").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReplyErrorToStatus("NOT_FOUND: x").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReplyErrorToStatus("LOADING Redis is loading the dataset").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReplyErrorToStatus("BUSY Redis is busy running a script").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReplyErrorToStatus("MASTERDOWN Link with MASTER is down").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReplyErrorToStatus("READONLY You can't write").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReplyErrorToStatus("TRYAGAIN Multiple keys").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReplyErrorToStatus("OOM command not allowed").code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReplyErrorToStatus("NOSCRIPT No matching script").code(),
            absl::StatusCode::kFailedPrecondition);
  absl::Status wrongtype =
      ReplyErrorToStatus("WRONGTYPE Operation against a key");
  EXPECT_EQ(wrongtype.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(wrongtype.message(), "redis: WRONGTYPE Operation against a key");
  // Lower case or unknown names before a colon are not typed errors.
  EXPECT_EQ(ReplyErrorToStatus("ERR aborted: no").code(),
            absl::StatusCode::kInternal);
}

TEST(ScriptTest, ShaIsRedisSha1OfTheSource) {
  // Reference value: SHA1("return 1") as `redis-cli SCRIPT LOAD` reports it.
  EXPECT_EQ(Script("return 1").sha(),
            "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

TEST_F(RedisClientTest, CommandsAndReplyTypes) {
  Pool pool(ServerOptions());
  ASSERT_TRUE(pool.Ping().ok());
  absl::StatusOr<Reply> r = pool.Command({"SET", "k", "v"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->type, Reply::Type::kStatus);
  EXPECT_EQ(r->str, "OK");
  r = pool.Command({"GET", "k"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_string());
  EXPECT_EQ(r->str, "v");
  r = pool.Command({"GET", "missing"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_nil());
  r = pool.Command({"INCRBY", "n", "41"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->integer, 41);
  r = pool.Command({"RPUSH", "l", "a", "b"});
  ASSERT_TRUE(r.ok());
  r = pool.Command({"LRANGE", "l", "0", "-1"});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->is_array());
  ASSERT_EQ(r->elements.size(), 2u);
  EXPECT_EQ(r->elements[1].str, "b");
  absl::StatusOr<Reply> wrong = pool.Command({"LPUSH", "k", "x"});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(wrong.status().message(), "WRONGTYPE"));
}

TEST_F(RedisClientTest, ValuesAreBinarySafe) {
  Pool pool(ServerOptions());
  const std::string key("bin\0key", 7);
  const std::string value("a\0b\r\n\xff\0", 7);
  ASSERT_TRUE(pool.Command({"SET", key, value}).ok());
  absl::StatusOr<Reply> r = pool.Command({"GET", key});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->str, value);
  EXPECT_EQ(r->str.size(), 7u);
  EXPECT_EQ(server_.Cli("STRLEN bin"), "0\n");  // the NUL is part of the key
}

TEST_F(RedisClientTest, PipelineKeepsOrderAndPerCommandErrors) {
  Pool pool(ServerOptions());
  absl::StatusOr<std::vector<Reply>> r = pool.Pipeline({
      {"SET", "a", "1"},
      {"INCR", "a"},
      {"HSET", "a", "f", "v"},  // WRONGTYPE: stays in its slot
      {"GET", "a"},
  });
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].str, "OK");
  EXPECT_EQ((*r)[1].integer, 2);
  EXPECT_TRUE((*r)[2].is_error());
  EXPECT_EQ((*r)[2].ToStatus().code(), absl::StatusCode::kInternal);
  EXPECT_EQ((*r)[3].str, "2");
}

TEST_F(RedisClientTest, EvalReloadsAfterScriptFlush) {
  Pool pool(ServerOptions());
  const Script script("return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}");
  absl::StatusOr<Reply> r = pool.Eval(script, {"counter"}, {"x"});
  ASSERT_TRUE(r.ok()) << r.status();  // first call: NOSCRIPT -> load -> run
  ASSERT_EQ(r->elements.size(), 3u);
  EXPECT_EQ(r->elements[0].str, "counter");
  EXPECT_EQ(r->elements[1].str, "x");
  EXPECT_EQ(r->elements[2].integer, 1);
  EXPECT_EQ(server_.Cli("SCRIPT EXISTS " + script.sha()), "1\n");
  EXPECT_EQ(server_.Cli("SCRIPT FLUSH"), "OK\n");
  r = pool.Eval(script, {"counter"}, {"y"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->elements[2].integer, 2);
  EXPECT_EQ(server_.Cli("GET counter"), "2\n");
}

TEST_F(RedisClientTest, ScriptTypedErrorsKeepTheirCode) {
  Pool pool(ServerOptions());
  const Script script(
      "return redis.error_reply('ABORTED: stale etag: current version 3')");
  absl::StatusOr<Reply> r = pool.Eval(script, {}, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(r.status().message(), "stale etag: current version 3");
  const Script runtime_error("return redis.call('HGET', KEYS[1], 'f')");
  ASSERT_TRUE(pool.Command({"SET", "s", "v"}).ok());
  r = pool.Eval(runtime_error, {"s"}, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "WRONGTYPE"))
      << r.status();
}

TEST_F(RedisClientTest, ServerDownIsUnavailableThenRecovers) {
  Options o = ServerOptions();
  o.initial_backoff = absl::Milliseconds(20);
  o.max_backoff = absl::Milliseconds(200);
  Pool pool(o);
  ASSERT_TRUE(pool.Command({"SET", "k", "before"}).ok());
  server_.Kill();
  // The pooled connection is dead: the next calls fail cleanly.
  absl::Status s = pool.Command({"GET", "k"}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  s = pool.Ping();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  // Within the backoff, callers fail fast with UNAVAILABLE.
  s = pool.Ping();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  ASSERT_TRUE(server_.Start().ok());
  absl::Status last = absl::UnknownError("not tried");
  for (int i = 0; i < 100 && !last.ok(); ++i) {
    last = pool.Ping();
    if (!last.ok()) {
      EXPECT_EQ(last.code(), absl::StatusCode::kUnavailable) << last;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  ASSERT_TRUE(last.ok()) << last;
  absl::StatusOr<Reply> r = pool.Command({"GET", "k"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str, "before");  // AOF replayed
}

TEST_F(RedisClientTest, ConnectRefusedIsUnavailableAndBacksOff) {
  Options o = ServerOptions();
  server_.Kill();
  o.initial_backoff = absl::Seconds(30);
  Pool pool(o);
  absl::Status first = pool.Ping();
  EXPECT_EQ(first.code(), absl::StatusCode::kUnavailable) << first;
  EXPECT_TRUE(absl::StrContains(first.message(), "cannot connect")) << first;
  ASSERT_TRUE(server_.Start().ok());
  // Still inside the 30 s backoff: fail fast, no connect attempt.
  absl::Status second = pool.Ping();
  EXPECT_EQ(second.code(), absl::StatusCode::kUnavailable) << second;
  EXPECT_TRUE(absl::StrContains(second.message(), "next attempt")) << second;
  absl::StatusOr<std::unique_ptr<Connection>> direct = Connection::Connect(o);
  ASSERT_TRUE(direct.ok()) << direct.status();
}

TEST_F(RedisClientTest, CommandTimeoutIsDeadlineExceeded) {
  Options o = ServerOptions();
  o.command_timeout = absl::Milliseconds(200);
  Pool pool(o);
  // BLPOP blocks only this client (DEBUG SLEEP would block the server).
  absl::Status s = pool.Command({"BLPOP", "empty", "3"}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  // The timed-out connection was dropped; a fresh one works.
  absl::StatusOr<Reply> r = pool.Command({"SET", "after", "1"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str, "OK");

  absl::StatusOr<std::unique_ptr<Connection>> c = Connection::Connect(o);
  ASSERT_TRUE(c.ok());
  s = (*c)->Command({"BLPOP", "empty", "3"}, absl::Milliseconds(100)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  EXPECT_TRUE((*c)->broken());
  EXPECT_EQ((*c)->Command({"PING"}).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(RedisClientTest, LeaseServesABlockingRead) {
  Pool pool(ServerOptions());
  absl::StatusOr<Pool::Lease> lease = pool.Acquire();
  ASSERT_TRUE(lease.ok());
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(100));
    ASSERT_TRUE(pool.Command({"XADD", "s", "*", "f", "v"}).ok());
  });
  absl::StatusOr<Reply> r = (*lease)->Command(
      {"XREAD", "BLOCK", "3000", "STREAMS", "s", "$"}, absl::Seconds(5));
  writer.join();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->is_array());
  // [[stream, [[id, [f, v]]]]]
  EXPECT_EQ(r->elements[0].elements[1].elements[0].elements[1].elements[1].str,
            "v");
  EXPECT_FALSE((*lease)->broken());
}

TEST_F(RedisClientTest, ConcurrentUseFromManyThreads) {
  Options o = ServerOptions();
  o.pool_size = 3;
  Pool pool(o);
  std::atomic<int> observed{0};
  pool.SetObserver([&](absl::string_view name, double seconds, bool ok) {
    if (name == "INCR" && ok && seconds >= 0) observed.fetch_add(1);
  });
  constexpr int kThreads = 8, kEach = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        if (!pool.Command({"INCR", "shared"}).ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server_.Cli("GET shared"), std::to_string(kThreads * kEach) + "\n");
  EXPECT_EQ(observed.load(), kThreads * kEach);
  // No more than pool_size connections were opened (plus redis-cli's own).
  const std::string clients = server_.Cli("CLIENT LIST");
  EXPECT_LE(std::count(clients.begin(), clients.end(), '\n'), 3 + 1);
}

}  // namespace
}  // namespace ks::redis
