#include "common/testing/redis_server.h"

#include "gtest/gtest.h"

namespace ks::testing {
namespace {

TEST(RedisServerTest, StartsWithAofAndSurvivesKillWithData) {
  RedisServer redis;
  ASSERT_TRUE(redis.Start().ok());
  EXPECT_GT(redis.port(), 0);
  EXPECT_NE(redis.Cli("CONFIG GET appendonly").find("yes"), std::string::npos);
  EXPECT_NE(redis.Cli("SET k v").find("OK"), std::string::npos);
  const int port = redis.port();
  redis.Kill();
  EXPECT_FALSE(redis.running());
  ASSERT_TRUE(redis.Start().ok());
  EXPECT_EQ(redis.port(), port);  // clients reconnect to the same address
  EXPECT_EQ(redis.Cli("GET k"), "v\n");  // appendfsync always: nothing lost
}

}  // namespace
}  // namespace ks::testing
