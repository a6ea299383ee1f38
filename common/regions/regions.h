// The 38 provinces and 514 regencies/cities of Indonesia (Kemendagri codes,
// DESIGN R15) and their legal time zones (DESIGN R14), compiled into the
// binary from data/regions/*.csv (ODbL, see data/regions/README.md).
//
// Codes: a province is "PP" (two digits, e.g. "64"), a regency or city is
// "PP.RR" (e.g. "64.01"). Two different failures are kept apart:
//   - syntax: "6401", "64.1", "ab.cd"  -> INVALID_ARGUMENT
//   - existence: "64.99" is well formed but no such regency -> NOT_FOUND
// The Is*Code() predicates are true only for codes that exist.
//
// Time zones come from the regency's province (each province has exactly one
// zone). Pass the *work site's* regency, never one derived from a NIK: the NIK
// records where a person was first registered, not where they work.
//
// Thread safety: Regions::Get() builds the tables once (thread-safe static
// initialisation); the object is immutable afterwards and safe to share.
#ifndef KS_COMMON_REGIONS_REGIONS_H_
#define KS_COMMON_REGIONS_REGIONS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ks::regions {

struct Province {
  std::string code;       // "64"
  std::string name;       // "Kalimantan Timur"
  std::string time_zone;  // "WIB", "WITA" or "WIT"
  std::string
      iana_time_zone;  // "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
};

struct Regency {
  std::string code;           // "64.01"
  std::string province_code;  // "64"
  std::string name;           // "Kabupaten Paser"
};

class Regions {
 public:
  // The compiled-in tables, parsed on first use. Never fails at run time: the
  // embedded data is checked by regions_test at build time.
  static const Regions& Get();

  // Parses the two CSV tables (headers "code,name,time_zone,iana_time_zone"
  // and "code,province_code,name"). INVALID_ARGUMENT naming the table and
  // line on a malformed row, a duplicate code, or a regency whose province
  // is missing.
  static absl::StatusOr<Regions> Parse(absl::string_view provinces_csv,
                                       absl::string_view regencies_csv);

  // Syntax only: "PP" / "PP.RR" with ASCII digits.
  static bool IsWellFormedProvinceCode(absl::string_view code);
  static bool IsWellFormedRegencyCode(absl::string_view code);

  // Syntax and existence.
  bool IsValidProvinceCode(absl::string_view code) const;
  bool IsValidRegencyCode(absl::string_view code) const;

  // OK, INVALID_ARGUMENT (malformed) or NOT_FOUND (well formed, unknown); the
  // message names the code and the expected form.
  absl::Status CheckProvinceCode(absl::string_view code) const;
  absl::Status CheckRegencyCode(absl::string_view code) const;

  // nullptr if the code does not exist. The pointer lives as long as `this`.
  const Province* FindProvince(absl::string_view code) const;
  const Regency* FindRegency(absl::string_view code) const;

  // The province of a regency; errors as CheckRegencyCode().
  absl::StatusOr<const Province*> ProvinceOf(
      absl::string_view regency_code) const;

  // The IANA zone of a regency ("Asia/Makassar" for "64.01"); errors as
  // CheckRegencyCode().
  absl::StatusOr<std::string> IanaZone(absl::string_view regency_code) const;

  // The loaded zone of a regency; errors as CheckRegencyCode(), or INTERNAL
  // when the system's tzdata lacks the zone.
  absl::StatusOr<absl::TimeZone> TimeZone(absl::string_view regency_code) const;

  // All provinces / regencies, sorted by code.
  const std::vector<Province>& provinces() const { return provinces_; }
  const std::vector<Regency>& regencies() const { return regencies_; }

  // The regencies of one province, sorted by code; empty if none.
  std::vector<const Regency*> RegenciesOf(
      absl::string_view province_code) const;

 private:
  Regions() = default;
  void BuildIndexes();

  std::vector<Province> provinces_;
  std::vector<Regency> regencies_;
  absl::flat_hash_map<std::string, size_t> province_index_;
  absl::flat_hash_map<std::string, size_t> regency_index_;
};

}  // namespace ks::regions

#endif  // KS_COMMON_REGIONS_REGIONS_H_
