#include "common/policy/policy.h"

#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status/rich_status.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace ks::policy {
namespace {

namespace v1 = ::kerjasosial::common::v1;

// The violations (field, description) of an INVALID_ARGUMENT status.
std::vector<std::pair<std::string, std::string>> Violations(
    const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> out;
  const google::rpc::Status rpc = ToRpcStatus(status);
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) {
      out.emplace_back(v.field(), v.description());
    }
  }
  return out;
}

Policy DefaultProto() {
  absl::StatusOr<PolicySet> set = PolicySet::Default();
  EXPECT_TRUE(set.ok()) << set.status();
  return set->policy();
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string ToText(const Policy& policy) {
  std::string text;
  EXPECT_TRUE(google::protobuf::TextFormat::PrintToString(policy, &text));
  return text;
}

// The defaults must equal DESIGN.md §7 (and LEGAL.md). This test and
// data/policy/default.textproto are the only places these numbers appear.
TEST(DefaultPolicyTest, EqualsDesignTable) {
  absl::StatusOr<PolicySet> set = PolicySet::Default();
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->policy().versions_size(), 1);
  EXPECT_EQ(set->policy().default_time_zone(), "Asia/Jakarta");
  const PolicyVersion& v = set->policy().versions(0);
  EXPECT_EQ(v.version(), "kuhp-2026-01-02");
  EXPECT_EQ(v.effective_from().year(), 2026);
  EXPECT_EQ(v.effective_from().month(), 1);
  EXPECT_EQ(v.effective_from().day(), 2);

  // R1: threat < 5 years; prison <= 6 months or fine <= category II.
  EXPECT_EQ(v.eligibility().threat_months_exclusive_max(), 5 * 12);
  EXPECT_EQ(v.eligibility().imposed_prison_months_max(), 6);
  EXPECT_EQ(v.eligibility().days_per_bulan(), 30);  // KUHP: 1 Bulan = 30 Hari
  EXPECT_EQ(v.eligibility().imposed_fine_category_max(), v1::FINE_CATEGORY_II);

  // R2: KUHP Pasal 79(1); minimum fine Pasal 78(2).
  const v1::FineCategoryAmounts& f = v.fine_categories();
  EXPECT_EQ(f.minimum_rupiah(), 50'000);
  EXPECT_EQ(f.category_i_rupiah(), 1'000'000);
  EXPECT_EQ(f.category_ii_rupiah(), 10'000'000);
  EXPECT_EQ(f.category_iii_rupiah(), 50'000'000);
  EXPECT_EQ(f.category_iv_rupiah(), 200'000'000);
  EXPECT_EQ(f.category_v_rupiah(), 500'000'000);
  EXPECT_EQ(f.category_vi_rupiah(), 2'000'000'000);
  EXPECT_EQ(f.category_vii_rupiah(), 5'000'000'000);
  EXPECT_EQ(f.category_viii_rupiah(), 50'000'000'000);
  EXPECT_EQ(*PolicySet::FineCategoryMaxRupiah(v, v1::FINE_CATEGORY_II),
            10'000'000);
  EXPECT_EQ(*PolicySet::FineCategoryMaxRupiah(v, v1::FINE_CATEGORY_VIII),
            50'000'000'000);
  EXPECT_EQ(PolicySet::FineCategoryMaxRupiah(v, v1::FINE_CATEGORY_UNSPECIFIED)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);

  // R3: consent (c) required. R4: non-commercial and non-degrading.
  EXPECT_TRUE(v.considerations().consent_required());
  EXPECT_TRUE(v.activity().non_commercial_attestation_required());
  EXPECT_TRUE(v.activity().non_degrading_attestation_required());

  // R5 8..240 h; R6 8 h per Hari, ROLLING_24H; R7 6 Bulan = 180 days;
  // R12 adult Litmas optional.
  EXPECT_EQ(v.adult().min_hours(), 8);
  EXPECT_EQ(v.adult().max_hours(), 240);
  EXPECT_EQ(v.adult().max_hours_per_day(), 8);
  EXPECT_EQ(v.adult().day_rule(), v1::DAY_RULE_ROLLING_24H);
  EXPECT_EQ(v.adult().span_unit(), v1::SPAN_UNIT_DAYS);
  EXPECT_EQ(v.adult().span_days(), 180);
  EXPECT_EQ(v.adult().span_months(), 6);
  EXPECT_EQ(v.adult().span_starts_at(), v1::SPAN_START_EXECUTION_ORDER);
  EXPECT_FALSE(v.adult().litmas_required());

  // R7: what the decision may fix becomes a scheduling constraint.
  EXPECT_TRUE(v.decision().may_fix_span());
  EXPECT_TRUE(v.decision().may_fix_hours_per_day());
  EXPECT_TRUE(v.decision().may_fix_days_per_week());
  EXPECT_TRUE(v.decision().may_fix_site());
  EXPECT_TRUE(v.decision().may_fix_activity());

  // R8: a taxonomy of valid reasons.
  EXPECT_EQ(v.valid_reasons().reasons_size(), 8);
  ASSERT_NE(PolicySet::FindValidReason(v, "illness"), nullptr);
  EXPECT_EQ(PolicySet::FindValidReason(v, "holiday"), nullptr);

  // R10: Rp50,000 = 1 hour, any remainder a whole hour, 8..240 h, fines up to
  // category II.
  EXPECT_EQ(v.fine_conversion().rupiah_per_hour(), 50'000);
  EXPECT_EQ(v.fine_conversion().rounding(), v1::HOURS_ROUNDING_UP);
  EXPECT_EQ(v.fine_conversion().min_hours(), 8);
  EXPECT_EQ(v.fine_conversion().max_hours(), 240);
  EXPECT_EQ(v.fine_conversion().fine_category_max(), v1::FINE_CATEGORY_II);

  // R11: child 12 to < 18, 7..120 h, Litmas required, 3 h per working day
  // outside school hours.
  EXPECT_EQ(v.child().min_age_years(), 12);
  EXPECT_EQ(v.child().max_age_years_exclusive(), 18);
  EXPECT_EQ(v.child().min_hours(), 7);
  EXPECT_EQ(v.child().max_hours(), 120);
  EXPECT_TRUE(v.child().litmas_required());
  EXPECT_EQ(v.child().max_hours_per_day(), 3);
  EXPECT_TRUE(v.child().working_days_only());
  EXPECT_TRUE(v.child().outside_school_hours_only());

  // Reporting monthly; agreements valid 2 years, evaluated yearly.
  EXPECT_EQ(v.reporting().default_period(), v1::REPORTING_PERIOD_MONTHLY);
  EXPECT_EQ(v.reporting().agreement_validity_months(), 24);
  EXPECT_EQ(v.reporting().agreement_evaluation_months(), 12);

  EXPECT_EQ(v.operations().session_clock_skew_seconds(), 300);
  EXPECT_EQ(v.operations().idempotency_retention_hours(), 7 * 24);
}

// Two versions: the second (a hypothetical PP raising category II) takes
// effect on 2027-01-01.
class TwoVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Policy policy = DefaultProto();
    PolicyVersion* next = policy.add_versions();
    *next = policy.versions(0);
    next->set_version("pp-2027");
    next->mutable_effective_from()->set_year(2027);
    next->mutable_effective_from()->set_month(1);
    next->mutable_effective_from()->set_day(1);
    next->mutable_fine_categories()->set_category_ii_rupiah(12'000'000);
    next->mutable_adult()->set_day_rule(v1::DAY_RULE_CALENDAR_DAY);
    const std::string path =
        WriteFile("two_versions.textproto", ToText(policy));
    absl::StatusOr<PolicySet> set = PolicySet::LoadFile(path);
    ASSERT_TRUE(set.ok()) << set.status();
    set_.emplace(*std::move(set));
  }
  std::optional<PolicySet> set_;
};

TEST_F(TwoVersionTest, PicksVersionByDay) {
  EXPECT_EQ(set_->At(absl::CivilDay(2026, 12, 31)).version(),
            "kuhp-2026-01-02");
  EXPECT_EQ(set_->At(absl::CivilDay(2027, 1, 1)).version(), "pp-2027");
  EXPECT_EQ(set_->At(absl::CivilDay(2030, 6, 1)).version(), "pp-2027");
  EXPECT_EQ(set_->At(absl::CivilDay(2026, 1, 2)).version(), "kuhp-2026-01-02");
  // Before the first version: the first version (documented).
  EXPECT_EQ(set_->At(absl::CivilDay(2020, 1, 1)).version(), "kuhp-2026-01-02");
  EXPECT_EQ(set_->At(absl::CivilDay(2027, 1, 1))
                .fine_categories()
                .category_ii_rupiah(),
            12'000'000);
}

TEST_F(TwoVersionTest, BoundaryFollowsTheLocalDate) {
  absl::TimeZone wib, wit;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Jakarta", &wib));
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Jayapura", &wit));
  // 2026-12-31 16:30 UTC: 23:30 on 31 December in WIB, 01:30 on 1 January in
  // WIT — the new version is in force in Papua, not yet in Jakarta.
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2026, 12, 31, 16, 30, 0),
                                  absl::UTCTimeZone()));
  EXPECT_EQ(set_->Current(clock, wib).version(), "kuhp-2026-01-02");
  EXPECT_EQ(set_->Current(clock, wit).version(), "pp-2027");
  EXPECT_EQ(set_->Current(clock).version(), "kuhp-2026-01-02");  // WIB default
  clock.Advance(absl::Minutes(30));  // 00:00 WIB on 1 January
  EXPECT_EQ(set_->Current(clock).version(), "pp-2027");
  EXPECT_EQ(set_->At(clock.Now() - absl::Nanoseconds(1), wib).version(),
            "kuhp-2026-01-02");
}

TEST(PolicyLoadTest, MissingFileIsNotFound) {
  EXPECT_EQ(
      PolicySet::LoadFile("/nonexistent/policy.textproto").status().code(),
      absl::StatusCode::kNotFound);
}

TEST(PolicyLoadTest, SyntaxErrorNamesLine) {
  const std::string path =
      WriteFile("typo.textproto",
                "default_time_zone: \"Asia/Jakarta\"\nversions {\n  adult { "
                "min_hourz: 8 }\n}\n");
  absl::StatusOr<PolicySet> set = PolicySet::LoadFile(path);
  ASSERT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(set.status().message().find(path + ":3:"), std::string::npos)
      << set.status();
  EXPECT_NE(set.status().message().find("min_hourz"), std::string::npos)
      << set.status();
}

TEST(PolicyValidateTest, MinAboveMaxNamesFieldAndVersion) {
  Policy policy = DefaultProto();
  policy.mutable_versions(0)->mutable_adult()->set_min_hours(300);
  absl::StatusOr<PolicySet> set = PolicySet::FromProto(policy);
  ASSERT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  const auto violations = Violations(set.status());
  ASSERT_EQ(violations.size(), 1u) << set.status();
  EXPECT_EQ(violations[0].first, "versions[0].adult.min_hours");
  EXPECT_EQ(violations[0].second,
            "version \"kuhp-2026-01-02\": must be in [1, 240], got 300");
}

TEST(PolicyValidateTest, UnsortedAndDuplicateVersions) {
  Policy policy = DefaultProto();
  PolicyVersion earlier = policy.versions(0);
  earlier.set_version("older");
  earlier.mutable_effective_from()->set_year(2025);
  *policy.add_versions() = earlier;  // versions[1] before versions[0]
  PolicyVersion same_day = policy.versions(1);
  same_day.set_version("kuhp-2026-01-02");  // label of versions[0]
  *policy.add_versions() = same_day;        // same date as versions[1]
  const auto violations = Violations(PolicySet::Validate(policy));
  ASSERT_EQ(violations.size(), 3u);
  EXPECT_EQ(violations[0].first, "versions[1].effective_from");
  EXPECT_EQ(violations[0].second,
            "version \"older\": versions must be sorted by date: 2025-01-02 is "
            "before versions[0] (2026-01-02)");
  EXPECT_EQ(violations[1].first, "versions[2].version");
  EXPECT_EQ(violations[1].second,
            "version \"kuhp-2026-01-02\": duplicates the label of versions[0]");
  EXPECT_EQ(violations[2].first, "versions[2].effective_from");
  EXPECT_EQ(violations[2].second,
            "version \"kuhp-2026-01-02\": 2025-01-02 duplicates the date of "
            "versions[1]");
}

TEST(PolicyValidateTest, EveryBadFieldIsNamed) {
  Policy policy = DefaultProto();
  policy.set_default_time_zone("Asia/Atlantis");
  PolicyVersion* v = policy.mutable_versions(0);
  v->mutable_effective_from()->set_day(30);
  v->mutable_effective_from()->set_month(2);
  v->mutable_fine_categories()->set_category_iii_rupiah(10'000'000);
  v->mutable_adult()->set_day_rule(v1::DAY_RULE_UNSPECIFIED);
  v->mutable_adult()->set_max_hours_per_day(25);
  v->mutable_valid_reasons()->mutable_reasons(1)->set_code("illness");
  v->mutable_valid_reasons()->mutable_reasons(2)->set_code("Bad Code");
  v->mutable_fine_conversion()->set_rupiah_per_hour(0);
  v->mutable_child()->set_min_age_years(18);
  v->clear_operations();
  const auto violations = Violations(PolicySet::Validate(policy));
  std::vector<std::string> fields;
  for (const auto& [field, why] : violations) fields.push_back(field);
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "default_time_zone",
                        "versions[0].effective_from",
                        "versions[0].fine_categories.category_iii_rupiah",
                        "versions[0].adult.max_hours_per_day",
                        "versions[0].adult.day_rule",
                        "versions[0].valid_reasons.reasons[1].code",
                        "versions[0].valid_reasons.reasons[2].code",
                        "versions[0].fine_conversion.rupiah_per_hour",
                        "versions[0].child.min_age_years",
                        "versions[0].operations",
                    }));
  ASSERT_EQ(violations.size(), 10u);
  EXPECT_EQ(violations[2].second,
            "version \"kuhp-2026-01-02\": must be greater than "
            "category_ii_rupiah (10000000), got 10000000");
  EXPECT_EQ(violations[5].second,
            "version \"kuhp-2026-01-02\": duplicates reasons[0] \"illness\"");
  EXPECT_EQ(violations[9].second, "version \"kuhp-2026-01-02\": is required");
}

