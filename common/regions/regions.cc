#include "common/regions/regions.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ks::embedded {
extern const std::string_view kProvincesCsv;
extern const std::string_view kRegenciesCsv;
}  // namespace ks::embedded

namespace ks::regions {
namespace {

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

// Splits a CSV table into rows of exactly `columns` fields, skipping the
// header and blank lines. The tables hold no quoted fields (checked here: a
// quote is rejected rather than misparsed).
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(
    absl::string_view table, absl::string_view csv, size_t columns,
    absl::string_view header) {
  std::vector<std::vector<std::string>> rows;
  int line_no = 0;
  bool seen_header = false;
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    ++line_no;
    line = absl::StripTrailingAsciiWhitespace(line);  // tolerate CRLF
    if (line.empty()) continue;
    if (!seen_header) {
      if (line != header) {
        return absl::InvalidArgumentError(absl::StrCat(
            table, ":", line_no, ": header must be \"", header, "\""));
      }
      seen_header = true;
      continue;
    }
    if (line.find('"') != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(table, ":", line_no, ": quoted fields not supported"));
    }
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    if (fields.size() != columns) {
      return absl::InvalidArgumentError(
          absl::StrCat(table, ":", line_no, ": expected ", columns,
                       " fields, got ", fields.size()));
    }
    for (const std::string& f : fields) {
      if (f.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(table, ":", line_no, ": empty field"));
      }
    }
    rows.push_back(std::move(fields));
  }
  if (!seen_header) {
    return absl::InvalidArgumentError(absl::StrCat(table, ": empty table"));
  }
  return rows;
}

}  // namespace

const Regions& Regions::Get() {
  static const Regions* const regions = [] {
    // Debian's Abseil has its own string_view type, not std::string_view.
    const std::string_view provinces = ks::embedded::kProvincesCsv;
    const std::string_view regencies = ks::embedded::kRegenciesCsv;
    absl::StatusOr<Regions> parsed =
        Parse(absl::string_view(provinces.data(), provinces.size()),
              absl::string_view(regencies.data(), regencies.size()));
    if (!parsed.ok()) {
      // A build defect (the embedded tables are fixed at compile time and
      // checked by regions_test), not a run-time condition to recover from.
      std::fprintf(stderr, "embedded region tables are invalid: %s\n",
                   parsed.status().ToString().c_str());
      std::abort();
    }
    return new Regions(*std::move(parsed));
  }();
  return *regions;
}

absl::StatusOr<Regions> Regions::Parse(absl::string_view provinces_csv,
                                       absl::string_view regencies_csv) {
  Regions r;
  auto province_rows = ParseCsv("provinces.csv", provinces_csv, 4,
                                "code,name,time_zone,iana_time_zone");
  if (!province_rows.ok()) return province_rows.status();
  for (auto& row : *province_rows) {
    if (!IsWellFormedProvinceCode(row[0])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "provinces.csv: malformed province code \"", row[0], "\""));
    }
    if (row[2] != "WIB" && row[2] != "WITA" && row[2] != "WIT") {
      return absl::InvalidArgumentError(
          absl::StrCat("provinces.csv: province ", row[0],
                       ": time_zone must be WIB, WITA or WIT"));
    }
    r.provinces_.push_back(Province{std::move(row[0]), std::move(row[1]),
                                    std::move(row[2]), std::move(row[3])});
  }
  auto regency_rows =
      ParseCsv("regencies.csv", regencies_csv, 3, "code,province_code,name");
  if (!regency_rows.ok()) return regency_rows.status();
  for (auto& row : *regency_rows) {
    if (!IsWellFormedRegencyCode(row[0])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "regencies.csv: malformed regency code \"", row[0], "\""));
    }
    if (row[0].substr(0, 2) != row[1]) {
      return absl::InvalidArgumentError(
          absl::StrCat("regencies.csv: regency ", row[0],
                       " is not in its province_code ", row[1]));
    }
    r.regencies_.push_back(
        Regency{std::move(row[0]), std::move(row[1]), std::move(row[2])});
  }
  std::sort(
      r.provinces_.begin(), r.provinces_.end(),
      [](const Province& a, const Province& b) { return a.code < b.code; });
  std::sort(r.regencies_.begin(), r.regencies_.end(),
            [](const Regency& a, const Regency& b) { return a.code < b.code; });
  r.BuildIndexes();
  if (r.province_index_.size() != r.provinces_.size()) {
    return absl::InvalidArgumentError("provinces.csv: duplicate province code");
  }
  if (r.regency_index_.size() != r.regencies_.size()) {
    return absl::InvalidArgumentError("regencies.csv: duplicate regency code");
  }
  for (const Regency& regency : r.regencies_) {
    if (!r.province_index_.contains(regency.province_code)) {
      return absl::InvalidArgumentError(
          absl::StrCat("regencies.csv: regency ", regency.code,
                       " names unknown province ", regency.province_code));
    }
  }
  return r;
}

