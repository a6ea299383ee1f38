#include "common/policy/policy.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status/rich_status.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace ks::embedded {
extern const std::string_view kDefaultPolicyTextproto;
}  // namespace ks::embedded

namespace ks::policy {
namespace {

namespace v1 = ::kerjasosial::common::v1;

// Upper bounds that only catch typos (an extra zero), not legal limits.
constexpr int64_t kMaxMonths = 1200;
constexpr int64_t kMaxHours = 10000;
constexpr int64_t kMaxSpanDays = 3660;
constexpr int64_t kMaxSpanMonths = 120;
constexpr int64_t kMaxAgreementMonths = 120;
constexpr int64_t kMaxReportDueDays = 90;
constexpr int64_t kMaxSkewSeconds = 3600;
constexpr int64_t kMaxRetentionHours = 8760;
constexpr int64_t kMaxAgeYears = 100;
constexpr size_t kMaxReasonCodeLength = 64;
constexpr int64_t kMaxWarningSteps = 10;
constexpr int64_t kMaxRespondByDays = 90;
constexpr int64_t kMaxCellSize = 1000;
constexpr int64_t kMaxFeedAgeDays = 3660;
constexpr int64_t kMinutesPerDay = 24 * 60;
// The taxonomy name PolicyVersion.valid_reasons answers to.
constexpr absl::string_view kValidReasonTaxonomy = "valid_reason";

class TextErrors : public google::protobuf::io::ErrorCollector {
 public:
  explicit TextErrors(absl::string_view origin) : origin_(origin) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    errors_.push_back(
        absl::StrCat(origin_, ":", line + 1, ":", column + 1, ": ", message));
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber,
                  const std::string&) override {}
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string origin_;
  std::vector<std::string> errors_;
};

std::string DateText(const google::type::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// Collects violations of one version, prefixing the field path and naming
// the version in every description.
class Checker {
 public:
  Checker(std::vector<FieldViolation>* out, std::string prefix,
          std::string label)
      : out_(out), prefix_(std::move(prefix)), label_(std::move(label)) {}

  void Fail(absl::string_view field, absl::string_view why) {
    out_->push_back({absl::StrCat(prefix_, ".", field),
                     absl::StrCat("version \"", label_, "\": ", why)});
  }

  void Range(absl::string_view field, int64_t value, int64_t min, int64_t max) {
    if (value < min || value > max) {
      Fail(field,
           absl::StrCat("must be in [", min, ", ", max, "], got ", value));
    }
  }

  // `present` is false for a missing required sub-message: reported once,
  // and its fields are not checked.
  bool Present(absl::string_view field, bool present) {
    if (!present) Fail(field, "is required");
    return present;
  }

  void Enumerated(absl::string_view field, int value, bool (*is_valid)(int)) {
    if (value == 0 || !is_valid(value)) {
      Fail(field, absl::StrCat("must be set to a defined value, got ", value));
    }
  }

 private:
  std::vector<FieldViolation>* out_;
  std::string prefix_;
  std::string label_;
};

bool IsReasonCode(absl::string_view code) {
  if (code.empty() || code.size() > kMaxReasonCodeLength) return false;
  if (!absl::ascii_islower(static_cast<unsigned char>(code[0]))) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return absl::ascii_islower(u) || absl::ascii_isdigit(u) || c == '_';
  });
}

// Checks the codes of one taxonomy: well-formed, unique, labelled.
void CheckCodes(const v1::Taxonomy& t, const std::string& field, Checker& c) {
  if (t.codes().empty()) c.Fail(absl::StrCat(field, ".codes"), "needs a code");
  absl::flat_hash_map<std::string, int> seen;
  for (int j = 0; j < t.codes_size(); ++j) {
    const v1::TaxonomyCode& code = t.codes(j);
    const std::string cf = absl::StrCat(field, ".codes[", j, "]");
    if (!IsReasonCode(code.code())) {
      c.Fail(absl::StrCat(cf, ".code"),
             absl::StrCat("must match [a-z][a-z0-9_]* (at most ",
                          kMaxReasonCodeLength, " characters), got \"",
                          code.code().substr(0, 80), "\""));
    } else if (auto [it, inserted] = seen.emplace(code.code(), j); !inserted) {
      c.Fail(absl::StrCat(cf, ".code"),
             absl::StrCat("duplicates codes[", it->second, "] \"", code.code(),
                          "\""));
    }
    if (code.label_id().empty())
      c.Fail(absl::StrCat(cf, ".label_id"), "is required");
    if (code.label_en().empty())
      c.Fail(absl::StrCat(cf, ".label_en"), "is required");
  }
}

