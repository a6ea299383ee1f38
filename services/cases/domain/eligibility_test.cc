// Eligibility rules, one test per article with boundary values (DESIGN §7).
#include "services/cases/domain/eligibility.h"

#include <algorithm>

#include "common/policy/policy.h"
#include "common/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/cases/domain/test_util.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;
using testing::AdultCase;
using testing::ChildCase;
using ::testing::Contains;
using testing::DefaultPolicy;
using testing::FineSubstituteCase;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::Today;
using testing::ViolationFields;
using testing::ViolationOf;

absl::Status Validate(const Case& c, const PolicyVersion& p = DefaultPolicy(),
                      std::vector<std::string>* warnings = nullptr) {
  return ValidateNewCase(c, p, Today(), warnings);
}

// Expects OK, or INVALID_ARGUMENT whose violation of `field` quotes `rule`.
void ExpectVerdict(const Case& c, bool ok, const std::string& field,
                   const std::string& rule,
                   const PolicyVersion& p = DefaultPolicy()) {
  const absl::Status s = Validate(c, p);
  if (ok) {
    EXPECT_TRUE(s.ok()) << s;
    return;
  }
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(ViolationOf(s, field), HasSubstr(rule)) << s;
}

TEST(Fixtures, AreValid) {
  EXPECT_TRUE(Validate(AdultCase()).ok()) << Validate(AdultCase());
  EXPECT_TRUE(Validate(ChildCase()).ok()) << Validate(ChildCase());
  EXPECT_TRUE(Validate(FineSubstituteCase()).ok())
      << Validate(FineSubstituteCase());
}

TEST(KuhpPasal85Ayat4, AdultHoursBoundaries) {
  for (const auto& [hours, ok] : std::vector<std::pair<int, bool>>{
           {7, false}, {8, true}, {240, true}, {241, false}}) {
    SCOPED_TRACE(hours);
    Case c = AdultCase();
    c.mutable_sentence()->set_hours(hours);
    ExpectVerdict(c, ok, "case_data.sentence.hours", "R5, KUHP Pasal 85(4)");
  }
}

TEST(KuhpPasal85Ayat1, ThreatBelowFiveYears) {
  for (const auto& [months, ok] :
       std::vector<std::pair<int, bool>>{{59, true}, {60, false}}) {
    SCOPED_TRACE(months);
    Case c = AdultCase();
    c.mutable_offence()->set_max_prison_threat_months(months);
    ExpectVerdict(c, ok, "case_data.offence.max_prison_threat_months",
                  "R1, KUHP Pasal 85(1)");
  }
}

TEST(KuhpPasal85Ayat1, ImposedPrisonAtMostSixMonths) {
  struct Row {
    int months, days;
    bool ok;
  };
  for (const Row& r : {Row{6, 0, true}, Row{6, 1, false}, Row{5, 30, true},
                       Row{7, 0, false}}) {
    SCOPED_TRACE(absl::StrCat(r.months, "m", r.days, "d"));
    Case c = AdultCase();
    c.mutable_sentence()->set_imposed_prison_months(r.months);
    c.mutable_sentence()->set_imposed_prison_days(r.days);
    ExpectVerdict(c, r.ok, "case_data.sentence.imposed_prison_months",
                  "R1, KUHP Pasal 85(1)");
  }
}

TEST(KuhpPasal85Ayat1, ImposedFineAtMostCategoryTwo) {
  for (const auto& [fine, ok] : std::vector<std::pair<int64_t, bool>>{
           {10000000, true}, {10000001, false}}) {
    SCOPED_TRACE(fine);
    Case c = AdultCase();
    c.mutable_sentence()->set_imposed_prison_months(0);
    c.mutable_sentence()->set_imposed_fine_rupiah(fine);
    c.mutable_sentence()->set_breach_consequence(
        v1::BREACH_CONSEQUENCE_PAY_FINE);
    ExpectVerdict(c, ok, "case_data.sentence.imposed_fine_rupiah",
                  "R1, KUHP Pasal 85(1)");
  }
}

