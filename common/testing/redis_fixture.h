// RedisFixture: the one test fixture for code that needs a real Redis and a
// pool (and, for writers, an outbox): a fresh redis-server per test (AOF on,
// free port, see redis_server.h), a pool connected to it, and an outbox
// Writer over the prefix the test names.
//
// Example:
//   class CaseStoreTest : public ks::testing::RedisFixture {};
//   TEST_F(CaseStoreTest, Commits) {
//     ASSERT_TRUE(writer().Commit(txn).ok());
//     EXPECT_EQ(KeyCount(), 4);
//   }
//
// Not thread-safe itself; pool() and writer() are.
#ifndef KS_COMMON_TESTING_REDIS_FIXTURE_H_
#define KS_COMMON_TESTING_REDIS_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "common/testing/redis_server.h"
#include "gtest/gtest.h"

namespace ks::testing {

class RedisFixture : public ::testing::Test {
 protected:
  explicit RedisFixture(std::string key_prefix = "ks:{test}:",
                        std::string source = "test")
      : key_prefix_(std::move(key_prefix)), source_(std::move(source)) {}

  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    redis::Options o;
    o.host = server_.host();
    o.port = server_.port();
    o.command_timeout = absl::Seconds(10);
    o.pool_size = 8;
    pool_ = std::make_unique<redis::Pool>(o);
    outbox::Options w;
    w.key_prefix = key_prefix_;
    w.source = source_;
    writer_ = std::make_unique<outbox::Writer>(*pool_, w);
  }

  // An integer answer of `redis-cli <args>` (-1 if it is not one).
  int64_t CliInt(const std::string& args) {
    int64_t n = -1;
    const std::string out = server_.Cli(args);
    EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(out), &n))
        << args << " -> " << out;
    return n;
  }
  int64_t KeyCount() { return CliInt("DBSIZE"); }
  int64_t StreamLength() {
    return CliInt(absl::StrCat("XLEN ", writer_->StreamKey()));
  }

  RedisServer& server() { return server_; }
  redis::Pool& pool() { return *pool_; }
  outbox::Writer& writer() { return *writer_; }
  const std::string& key_prefix() const { return key_prefix_; }

 private:
  const std::string key_prefix_;
  const std::string source_;
  RedisServer server_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<outbox::Writer> writer_;
};

}  // namespace ks::testing

#endif  // KS_COMMON_TESTING_REDIS_FIXTURE_H_
