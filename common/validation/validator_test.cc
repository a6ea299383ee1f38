#include "common/validation/validator.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status/rich_status.h"
#include "gtest/gtest.h"

namespace ks {
namespace {

google::type::Date MakeDate(int y, int m, int d) {
  google::type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

std::vector<std::pair<std::string, std::string>> Pairs(const Validator& v) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& fv : v.violations())
    out.emplace_back(fv.field, fv.description);
  return out;
}

TEST(ValidatorTest, EmptyValidatorFinishesOk) {
  Validator v;
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.Finish().ok());
}

TEST(ValidatorTest, FinishNamesEveryField) {
  Validator v;
  EXPECT_FALSE(v.Required("case", false));
  EXPECT_FALSE(v.InRange("case.hours", 241, 8, 240, "R5, KUHP Pasal 85(4)"));
  EXPECT_TRUE(v.Required("parent", true));
  const absl::Status status = v.Finish();
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "case: is required; case.hours: must be between 8 and 240 (R5, "
            "KUHP Pasal 85(4)), got 241");
  const google::rpc::Status rpc = ToRpcStatus(status);
  google::rpc::BadRequest bad;
  ASSERT_EQ(rpc.details_size(), 1);
  ASSERT_TRUE(rpc.details(0).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "case");
  EXPECT_EQ(bad.field_violations(1).field(), "case.hours");
}

TEST(ValidatorTest, RequiredString) {
  Validator v;
  EXPECT_TRUE(v.RequiredString("name", "x"));
  EXPECT_FALSE(v.RequiredString("name", ""));
  EXPECT_EQ(Pairs(v), (std::vector<std::pair<std::string, std::string>>{
                          {"name", "is required"}}));
}

std::string Repeat(absl::string_view unit, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(unit.data(), unit.size());
  return out;
}

TEST(ValidatorTest, TextCountsCodePointsNotBytes) {
  Validator v;
  EXPECT_TRUE(v.Name("name", Repeat("\xC3\xA9", 150), 150, true));  // 300 B
  EXPECT_TRUE(v.Text("address", Repeat("\xE6\x9D\xB1", 150), 150, true));
  EXPECT_FALSE(v.Name("long", Repeat("\xC3\xA9", 151), 150, true));
  EXPECT_FALSE(v.Text("utf8", "Jl. \xC3\x28", 150, false));
  EXPECT_TRUE(v.Text("empty", "", 150, false));
  EXPECT_FALSE(v.Text("missing", "", 150, true));
  EXPECT_EQ(Pairs(v), (std::vector<std::pair<std::string, std::string>>{
                          {"long", "must be at most 150 characters, got 151"},
                          {"utf8", "must be valid UTF-8"},
                          {"missing", "is required"}}));
}

TEST(ValidatorTest, NamesRefuseBlanksAndControlCharacters) {
  Validator v;
  EXPECT_TRUE(v.Name("ok", "Ratna Kusumawardani", 200, true));
  EXPECT_FALSE(v.Name("blank", "    ", 200, true));
  EXPECT_FALSE(v.Name("nbsp", "\xC2\xA0 \xC2\xA0", 200, true));
  EXPECT_FALSE(v.Name("nul", std::string("Ratna\0K", 8), 200, true));
  EXPECT_FALSE(v.Name("newline", "Ratna\nK", 200, true));
  EXPECT_FALSE(v.Name("c1", "Ratna\xC2\x85K", 200, true));
  // Free text may span lines, but not carry NUL or escape sequences.
  EXPECT_TRUE(v.Text("address", "Jl. Merdeka 1\nRT 02", 500, false));
  EXPECT_FALSE(v.Text("esc", "Jl. \x1b[2J", 500, false));
  const std::string controls =
      "must not contain control characters (tab, line break, NUL, ...)";
  EXPECT_EQ(Pairs(v),
            (std::vector<std::pair<std::string, std::string>>{
                {"blank", "must not be only white space"},
                {"nbsp", "must not be only white space"},
                {"nul", controls},
                {"newline", controls},
                {"c1", controls},
                {"esc",
                 "must not contain control characters other than tab and "
                 "line breaks"}}));
}

TEST(ValidatorTest, InRangeBoundaries) {
  Validator v;
  EXPECT_TRUE(v.InRange("h", 8, 8, 240, "R5"));
  EXPECT_TRUE(v.InRange("h", 240, 8, 240, "R5"));
  EXPECT_FALSE(v.InRange("h", 7, 8, 240, "R5"));
  EXPECT_FALSE(v.InRange("h", -1, 8, 240, "R5"));
  ASSERT_EQ(v.violations().size(), 2u);
  EXPECT_EQ(v.violations()[0].description,
            "must be between 8 and 240 (R5), got 7");
}

