#include "common/auth/principal.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace ks::auth {
namespace {

TEST(RoleTest, EveryRoleFormatsAndParsesByName) {
  std::vector<std::string> names;
  for (Role role : kAllRoles) {
    names.emplace_back(RoleName(role));
    absl::StatusOr<Role> parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, role);
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "JAKSA", "PK_BAPAS", "PEMDA_OFFICER", "SITE_SUPERVISOR",
                       "NATIONAL_VIEWER", "SERVICE", "ADMIN"}));
}

TEST(RoleTest, UnknownOrLowerCaseNameIsInvalidArgumentListingTheNames) {
  for (const char* bad : {"jaksa", "PROSECUTOR", "", "ADMIN "}) {
    absl::StatusOr<Role> parsed = ParseRole(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_EQ(parsed.status().message(),
              std::string("unknown role '") + bad +
                  "'; expected one of JAKSA, PK_BAPAS, PEMDA_OFFICER, "
                  "SITE_SUPERVISOR, NATIONAL_VIEWER, SERVICE, ADMIN");
  }
}

TEST(ScopeTest, ParsesRegencyProvinceAndNationalEntries) {
  auto scope = ParseRegencyScope("64.01,64.02,65");
  ASSERT_TRUE(scope.ok()) << scope.status();
  EXPECT_EQ(*scope, (std::vector<std::string>{"64.01", "64.02", "65"}));
  auto national = ParseRegencyScope("*");
  ASSERT_TRUE(national.ok());
  EXPECT_EQ(*national, std::vector<std::string>{"*"});
}

TEST(ScopeTest, RejectsMalformedEntriesNamingThem) {
  struct Case {
    const char* scope;
    const char* message;
  };
  const Case cases[] = {
      {"", "empty regency scope"},
      {"64.1", "bad regency scope entry '64.1'"},
      {"6401", "bad regency scope entry '6401'"},
      {"64.01,", "bad regency scope entry ''"},
      {"64.01, 64.02", "bad regency scope entry ' 64.02'"},
      {"6a", "bad regency scope entry '6a'"},
      {"64.01,64.01", "duplicate regency scope entry '64.01'"},
      {"*,64.01", "regency scope '*' (national) must stand alone"},
  };
  for (const Case& c : cases) {
    auto scope = ParseRegencyScope(c.scope);
    EXPECT_EQ(scope.status().code(), absl::StatusCode::kInvalidArgument)
        << c.scope;
    EXPECT_NE(scope.status().message().find(c.message), absl::string_view::npos)
        << c.scope << " -> " << scope.status();
  }
}

TEST(PrincipalTest, ExactRegencyCoversOnlyItself) {
  Principal p{"jaksa-6401-01", "kejari-64.01", Role::JAKSA, {"64.01"}};
  EXPECT_TRUE(p.MayActIn("64.01"));
  EXPECT_FALSE(p.MayActIn("64.02"));
  EXPECT_FALSE(p.MayActIn("64"));
  EXPECT_FALSE(p.MayActIn(""));
}

TEST(PrincipalTest, ProvinceCoversItsRegenciesOnly) {
  Principal p{"jaksa-kejati-64", "kejati-64", Role::JAKSA, {"64"}};
  EXPECT_TRUE(p.MayActIn("64.01"));
  EXPECT_TRUE(p.MayActIn("64.72"));
  EXPECT_FALSE(p.MayActIn("65.01"));
  EXPECT_FALSE(p.MayActIn("6.401"));
  EXPECT_FALSE(p.MayActIn("640.1"));
}

TEST(PrincipalTest, NationalCoversEveryRegency) {
  Principal p{"viewer", "kejagung", Role::NATIONAL_VIEWER, {"*"}};
  EXPECT_TRUE(p.MayActIn("64.01"));
  EXPECT_TRUE(p.MayActIn("65.01"));
  EXPECT_TRUE(p.MayActIn("96.01"));
}

TEST(PrincipalTest, SeveralEntriesCoverTheirUnion) {
  Principal p{"pemda", "pemprov", Role::PEMDA_OFFICER, {"64.01", "65"}};
  EXPECT_TRUE(p.MayActIn("64.01"));
  EXPECT_TRUE(p.MayActIn("65.04"));
  EXPECT_FALSE(p.MayActIn("64.02"));
  EXPECT_EQ(p.ScopeString(), "64.01,65");
}

TEST(PrincipalTest, ValidNamesAreShortAndFromTheSafeCharacterSet) {
  EXPECT_TRUE(IsValidName("kejari-64.01"));
  EXPECT_TRUE(IsValidName("svc_cases.A-1"));
  EXPECT_TRUE(IsValidName(std::string(128, 'a')));
  EXPECT_FALSE(IsValidName(std::string(129, 'a')));
  EXPECT_FALSE(IsValidName(""));
  EXPECT_FALSE(IsValidName("a b"));
  EXPECT_FALSE(IsValidName("a\tb"));
  EXPECT_FALSE(IsValidName("a,b"));
}

}  // namespace
}  // namespace ks::auth