void CheckTaxonomies(const PolicyVersion& v, Checker& c) {
  absl::flat_hash_map<std::string, int> names;
  for (int i = 0; i < v.taxonomies_size(); ++i) {
    const v1::Taxonomy& t = v.taxonomies(i);
    const std::string field = absl::StrCat("taxonomies[", i, "]");
    if (!IsReasonCode(t.name())) {
      c.Fail(absl::StrCat(field, ".name"),
             absl::StrCat("must match [a-z][a-z0-9_]*, got \"",
                          t.name().substr(0, 80), "\""));
    } else if (t.name() == kValidReasonTaxonomy) {
      c.Fail(absl::StrCat(field, ".name"),
             "\"valid_reason\" is reserved for valid_reasons");
    } else if (auto [it, inserted] = names.emplace(t.name(), i); !inserted) {
      c.Fail(absl::StrCat(field, ".name"),
             absl::StrCat("duplicates taxonomies[", it->second, "] \"",
                          t.name(), "\""));
    }
    if (t.description().empty()) {
      c.Fail(absl::StrCat(field, ".description"), "is required");
    }
    CheckCodes(t, field, c);
  }
}

void CheckChildSchedule(const v1::ChildSentence& ch,
                        const absl::flat_hash_map<std::string, int>& calendars,
                        Checker& c) {
  c.Enumerated("child.span_unit", ch.span_unit(), v1::SpanUnit_IsValid);
  c.Range("child.span_days", ch.span_days(), 1, kMaxSpanDays);
  c.Range("child.span_months", ch.span_months(), 1, kMaxSpanMonths);
  c.Enumerated("child.span_starts_at", ch.span_starts_at(),
               v1::SpanStart_IsValid);
  if (c.Present("child.school_hours", ch.has_school_hours())) {
    const v1::LocalTimeWindow& w = ch.school_hours();
    c.Range("child.school_hours.start_minute", w.start_minute(), 0,
            kMinutesPerDay - 1);
    c.Range("child.school_hours.end_minute", w.end_minute(),
            w.start_minute() + 1, kMinutesPerDay);
  }
  if (ch.working_days().empty()) {
    c.Fail("child.working_days", "needs at least one day");
  }
  absl::flat_hash_map<int, int> days;
  for (int i = 0; i < ch.working_days_size(); ++i) {
    const std::string field = absl::StrCat("child.working_days[", i, "]");
    c.Enumerated(field, ch.working_days(i), v1::Weekday_IsValid);
    if (auto [it, inserted] = days.emplace(ch.working_days(i), i); !inserted) {
      c.Fail(field, absl::StrCat("duplicates working_days[", it->second, "]"));
    }
  }
  if (!calendars.contains(ch.holiday_calendar())) {
    c.Fail("child.holiday_calendar",
           absl::StrCat("names no holiday_calendars entry: \"",
                        ch.holiday_calendar().substr(0, 80), "\""));
  }
}