TEST(ValidatorTest, RegencyCode) {
  Validator v;
  EXPECT_TRUE(v.RegencyCode("regency", "64.01"));
  EXPECT_TRUE(v.RegencyCode("regency", "96.71"));
  EXPECT_FALSE(v.RegencyCode("a", "64.99"));
  EXPECT_FALSE(v.RegencyCode("b", "6401"));
  EXPECT_FALSE(v.RegencyCode("c", ""));
  EXPECT_EQ(Pairs(v),
            (std::vector<std::pair<std::string, std::string>>{
                {"a", "regency 64.99 does not exist (R15)"},
                {"b",
                 "must be a Kemendagri regency code PP.RR, e.g. \"64.01\" "
                 "(R15)"},
                {"c",
                 "must be a Kemendagri regency code PP.RR, e.g. \"64.01\" "
                 "(R15)"}}));
}

TEST(ValidatorTest, Date) {
  Validator v;
  EXPECT_TRUE(v.Date("d", MakeDate(2024, 2, 29)));
  EXPECT_TRUE(v.Date("d", MakeDate(9999, 12, 31)));
  EXPECT_FALSE(v.Date("leap", MakeDate(2026, 2, 29)));
  EXPECT_FALSE(v.Date("unset", google::type::Date()));
  ASSERT_EQ(v.violations().size(), 2u);
  EXPECT_EQ(v.violations()[0].field, "leap");
  EXPECT_EQ(v.violations()[0].description,
            "must be a valid calendar date (year 1-9999)");
  EXPECT_EQ(v.violations()[1].field, "unset");
}

TEST(ResourceNameTest, ParsesVariables) {
  absl::StatusOr<std::map<std::string, std::string>> vars =
      ParseResourceName("regencies/64.01/cases/01kdz3q8d5x0m6t9c2a7b4e1fh",
                        "regencies/{regency}/cases/{case}");
  ASSERT_TRUE(vars.ok()) << vars.status();
  EXPECT_EQ(*vars,
            (std::map<std::string, std::string>{
                {"regency", "64.01"}, {"case", "01kdz3q8d5x0m6t9c2a7b4e1fh"}}));
}

TEST(ResourceNameTest, RejectsMismatches) {
  const char* pattern = "regencies/{regency}/cases/{case}";
  for (const char* bad :
       {"", "regencies/64.01/cases", "regencies/64.01/cases/",
        "regencies//cases/x", "regencies/64.01/sites/x",
        "regencies/64.01/cases/x/extra", "/regencies/64.01/cases/x",
        "regencies/64.01/cases/a b", "regencies/64.01/cases/a%2Fb"}) {
    absl::StatusOr<std::map<std::string, std::string>> vars =
        ParseResourceName(bad, pattern);
    EXPECT_EQ(vars.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(vars.status().message(),
              "resource name must match \"regencies/{regency}/cases/{case}\"")
        << bad;
  }
}

TEST(ResourceNameTest, ValidatorChecksRegencyAndWildcard) {
  Validator v;
  std::map<std::string, std::string> vars;
  EXPECT_TRUE(v.ResourceName("name", "regencies/64.01/cases/abc",
                             "regencies/{regency}/cases/{case}", &vars));
  EXPECT_EQ(vars["case"], "abc");
  EXPECT_FALSE(v.ResourceName("unknown", "regencies/64.99/cases/abc",
                              "regencies/{regency}/cases/{case}"));
  EXPECT_FALSE(v.ResourceName("wild", "regencies/-", "regencies/{regency}"));
  EXPECT_TRUE(v.ResourceName("parent", "regencies/-", "regencies/{regency}",
                             nullptr, /*allow_wildcard=*/true));
  EXPECT_FALSE(v.ResourceName("shape", "cases/abc", "regencies/{regency}"));
  EXPECT_EQ(
      Pairs(v),
      (std::vector<std::pair<std::string, std::string>>{
          {"unknown",
           "{regency} \"64.99\" is not an existing regency code PP.RR "
           "(R15)"},
          {"wild", "the wildcard \"-\" is not allowed for {regency} here"},
          {"shape", "resource name must match \"regencies/{regency}\""}}));
}

TEST(ValidatorTest, RequestIdBoundaries) {
  Validator v;
  EXPECT_TRUE(v.RequestId("r", "a"));
  EXPECT_TRUE(v.RequestId("r", std::string(64, 'x')));
  EXPECT_TRUE(v.RequestId("r", "550e8400-e29b-41d4-a716-446655440000"));
  EXPECT_TRUE(v.RequestId("r", "Retry_01-AZ"));
  EXPECT_FALSE(v.RequestId("empty", ""));
  EXPECT_FALSE(v.RequestId("long", std::string(65, 'x')));
  EXPECT_FALSE(v.RequestId("space", "a b"));
  EXPECT_FALSE(v.RequestId("dot", "a.b"));
  ASSERT_EQ(v.violations().size(), 4u);
  EXPECT_EQ(v.violations()[0].description,
            "must be 1 to 64 characters of [A-Za-z0-9_-]");
}

TEST(ValidatorTest, PageSize) {
  Validator v;
  EXPECT_EQ(v.PageSize("page_size", 0, 100), 100);
  EXPECT_EQ(v.PageSize("page_size", 1, 100), 1);
  EXPECT_EQ(v.PageSize("page_size", 100, 100), 100);
  EXPECT_EQ(v.PageSize("page_size", 101, 100), 100);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.PageSize("page_size", -1, 100), 0);
  EXPECT_EQ(Pairs(v),
            (std::vector<std::pair<std::string, std::string>>{
                {"page_size", "must not be negative, got -1 (AIP-158)"}}));
}

