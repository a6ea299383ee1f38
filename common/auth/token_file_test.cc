#include "common/auth/token_file.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/auth_test_util.h"
#include "common/auth/client.h"
#include "gtest/gtest.h"

namespace ks::auth {
namespace {

using ::ks::auth::testing::ReadFile;
using ::ks::auth::testing::ScopedTempDir;
using ::ks::auth::testing::WriteFile;

const Principal kJaksa{"jaksa-6401-01", "kejari-64.01", Role::JAKSA, {"64.01"}};
const Principal kPk{
    "pk-samarinda-01", "bapas-samarinda", Role::PK_BAPAS, {"64.72", "64.02"}};

const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

TEST(HashTokenTest, IsLowerCaseHexSha256) {
  // FIPS 180-2 test vector.
  EXPECT_EQ(HashToken("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(GenerateTokenTest, IsPrefixedBase64UrlOf32RandomBytes) {
  absl::StatusOr<std::string> a = GenerateToken();
  absl::StatusOr<std::string> b = GenerateToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  ASSERT_TRUE(absl::StartsWith(*a, "ks_"));
  // 32 bytes = 43 base64 characters without padding.
  ASSERT_EQ(a->size(), 3u + 43u);
  for (char c : a->substr(3)) {
    EXPECT_TRUE(absl::ascii_isalnum(c) || c == '-' || c == '_') << *a;
  }
}

TEST(MintTokenTest, CreatesFile0600HoldingOnlyTheHash) {
  ScopedTempDir dir;
  const std::string path = dir.File("tokens.tsv");
  absl::StatusOr<std::string> token = MintToken(path, kJaksa);
  ASSERT_TRUE(token.ok()) << token.status();

  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  std::string contents = ReadFile(path);
  EXPECT_EQ(contents.find(*token), std::string::npos);
  EXPECT_EQ(contents.find(token->substr(3)), std::string::npos);
  EXPECT_TRUE(absl::StrContains(
      contents, absl::StrCat(HashToken(*token),
                             "\tjaksa-6401-01\tkejari-64.01\tJAKSA\t64.01\n")));

  absl::StatusOr<std::vector<TokenEntry>> entries = LoadTokenEntries(path);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].sha256_hex, HashToken(*token));
  EXPECT_EQ((*entries)[0].principal.id, "jaksa-6401-01");
  EXPECT_EQ((*entries)[0].principal.agency, "kejari-64.01");
  EXPECT_EQ((*entries)[0].principal.role, Role::JAKSA);
  EXPECT_EQ((*entries)[0].principal.regencies,
            std::vector<std::string>{"64.01"});
}

TEST(MintTokenTest, AppendsToAnExistingFileKeepingItsLines) {
  ScopedTempDir dir;
  const std::string path = dir.File("tokens.tsv");
  // An existing file whose last line lacks its newline.
  WriteFile(path, absl::StrCat("# hand-written\n", kHashA,
                               "\tviewer\tkejagung\tNATIONAL_VIEWER\t*"));
  absl::StatusOr<std::string> token = MintToken(path, kPk);
  ASSERT_TRUE(token.ok()) << token.status();
  absl::StatusOr<std::vector<TokenEntry>> entries = LoadTokenEntries(path);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].principal.id, "viewer");
  EXPECT_EQ((*entries)[1].principal.id, "pk-samarinda-01");
  EXPECT_EQ((*entries)[1].principal.ScopeString(), "64.72,64.02");
  EXPECT_EQ((*entries)[1].line, 3);
}

TEST(MintTokenTest, RefusesATakenIdWithAlreadyExists) {
  ScopedTempDir dir;
  const std::string path = dir.File("tokens.tsv");
  ASSERT_TRUE(MintToken(path, kJaksa).ok());
  absl::StatusOr<std::string> again = MintToken(path, kJaksa);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(
      absl::StrContains(again.status().message(),
                        "principal 'jaksa-6401-01' already has a token"));
}

TEST(MintTokenTest, RefusesABadPrincipalWithoutCreatingTheFile) {
  ScopedTempDir dir;
  const std::string path = dir.File("tokens.tsv");
  Principal bad_id = kJaksa;
  bad_id.id = "jaksa 1";
  EXPECT_EQ(MintToken(path, bad_id).status().code(),
            absl::StatusCode::kInvalidArgument);
  Principal bad_scope = kJaksa;
  bad_scope.regencies = {"64.1"};
  EXPECT_EQ(MintToken(path, bad_scope).status().code(),
            absl::StatusCode::kInvalidArgument);
  Principal no_scope = kJaksa;
  no_scope.regencies = {};
  EXPECT_EQ(MintToken(path, no_scope).status().code(),
            absl::StatusCode::kInvalidArgument);
  struct stat st;
  EXPECT_NE(::stat(path.c_str(), &st), 0);
}

TEST(MintTokenTest, RefusesToAppendToABadFile) {
  ScopedTempDir dir;
  const std::string path = dir.File("tokens.tsv");
  WriteFile(path, absl::StrCat(kHashA, "\tx\ty\tCLERK\t64.01\n"));
  absl::StatusOr<std::string> token = MintToken(path, kJaksa);
  EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(token.status().message(), path + ":1: "));
}

TEST(ParseTokenEntriesTest, AcceptsCommentsBlankLinesAndCrlf) {
  std::string contents =
      absl::StrCat("# comment\n\n   # indented comment\n", kHashA,
                   "\tjaksa-6401-01\tkejari-64.01\tJAKSA\t64.01\r\n",
                   std::string(64, 'B'), "\tpk\tbapas\tPK_BAPAS\t64\n");
  auto entries = ParseTokenEntries(contents, "t.tsv");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].line, 4);
  EXPECT_EQ((*entries)[0].principal.regencies,
            std::vector<std::string>{"64.01"});
  EXPECT_EQ((*entries)[1].line, 5);
  // Upper-case hex is normalized so it matches HashToken's output.
  EXPECT_EQ((*entries)[1].sha256_hex, std::string(64, 'b'));
}

