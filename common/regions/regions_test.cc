#include "common/regions/regions.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace ks::regions {
namespace {

TEST(RegionsTest, CountsMatchKemendagri) {
  const Regions& r = Regions::Get();
  EXPECT_EQ(r.provinces().size(), 38u);
  EXPECT_EQ(r.regencies().size(), 514u);
  EXPECT_EQ(&r, &Regions::Get());  // parsed once
}

TEST(RegionsTest, EveryRegencyHasItsProvince) {
  const Regions& r = Regions::Get();
  std::set<std::string> codes;
  for (const Regency& regency : r.regencies()) {
    EXPECT_TRUE(codes.insert(regency.code).second) << regency.code;
    EXPECT_TRUE(Regions::IsWellFormedRegencyCode(regency.code)) << regency.code;
    EXPECT_EQ(regency.code.substr(0, 2), regency.province_code);
    EXPECT_NE(r.FindProvince(regency.province_code), nullptr) << regency.code;
    EXPECT_FALSE(regency.name.empty());
  }
  size_t total = 0;
  for (const Province& p : r.provinces()) {
    const size_t n = r.RegenciesOf(p.code).size();
    EXPECT_GT(n, 0u) << p.code;
    total += n;
  }
  EXPECT_EQ(total, 514u);
}

TEST(RegionsTest, EveryZoneLoads) {
  const Regions& r = Regions::Get();
  for (const Regency& regency : r.regencies()) {
    absl::StatusOr<absl::TimeZone> zone = r.TimeZone(regency.code);
    ASSERT_TRUE(zone.ok()) << regency.code << ": " << zone.status();
  }
}

TEST(RegionsTest, PapuaProvincesAreWit) {
  const Regions& r = Regions::Get();
  for (const char* code : {"91", "92", "93", "94", "95", "96"}) {
    const Province* p = r.FindProvince(code);
    ASSERT_NE(p, nullptr) << code;
    EXPECT_EQ(p->time_zone, "WIT") << code;
    EXPECT_EQ(p->iana_time_zone, "Asia/Jayapura") << code;
    EXPECT_FALSE(r.RegenciesOf(code).empty()) << code;
  }
  // Kemendagri, not BPS: Merauke is 93.01 (Papua Selatan).
  const Regency* merauke = r.FindRegency("93.01");
  ASSERT_NE(merauke, nullptr);
  EXPECT_EQ(merauke->name, "Kabupaten Merauke");
  EXPECT_EQ(*r.IanaZone("93.01"), "Asia/Jayapura");
  EXPECT_EQ(r.TimeZone("91.71")->name(), "Asia/Jayapura");
}

TEST(RegionsTest, KalimantanTimurIsWita) {
  const Regions& r = Regions::Get();
  const Province* kaltim = r.FindProvince("64");
  ASSERT_NE(kaltim, nullptr);
  EXPECT_EQ(kaltim->name, "Kalimantan Timur");
  EXPECT_EQ(kaltim->time_zone, "WITA");
  const Regency* paser = r.FindRegency("64.01");
  ASSERT_NE(paser, nullptr);
  EXPECT_EQ(paser->name, "Kabupaten Paser");
  EXPECT_EQ(paser->province_code, "64");
  EXPECT_EQ(*r.IanaZone("64.01"), "Asia/Makassar");
  absl::StatusOr<const Province*> province = r.ProvinceOf("64.72");
  ASSERT_TRUE(province.ok());
  EXPECT_EQ((*province)->code, "64");
}

TEST(RegionsTest, JakartaIsWib) {
  const Regions& r = Regions::Get();
  EXPECT_EQ(r.FindProvince("31")->time_zone, "WIB");
  EXPECT_EQ(*r.IanaZone("31.71"), "Asia/Jakarta");
  absl::StatusOr<absl::TimeZone> zone = r.TimeZone("31.71");
  ASSERT_TRUE(zone.ok());
  EXPECT_EQ(zone->name(), "Asia/Jakarta");
  // WIB is UTC+7 all year.
  EXPECT_EQ(zone->At(absl::FromUnixSeconds(1767312000)).offset, 7 * 3600);
}

TEST(RegionsTest, SyntaxAndExistenceAreDistinct) {
  const Regions& r = Regions::Get();
  EXPECT_TRUE(r.IsValidRegencyCode("64.01"));
  EXPECT_TRUE(r.IsValidProvinceCode("64"));
  // Well formed, does not exist.
  EXPECT_TRUE(Regions::IsWellFormedRegencyCode("64.99"));
  EXPECT_FALSE(r.IsValidRegencyCode("64.99"));
  EXPECT_EQ(r.FindRegency("64.99"), nullptr);
  EXPECT_EQ(r.CheckRegencyCode("64.99").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(r.IanaZone("64.99").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(r.CheckProvinceCode("99").code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(r.IsValidProvinceCode("99"));
  EXPECT_TRUE(r.CheckRegencyCode("64.01").ok());
  EXPECT_TRUE(r.CheckProvinceCode("64").ok());
}

TEST(RegionsTest, MalformedCodesRejected) {
  const Regions& r = Regions::Get();
  for (const char* bad :
       {"", "6401", "64.1", "64-01", "64.011", "6a.01", "64.0a", " 64.01",
        "64.01 ", "64", "640.1", "٦٤.٠١"}) {
    EXPECT_FALSE(Regions::IsWellFormedRegencyCode(bad)) << bad;
    EXPECT_FALSE(r.IsValidRegencyCode(bad)) << bad;
    EXPECT_EQ(r.CheckRegencyCode(bad).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_EQ(r.TimeZone(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_EQ(r.ProvinceOf(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  for (const char* bad : {"", "6", "640", "64.01", "a4"}) {
    EXPECT_FALSE(Regions::IsWellFormedProvinceCode(bad)) << bad;
    EXPECT_EQ(r.CheckProvinceCode(bad).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(RegionsParseTest, RejectsBrokenTables) {
  const std::string provinces =
      "code,name,time_zone,iana_time_zone\n64,Kalimantan Timur,WITA,"
      "Asia/Makassar\n";
  EXPECT_TRUE(Regions::Parse(provinces,
                             "code,province_code,name\n"
                             "64.01,64,Kabupaten Paser\n")
                  .ok());
  // Unknown province.
  absl::StatusOr<Regions> r = Regions::Parse(
      provinces, "code,province_code,name\n65.01,65,Kabupaten Malinau\n");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "regencies.csv: regency 65.01 names unknown province 65");
  // Duplicate regency.
  r = Regions::Parse(provinces,
                     "code,province_code,name\n64.01,64,A\n64.01,64,B\n");
  EXPECT_EQ(r.status().message(), "regencies.csv: duplicate regency code");
  // Wrong column count.
  r = Regions::Parse(provinces, "code,province_code,name\n64.01,64\n");
  EXPECT_EQ(r.status().message(), "regencies.csv:2: expected 3 fields, got 2");
  // Bad header.
  r = Regions::Parse("code,name\n", "code,province_code,name\n");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  // Unknown zone abbreviation.
  r = Regions::Parse(
      "code,name,time_zone,iana_time_zone\n64,K,UTC,Asia/Makassar\n",
      "code,province_code,name\n");
  EXPECT_EQ(r.status().message(),
            "provinces.csv: province 64: time_zone must be WIB, WITA or WIT");
}

}  // namespace
}  // namespace ks::regions