void Regions::BuildIndexes() {
  province_index_.clear();
  regency_index_.clear();
  for (size_t i = 0; i < provinces_.size(); ++i) {
    province_index_.emplace(provinces_[i].code, i);
  }
  for (size_t i = 0; i < regencies_.size(); ++i) {
    regency_index_.emplace(regencies_[i].code, i);
  }
}

bool Regions::IsWellFormedProvinceCode(absl::string_view code) {
  return code.size() == 2 && AllDigits(code);
}

bool Regions::IsWellFormedRegencyCode(absl::string_view code) {
  return code.size() == 5 && code[2] == '.' && AllDigits(code.substr(0, 2)) &&
         AllDigits(code.substr(3, 2));
}

bool Regions::IsValidProvinceCode(absl::string_view code) const {
  return FindProvince(code) != nullptr;
}

bool Regions::IsValidRegencyCode(absl::string_view code) const {
  return FindRegency(code) != nullptr;
}

absl::Status Regions::CheckProvinceCode(absl::string_view code) const {
  if (!IsWellFormedProvinceCode(code)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", code.substr(0, 20),
        "\" is not a Kemendagri province code (two digits, e.g. \"64\")"));
  }
  if (FindProvince(code) == nullptr) {
    return absl::NotFoundError(absl::StrCat("no province with code ", code));
  }
  return absl::OkStatus();
}

absl::Status Regions::CheckRegencyCode(absl::string_view code) const {
  if (!IsWellFormedRegencyCode(code)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", code.substr(0, 20),
        "\" is not a Kemendagri regency code (PP.RR, e.g. \"64.01\")"));
  }
  if (FindRegency(code) == nullptr) {
    return absl::NotFoundError(absl::StrCat("no regency with code ", code));
  }
  return absl::OkStatus();
}

const Province* Regions::FindProvince(absl::string_view code) const {
  auto it = province_index_.find(code);
  return it == province_index_.end() ? nullptr : &provinces_[it->second];
}

const Regency* Regions::FindRegency(absl::string_view code) const {
  auto it = regency_index_.find(code);
  return it == regency_index_.end() ? nullptr : &regencies_[it->second];
}

absl::StatusOr<const Province*> Regions::ProvinceOf(
    absl::string_view regency_code) const {
  absl::Status status = CheckRegencyCode(regency_code);
  if (!status.ok()) return status;
  // Parse() guarantees every regency's province exists.
  return FindProvince(FindRegency(regency_code)->province_code);
}

absl::StatusOr<std::string> Regions::IanaZone(
    absl::string_view regency_code) const {
  absl::StatusOr<const Province*> province = ProvinceOf(regency_code);
  if (!province.ok()) return province.status();
  return (*province)->iana_time_zone;
}

absl::StatusOr<absl::TimeZone> Regions::TimeZone(
    absl::string_view regency_code) const {
  absl::StatusOr<std::string> name = IanaZone(regency_code);
  if (!name.ok()) return name.status();
  absl::TimeZone zone;
  // LoadTimeZone caches loaded zones internally and is thread-safe.
  if (!absl::LoadTimeZone(*name, &zone)) {
    return absl::InternalError(absl::StrCat(
        "time zone ", *name, " is not installed (install tzdata)"));
  }
  return zone;
}

std::vector<const Regency*> Regions::RegenciesOf(
    absl::string_view province_code) const {
  std::vector<const Regency*> out;
  for (const Regency& r : regencies_) {
    if (r.province_code == province_code) out.push_back(&r);
  }
  return out;
}

}  // namespace ks::regions