TEST(KuhpPasal85Ayat1, AdultPrincipalNeedsPrisonOrFine) {
  Case c = AdultCase();
  c.mutable_sentence()->set_imposed_prison_months(0);
  ExpectVerdict(c, false, "case_data.sentence.imposed_prison_months",
                "R1, KUHP Pasal 85(1)");
}

TEST(KuhpPasal79, CategoryAmountsComeFromThePolicy) {
  const PolicyVersion& p = DefaultPolicy();
  const std::vector<std::pair<cv1::FineCategory, int64_t>> want = {
      {cv1::FINE_CATEGORY_I, 1000000},
      {cv1::FINE_CATEGORY_II, 10000000},
      {cv1::FINE_CATEGORY_III, 50000000},
      {cv1::FINE_CATEGORY_IV, 200000000},
      {cv1::FINE_CATEGORY_V, 500000000},
      {cv1::FINE_CATEGORY_VI, 2000000000},
      {cv1::FINE_CATEGORY_VII, 5000000000},
      {cv1::FINE_CATEGORY_VIII, 50000000000}};
  for (const auto& [cat, rupiah] : want) {
    EXPECT_EQ(*policy::PolicySet::FineCategoryMaxRupiah(p, cat), rupiah);
  }
  // A PP raising category II (Pasal 79(2)) moves the R1 limit with it.
  PolicyVersion raised = p;
  raised.mutable_fine_categories()->set_category_ii_rupiah(20000000);
  Case c = AdultCase();
  c.mutable_sentence()->set_imposed_prison_months(0);
  c.mutable_sentence()->set_imposed_fine_rupiah(15000000);
  c.mutable_sentence()->set_breach_consequence(v1::BREACH_CONSEQUENCE_PAY_FINE);
  ExpectVerdict(c, false, "case_data.sentence.imposed_fine_rupiah",
                "KUHP Pasal 79(1)");
  ExpectVerdict(c, true, "", "", raised);
}

TEST(KuhpPasal78Ayat2, FineBelowMinimumIsRefused) {
  Case c = AdultCase();
  c.mutable_sentence()->set_imposed_fine_rupiah(49999);
  ExpectVerdict(c, false, "case_data.sentence.imposed_fine_rupiah",
                "KUHP Pasal 78(2)");
  c.mutable_sentence()->set_imposed_fine_rupiah(50000);
  ExpectVerdict(c, true, "", "");
}

TEST(KuhpPasal85Ayat2HurufC, ConsentRequired) {
  Case c = AdultCase();
  c.mutable_decision()->mutable_considerations()->set_consent_given(false);
  ExpectVerdict(c, false, "case_data.decision.considerations.consent_given",
                "R3(c), KUHP Pasal 85(2)(c)");
  PolicyVersion lax = DefaultPolicy();
  lax.mutable_considerations()->set_consent_required(false);
  ExpectVerdict(c, true, "", "", lax);
  c.mutable_decision()->clear_considerations();
  ExpectVerdict(c, false, "case_data.decision.considerations",
                "KUHP Pasal 85(2)");
}

TEST(KuhpPasal85Ayat7, AdultDecisionNamesTheConsequence) {
  Case c = AdultCase();
  c.mutable_sentence()->set_breach_consequence(
      v1::BREACH_CONSEQUENCE_UNSPECIFIED);
  ExpectVerdict(c, false, "case_data.sentence.breach_consequence",
                "R8, KUHP Pasal 85(7)");
  c.mutable_sentence()->set_breach_consequence(v1::BREACH_CONSEQUENCE_PAY_FINE);
  ExpectVerdict(c, false, "case_data.sentence.breach_consequence",
                "KUHP Pasal 85(7)(c)");
}