void CheckVersion(const PolicyVersion& v,
                  const absl::flat_hash_map<std::string, int>& calendars,
                  Checker& c) {
  if (c.Present("eligibility", v.has_eligibility())) {
    const v1::Eligibility& e = v.eligibility();
    c.Range("eligibility.threat_months_exclusive_max",
            e.threat_months_exclusive_max(), 1, kMaxMonths);
    c.Range("eligibility.imposed_prison_months_max",
            e.imposed_prison_months_max(), 1, kMaxMonths);
    // KUHP: a Bulan is 30 Hari; a calendar month is 28..31 days.
    c.Range("eligibility.days_per_bulan", e.days_per_bulan(), 28, 31);
    c.Enumerated("eligibility.imposed_fine_category_max",
                 e.imposed_fine_category_max(), v1::FineCategory_IsValid);
  }
  if (c.Present("fine_categories", v.has_fine_categories())) {
    const v1::FineCategoryAmounts& f = v.fine_categories();
    const std::pair<const char*, int64_t> amounts[] = {
        {"minimum_rupiah", f.minimum_rupiah()},
        {"category_i_rupiah", f.category_i_rupiah()},
        {"category_ii_rupiah", f.category_ii_rupiah()},
        {"category_iii_rupiah", f.category_iii_rupiah()},
        {"category_iv_rupiah", f.category_iv_rupiah()},
        {"category_v_rupiah", f.category_v_rupiah()},
        {"category_vi_rupiah", f.category_vi_rupiah()},
        {"category_vii_rupiah", f.category_vii_rupiah()},
        {"category_viii_rupiah", f.category_viii_rupiah()},
    };
    for (size_t i = 0; i < std::size(amounts); ++i) {
      const std::string field =
          absl::StrCat("fine_categories.", amounts[i].first);
      if (amounts[i].second <= 0) {
        c.Fail(field, absl::StrCat("must be a positive amount of rupiah, got ",
                                   amounts[i].second));
      } else if (i > 0 && amounts[i].second <= amounts[i - 1].second) {
        c.Fail(field, absl::StrCat(
                          "must be greater than ", amounts[i - 1].first, " (",
                          amounts[i - 1].second, "), got ", amounts[i].second));
      }
    }
  }
  c.Present("considerations", v.has_considerations());
  c.Present("activity", v.has_activity());
  if (c.Present("adult", v.has_adult())) {
    const v1::AdultSentence& a = v.adult();
    c.Range("adult.max_hours", a.max_hours(), 1, kMaxHours);
    c.Range("adult.min_hours", a.min_hours(), 1, std::max(1, a.max_hours()));
    c.Range("adult.max_hours_per_day", a.max_hours_per_day(), 1, 24);
    c.Enumerated("adult.day_rule", a.day_rule(), v1::DayRule_IsValid);
    c.Enumerated("adult.span_unit", a.span_unit(), v1::SpanUnit_IsValid);
    c.Range("adult.span_days", a.span_days(), 1, kMaxSpanDays);
    c.Range("adult.span_months", a.span_months(), 1, kMaxSpanMonths);
    c.Enumerated("adult.span_starts_at", a.span_starts_at(),
                 v1::SpanStart_IsValid);
  }
  c.Present("decision", v.has_decision());
  if (c.Present("valid_reasons", v.has_valid_reasons())) {
    const auto& reasons = v.valid_reasons().reasons();
    if (reasons.empty())
      c.Fail("valid_reasons.reasons", "needs at least one reason");
    absl::flat_hash_map<std::string, int> seen;
    for (int i = 0; i < reasons.size(); ++i) {
      const std::string field = absl::StrCat("valid_reasons.reasons[", i, "]");
      const ValidReason& r = reasons[i];
      if (!IsReasonCode(r.code())) {
        c.Fail(absl::StrCat(field, ".code"),
               absl::StrCat("must match [a-z][a-z0-9_]* (at most ",
                            kMaxReasonCodeLength, " characters), got \"",
                            r.code().substr(0, 80), "\""));
      } else if (auto [it, inserted] = seen.emplace(r.code(), i); !inserted) {
        c.Fail(absl::StrCat(field, ".code"),
               absl::StrCat("duplicates reasons[", it->second, "] \"", r.code(),
                            "\""));
      }
      if (r.description().empty()) {
        c.Fail(absl::StrCat(field, ".description"), "is required");
      }
      if (r.label_id().empty()) {
        c.Fail(absl::StrCat(field, ".label_id"), "is required");
      }
      if (r.label_en().empty()) {
        c.Fail(absl::StrCat(field, ".label_en"), "is required");
      }
    }
  }
  if (c.Present("fine_conversion", v.has_fine_conversion())) {
    const v1::FineConversion& f = v.fine_conversion();
    c.Enumerated("fine_conversion.fine_category_max", f.fine_category_max(),
                 v1::FineCategory_IsValid);
    if (f.rupiah_per_hour() <= 0) {
      c.Fail("fine_conversion.rupiah_per_hour",
             absl::StrCat("must be a positive amount of rupiah, got ",
                          f.rupiah_per_hour()));
    }
    c.Enumerated("fine_conversion.rounding", f.rounding(),
                 v1::HoursRounding_IsValid);
    c.Range("fine_conversion.max_hours", f.max_hours(), 1, kMaxHours);
    c.Range("fine_conversion.min_hours", f.min_hours(), 1,
            std::max(1, f.max_hours()));
  }
  if (c.Present("child", v.has_child())) {
    const v1::ChildSentence& ch = v.child();
    c.Range("child.max_age_years_exclusive", ch.max_age_years_exclusive(), 2,
            kMaxAgeYears);
    c.Range("child.min_age_years", ch.min_age_years(), 1,
            std::max(1, ch.max_age_years_exclusive() - 1));
    c.Range("child.max_hours", ch.max_hours(), 1, kMaxHours);
    c.Range("child.min_hours", ch.min_hours(), 1, std::max(1, ch.max_hours()));
    c.Range("child.max_hours_per_day", ch.max_hours_per_day(), 1, 24);
    CheckChildSchedule(ch, calendars, c);
  }
  if (c.Present("reporting", v.has_reporting())) {
    const v1::Reporting& r = v.reporting();
    c.Enumerated("reporting.default_period", r.default_period(),
                 v1::ReportingPeriod_IsValid);
    c.Range("reporting.agreement_validity_months",
            r.agreement_validity_months(), 1, kMaxAgreementMonths);
    c.Range("reporting.agreement_evaluation_months",
            r.agreement_evaluation_months(), 1, kMaxAgreementMonths);
    c.Range("reporting.report_due_days", r.report_due_days(), 1,
            kMaxReportDueDays);
  }
  if (c.Present("operations", v.has_operations())) {
    const v1::Operations& o = v.operations();
    c.Range("operations.session_clock_skew_seconds",
            o.session_clock_skew_seconds(), 0, kMaxSkewSeconds);
    c.Range("operations.idempotency_retention_hours",
            o.idempotency_retention_hours(), 1, kMaxRetentionHours);
    c.Range("operations.feed_retention_max_age_days",
            o.feed_retention_max_age_days(), 1, kMaxFeedAgeDays);
  }
  if (v.taxonomies().empty()) c.Fail("taxonomies", "needs a taxonomy");
  CheckTaxonomies(v, c);
  if (c.Present("warnings", v.has_warnings())) {
    c.Range("warnings.steps", v.warnings().steps(), 1, kMaxWarningSteps);
    c.Range("warnings.respond_by_days", v.warnings().respond_by_days(), 1,
            kMaxRespondByDays);
  }
  if (c.Present("public_figures", v.has_public_figures())) {
    c.Range("public_figures.min_cell_size", v.public_figures().min_cell_size(),
            1, kMaxCellSize);
  }
}

