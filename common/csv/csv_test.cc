#include "common/csv/csv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ks::csv {
namespace {

using ::testing::ElementsAre;

TEST(CsvTest, QuotesOnlyWhatRfc4180Requires) {
  EXPECT_EQ(Field("Taman Kota"), "Taman Kota");
  EXPECT_EQ(Field("a,b"), "\"a,b\"");
  EXPECT_EQ(Field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(Field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(Field("cr\r"), "\"cr\r\"");
  // UTF-8 passes through untouched; an empty field stays empty.
  EXPECT_EQ(Field("Kota Bau-Bau ×100 é"), "Kota Bau-Bau ×100 é");
  EXPECT_EQ(Field(""), "");
}

TEST(CsvTest, RowsEndWithCrlf) {
  EXPECT_EQ(Rows({{"a", "b"}, {"1", "x,y"}}), "a,b\r\n1,\"x,y\"\r\n");
}

TEST(CsvTest, ParseReadsBackWhatRowsWrote) {
  const std::vector<std::vector<std::string>> rows = {
      {"site", "note"},
      {"regencies/64.01/sites/a", "pagi, \"bersih\"\r\nsore"},
      {"", "Balikpapan — Kalimantan Timur"}};
  absl::StatusOr<std::vector<std::vector<std::string>>> back =
      Parse(Rows(rows));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, rows);
}

TEST(CsvTest, ParseAcceptsLfAndNoFinalLineEnd) {
  absl::StatusOr<std::vector<std::vector<std::string>>> rows =
      Parse("a,b\n1,2");
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT(*rows, ElementsAre(ElementsAre("a", "b"), ElementsAre("1", "2")));
}

TEST(CsvTest, ParseRefusesBrokenQuoting) {
  EXPECT_FALSE(Parse("\"open").ok());
  EXPECT_FALSE(Parse("ab\"c\",d").ok());
}

}  // namespace
}  // namespace ks::csv
