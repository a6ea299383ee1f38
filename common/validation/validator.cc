#include "common/validation/validator.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/quote.h"
#include "common/time/clock.h"

namespace ks {
namespace {

constexpr size_t kMaxRequestIdLength = 64;
constexpr size_t kNikLength = 16;
// Dukcapil encodes a woman's birth day as DD + 40 (NIK format, not law).
constexpr int kNikFemaleDayOffset = 40;

bool IsUnreserved(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == '~' || c == '-';
}

bool AllDigits(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

int TwoDigits(absl::string_view s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

bool IsVariable(absl::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ParseResourceName(
    absl::string_view name, absl::string_view pattern) {
  const std::vector<absl::string_view> want = absl::StrSplit(pattern, '/');
  const std::vector<absl::string_view> got = absl::StrSplit(name, '/');
  const auto mismatch = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat("resource name must match \"", pattern, "\""));
  };
  if (want.size() != got.size()) return mismatch();
  std::map<std::string, std::string> vars;
  for (size_t i = 0; i < want.size(); ++i) {
    if (IsVariable(want[i])) {
      if (got[i].empty() ||
          !std::all_of(got[i].begin(), got[i].end(), IsUnreserved)) {
        return mismatch();
      }
      vars.emplace(std::string(want[i].substr(1, want[i].size() - 2)),
                   std::string(got[i]));
    } else if (want[i] != got[i]) {
      return mismatch();
    }
  }
  return vars;
}

void Validator::AddViolation(absl::string_view field,
                             absl::string_view description) {
  violations_.push_back({std::string(field), std::string(description)});
}

void Validator::AddWarning(absl::string_view field,
                           absl::string_view description) {
  warnings_.push_back(absl::StrCat(field, ": ", description));
}

bool Validator::Required(absl::string_view field, bool present) {
  if (!present) AddViolation(field, "is required");
  return present;
}

bool Validator::RequiredString(absl::string_view field,
                               absl::string_view value) {
  return Required(field, !value.empty());
}

bool Validator::Text(absl::string_view field, absl::string_view value,
                     size_t max_code_points, bool required) {
  return CheckText(field, value, max_code_points, required, false);
}

bool Validator::Name(absl::string_view field, absl::string_view value,
                     size_t max_code_points, bool required) {
  return CheckText(field, value, max_code_points, required, true);
}

bool Validator::CheckText(absl::string_view field, absl::string_view value,
                          size_t max_code_points, bool required,
                          bool one_line) {
  if (value.empty()) {
    if (required) AddViolation(field, "is required");
    return !required;
  }
  if (!IsValidUtf8(value)) {
    AddViolation(field, "must be valid UTF-8");
    return false;
  }
  const size_t count = CodePointCount(value);
  if (count > max_code_points) {
    AddViolation(field, absl::StrCat("must be at most ", max_code_points,
                                     " characters, got ", count));
    return false;
  }
  // C0 controls and DEL (C1 controls are 2-byte sequences starting 0xC2).
  bool blank = true;
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    const bool line_break = c == '\t' || c == '\n' || c == '\r';
    const bool c1 = c == 0xC2 && i + 1 < value.size() &&
                    static_cast<unsigned char>(value[i + 1]) < 0xA0;
    if (((c < 0x20 || c == 0x7F) && (one_line || !line_break)) || c1) {
      AddViolation(field, one_line ? "must not contain control characters "
                                     "(tab, line break, NUL, ...)"
                                   : "must not contain control characters "
                                     "other than tab and line breaks");
      return false;
    }
    // U+00A0 NO-BREAK SPACE counts as white space too.
    const bool nbsp = c == 0xC2 && i + 1 < value.size() &&
                      static_cast<unsigned char>(value[i + 1]) == 0xA0;
    if (nbsp) {
      ++i;
      continue;
    }
    if (!absl::ascii_isspace(c)) blank = false;
  }
  if (one_line && blank) {
    AddViolation(field, "must not be only white space");
    return false;
  }
  return true;
}

bool Validator::InRange(absl::string_view field, int64_t value, int64_t min,
                        int64_t max, absl::string_view rule) {
  if (value >= min && value <= max) return true;
  AddViolation(field, absl::StrCat("must be between ", min, " and ", max, " (",
                                   rule, "), got ", value));
  return false;
}

bool Validator::Coordinates(absl::string_view latitude_field, double latitude,
                            absl::string_view longitude_field,
                            double longitude) {
  constexpr double kMaxLatitude = 90.0, kMaxLongitude = 180.0;
  bool ok = true;
  // Written so that NaN fails too.
  if (!(latitude >= -kMaxLatitude && latitude <= kMaxLatitude)) {
    AddViolation(latitude_field, "must be -90 to 90 (degrees, WGS84)");
    ok = false;
  }
  if (!(longitude >= -kMaxLongitude && longitude <= kMaxLongitude)) {
    AddViolation(longitude_field, "must be -180 to 180 (degrees, WGS84)");
    ok = false;
  }
  return ok;
}

bool Validator::RegencyCode(absl::string_view field, absl::string_view code) {
  if (!regions::Regions::IsWellFormedRegencyCode(code)) {
    AddViolation(
        field, "must be a Kemendagri regency code PP.RR, e.g. \"64.01\" (R15)");
    return false;
  }
  if (!regions_->IsValidRegencyCode(code)) {
    AddViolation(field,
                 absl::StrCat("regency ", code, " does not exist (R15)"));
    return false;
  }
  return true;
}

bool Validator::Date(absl::string_view field, const google::type::Date& date) {
  if (IsValidDate(date)) return true;
  AddViolation(field, "must be a valid calendar date (year 1-9999)");
  return false;
}

bool Validator::ResourceName(absl::string_view field, absl::string_view name,
                             absl::string_view pattern,
                             std::map<std::string, std::string>* vars,
                             bool allow_wildcard) {
  absl::StatusOr<std::map<std::string, std::string>> parsed =
      ParseResourceName(name, pattern);
  if (!parsed.ok()) {
    AddViolation(field, parsed.status().message());
    return false;
  }
  bool ok = true;
  for (const auto& [var, value] : *parsed) {
    if (value == "-") {
      if (!allow_wildcard) {
        AddViolation(
            field, absl::StrCat("the wildcard \"-\" is not allowed for {", var,
                                "} here"));
        ok = false;
      }
      continue;
    }
    if (var == "regency" && !regions_->IsValidRegencyCode(value)) {
      AddViolation(field, absl::StrCat("{regency} ", QuoteValue(value, 20),
                                       " is not an existing regency code "
                                       "PP.RR (R15)"));
      ok = false;
    }
  }
  if (ok && vars != nullptr) *vars = *std::move(parsed);
  return ok;
}

bool Validator::RequestId(absl::string_view field, absl::string_view id) {
  const bool charset_ok = std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           c == '-';
  });
  if (!id.empty() && id.size() <= kMaxRequestIdLength && charset_ok) {
    return true;
  }
  AddViolation(field, absl::StrCat("must be 1 to ", kMaxRequestIdLength,
                                   " characters of [A-Za-z0-9_-]"));
  return false;
}

