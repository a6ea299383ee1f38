// The Python partner example against a real kerjasosial-cases: its round
// trip succeeds, the retry after a lost answer commits one case, the
// update is visible to a C++ client, and a bad token gives a clear failure.
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/testing/process.h"
#include "gtest/gtest.h"
#include "tests/cases/cases_harness.h"

namespace ks::cases::testing {
namespace {

class PartnerExampleTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.Start(/*with_feed=*/false); }
  void TearDown() override { env_.Stop(); }

  // Runs partner_client.py with `args`; its merged output in *out.
  int RunExample(const std::string& args, std::string* out) {
    // Stubs are generated into the test's directory, not the user's cache.
    const std::string cmd = absl::StrCat(
        "KS_STUBS_DIR=", env_.dir_, "/stubs /usr/bin/python3 ", KS_EXAMPLE_DIR,
        "/partner_client.py --address=127.0.0.1:", env_.cases_port_, " ", args);
    return ks::testing::RunCommand(cmd, out);
  }

  // The value after `prefix` on the output's line that starts with it.
  static std::string LineAfter(const std::string& out,
                               const std::string& prefix) {
    for (absl::string_view line : absl::StrSplit(out, '\n')) {
      line = absl::StripLeadingAsciiWhitespace(line);
      if (absl::StartsWith(line, prefix)) {
        return std::string(line.substr(prefix.size()));
      }
    }
    return "";
  }

  CasesEnvironment env_;
};

TEST_F(PartnerExampleTest, RoundTripRetriesAfterALostAnswerAndCommitsOnce) {
  std::string out;
  ASSERT_EQ(RunExample("--simulate_drop --token=" + env_.jaksa_, &out), 0)
      << out;
  // Step 1 printed the server's field violations from google.rpc.BadRequest.
  EXPECT_NE(out.find("field case_data.person.nik: must be exactly 16 digits"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("field case_data.sentence.hours:"), std::string::npos);
  // Step 2: the first attempt's answer was lost, the retries answered it.
  EXPECT_NE(out.find("first attempt: UNAVAILABLE (answer lost)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("attempt"), std::string::npos);
  // Step 5: the stale etag was refused with the contract's reason.
  EXPECT_NE(out.find("reason STALE_ETAG {'current_etag': 'v2'}"),
            std::string::npos)
      << out;

  // One case exists, whatever number of attempts the example made.
  EXPECT_EQ(env_.CountCases(), 1);
  const std::string name = LineAfter(out, "round trip done: ");
  ASSERT_FALSE(name.empty()) << out;
  const v1::Case c = env_.GetCase(name);
  EXPECT_EQ(c.person().address(), "Jl. Gajah Mada 7, Tanah Grogot");
  EXPECT_EQ(c.etag(), "v2");
  EXPECT_EQ(c.state(), v1::CASE_STATE_REGISTERED);
}

TEST_F(PartnerExampleTest, AWrongTokenFailsWithTheServersCode) {
  std::string out;
  EXPECT_EQ(RunExample("--token=not-a-token", &out), 1) << out;
  EXPECT_NE(out.find("server said: UNAUTHENTICATED"), std::string::npos) << out;
  EXPECT_EQ(env_.CountCases(), 0);
}

}  // namespace
}  // namespace ks::cases::testing