TEST(ParseTokenEntriesTest, EveryBadLineIsAnErrorNamingFileAndLine) {
  const std::string ok_line =
      absl::StrCat(kHashA, "\tfirst\tkejari-64.01\tJAKSA\t64.01\n");
  struct Case {
    std::string line;
    std::string message;
  };
  const std::vector<Case> cases = {
      {absl::StrCat(kHashB, "\tid\tagency\tJAKSA"),
       "expected 5 TAB-separated fields (sha256_hex principal_id agency ROLE "
       "regencies), found 4"},
      {absl::StrCat(kHashB, " id agency JAKSA 64.01"),
       "expected 5 TAB-separated fields"},
      {absl::StrCat(kHashB, "\tid\tagency\tJAKSA\t64.01\textra"), "found 6"},
      {absl::StrCat(std::string(63, 'b'), "\tid\tagency\tJAKSA\t64.01"),
       "bad token hash: expected 64 hex digits (SHA-256)"},
      {absl::StrCat(std::string(63, 'b'), "g\tid\tagency\tJAKSA\t64.01"),
       "bad token hash"},
      {absl::StrCat(kHashB, "\tid x\tagency\tJAKSA\t64.01"),
       "bad principal id 'id x'"},
      {absl::StrCat(kHashB, "\tid\t\tJAKSA\t64.01"), "bad agency ''"},
      {absl::StrCat(kHashB, "\tid\tagency\tCLERK\t64.01"),
       "unknown role 'CLERK'"},
      {absl::StrCat(kHashB, "\tid\tagency\tJAKSA\t64.1"),
       "bad regency scope entry '64.1'"},
      {absl::StrCat(kHashB, "\tid\tagency\tJAKSA\t"), "empty regency scope"},
      {absl::StrCat(kHashA, "\tid\tagency\tJAKSA\t64.01"),
       "duplicate token hash (also on line 2)"},
      {absl::StrCat(kHashB, "\tfirst\tagency\tJAKSA\t64.01"),
       "duplicate principal id 'first' (also on line 2)"},
  };
  for (const Case& c : cases) {
    std::string contents = absl::StrCat("# header\n", ok_line, c.line, "\n");
    auto entries = ParseTokenEntries(contents, "tokens.tsv");
    EXPECT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument)
        << c.line;
    EXPECT_TRUE(absl::StartsWith(entries.status().message(), "tokens.tsv:3: "))
        << entries.status();
    EXPECT_TRUE(absl::StrContains(entries.status().message(), c.message))
        << entries.status() << " lacks " << c.message;
  }
}

TEST(LoadTokenEntriesTest, MissingFileIsNotFoundNamingThePath) {
  ScopedTempDir dir;
  auto entries = LoadTokenEntries(dir.File("absent.tsv"));
  EXPECT_EQ(entries.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(entries.status().message(), "absent.tsv"));
}

TEST(RevokeTokensTest, RemovesOnlyThatPrincipalKeepingCommentsAndMode) {
  ScopedTempDir dir;
  const std::string path = dir.File("tokens.tsv");
  absl::StatusOr<std::string> jaksa = MintToken(path, kJaksa);
  absl::StatusOr<std::string> pk = MintToken(path, kPk);
  ASSERT_TRUE(jaksa.ok() && pk.ok());
  std::string before = ReadFile(path);

  ASSERT_TRUE(RevokeTokens(path, "jaksa-6401-01").ok());
  std::string after = ReadFile(path);
  EXPECT_FALSE(absl::StrContains(after, HashToken(*jaksa)));
  EXPECT_TRUE(absl::StrContains(after, HashToken(*pk)));
  // The header comment survives unchanged.
  EXPECT_EQ(after.substr(0, before.find(HashToken(*jaksa))),
            before.substr(0, before.find(HashToken(*jaksa))));
  auto entries = LoadTokenEntries(path);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].principal.id, "pk-samarinda-01");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST(RevokeTokensTest, UnknownPrincipalIsNotFound) {
  ScopedTempDir dir;
  const std::string path = dir.File("tokens.tsv");
  ASSERT_TRUE(MintToken(path, kJaksa).ok());
  absl::Status s = RevokeTokens(path, "nobody");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), absl::StrCat("no principal 'nobody' in ", path));
}

TEST(ReadTokenFileTest, ReturnsTheTokenWithoutSurroundingWhitespace) {
  ScopedTempDir dir;
  const std::string path = dir.File("service.token");
  WriteFile(path, "  ks_abcDEF-_123\n");
  absl::StatusOr<std::string> token = ReadTokenFile(path);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "ks_abcDEF-_123");
}

TEST(ReadTokenFileTest, EmptyOrSeveralWordsIsInvalidArgumentWithoutTheToken) {
  ScopedTempDir dir;
  const std::string path = dir.File("service.token");
  WriteFile(path, "\n \n");
  absl::StatusOr<std::string> empty = ReadTokenFile(path);
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.status().message(),
            absl::StrCat("token file ", path, " is empty"));

  WriteFile(path, "ks_secret1 ks_secret2\n");
  absl::StatusOr<std::string> two = ReadTokenFile(path);
  EXPECT_EQ(two.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(absl::StrContains(two.status().message(), "secret"));

  EXPECT_EQ(ReadTokenFile(dir.File("absent")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ks::auth