TEST(KuhpPasal82, SubstituteHoursAtPolicyRate) {
  const PolicyVersion& p = DefaultPolicy();
  EXPECT_EQ(*SubstituteHoursForFine(400000, p), 8);      // exactly 8 h
  EXPECT_EQ(*SubstituteHoursForFine(1000000, p), 20);    // Rp50,000 = 1 h
  EXPECT_EQ(*SubstituteHoursForFine(1000001, p), 21);    // "atau kurang" = 1 h
  EXPECT_EQ(*SubstituteHoursForFine(100000, p), 8);      // minimum 8 h
  EXPECT_EQ(*SubstituteHoursForFine(10000000, p), 200);  // category II
  PolicyVersion down = p;
  down.mutable_fine_conversion()->set_rounding(cv1::HOURS_ROUNDING_DOWN);
  EXPECT_EQ(*SubstituteHoursForFine(1049999, down), 20);
  PolicyVersion cheap = p;
  cheap.mutable_fine_conversion()->set_rupiah_per_hour(10000);
  EXPECT_EQ(*SubstituteHoursForFine(10000000, cheap), 240);  // maximum 240 h
  const absl::StatusOr<int32_t> over = SubstituteHoursForFine(10000001, p);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolationOf(over.status(), "fine_rupiah"),
              HasSubstr("R10, KUHP Pasal 82"));
  EXPECT_EQ(SubstituteHoursForFine(0, p).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KuhpPasal82, PartialPaymentReducesHoursProportionally) {
  const PolicyVersion& p = DefaultPolicy();
  EXPECT_EQ(RemainingMinutesAfterPayment(20, 1000000, 0, p), 20 * 60);
  EXPECT_EQ(RemainingMinutesAfterPayment(20, 1000000, 500000, p), 10 * 60);
  // Rp1 paid leaves 19.99998 h: a started hour counts (rounding UP).
  EXPECT_EQ(RemainingMinutesAfterPayment(20, 1000000, 1, p), 20 * 60);
  PolicyVersion down = p;
  down.mutable_fine_conversion()->set_rounding(cv1::HOURS_ROUNDING_DOWN);
  EXPECT_EQ(RemainingMinutesAfterPayment(20, 1000000, 1, down), 19 * 60);
  EXPECT_EQ(RemainingMinutesAfterPayment(20, 1000000, 1000000, p), 0);
}

TEST(KuhpPasal82, RegistrationBounds) {
  // The hours follow from the fine, so each bound comes with its fine: 8 h
  // is Rp400,000 at the default rate; 240 h needs a cheaper rate, since
  // category II gives at most 200 h at Rp50,000.
  PolicyVersion cheap = DefaultPolicy();
  cheap.mutable_fine_conversion()->set_rupiah_per_hour(10000);
  struct Row {
    int hours;
    int64_t fine;
    const PolicyVersion* policy;
    bool ok;
  };
  for (const Row& r :
       {Row{7, 350000, &DefaultPolicy(), false},
        Row{8, 400000, &DefaultPolicy(), true}, Row{240, 2400000, &cheap, true},
        Row{241, 2410000, &cheap, false}}) {
    SCOPED_TRACE(r.hours);
    Case c = FineSubstituteCase();
    c.mutable_sentence()->set_hours(r.hours);
    c.mutable_fine_substitution()->set_substitute_hours(r.hours);
    c.mutable_fine_substitution()->set_fine_rupiah(r.fine);
    c.mutable_fine_substitution()->set_rupiah_per_hour(
        r.policy->fine_conversion().rupiah_per_hour());
    ExpectVerdict(c, r.ok, "case_data.fine_substitution.substitute_hours",
                  "R10, KUHP Pasal 82", *r.policy);
  }
  Case c = FineSubstituteCase();
  c.mutable_fine_substitution()->set_fine_rupiah(10000001);
  ExpectVerdict(c, false, "case_data.fine_substitution.fine_rupiah",
                "R10, KUHP Pasal 82");
  c = FineSubstituteCase();
  c.clear_fine_substitution();
  ExpectVerdict(c, false, "case_data.fine_substitution", "R10, KUHP Pasal 82");
}