// Every taxonomy the contracts name (proto/lint_test.py checks the field
// options against the same file) resolves, with its codes, through one
// generic check.
TEST(DefaultPolicyTest, TaxonomiesResolveCodes) {
  absl::StatusOr<PolicySet> set = PolicySet::Default();
  ASSERT_TRUE(set.ok()) << set.status();
  const PolicyVersion& v = set->policy().versions(0);
  for (const char* name :
       {"offence_category", "breach_reason", "transfer_reason",
        "cancellation_reason", "site_state_reason",
        "placement_suspension_reason", "session_void_reason",
        "referral_withdrawal_reason", "violation_kind", "violation_resolution",
        "guidance_non_attendance", "valid_reason"}) {
    EXPECT_TRUE(PolicySet::HasTaxonomy(v, name)) << name;
  }
  EXPECT_TRUE(
      PolicySet::CheckTaxonomyCode(v, "breach_reason", "false_attendance")
          .ok());
  EXPECT_TRUE(PolicySet::CheckTaxonomyCode(v, "valid_reason", "illness").ok());
  const absl::Status bad =
      PolicySet::CheckTaxonomyCode(v, "transfer_reason", "illness");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(),
            "\"illness\" is not a code of taxonomy \"transfer_reason\" in "
            "policy version \"kuhp-2026-01-02\"");
  EXPECT_EQ(PolicySet::CheckTaxonomyCode(v, "no_such", "x").code(),
            absl::StatusCode::kNotFound);
  const Taxonomy* offence = PolicySet::FindTaxonomy(v, "offence_category");
  ASSERT_NE(offence, nullptr);
  EXPECT_EQ(offence->codes(0).code(), "theft");
  EXPECT_EQ(offence->codes(0).label_id(), "Pencurian ringan");
  EXPECT_EQ(offence->codes(0).label_en(), "Petty theft");
}

