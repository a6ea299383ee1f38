// CSV rendering, checked by parsing the output with a strict RFC 4180 reader.
#include "services/reporting/web/csv.h"

#include <string>
#include <vector>

#include "common/csv/csv.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ks::reporting::web {
namespace {

using ::testing::ElementsAre;
using Table = std::vector<std::vector<std::string>>;

// A strict RFC 4180 reader: CRLF record ends, quoted fields with doubled
// quotes; fails the test on a bare quote, a bare CR or LF outside quotes, a
// missing final CRLF, or rows of unequal width.
Table Parse(const std::string& csv) {
  Table rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool at_field_start = true;
  while (i < csv.size()) {
    const char c = csv[i];
    if (at_field_start && c == '"') {
      ++i;
      for (;;) {
        if (i >= csv.size()) {
          ADD_FAILURE() << "unterminated quote";
          return rows;
        }
        if (csv[i] == '"') {
          if (i + 1 < csv.size() && csv[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += csv[i++];
      }
      at_field_start = false;
      continue;
    }
    if (c == ',') {
      row.push_back(field);
      field.clear();
      at_field_start = true;
      ++i;
    } else if (c == '\r') {
      if (i + 1 >= csv.size() || csv[i + 1] != '\n') {
        ADD_FAILURE() << "bare CR at " << i;
        return rows;
      }
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      at_field_start = true;
      i += 2;
    } else if (c == '\n' || c == '"') {
      ADD_FAILURE() << "bare " << (c == '"' ? "quote" : "LF") << " at " << i;
      return rows;
    } else {
      field += c;
      at_field_start = false;
      ++i;
    }
  }
  EXPECT_TRUE(row.empty() && field.empty()) << "no CRLF after the last row";
  for (const auto& r : rows) EXPECT_EQ(r.size(), rows[0].size());
  return rows;
}

// ks::csv::Rows, which every table below is written with, meets the strict
// reader above.
TEST(CsvTest, AwkwardFieldsRoundTrip) {
  const Table in = {{"h1", "h2", "h3"},
                    {"Kejari Paser, \"Timur\"", "baris\r\ndua", ""},
                    {"\"", ",", "Rp 1.000,50"}};
  EXPECT_EQ(Parse(csv::Rows(in)), in);
}

rv1::TimeSeries Series(rv1::Metric metric, std::vector<int64_t> values) {
  rv1::TimeSeries s;
  s.set_metric(metric);
  for (size_t i = 0; i < values.size(); ++i) {
    rv1::TimeSeriesPoint* p = s.add_points();
    p->mutable_start_date()->set_year(2026);
    p->mutable_start_date()->set_month(static_cast<int>(i) + 1);
    p->mutable_start_date()->set_day(1);
    p->mutable_end_date()->set_year(2026);
    p->mutable_end_date()->set_month(static_cast<int>(i) + 1);
    p->mutable_end_date()->set_day(28 + static_cast<int>(i));
    p->set_value(values[i]);
  }
  return s;
}

TEST(CsvTest, TimeSeriesHasOneRowPerBucketAndAColumnPerMetric) {
  rv1::GetTimeSeriesResponse r;
  *r.add_series() = Series(rv1::METRIC_CASES_REGISTERED, {5, 0, 12});
  *r.add_series() = Series(rv1::METRIC_PRISON_DAYS_AVERTED, {30, 60, 90});
  const Table id = Parse(TimeSeriesCsv(r, Language::kIndonesian));
  ASSERT_EQ(id.size(), 4u);
  EXPECT_THAT(id[0],
              ElementsAre("Tanggal mulai", "Tanggal akhir", "Perkara terdaftar",
                          "Hari penjara dihindari"));
  EXPECT_THAT(id[1], ElementsAre("2026-01-01", "2026-01-28", "5", "30"));
  EXPECT_THAT(id[3], ElementsAre("2026-03-01", "2026-03-30", "12", "90"));
  const Table en = Parse(TimeSeriesCsv(r, Language::kEnglish));
  EXPECT_THAT(en[0], ElementsAre("Start date", "End date", "Cases registered",
                                 "Prison days averted"));
  EXPECT_EQ(en[2], id[2]);
}

TEST(CsvTest, CompareNamesEachColumnByScopeAndMetric) {
  rv1::CompareScopesResponse r;
  *r.add_series_a() = Series(rv1::METRIC_CASES_COMPLETED, {1, 2});
  *r.add_series_b() = Series(rv1::METRIC_CASES_COMPLETED, {3, 4});
  const Table t = Parse(
      CompareCsv(r, "regencies/64.01", "provinces/64", Language::kEnglish));
  EXPECT_THAT(t[0],
              ElementsAre("Start date", "End date", "64.01 — Cases completed",
                          "64 — Cases completed"));
  EXPECT_THAT(t[2], ElementsAre("2026-02-01", "2026-02-29", "2", "4"));
}

TEST(CsvTest, SummariesCarryRegionNamesAndEveryFigure) {
  rv1::Summary s;
  s.set_name("regencies/64.01/summary");
  s.mutable_totals()->set_cases_registered(42);
  s.mutable_totals()->set_completion_rate(0.75);
  s.mutable_totals()->set_fines_replaced_rupiah(12500000);
  s.mutable_sites()->set_utilisation(1.125);
  s.mutable_totals()->set_pk_assignments_active(31);
  s.mutable_totals()->set_integrasi_clients(4);
  s.mutable_as_of_time()->set_seconds(1796000000);
  s.set_stale(true);
  rv1::Summary n;
  n.set_name("nation/summary");
  const Table t = Parse(SummariesCsv({s, n}, Language::kIndonesian));
  ASSERT_EQ(t.size(), 3u);
  auto col = [&](const std::string& header) {
    for (size_t i = 0; i < t[0].size(); ++i) {
      if (t[0][i] == header) return i;
    }
    ADD_FAILURE() << "no column " << header;
    return size_t{0};
  };
  EXPECT_EQ(t[1][col("Kode wilayah")], "64.01");
  EXPECT_EQ(t[1][col("Nama wilayah")], "Kabupaten Paser");
  EXPECT_EQ(t[1][col("Perkara terdaftar")], "42");
  EXPECT_EQ(t[1][col("Tingkat penyelesaian")], "0.7500");
  EXPECT_EQ(t[1][col("Denda digantikan (Rp)")], "12500000");
  EXPECT_EQ(t[1][col("Tingkat pemanfaatan")], "1.1250");
  EXPECT_EQ(t[1][col("Beban kerja PK (klien aktif)")], "31");
  EXPECT_EQ(t[1][col("Klien program integrasi")], "4");
  EXPECT_EQ(t[1][col("Data per")], "2026-11-30T00:53:20Z");
  EXPECT_EQ(t[1][col("Data tertinggal")], "true");
  EXPECT_EQ(t[2][col("Kode wilayah")], "");
  EXPECT_EQ(t[2][col("Nama wilayah")], "Nasional");
  EXPECT_EQ(t[2][col("Data per")], "");  // unset, not 1970
  EXPECT_EQ(t[0].size(), 32u);
}

TEST(CsvTest, RankingAndUpstreams) {
  rv1::RankScopesResponse r;
  rv1::RankedScope* a = r.add_ranked();
  a->set_scope("provinces/64");
  a->set_value(17);
  a->set_rank(1);
  const Table rank =
      Parse(RankingCsv(r, rv1::METRIC_AT_RISK_CASES, Language::kEnglish));
  EXPECT_THAT(rank[0], ElementsAre("Rank", "Region code", "Region name",
                                   "Cases at risk", "Last event"));
  EXPECT_THAT(rank[1], ElementsAre("1", "64", "Kalimantan Timur", "17", ""));

  rv1::Upstream u;
  u.set_name("upstreams/kejari-paser");
  u.set_display_name("Kejari Paser, \"Tanah Grogot\"");
  u.set_kind(rv1::UPSTREAM_KIND_CASES);
  u.set_state(rv1::UPSTREAM_STATE_FAILING);
  u.set_events_rejected(3);
  u.set_last_error("UNAVAILABLE: connect failed\nretrying");
  const Table up = Parse(UpstreamsCsv({u}, Language::kIndonesian));
  EXPECT_THAT(up[1], ElementsAre("upstreams/kejari-paser",
                                 "Kejari Paser, \"Tanah Grogot\"",
                                 "Perkara (Kejaksaan)", "Gagal", "0", "3", "",
                                 "0", "UNAVAILABLE: connect failed\nretrying"));
}

TEST(CsvTest, SuppressedPublicCellIsEmptyAndMarkedNeverZero) {
  rv1::PublicSummary p;
  p.set_name("provinces/65/publicSummary");
  p.mutable_cases_completed()->set_suppressed(true);
  p.mutable_cases_in_progress()->set_value(0);
  p.mutable_credited_hours()->set_value(1234);
  p.mutable_fines_replaced_rupiah()->set_suppressed(true);
  const Table t = Parse(PublicCsv({p}, Language::kEnglish));
  EXPECT_THAT(
      t[0],
      ElementsAre("Region code", "Region name", "Cases completed",
                  "Cases completed suppressed", "Cases in progress",
                  "Cases in progress suppressed", "Hours of community work",
                  "Hours of community work suppressed", "Prison days averted",
                  "Prison days averted suppressed", "Work sites in use",
                  "Work sites in use suppressed", "Fines replaced (Rp)",
                  "Fines replaced (Rp) suppressed", "As of"));
  EXPECT_THAT(t[1], ElementsAre("65", "Kalimantan Utara", "", "true", "0",
                                "false", "1234", "false", "0", "false", "0",
                                "false", "", "true", ""));
}

TEST(LabelsTest, EveryMetricHasBothLanguagesAndTheJsonHasEveryKey) {
  for (int m = rv1::Metric_MIN + 1; m <= rv1::Metric_MAX; ++m) {
    const std::string key = rv1::Metric_Name(static_cast<rv1::Metric>(m));
    EXPECT_NE(Text(key, Language::kIndonesian), key);
    EXPECT_NE(Text(key, Language::kEnglish), key);
  }
  EXPECT_EQ(Text("no.such.key", Language::kEnglish), "no.such.key");
  const std::string json = LabelsJson();
  for (const Label& l : Labels()) {
    EXPECT_NE(json.find(std::string("\"") + l.key + "\""), std::string::npos)
        << l.key;
  }
  EXPECT_EQ(ParseLanguage("en"), Language::kEnglish);
  EXPECT_EQ(ParseLanguage(""), Language::kIndonesian);
  EXPECT_EQ(ParseLanguage("fr"), std::nullopt);
}

}  // namespace
}  // namespace ks::reporting::web