TEST(KuhpPasal82, StatedHoursMustBeTheFineAtThePolicyRate) {
  // Issue #8: Rp5,000,000 stated as 99 h was accepted with a log warning.
  Case c = FineSubstituteCase();
  c.mutable_fine_substitution()->set_fine_rupiah(5000000);
  c.mutable_fine_substitution()->set_substitute_hours(99);
  c.mutable_sentence()->set_hours(99);
  std::vector<std::string> warnings;
  const absl::Status s = Validate(c, DefaultPolicy(), &warnings);
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ViolationFields(s),
            (std::vector<std::string>{"case_data.fine_substitution."
                                      "substitute_hours"}));
  EXPECT_EQ(ViolationOf(s, "case_data.fine_substitution.substitute_hours"),
            "must be 100: Rp5000000 at Rp50000 per hour, a started hour "
            "counting whole (\"Rp50.000 atau kurang\" = 1 jam), within [8, "
            "240] hours (R10, KUHP Pasal 82), got 99");
  EXPECT_THAT(warnings, IsEmpty());
  // Rp5,000,001 starts a 101st hour.
  c.mutable_fine_substitution()->set_fine_rupiah(5000001);
  EXPECT_THAT(
      ViolationOf(Validate(c), "case_data.fine_substitution.substitute_hours"),
      HasSubstr("must be 101:"));
  c.mutable_fine_substitution()->set_substitute_hours(101);
  c.mutable_sentence()->set_hours(101);
  EXPECT_TRUE(Validate(c).ok()) << Validate(c);
  // A small fine still costs the legal minimum of 8 hours.
  c.mutable_fine_substitution()->set_fine_rupiah(100000);
  c.mutable_fine_substitution()->set_substitute_hours(8);
  c.mutable_sentence()->set_hours(8);
  EXPECT_TRUE(Validate(c).ok()) << Validate(c);
}

TEST(KuhpPasal82, TheRateIsThePolicysNotTheClients) {
  Case c = FineSubstituteCase();  // Rp1,000,000 = 20 h at Rp50,000
  c.mutable_fine_substitution()->set_rupiah_per_hour(40000);
  const absl::Status s = Validate(c);
  EXPECT_EQ(ViolationFields(s),
            (std::vector<std::string>{
                "case_data.fine_substitution.rupiah_per_hour"}));
  EXPECT_EQ(ViolationOf(s, "case_data.fine_substitution.rupiah_per_hour"),
            "must be the rate of law, Rp50000 per hour (R10, KUHP Pasal 82; "
            "policy kuhp-2026-01-02), got Rp40000");
}

TEST(UuSppaPasal76, ChildHoursBoundaries) {
  for (const auto& [hours, ok] : std::vector<std::pair<int, bool>>{
           {6, false}, {7, true}, {120, true}, {121, false}}) {
    SCOPED_TRACE(hours);
    Case c = ChildCase();
    c.mutable_sentence()->set_hours(hours);
    ExpectVerdict(c, ok, "case_data.sentence.hours",
                  "R11, UU SPPA Pasal 71 and 76(3)");
  }
}

TEST(UuSppaPasal76, ChildAgeTwelveToUnderEighteenAtOffence) {
  // Born 2010-03-10.
  struct Row {
    absl::CivilDay offence;
    bool ok;
  };
  for (const Row& r : {Row{absl::CivilDay(2022, 3, 9), false},      // 11
                       Row{absl::CivilDay(2022, 3, 10), true},      // 12
                       Row{absl::CivilDay(2026, 1, 20), true},      // 15
                       Row{absl::CivilDay(2028, 3, 9), true},       // 17
                       Row{absl::CivilDay(2028, 3, 10), false}}) {  // 18
    SCOPED_TRACE(absl::FormatCivilTime(r.offence));
    Case c = ChildCase();
    *c.mutable_offence()->mutable_offence_date() = DateFromCivilDay(r.offence);
    const absl::Status s = ValidateNewCase(
        c, DefaultPolicy(), absl::CivilDay(2028, 12, 31), nullptr);
    if (r.ok) {
      EXPECT_TRUE(s.ok()) << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(ViolationOf(s, "case_data.offence.offence_date"),
                  HasSubstr("R11, UU SPPA Pasal 1(3)"));
    }
  }
  Case c = ChildCase();
  c.mutable_offence()->clear_offence_date();
  ExpectVerdict(c, false, "case_data.offence.offence_date", "is required");
}