// Checks the holiday calendars and returns their names (name -> index).
absl::flat_hash_map<std::string, int> CheckCalendars(
    const Policy& policy, std::vector<FieldViolation>* out) {
  absl::flat_hash_map<std::string, int> names;
  for (int i = 0; i < policy.holiday_calendars_size(); ++i) {
    const v1::HolidayCalendar& cal = policy.holiday_calendars(i);
    const std::string field = absl::StrCat("holiday_calendars[", i, "]");
    if (cal.name().empty()) {
      out->push_back({absl::StrCat(field, ".name"), "is required"});
    } else if (auto [it, inserted] = names.emplace(cal.name(), i); !inserted) {
      out->push_back({absl::StrCat(field, ".name"),
                      absl::StrCat("duplicates holiday_calendars[", it->second,
                                   "] \"", cal.name(), "\"")});
    }
    if (cal.source().empty()) {
      out->push_back({absl::StrCat(field, ".source"), "is required"});
    }
    std::optional<absl::CivilDay> previous;
    for (int j = 0; j < cal.holidays_size(); ++j) {
      const v1::Holiday& h = cal.holidays(j);
      const std::string hf = absl::StrCat(field, ".holidays[", j, "]");
      if (!h.has_date() || !IsValidDate(h.date())) {
        out->push_back({absl::StrCat(hf, ".date"), "must be a valid date"});
        continue;
      }
      const absl::CivilDay day(h.date().year(), h.date().month(),
                               h.date().day());
      if (previous.has_value() && day <= *previous) {
        out->push_back({absl::StrCat(hf, ".date"),
                        absl::StrCat(DateText(h.date()),
                                     " must be after the previous holiday")});
      }
      previous = day;
      if (h.kind() == 0 || !v1::HolidayKind_IsValid(h.kind())) {
        out->push_back({absl::StrCat(hf, ".kind"),
                        absl::StrCat("must be set to a defined value, got ",
                                     static_cast<int>(h.kind()))});
      }
      if (h.name_id().empty() || h.name_en().empty()) {
        out->push_back(
            {absl::StrCat(hf, ".name_id"), "name_id and name_en are required"});
      }
    }
  }
  return names;
}

}  // namespace