TEST(DefaultPolicyTest, LadderFiguresRetentionAndChildSchedule) {
  absl::StatusOr<PolicySet> set = PolicySet::Default();
  ASSERT_TRUE(set.ok()) << set.status();
  const PolicyVersion& v = set->policy().versions(0);
  EXPECT_EQ(v.warnings().steps(), 3);
  EXPECT_EQ(v.warnings().respond_by_days(), 7);
  EXPECT_EQ(v.public_figures().min_cell_size(), 10);
  EXPECT_EQ(v.operations().idempotency_retention_hours(), 168);
  EXPECT_EQ(v.operations().feed_retention_max_age_days(), 90);
  EXPECT_EQ(v.child().span_unit(), v1::SPAN_UNIT_DAYS);
  EXPECT_EQ(v.child().span_days(), 180);
  EXPECT_EQ(v.child().span_starts_at(), v1::SPAN_START_EXECUTION_ORDER);
  EXPECT_EQ(v.child().school_hours().start_minute(), 7 * 60);
  EXPECT_EQ(v.child().school_hours().end_minute(), 15 * 60);
  EXPECT_EQ(v.child().working_days_size(), 5);
  EXPECT_EQ(v.child().holiday_calendar(), "id-national");
}

// The 2026 SKB: 17 national holidays and 8 days of cuti bersama; 2027 holds
// only the dates that are fixed or estimated, the estimates provisional.
TEST(HolidayCalendarTest, SkbDaysAreNotChildWorkingDays) {
  absl::StatusOr<PolicySet> set = PolicySet::Default();
  ASSERT_TRUE(set.ok()) << set.status();
  const HolidayCalendar* cal = set->FindHolidayCalendar("id-national");
  ASSERT_NE(cal, nullptr);
  int national_2026 = 0, cuti_2026 = 0;
  for (const Holiday& h : cal->holidays()) {
    if (h.date().year() != 2026) continue;
    EXPECT_FALSE(h.provisional()) << h.name_en();
    (h.kind() == v1::HOLIDAY_KIND_NATIONAL ? national_2026 : cuti_2026)++;
  }
  EXPECT_EQ(national_2026, 17);
  EXPECT_EQ(cuti_2026, 8);

  const Holiday* nyepi = set->FindHoliday(absl::CivilDay(2026, 3, 19));
  ASSERT_NE(nyepi, nullptr);
  EXPECT_EQ(nyepi->kind(), v1::HOLIDAY_KIND_NATIONAL);
  EXPECT_FALSE(set->IsChildWorkingDay(absl::CivilDay(2026, 3, 19)));  // Thu
  EXPECT_FALSE(set->IsChildWorkingDay(absl::CivilDay(2026, 3, 18)));  // cuti
  EXPECT_FALSE(set->IsChildWorkingDay(absl::CivilDay(2026, 3, 28)));  // Sat
  EXPECT_TRUE(set->IsChildWorkingDay(absl::CivilDay(2026, 3, 25)));   // Wed
  EXPECT_TRUE(set->IsChildWorkingDay(absl::CivilDay(2026, 1, 2)));    // Fri

  const Holiday* eid_2027 = set->FindHoliday(absl::CivilDay(2027, 3, 10));
  ASSERT_NE(eid_2027, nullptr);
  EXPECT_TRUE(eid_2027->provisional());
  const Holiday* christmas_2027 =
      set->FindHoliday(absl::CivilDay(2027, 12, 25));
  ASSERT_NE(christmas_2027, nullptr);
  EXPECT_FALSE(christmas_2027->provisional());
}