TEST(UuSppaPasal60, ChildNeedsLitmas) {
  Case c = ChildCase();
  c.mutable_sentence()->clear_litmas();
  ExpectVerdict(c, false, "case_data.sentence.litmas",
                "R11, UU SPPA Pasal 60(3)-(4)");
  c = ChildCase();
  c.mutable_sentence()->mutable_litmas()->clear_number();
  ExpectVerdict(c, false, "case_data.sentence.litmas.number", "is required");
  // Adults: optional by default (R12), required if the policy says so.
  EXPECT_TRUE(Validate(AdultCase()).ok());
  PolicyVersion strict = DefaultPolicy();
  strict.mutable_adult()->set_litmas_required(true);
  ExpectVerdict(AdultCase(), false, "case_data.sentence.litmas",
                "R12, UU 22/2022", strict);
}

TEST(UuSppaPasal76Ayat2, ChildConsequenceIsRepeatOnly) {
  Case c = ChildCase();
  c.mutable_sentence()->set_imposed_prison_months(2);
  c.mutable_sentence()->set_breach_consequence(
      v1::BREACH_CONSEQUENCE_SERVE_PRISON);
  ExpectVerdict(c, false, "case_data.sentence.breach_consequence",
                "UU SPPA Pasal 76(2)");
  c = ChildCase();
  c.mutable_sentence()->set_basis(v1::SENTENCE_BASIS_FINE_SUBSTITUTE);
  ExpectVerdict(c, false, "case_data.sentence.basis", "R10, KUHP Pasal 82");
}

TEST(UuSppaPasal1, AdultSentenceForAMinorIsRefused) {
  Case c = AdultCase();
  *c.mutable_person()->mutable_birth_date() =
      DateFromCivilDay(absl::CivilDay(2009, 1, 1));
  c.mutable_person()->set_nik("6401010101090001");
  ExpectVerdict(c, false, "case_data.sentence.kind", "UU SPPA Pasal 1(3)");
}

TEST(Nik, SixteenDigitsRequired) {
  for (const char* bad :
       {"640101170590000", "64010117059000011", "64010117059000A1", ""}) {
    SCOPED_TRACE(bad);
    Case c = AdultCase();
    c.mutable_person()->set_nik(bad);
    const absl::Status s = Validate(c);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(ViolationOf(s, "case_data.person.nik"), HasSubstr("R13"));
    // The value itself is never echoed (personal data).
    if (bad[0] != '\0') {
      EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr(bad)));
    }
  }
  // A child without a NIK yet is accepted.
  Case child = ChildCase();
  child.mutable_person()->clear_nik();
  EXPECT_TRUE(Validate(child).ok());
}

TEST(Nik, FemaleDayPlusFortyMatches) {
  std::vector<std::string> warnings;
  EXPECT_TRUE(Validate(ChildCase(), DefaultPolicy(), &warnings).ok());
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_FALSE(WithDerivedFields(ChildCase(), DefaultPolicy())
                   .person()
                   .nik_date_mismatch());
}