int32_t Validator::PageSize(absl::string_view field, int32_t value,
                            int32_t max) {
  if (value < 0) {
    AddViolation(
        field, absl::StrCat("must not be negative, got ", value, " (AIP-158)"));
    return 0;
  }
  if (value == 0 || value > max) return max;
  return value;
}

bool Validator::Nik(absl::string_view field, absl::string_view nik,
                    const google::type::Date* birth_date,
                    std::optional<bool> is_female) {
  // Violations: the value cannot be a NIK.
  if (nik.size() != kNikLength || !AllDigits(nik)) {
    AddViolation(field, absl::StrCat("must be exactly ", kNikLength,
                                     " digits 0-9 (R13)"));
    return false;
  }
  const int province = TwoDigits(nik.substr(0, 2));
  if (province < 11) {
    AddViolation(field, "province digits (1-2) must be 11-99 (R13)");
    return false;
  }
  if (nik.substr(2, 2) == "00" || nik.substr(4, 2) == "00" ||
      nik.substr(12, 4) == "0000") {
    AddViolation(field,
                 "regency, district and serial digits must not be zero (R13)");
    return false;
  }
  // Warnings: the birth-date part. Registry data has known errors here, so a
  // disagreement is reported but tolerated (R13).
  const int dd = TwoDigits(nik.substr(6, 2));
  const int mm = TwoDigits(nik.substr(8, 2));
  const int yy = TwoDigits(nik.substr(10, 2));
  const bool nik_female = dd > kNikFemaleDayOffset;
  const int day = nik_female ? dd - kNikFemaleDayOffset : dd;
  if (day < 1 || day > 31 || mm < 1 || mm > 12) {
    AddWarning(field,
               "birth-date digits (7-12) are not a date (tolerated, R13)");
    return true;
  }
  if (birth_date != nullptr && IsValidDate(*birth_date) &&
      (birth_date->day() != day || birth_date->month() != mm ||
       birth_date->year() % 100 != yy)) {
    AddWarning(field,
               "birth-date digits (7-12) disagree with the birth date "
               "(tolerated, R13)");
  }
  if (is_female.has_value() && *is_female != nik_female) {
    AddWarning(field, *is_female
                          ? "birth day digits lack the +40 of a woman's NIK "
                            "(tolerated, R13)"
                          : "birth day digits carry the +40 of a woman's NIK "
                            "(tolerated, R13)");
  }
  return true;
}

absl::Status Validator::Finish() const {
  if (violations_.empty()) return absl::OkStatus();
  return InvalidArgumentError(violations_);
}

}  // namespace ks