// PP=64 RR=01 KK=01, born 17 May 1990, serial 0001.
constexpr char kMaleNik[] = "6401011705900001";
// Same, a woman: day 17 + 40 = 57.
constexpr char kFemaleNik[] = "6401015705900002";

TEST(NikTest, ValidMale) {
  Validator v;
  const google::type::Date born = MakeDate(1990, 5, 17);
  EXPECT_TRUE(v.Nik("person.nik", kMaleNik, &born, false));
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.warnings().empty());
}

TEST(NikTest, ValidFemaleWithPlus40) {
  Validator v;
  const google::type::Date born = MakeDate(1990, 5, 17);
  EXPECT_TRUE(v.Nik("person.nik", kFemaleNik, &born, true));
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.warnings().empty());
  // Without birth date or sex: syntax only.
  EXPECT_TRUE(v.Nik("person.nik", kFemaleNik, nullptr, std::nullopt));
  EXPECT_TRUE(v.warnings().empty());
}

TEST(NikTest, WrongLengthOrLettersAreViolations) {
  Validator v;
  EXPECT_FALSE(v.Nik("n15", "640101170590000", nullptr, std::nullopt));
  EXPECT_FALSE(v.Nik("n17", "64010117059000011", nullptr, std::nullopt));
  EXPECT_FALSE(v.Nik("letters", "64010117059O0001", nullptr, std::nullopt));
  EXPECT_FALSE(v.Nik("empty", "", nullptr, std::nullopt));
  EXPECT_FALSE(v.Nik("province", "0901011705900001", nullptr, std::nullopt));
  EXPECT_FALSE(v.Nik("regency", "6400011705900001", nullptr, std::nullopt));
  EXPECT_FALSE(v.Nik("serial", "6401011705900000", nullptr, std::nullopt));
  const std::string digits = "must be exactly 16 digits 0-9 (R13)";
  EXPECT_EQ(
      Pairs(v),
      (std::vector<std::pair<std::string, std::string>>{
          {"n15", digits},
          {"n17", digits},
          {"letters", digits},
          {"empty", digits},
          {"province", "province digits (1-2) must be 11-99 (R13)"},
          {"regency",
           "regency, district and serial digits must not be zero (R13)"},
          {"serial",
           "regency, district and serial digits must not be zero (R13)"}}));
  EXPECT_TRUE(v.warnings().empty());
}

TEST(NikTest, DateMismatchIsOnlyAWarning) {
  Validator v;
  const google::type::Date born = MakeDate(1990, 5, 18);  // NIK says the 17th
  EXPECT_TRUE(v.Nik("person.nik", kMaleNik, &born, false));
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.Finish().ok());
  EXPECT_EQ(v.warnings(),
            (std::vector<std::string>{
                "person.nik: birth-date digits (7-12) disagree with the birth "
                "date (tolerated, R13)"}));
  // The NIK itself never appears in a message.
  for (const std::string& w : v.warnings()) {
    EXPECT_EQ(w.find(kMaleNik), std::string::npos);
  }
}

TEST(NikTest, SexAndImpossibleDateAreWarnings) {
  Validator v;
  const google::type::Date born = MakeDate(1990, 5, 17);
  EXPECT_TRUE(v.Nik("a", kMaleNik, &born, true));     // woman without +40
  EXPECT_TRUE(v.Nik("b", kFemaleNik, &born, false));  // man with +40
  EXPECT_TRUE(v.Nik("c", "6401013213900001", nullptr, std::nullopt));  // 32/13
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(
      v.warnings(),
      (std::vector<std::string>{
          "a: birth day digits lack the +40 of a woman's NIK "
          "(tolerated, R13)",
          "b: birth day digits carry the +40 of a woman's NIK "
          "(tolerated, R13)",
          "c: birth-date digits (7-12) are not a date (tolerated, R13)"}));
}

}  // namespace
}  // namespace ks