TEST(Nik, DateMismatchIsAWarningOnly) {
  Case c = AdultCase();
  c.mutable_person()->set_nik("6401011805900001");  // 18-05-90, born 17-05
  std::vector<std::string> warnings;
  EXPECT_TRUE(Validate(c, DefaultPolicy(), &warnings).ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("case_data.person.nik"));
  EXPECT_TRUE(
      WithDerivedFields(c, DefaultPolicy()).person().nik_date_mismatch());
  // A man's NIK with the +40 of a woman: also a warning only.
  c.mutable_person()->set_nik("6401015705900001");
  warnings.clear();
  EXPECT_TRUE(Validate(c, DefaultPolicy(), &warnings).ok());
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(RequiredFields, EmptyCaseNamesEveryMissingField) {
  const absl::Status s = Validate(Case());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  const std::vector<std::string> fields = ViolationFields(s);
  for (const char* f : {"case_data.person", "case_data.decision",
                        "case_data.offence", "case_data.sentence"}) {
    EXPECT_THAT(fields, Contains(f));
  }
  Case c = AdultCase();
  c.mutable_person()->clear_full_name();
  c.mutable_decision()->clear_decision_number();
  c.mutable_decision()->clear_final_date();
  c.mutable_offence()->clear_article();
  c.mutable_offence()->clear_category();
  c.mutable_sentence()->clear_kind();
  const std::vector<std::string> got = ViolationFields(Validate(c));
  for (const char* f :
       {"case_data.person.full_name", "case_data.decision.decision_number",
        "case_data.decision.final_date", "case_data.offence.article",
        "case_data.offence.category", "case_data.sentence.kind"}) {
    EXPECT_THAT(got, Contains(f));
  }
}

TEST(Dates, OrderAndFuture) {
  Case c = AdultCase();
  *c.mutable_decision()->mutable_final_date() =
      DateFromCivilDay(absl::CivilDay(2026, 2, 1));
  EXPECT_THAT(ViolationOf(Validate(c), "case_data.decision.final_date"),
              HasSubstr("before"));
  c = AdultCase();
  *c.mutable_decision()->mutable_final_date() = DateFromCivilDay(Today() + 1);
  EXPECT_THAT(ViolationOf(Validate(c), "case_data.decision.final_date"),
              HasSubstr("future"));
}

TEST(KuhpPasal85Ayat5, DecisionConstraintsWithinPolicy) {
  Case c = AdultCase();
  c.mutable_sentence()->mutable_constraints()->set_span_days(181);
  ExpectVerdict(c, false, "case_data.sentence.constraints.span_days",
                "R7, KUHP Pasal 85(5)-(6)");
  c.mutable_sentence()->mutable_constraints()->set_span_days(90);
  c.mutable_sentence()->mutable_constraints()->set_max_hours_per_day(9);
  ExpectVerdict(c, false, "case_data.sentence.constraints.max_hours_per_day",
                "R6, KUHP Pasal 85(5)");
  c.mutable_sentence()->mutable_constraints()->set_max_hours_per_day(8);
  ExpectVerdict(c, true, "", "");
}

TEST(Derived, ReplacedPrisonDaysAndPolicyVersion) {
  Case c = WithDerivedFields(AdultCase(), DefaultPolicy());
  EXPECT_EQ(c.sentence().replaced_prison_days(), 90);
  EXPECT_EQ(c.sentence().policy_version(), "kuhp-2026-01-02");
  EXPECT_EQ(c.progress().owed_minutes(), 120 * 60);
  Case f = WithDerivedFields(FineSubstituteCase(), DefaultPolicy());
  EXPECT_EQ(f.fine_substitution().remaining_minutes(), 20 * 60);
  EXPECT_EQ(ReplacedFineRupiah(f), 1000000);
}

}  // namespace
}  // namespace ks::cases::domain

