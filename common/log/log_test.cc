#include "common/log/log.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ks::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSinkForTesting([this](const std::string& l) { lines_.push_back(l); });
  }
  void TearDown() override {
    SetSinkForTesting(nullptr);
    SetMinLevel(Level::kInfo);
  }
  std::vector<std::string> lines_;
};

TEST_F(LogTest, WritesOneJsonObjectPerLine) {
  Info("rpc_finished",
       {{"method", "/x.Y/Z"}, {"ms", 1.5}, {"n", 3}, {"ok", true}});
  ASSERT_EQ(lines_.size(), 1u);
  const std::string& l = lines_[0];
  EXPECT_EQ(l.front(), '{');
  EXPECT_EQ(l.back(), '}');
  EXPECT_NE(l.find("\"level\":\"INFO\""), std::string::npos);
  EXPECT_NE(l.find("\"event\":\"rpc_finished\""), std::string::npos);
  EXPECT_NE(l.find("\"method\":\"/x.Y/Z\",\"ms\":1.5,\"n\":3,\"ok\":true"),
            std::string::npos);
}

TEST_F(LogTest, EscapesQuotesAndControlCharacters) {
  Warning("e", {{"why", "a \"b\"\n\\c\x01"}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find(R"("why":"a \"b\"\n\\c\u0001")"), std::string::npos);
}

TEST_F(LogTest, MasksSixteenDigitRunsLikeANik) {
  Error("oops", {{"detail", "nik 6401015505900001 in message"}, {"n", "123"}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].find("6401015505900001"), std::string::npos);
  EXPECT_NE(lines_[0].find("nik **************** in"), std::string::npos);
  EXPECT_NE(lines_[0].find("\"n\":\"123\""), std::string::npos);
}

TEST_F(LogTest, DropsLinesBelowTheMinimumLevel) {
  SetMinLevel(Level::kWarning);
  Info("quiet");
  Debug("quieter");
  Error("loud");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("loud"), std::string::npos);
  Level level;
  EXPECT_TRUE(ParseLevel("DEBUG", &level));
  EXPECT_EQ(level, Level::kDebug);
  EXPECT_FALSE(ParseLevel("verbose", &level));
}

}  // namespace
}  // namespace ks::log