absl::Status PolicySet::Validate(const Policy& policy) {
  std::vector<FieldViolation> violations;
  absl::TimeZone zone;
  if (policy.default_time_zone().empty()) {
    violations.push_back({"default_time_zone", "is required"});
  } else if (!absl::LoadTimeZone(policy.default_time_zone(), &zone)) {
    violations.push_back(
        {"default_time_zone", absl::StrCat("unknown IANA time zone \"",
                                           policy.default_time_zone(), "\"")});
  }
  if (policy.versions().empty()) {
    violations.push_back({"versions", "at least one version is required"});
  }
  const absl::flat_hash_map<std::string, int> calendars =
      CheckCalendars(policy, &violations);
  absl::flat_hash_map<std::string, int> labels;
  const google::type::Date* previous = nullptr;
  int previous_index = -1;
  for (int i = 0; i < policy.versions_size(); ++i) {
    const PolicyVersion& v = policy.versions(i);
    const std::string prefix = absl::StrCat("versions[", i, "]");
    Checker c(&violations, prefix, v.version());
    if (v.version().empty()) {
      c.Fail("version", "is required");
    } else if (auto [it, inserted] = labels.emplace(v.version(), i);
               !inserted) {
      c.Fail("version", absl::StrCat("duplicates the label of versions[",
                                     it->second, "]"));
    }
    if (!v.has_effective_from()) {
      c.Fail("effective_from", "is required");
    } else if (!IsValidDate(v.effective_from())) {
      c.Fail("effective_from", absl::StrCat(DateText(v.effective_from()),
                                            " is not a valid calendar date"));
    } else {
      if (previous != nullptr) {
        const absl::CivilDay day(v.effective_from().year(),
                                 v.effective_from().month(),
                                 v.effective_from().day());
        const absl::CivilDay prev(previous->year(), previous->month(),
                                  previous->day());
        if (day == prev) {
          c.Fail("effective_from",
                 absl::StrCat(DateText(v.effective_from()),
                              " duplicates the date of versions[",
                              previous_index, "]"));
        } else if (day < prev) {
          c.Fail(
              "effective_from",
              absl::StrCat("versions must be sorted by date: ",
                           DateText(v.effective_from()), " is before versions[",
                           previous_index, "] (", DateText(*previous), ")"));
        }
      }
      previous = &v.effective_from();
      previous_index = i;
    }
    CheckVersion(v, calendars, c);
  }
  if (violations.empty()) return absl::OkStatus();
  return InvalidArgumentError(violations);
}

absl::StatusOr<PolicySet> PolicySet::FromProto(Policy policy) {
  absl::Status status = Validate(policy);
  if (!status.ok()) return status;
  std::vector<absl::CivilDay> days;
  days.reserve(policy.versions_size());
  for (const PolicyVersion& v : policy.versions()) {
    days.emplace_back(v.effective_from().year(), v.effective_from().month(),
                      v.effective_from().day());
  }
  absl::TimeZone zone;
  absl::LoadTimeZone(policy.default_time_zone(), &zone);  // checked above
  return PolicySet(std::move(policy), std::move(days), zone);
}

absl::StatusOr<PolicySet> PolicySet::FromText(absl::string_view text,
                                              absl::string_view origin) {
  Policy policy;
  TextErrors errors(origin);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &policy)) {
    if (errors.errors().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": not a valid Policy in text format"));
    }
    return absl::InvalidArgumentError(absl::StrJoin(errors.errors(), "; "));
  }
  return FromProto(std::move(policy));
}

absl::StatusOr<PolicySet> PolicySet::Default() {
  const std::string_view text = ks::embedded::kDefaultPolicyTextproto;
  return FromText(absl::string_view(text.data(), text.size()),
                  "data/policy/default.textproto");
}

absl::StatusOr<PolicySet> PolicySet::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open policy file ", path));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return FromText(buffer.str(), path);
}

const PolicyVersion& PolicySet::At(absl::CivilDay day) const {
  // The last version whose effective day is on or before `day`.
  auto it =
      std::upper_bound(effective_days_.begin(), effective_days_.end(), day);
  const size_t index =
      it == effective_days_.begin() ? 0 : (it - effective_days_.begin()) - 1;
  return policy_.versions(static_cast<int>(index));
}