TEST(PolicyValidateTest, TaxonomyCalendarAndScheduleFaultsAreNamed) {
  Policy policy = DefaultProto();
  v1::HolidayCalendar* cal = policy.mutable_holiday_calendars(0);
  cal->mutable_holidays(1)->mutable_date()->set_month(1);
  cal->mutable_holidays(1)->mutable_date()->set_day(1);  // repeats [0]
  PolicyVersion* v = policy.mutable_versions(0);
  v->mutable_taxonomies(0)->set_name("valid_reason");
  v->mutable_taxonomies(1)->mutable_codes(1)->set_code(
      v->taxonomies(1).codes(0).code());
  v->mutable_taxonomies(2)->mutable_codes(0)->clear_label_en();
  v->mutable_child()->set_holiday_calendar("nowhere");
  v->mutable_child()->mutable_school_hours()->set_end_minute(60);
  v->mutable_warnings()->set_steps(0);
  const auto violations = Violations(PolicySet::Validate(policy));
  std::vector<std::string> fields;
  for (const auto& [field, why] : violations) fields.push_back(field);
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "holiday_calendars[0].holidays[1].date",
                        "versions[0].child.school_hours.end_minute",
                        "versions[0].child.holiday_calendar",
                        "versions[0].taxonomies[0].name",
                        "versions[0].taxonomies[1].codes[1].code",
                        "versions[0].taxonomies[2].codes[0].label_en",
                        "versions[0].warnings.steps",
                    }));
  ASSERT_EQ(violations.size(), 7u);
  EXPECT_EQ(violations[2].second,
            "version \"kuhp-2026-01-02\": names no holiday_calendars entry: "
            "\"nowhere\"");
  EXPECT_EQ(violations[3].second,
            "version \"kuhp-2026-01-02\": \"valid_reason\" is reserved for "
            "valid_reasons");
}

TEST(PolicyValidateTest, EmptyPolicyRejected) {
  const auto violations = Violations(PolicySet::Validate(Policy()));
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].first, "default_time_zone");
  EXPECT_EQ(violations[1].first, "versions");
}

}  // namespace
}  // namespace ks::policy