namespace ks::cases::domain {
namespace {

TEST(Names, BlankOrControlCharactersAreRefused) {
  for (const std::string& bad :
       {std::string("   "), std::string("Ratna\0Kusuma", 12),
        std::string("Ratna\nKusuma"), std::string("\xC2\xA0")}) {
    Case c = AdultCase();
    c.mutable_person()->set_full_name(bad);
    c.mutable_decision()->set_court_name(bad);
    const absl::Status s = Validate(c);
    ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ViolationFields(s),
              (std::vector<std::string>{"case_data.person.full_name",
                                        "case_data.decision.court_name"}));
  }
}

TEST(Names, LengthIsCountedInCharacters) {
  std::string e200, e201;
  for (int i = 0; i < 200; ++i) e200 += "\xC3\xA9";  // é, 2 bytes
  e201 = e200 + "\xC3\xA9";
  Case c = AdultCase();
  c.mutable_person()->set_full_name(e200);
  EXPECT_TRUE(Validate(c).ok()) << Validate(c);
  c.mutable_person()->set_full_name(e201);
  EXPECT_EQ(ViolationOf(Validate(c), "case_data.person.full_name"),
            "must be at most 200 characters, got 201");
  c.mutable_person()->set_full_name("Ratna \xC3\x28");
  EXPECT_EQ(ViolationOf(Validate(c), "case_data.person.full_name"),
            "must be valid UTF-8");
}

TEST(BirthDate, NotBefore1900) {
  Case c = AdultCase();
  *c.mutable_person()->mutable_birth_date() =
      DateFromCivilDay(absl::CivilDay(1800, 5, 17));
  EXPECT_EQ(ViolationOf(Validate(c), "case_data.person.birth_date"),
            "must not be before 1900-01-01, got 1800-05-17");
  *c.mutable_person()->mutable_birth_date() =
      DateFromCivilDay(absl::CivilDay(1900, 1, 1));
  EXPECT_EQ(ViolationOf(Validate(c), "case_data.person.birth_date"), "");
}

TEST(BirthDate, AtLeastTheMinimumAgeAtTheDecisionWithoutOffenceDate) {
  Case c = AdultCase();
  c.mutable_offence()->clear_offence_date();
  const google::type::Date& d = c.decision().decided_date();
  const absl::CivilDay decided(d.year(), d.month(), d.day());
  *c.mutable_person()->mutable_birth_date() =
      DateFromCivilDay(absl::CivilDay(decided.year() - 12, decided.month(),
                                      decided.day()) +
                       1);  // one day short of 12
  EXPECT_EQ(ViolationOf(Validate(c), "case_data.person.birth_date"),
            "the person must be at least 12 at the offence (R11, UU SPPA "
            "Pasal 1(3); KUHP Pasal 40), was 11 at the decision");
}

TEST(PolicyInForce, DecisionsFinalBeforeTheFirstVersionAreRefused) {
  for (const absl::CivilDay day :
       {absl::CivilDay(1970, 1, 1), absl::CivilDay(2025, 6, 1),
        absl::CivilDay(2026, 1, 1)}) {
    SCOPED_TRACE(absl::FormatCivilTime(day));
    Case c = AdultCase();
    *c.mutable_decision()->mutable_decided_date() = DateFromCivilDay(day);
    *c.mutable_decision()->mutable_final_date() = DateFromCivilDay(day);
    c.mutable_offence()->clear_offence_date();
    *c.mutable_person()->mutable_birth_date() =
        DateFromCivilDay(absl::CivilDay(1950, 1, 1));
    const absl::Status s = Validate(c);
    EXPECT_EQ(ViolationFields(s),
              (std::vector<std::string>{"case_data.decision.final_date"}));
    EXPECT_EQ(ViolationOf(s, "case_data.decision.final_date"),
              absl::StrCat("must not be before 2026-01-02, when the first "
                           "policy version (\"kuhp-2026-01-02\") took "
                           "effect: no policy version covers a decision final "
                           "on ",
                           absl::FormatCivilTime(day)));
  }
  Case c = AdultCase();
  *c.mutable_decision()->mutable_decided_date() =
      DateFromCivilDay(absl::CivilDay(2026, 1, 2));
  *c.mutable_decision()->mutable_final_date() =
      DateFromCivilDay(absl::CivilDay(2026, 1, 2));
  c.mutable_offence()->clear_offence_date();
  EXPECT_TRUE(Validate(c).ok()) << Validate(c);
}

TEST(PolicyInForce, AnOlderVersionInThePolicyCoversItsDates) {
  // A deployment whose policy carries a version from 2020: PolicySet::At
  // hands that version to a 2025 decision, which is then in force.
  PolicyVersion older = DefaultPolicy();
  *older.mutable_effective_from() =
      DateFromCivilDay(absl::CivilDay(2020, 1, 1));
  older.set_version("older-2020");
  Case c = AdultCase();
  *c.mutable_decision()->mutable_decided_date() =
      DateFromCivilDay(absl::CivilDay(2025, 6, 1));
  *c.mutable_decision()->mutable_final_date() =
      DateFromCivilDay(absl::CivilDay(2025, 6, 1));
  c.mutable_offence()->clear_offence_date();
  EXPECT_TRUE(Validate(c, older).ok()) << Validate(c, older);
}

}  // namespace
}  // namespace ks::cases::domain