const PolicyVersion& PolicySet::At(absl::Time t, absl::TimeZone zone) const {
  return At(LocalDay(t, zone));
}

const PolicyVersion& PolicySet::Current(const Clock& clock,
                                        absl::TimeZone zone) const {
  return At(clock.Now(), zone);
}

const PolicyVersion& PolicySet::Current(const Clock& clock) const {
  return At(clock.Now(), default_zone_);
}

absl::StatusOr<int64_t> PolicySet::FineCategoryMaxRupiah(
    const PolicyVersion& version, FineCategory category) {
  const v1::FineCategoryAmounts& f = version.fine_categories();
  switch (category) {
    case v1::FINE_CATEGORY_I:
      return f.category_i_rupiah();
    case v1::FINE_CATEGORY_II:
      return f.category_ii_rupiah();
    case v1::FINE_CATEGORY_III:
      return f.category_iii_rupiah();
    case v1::FINE_CATEGORY_IV:
      return f.category_iv_rupiah();
    case v1::FINE_CATEGORY_V:
      return f.category_v_rupiah();
    case v1::FINE_CATEGORY_VI:
      return f.category_vi_rupiah();
    case v1::FINE_CATEGORY_VII:
      return f.category_vii_rupiah();
    case v1::FINE_CATEGORY_VIII:
      return f.category_viii_rupiah();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("not a fine category: ", static_cast<int>(category)));
  }
}

const ValidReason* PolicySet::FindValidReason(const PolicyVersion& version,
                                              absl::string_view code) {
  for (const ValidReason& r : version.valid_reasons().reasons()) {
    if (r.code() == code) return &r;
  }
  return nullptr;
}

const v1::Taxonomy* PolicySet::FindTaxonomy(const PolicyVersion& version,
                                            absl::string_view name) {
  for (const v1::Taxonomy& t : version.taxonomies()) {
    if (t.name() == name) return &t;
  }
  return nullptr;
}

bool PolicySet::HasTaxonomy(const PolicyVersion& version,
                            absl::string_view name) {
  return name == kValidReasonTaxonomy || FindTaxonomy(version, name) != nullptr;
}

absl::Status PolicySet::CheckTaxonomyCode(const PolicyVersion& version,
                                          absl::string_view taxonomy,
                                          absl::string_view code) {
  if (taxonomy == kValidReasonTaxonomy) {
    if (FindValidReason(version, code) != nullptr) return absl::OkStatus();
  } else {
    const v1::Taxonomy* t = FindTaxonomy(version, taxonomy);
    if (t == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("policy version \"", version.version(),
                       "\" has no taxonomy \"", taxonomy.substr(0, 64), "\""));
    }
    for (const v1::TaxonomyCode& c : t->codes()) {
      if (c.code() == code) return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", code.substr(0, 64), "\" is not a code of taxonomy \"", taxonomy,
      "\" in policy version \"", version.version(), "\""));
}

const v1::HolidayCalendar* PolicySet::FindHolidayCalendar(
    absl::string_view name) const {
  for (const v1::HolidayCalendar& cal : policy_.holiday_calendars()) {
    if (cal.name() == name) return &cal;
  }
  return nullptr;
}

const v1::Holiday* PolicySet::FindHoliday(absl::CivilDay day) const {
  const v1::HolidayCalendar* cal =
      FindHolidayCalendar(At(day).child().holiday_calendar());
  if (cal == nullptr) return nullptr;  // Validate() guarantees it exists
  for (const v1::Holiday& h : cal->holidays()) {
    if (h.date().year() == day.year() && h.date().month() == day.month() &&
        h.date().day() == day.day()) {
      return &h;
    }
  }
  return nullptr;
}

bool PolicySet::IsChildWorkingDay(absl::CivilDay day) const {
  const v1::ChildSentence& child = At(day).child();
  // absl::Weekday is Monday = 0; the contract's Weekday is ISO, Monday = 1.
  const int iso = static_cast<int>(absl::GetWeekday(day)) + 1;
  bool listed = false;
  for (int d : child.working_days()) listed = listed || d == iso;
  return listed && FindHoliday(day) == nullptr;
}

}  // namespace ks::policy
