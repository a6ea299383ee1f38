// End-to-end test of the kerjasosial-token binary (path in $KS_TOKEN_TOOL).
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/auth_test_util.h"
#include "common/auth/authenticator.h"
#include "gtest/gtest.h"

namespace ks::auth {
namespace {

using ::ks::auth::testing::ErrorInfoOf;
using ::ks::auth::testing::ReadFile;
using ::ks::auth::testing::ScopedTempDir;
using ::ks::auth::testing::WriteFile;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class TokenToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tool = std::getenv("KS_TOKEN_TOOL");
    ASSERT_NE(tool, nullptr) << "KS_TOKEN_TOOL must name kerjasosial-token";
    tool_ = tool;
    tokens_ = dir_.File("tokens.tsv");
  }

  // Runs the tool with `args` (each single-quoted for the shell).
  Result Run(const std::vector<std::string>& args) {
    std::string cmd = "'" + tool_ + "'";
    for (const std::string& a : args) absl::StrAppend(&cmd, " '", a, "'");
    const std::string out = dir_.File("stdout"), err = dir_.File("stderr");
    absl::StrAppend(&cmd, " >'", out, "' 2>'", err, "'");
    int raw = std::system(cmd.c_str());
    Result r;
    r.exit_code = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  std::string Flag(const char* name, const std::string& value) {
    return absl::StrCat("--", name, "=", value);
  }

  ScopedTempDir dir_;
  std::string tool_;
  std::string tokens_;
};

TEST_F(TokenToolTest, MintListAuthenticateRevoke) {
  Result mint =
      Run({"mint", Flag("token_file", tokens_), Flag("id", "jaksa-6401-01"),
           Flag("agency", "kejari-64.01"), Flag("role", "JAKSA"),
           Flag("regencies", "64.01")});
  ASSERT_EQ(mint.exit_code, 0) << mint.err;
  // stdout is exactly the token and a newline.
  ASSERT_TRUE(absl::StartsWith(mint.out, "ks_")) << mint.out;
  ASSERT_EQ(mint.out.size(), 3u + 43u + 1u);
  ASSERT_EQ(mint.out.back(), '\n');
  const std::string token = mint.out.substr(0, mint.out.size() - 1);
  EXPECT_FALSE(absl::StrContains(mint.err, token));

  struct stat st;
  ASSERT_EQ(::stat(tokens_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_FALSE(absl::StrContains(ReadFile(tokens_), token));

  Result viewer =
      Run({"mint", Flag("token_file", tokens_), Flag("id", "viewer"),
           Flag("agency", "kejagung"), Flag("role", "NATIONAL_VIEWER"),
           Flag("regencies", "*")});
  ASSERT_EQ(viewer.exit_code, 0) << viewer.err;

  // The library authenticates what the command minted.
  auto auth = Authenticator::Create(tokens_);
  ASSERT_TRUE(auth.ok()) << auth.status();
  const std::string header = "Bearer " + token;
  std::multimap<grpc::string_ref, grpc::string_ref> md{
      {"authorization", header}};
  absl::StatusOr<Principal> who = (*auth)->Authenticate(md);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->id, "jaksa-6401-01");
  EXPECT_EQ(who->role, Role::JAKSA);

  Result list = Run({"list", Flag("token_file", tokens_)});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out,
            "jaksa-6401-01\tkejari-64.01\tJAKSA\t64.01\n"
            "viewer\tkejagung\tNATIONAL_VIEWER\t*\n");

  Result revoke =
      Run({"revoke", Flag("token_file", tokens_), Flag("id", "jaksa-6401-01")});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_EQ(Run({"list", Flag("token_file", tokens_)}).out,
            "viewer\tkejagung\tNATIONAL_VIEWER\t*\n");
  ASSERT_TRUE((*auth)->Reload().ok());
  absl::StatusOr<Principal> gone = (*auth)->Authenticate(md);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorInfoOf(gone.status()).reason(), "TOKEN_UNKNOWN");
}

TEST_F(TokenToolTest, UsageErrorsExitTwo) {
  Result none = Run({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(none.err, "missing command")) << none.err;

  Result no_file = Run({"list"});
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(no_file.err, "--token_file is required"));

  Result unknown = Run({"rotate", Flag("token_file", tokens_)});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(unknown.err, "unknown command 'rotate'"));

  Result incomplete = Run({"mint", Flag("token_file", tokens_), Flag("id", "x"),
                           Flag("agency", "y")});
  EXPECT_EQ(incomplete.exit_code, 2);
  EXPECT_TRUE(
      absl::StrContains(incomplete.err, "mint needs --role --regencies"))
      << incomplete.err;
  EXPECT_EQ(incomplete.out, "");

  Result revoke = Run({"revoke", Flag("token_file", tokens_)});
  EXPECT_EQ(revoke.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(revoke.err, "revoke needs --id"));
}

TEST_F(TokenToolTest, OperationErrorsExitOneWithTheReason) {
  auto mint = [&](const std::string& id, const std::string& role,
                  const std::string& regencies) {
    return Run({"mint", Flag("token_file", tokens_), Flag("id", id),
                Flag("agency", "kejari-64.01"), Flag("role", role),
                Flag("regencies", regencies)});
  };
  Result bad_role = mint("a", "CLERK", "64.01");
  EXPECT_EQ(bad_role.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(bad_role.err, "unknown role 'CLERK'"));
  EXPECT_EQ(bad_role.out, "");

  Result bad_scope = mint("a", "JAKSA", "64.1");
  EXPECT_EQ(bad_scope.exit_code, 1);
  EXPECT_TRUE(
      absl::StrContains(bad_scope.err, "bad regency scope entry '64.1'"));

  ASSERT_EQ(mint("a", "JAKSA", "64.01").exit_code, 0);
  Result taken = mint("a", "JAKSA", "64.01");
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_TRUE(
      absl::StrContains(taken.err, "principal 'a' already has a token"));
  EXPECT_EQ(taken.out, "");

  Result absent =
      Run({"revoke", Flag("token_file", tokens_), Flag("id", "nobody")});
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(absent.err, "NOT_FOUND: no principal 'nobody'"))
      << absent.err;

  WriteFile(tokens_, ReadFile(tokens_) + "garbage\n");
  Result broken = Run({"list", Flag("token_file", tokens_)});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(broken.err, tokens_ + ":7: expected 5"))
      << broken.err;
  EXPECT_EQ(broken.out, "");
}

}  // namespace
}  // namespace ks::auth
