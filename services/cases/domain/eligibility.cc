#include "services/cases/domain/eligibility.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/policy/policy.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "services/cases/domain/citations.h"
#include "services/cases/domain/internal.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;

// Lengths from the field comments of resources.proto (not law).
constexpr size_t kMaxNameLength = 200;
constexpr size_t kMaxAddressLength = 500;
constexpr size_t kMaxFreeTextLength = 200;
constexpr size_t kMaxNumberLength = 100;
constexpr int kMaxDaysPerWeek = 7;
constexpr int kMinE164Digits = 8;
constexpr int kMaxE164Digits = 15;
// Not law: a sanity bound on birth dates. Nobody born earlier is alive to be
// sentenced, and an 1800 date is a typing error that would corrupt ages.
constexpr absl::CivilDay kEarliestBirthDay(1900, 1, 1);

std::string F(absl::string_view path) {
  return absl::StrCat(kCaseField, ".", path);
}

// A name or number on one line: valid UTF-8, at most `max` code points, no
// control character (NUL), not only white space.
void CheckName(Validator& v, absl::string_view path, absl::string_view value,
               size_t max, bool required) {
  v.Name(F(path), value, max, required);
}

// Free text: as CheckName, but line breaks are allowed.
void CheckText(Validator& v, absl::string_view path, absl::string_view value,
               size_t max, bool required) {
  v.Text(F(path), value, max, required);
}

std::string DateText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

bool IsE164(absl::string_view phone) {
  if (phone.size() < 2 || phone[0] != '+' || phone[1] == '0') return false;
  const absl::string_view digits = phone.substr(1);
  if (static_cast<int>(digits.size()) < kMinE164Digits ||
      static_cast<int>(digits.size()) > kMaxE164Digits) {
    return false;
  }
  return std::all_of(digits.begin(), digits.end(), [](char ch) {
    return absl::ascii_isdigit(static_cast<unsigned char>(ch));
  });
}

// A date field: required and valid; returns the day if valid.
std::optional<absl::CivilDay> CheckDate(Validator& v, absl::string_view path,
                                        bool present,
                                        const google::type::Date& d,
                                        bool required) {
  if (!present) {
    if (required) v.AddViolation(F(path), "is required");
    return std::nullopt;
  }
  if (!v.Date(F(path), d)) return std::nullopt;
  return internal::Day(d);
}

void CheckNotFuture(Validator& v, absl::string_view path,
                    std::optional<absl::CivilDay> day, absl::CivilDay today) {
  if (day.has_value() && *day > today) {
    v.AddViolation(F(path), "must not be in the future");
  }
}

void CheckPerson(Validator& v, const v1::Case& c, absl::CivilDay today,
                 bool is_child) {
  if (!c.has_person()) {
    v.AddViolation(F("person"), "is required");
    return;
  }
  const v1::Person& p = c.person();
  CheckName(v, "person.full_name", p.full_name(), kMaxNameLength, true);
  const std::optional<absl::CivilDay> birth = CheckDate(
      v, "person.birth_date", p.has_birth_date(), p.birth_date(), true);
  CheckNotFuture(v, "person.birth_date", birth, today);
  if (birth.has_value() && *birth < kEarliestBirthDay) {
    v.AddViolation(
        F("person.birth_date"),
        absl::StrCat("must not be before ", DateText(kEarliestBirthDay),
                     ", got ", DateText(*birth)));
  }
  if (p.nik().empty()) {
    // A child may not have a NIK yet (resources.proto, Person.nik).
    if (!is_child) v.AddViolation(F("person.nik"), "is required (R13)");
  } else {
    std::optional<bool> female;
    if (p.sex() == v1::SEX_FEMALE) female = true;
    if (p.sex() == v1::SEX_MALE) female = false;
    v.Nik(F("person.nik"), p.nik(),
          p.has_birth_date() ? &p.birth_date() : nullptr, female);
  }
  CheckText(v, "person.address", p.address(), kMaxAddressLength, false);
  CheckText(v, "person.livelihood", p.livelihood(), kMaxFreeTextLength, false);
  if (!p.phone_number().empty() && !IsE164(p.phone_number())) {
    v.AddViolation(F("person.phone_number"),
                   "must be in E.164 form, e.g. \"+6281234567890\"");
  }
}

void CheckDecision(Validator& v, const v1::Case& c, const PolicyVersion& policy,
                   absl::CivilDay today) {
  if (!c.has_decision()) {
    v.AddViolation(F("decision"), "is required");
    return;
  }
  const v1::CourtDecision& d = c.decision();
  CheckName(v, "decision.court_name", d.court_name(), kMaxNameLength, true);
  CheckName(v, "decision.decision_number", d.decision_number(),
            kMaxNumberLength, true);
  const std::optional<absl::CivilDay> decided = CheckDate(
      v, "decision.decided_date", d.has_decided_date(), d.decided_date(), true);
  const std::optional<absl::CivilDay> final_day = CheckDate(
      v, "decision.final_date", d.has_final_date(), d.final_date(), true);
  CheckNotFuture(v, "decision.decided_date", decided, today);
  CheckNotFuture(v, "decision.final_date", final_day, today);
  if (decided.has_value() && final_day.has_value() && *final_day < *decided) {
    v.AddViolation(F("decision.final_date"),
                   "must not be before decision.decided_date");
  }
  // `policy` is the version in force on the final date, or the first one
  // when the date precedes every version (PolicySet::At). A policy that
  // carries a version for the date never gets here; without one, the
  // system holds no law for the decision and must not apply later law.
  if (final_day.has_value() && policy.has_effective_from() &&
      IsValidDate(policy.effective_from()) &&
      *final_day < internal::Day(policy.effective_from())) {
    v.AddViolation(
        F("decision.final_date"),
        absl::StrCat("must not be before ",
                     DateText(internal::Day(policy.effective_from())),
                     ", when the first policy version (\"", policy.version(),
                     "\") took effect: no policy version covers a decision "
                     "final on ",
                     DateText(*final_day)));
  }
  if (!d.has_considerations()) {
    v.AddViolation(F("decision.considerations"),
                   absl::StrCat("is required (", cite::kR3, ")"));
    return;
  }
  const v1::JudgeConsiderations& k = d.considerations();
  if (policy.considerations().consent_required() && !k.consent_given()) {
    v.AddViolation(F("decision.considerations.consent_given"),
                   absl::StrCat("the convict's consent after explanation must "
                                "be recorded as given (",
                                cite::kR3c, ")"));
  }
  if (policy.considerations().all_considerations_recorded()) {
    const std::pair<const char*, bool> all[] = {
        {"admission_considered", k.admission_considered()},
        {"work_ability_considered", k.work_ability_considered()},
        {"social_history_considered", k.social_history_considered()},
        {"work_safety_considered", k.work_safety_considered()},
        {"religion_belief_politics_considered",
         k.religion_belief_politics_considered()},
        {"ability_to_pay_considered", k.ability_to_pay_considered()},
    };
    for (const auto& [name, given] : all) {
      if (!given) {
        v.AddViolation(F(absl::StrCat("decision.considerations.", name)),
                       absl::StrCat("must be recorded (policy requires every "
                                    "consideration, ",
                                    cite::kR3, ")"));
      }
    }
  }
}

void CheckOffence(Validator& v, const v1::Case& c, const PolicyVersion& policy,
                  absl::CivilDay today, bool is_child) {
  if (!c.has_offence()) {
    v.AddViolation(F("offence"), "is required");
    return;
  }
  const v1::Offence& o = c.offence();
  CheckName(v, "offence.article", o.article(), kMaxNameLength, true);
  if (o.category().empty()) {
    v.AddViolation(F("offence.category"), "is required");
  } else if (!internal::IsTaxonomyCode(o.category())) {
    v.AddViolation(F("offence.category"),
                   "must match [a-z][a-z0-9_]*, at most 64 characters");
  }
  if (o.max_prison_threat_months() <= 0) {
    v.AddViolation(F("offence.max_prison_threat_months"),
                   absl::StrCat("is required: a positive number of months (",
                                cite::kR1, ")"));
  } else if (!is_child &&
             o.max_prison_threat_months() >=
                 policy.eligibility().threat_months_exclusive_max()) {
    v.AddViolation(
        F("offence.max_prison_threat_months"),
        absl::StrCat("the offence's maximum prison threat must be less than ",
                     policy.eligibility().threat_months_exclusive_max(),
                     " months (", cite::kR1, "), got ",
                     o.max_prison_threat_months()));
  }
  const std::optional<absl::CivilDay> offence_day =
      CheckDate(v, "offence.offence_date", o.has_offence_date(),
                o.offence_date(), is_child);
  CheckNotFuture(v, "offence.offence_date", offence_day, today);
  if (!c.person().has_birth_date() || !IsValidDate(c.person().birth_date())) {
    return;
  }
  const auto& child = policy.child();
  if (!offence_day.has_value()) {
    // An adult's offence date is optional. The offence preceded the
    // decision, so a person below the minimum age at the decision was below
    // it at the offence too.
    const google::type::Date& decided = c.decision().decided_date();
    if (!c.decision().has_decided_date() || !IsValidDate(decided)) return;
    const int age_at_decision = AgeInYears(
        internal::Day(c.person().birth_date()), internal::Day(decided));
    if (age_at_decision < child.min_age_years()) {
      v.AddViolation(
          F("person.birth_date"),
          absl::StrCat("the person must be at least ", child.min_age_years(),
                       " at the offence (", cite::kR11MinAge, "), was ",
                       age_at_decision, " at the decision"));
    }
    return;
  }
  const int age =
      AgeInYears(internal::Day(c.person().birth_date()), *offence_day);
  if (is_child) {
    if (age < child.min_age_years() || age >= child.max_age_years_exclusive()) {
      v.AddViolation(
          F("offence.offence_date"),
          absl::StrCat("a child must be aged ", child.min_age_years(),
                       " to under ", child.max_age_years_exclusive(),
                       " at the offence (", cite::kR11Age, "), was ", age));
    }
  } else if (age < child.max_age_years_exclusive()) {
    v.AddViolation(F("sentence.kind"),
                   absl::StrCat("the person was ", age,
                                " at the offence: a child's sentence is "
                                "CHILD_PELAYANAN_MASYARAKAT (",
                                cite::kR11Age, ")"));
  }
}

void CheckLitmas(Validator& v, const v1::Sentence& s, bool required,
                 absl::string_view rule, absl::CivilDay today) {
  if (!s.has_litmas()) {
    if (required) {
      v.AddViolation(F("sentence.litmas"),
                     absl::StrCat("is required (", rule, ")"));
    }
    return;
  }
  CheckName(v, "sentence.litmas.number", s.litmas().number(), kMaxNumberLength,
            true);
  const std::optional<absl::CivilDay> day =
      CheckDate(v, "sentence.litmas.date", s.litmas().has_date(),
                s.litmas().date(), true);
  CheckNotFuture(v, "sentence.litmas.date", day, today);
}

void CheckConstraints(Validator& v, const v1::Sentence& s,
                      const PolicyVersion& policy, bool is_child) {
  if (!s.has_constraints()) return;
  const v1::ScheduleConstraints& k = s.constraints();
  const auto& may = policy.decision();
  const auto fixed_not_allowed = [&](absl::string_view path) {
    v.AddViolation(F(path), absl::StrCat("the policy does not let the decision "
                                         "fix it (",
                                         cite::kR7, ")"));
  };
  if (k.span_days() != 0 || k.span_months() != 0) {
    if (!may.may_fix_span()) {
      fixed_not_allowed(k.span_days() != 0
                            ? "sentence.constraints.span_days"
                            : "sentence.constraints.span_months");
    } else if (k.span_days() != 0 && k.span_months() != 0) {
      v.AddViolation(F("sentence.constraints.span_months"),
                     "at most one of span_days and span_months may be set");
    } else if (k.span_days() != 0) {
      v.InRange(F("sentence.constraints.span_days"), k.span_days(), 1,
                policy.adult().span_days(), cite::kR7);
    } else {
      v.InRange(F("sentence.constraints.span_months"), k.span_months(), 1,
                policy.adult().span_months(), cite::kR7);
    }
  }
  if (k.max_days_per_week() != 0) {
    if (!may.may_fix_days_per_week()) {
      fixed_not_allowed("sentence.constraints.max_days_per_week");
    } else {
      v.InRange(F("sentence.constraints.max_days_per_week"),
                k.max_days_per_week(), 1, kMaxDaysPerWeek, cite::kR7);
    }
  }
  if (k.max_hours_per_day() != 0) {
    if (!may.may_fix_hours_per_day()) {
      fixed_not_allowed("sentence.constraints.max_hours_per_day");
    } else {
      v.InRange(
          F("sentence.constraints.max_hours_per_day"), k.max_hours_per_day(), 1,
          is_child ? policy.child().max_hours_per_day()
                   : policy.adult().max_hours_per_day(),
          is_child ? "R11, PP 58/2022 Pasal 19(5)" : "R6, KUHP Pasal 85(5)");
    }
  }
  if ((!k.site().empty() || !k.site_description().empty()) &&
      !may.may_fix_site()) {
    fixed_not_allowed("sentence.constraints.site");
  }
  if ((!k.activity_type().empty() || !k.activity_description().empty()) &&
      !may.may_fix_activity()) {
    fixed_not_allowed("sentence.constraints.activity_type");
  }
  CheckText(v, "sentence.constraints.site_description", k.site_description(),
            kMaxFreeTextLength, false);
  CheckText(v, "sentence.constraints.activity_description",
            k.activity_description(), kMaxFreeTextLength, false);
  for (int i = 0; i < k.allowed_weekdays_size(); ++i) {
    if (k.allowed_weekdays(i) == cv1::WEEKDAY_UNSPECIFIED) {
      v.AddViolation(
          F(absl::StrCat("sentence.constraints.allowed_weekdays[", i, "]")),
          "must be a weekday");
    }
  }
}

// R1 and R2: what the community work replaces. Each amount given must be
// within its limit, because it is the term or fine the work replaces (and
// becomes "prison days averted" / "fines replaced" on completion).
void CheckImposed(Validator& v, const v1::Case& c, const PolicyVersion& policy,
                  bool adult_principal) {
  const v1::Sentence& s = c.sentence();
  bool prison_ok = false;
  if (s.imposed_prison_months() < 0) {
    v.AddViolation(F("sentence.imposed_prison_months"), "must not be negative");
  }
  const int32_t days_per_bulan = policy.eligibility().days_per_bulan();
  if (s.imposed_prison_days() < 0 || s.imposed_prison_days() > days_per_bulan) {
    v.AddViolation(F("sentence.imposed_prison_days"),
                   absl::StrCat("must be between 0 and ", days_per_bulan,
                                ", got ", s.imposed_prison_days()));
  } else if (s.imposed_prison_months() >= 0) {
    const int64_t days = int64_t{s.imposed_prison_months()} * days_per_bulan +
                         s.imposed_prison_days();
    const int64_t max_days =
        int64_t{policy.eligibility().imposed_prison_months_max()} *
        days_per_bulan;
    if (adult_principal && days > max_days) {
      v.AddViolation(
          F("sentence.imposed_prison_months"),
          absl::StrCat("the imposed prison term replaced by community work "
                       "must be at most ",
                       policy.eligibility().imposed_prison_months_max(),
                       " months (", cite::kR1, "), got ",
                       s.imposed_prison_months(), " months ",
                       s.imposed_prison_days(), " days"));
    } else {
      prison_ok = days > 0;
    }
  }
  bool fine_ok = false;
  if (s.imposed_fine_rupiah() < 0) {
    v.AddViolation(F("sentence.imposed_fine_rupiah"), "must not be negative");
  } else if (s.imposed_fine_rupiah() > 0) {
    const absl::StatusOr<int64_t> max =
        policy::PolicySet::FineCategoryMaxRupiah(
            policy, policy.eligibility().imposed_fine_category_max());
    const int64_t minimum = policy.fine_categories().minimum_rupiah();
    if (s.imposed_fine_rupiah() < minimum) {
      v.AddViolation(
          F("sentence.imposed_fine_rupiah"),
          absl::StrCat("a fine is at least Rp", minimum, " (", cite::kR2Minimum,
                       "), got Rp", s.imposed_fine_rupiah()));
    } else if (adult_principal && max.ok() && s.imposed_fine_rupiah() > *max) {
      v.AddViolation(
          F("sentence.imposed_fine_rupiah"),
          absl::StrCat("the imposed fine replaced by community work must be at "
                       "most category ",
                       internal::CategoryName(
                           policy.eligibility().imposed_fine_category_max()),
                       ", Rp", *max, " (", cite::kR1, "; ", cite::kR2,
                       "), got Rp", s.imposed_fine_rupiah()));
    } else {
      fine_ok = true;
    }
  }
  if (adult_principal && !prison_ok && !fine_ok &&
      s.imposed_prison_months() == 0 && s.imposed_prison_days() == 0 &&
      s.imposed_fine_rupiah() == 0) {
    v.AddViolation(F("sentence.imposed_prison_months"),
                   absl::StrCat("an adult principal sentence replaces an "
                                "imposed prison term or an imposed fine; set "
                                "one (",
                                cite::kR1, ")"));
  }
}

// How SubstituteHoursForFine rounds, for messages.
std::string RoundingText(const PolicyVersion& policy) {
  return policy.fine_conversion().rounding() == cv1::HOURS_ROUNDING_UP
             ? "a started hour counting whole (\"Rp50.000 atau kurang\" = 1 "
               "jam)"
             : "rounded down";
}

// R10, KUHP Pasal 82. The hours are arithmetic of law, not the judge's
// choice: the fine at the policy's rate, rounded per the policy, within
// [min_hours, max_hours]. The decision states them, and the record must
// agree with the decision, so a mismatch is refused (naming the hours the
// law gives) rather than silently replaced: either the decision or its
// transcription is wrong, and only the prosecutor can tell which.
void CheckFineSubstitution(Validator& v, const v1::Case& c,
                           const PolicyVersion& policy) {
  const v1::FineSubstitution& fs = c.fine_substitution();
  const cv1::FineConversion& fc = policy.fine_conversion();
  const absl::StatusOr<int64_t> max =
      policy::PolicySet::FineCategoryMaxRupiah(policy, fc.fine_category_max());
  bool fine_ok = false;
  if (fs.fine_rupiah() <= 0) {
    v.AddViolation(
        F("fine_substitution.fine_rupiah"),
        absl::StrCat("is required: the unpaid fine in whole rupiah (",
                     cite::kR10, ")"));
  } else if (max.ok() && fs.fine_rupiah() > *max) {
    v.AddViolation(
        F("fine_substitution.fine_rupiah"),
        absl::StrCat("only an unpaid fine of at most category ",
                     internal::CategoryName(fc.fine_category_max()), ", Rp",
                     *max, ", may be replaced by community work (", cite::kR10,
                     "; Pasal 83(1)), got Rp", fs.fine_rupiah()));
  } else {
    fine_ok = true;
  }
  bool rate_ok = false;
  if (fs.rupiah_per_hour() <= 0) {
    v.AddViolation(
        F("fine_substitution.rupiah_per_hour"),
        absl::StrCat("is required: rupiah per hour (", cite::kR10, ")"));
  } else if (fs.rupiah_per_hour() != fc.rupiah_per_hour()) {
    v.AddViolation(
        F("fine_substitution.rupiah_per_hour"),
        absl::StrCat("must be the rate of law, Rp", fc.rupiah_per_hour(),
                     " per hour (", cite::kR10, "; policy ", policy.version(),
                     "), got Rp", fs.rupiah_per_hour()));
  } else {
    rate_ok = true;
  }
  const bool hours_ok =
      v.InRange(F("fine_substitution.substitute_hours"), fs.substitute_hours(),
                fc.min_hours(), fc.max_hours(), cite::kR10);
  if (hours_ok && c.sentence().hours() != fs.substitute_hours()) {
    v.AddViolation(F("sentence.hours"),
                   "must equal fine_substitution.substitute_hours for a "
                   "fine-substitute sentence");
  }
  if (!fine_ok || !rate_ok || !hours_ok) return;
  const absl::StatusOr<int32_t> expected =
      SubstituteHoursForFine(fs.fine_rupiah(), policy);
  if (expected.ok() && *expected != fs.substitute_hours()) {
    v.AddViolation(
        F("fine_substitution.substitute_hours"),
        absl::StrCat("must be ", *expected, ": Rp", fs.fine_rupiah(), " at Rp",
                     fc.rupiah_per_hour(), " per hour, ", RoundingText(policy),
                     ", within [", fc.min_hours(), ", ", fc.max_hours(),
                     "] hours (", cite::kR10, "), got ",
                     fs.substitute_hours()));
  }
}

void CheckSentence(Validator& v, const v1::Case& c, const PolicyVersion& policy,
                   absl::CivilDay today) {
  const v1::Sentence& s = c.sentence();
  const bool is_child =
      s.kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
  const bool is_adult = s.kind() == cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL;
  if (!is_child && !is_adult) {
    v.AddViolation(F("sentence.kind"), "is required");
  }
  const bool substitute = s.basis() == v1::SENTENCE_BASIS_FINE_SUBSTITUTE;
  if (s.basis() != v1::SENTENCE_BASIS_PRINCIPAL && !substitute) {
    v.AddViolation(F("sentence.basis"), "is required");
  }
  if (is_child) {
    v.InRange(F("sentence.hours"), s.hours(), policy.child().min_hours(),
              policy.child().max_hours(), cite::kR11Hours);
    if (substitute) {
      v.AddViolation(F("sentence.basis"),
                     absl::StrCat("a fine substitute (", cite::kR10,
                                  ") applies to adults only; a child's "
                                  "sentence is principal (",
                                  cite::kR11Hours, ")"));
    }
    CheckLitmas(v, s, policy.child().litmas_required(), cite::kR11Litmas,
                today);
    if (s.breach_consequence() != v1::BREACH_CONSEQUENCE_UNSPECIFIED &&
        s.breach_consequence() != v1::BREACH_CONSEQUENCE_REPEAT) {
      v.AddViolation(F("sentence.breach_consequence"),
                     absl::StrCat("a child's failure may only be answered by "
                                  "a repeat (",
                                  cite::kR11Breach, ")"));
    }
  } else if (is_adult) {
    if (!substitute) {
      v.InRange(F("sentence.hours"), s.hours(), policy.adult().min_hours(),
                policy.adult().max_hours(), cite::kR5);
    }
    CheckLitmas(v, s, policy.adult().litmas_required(), cite::kR12, today);
    if (!substitute &&
        s.breach_consequence() == v1::BREACH_CONSEQUENCE_UNSPECIFIED) {
      v.AddViolation(F("sentence.breach_consequence"),
                     absl::StrCat("is required: the decision names the "
                                  "consequence of failure (",
                                  cite::kR8, ")"));
    }
  }
  CheckImposed(v, c, policy, is_adult && !substitute);
  // The consequence must have something to act on (R8).
  if (s.breach_consequence() == v1::BREACH_CONSEQUENCE_SERVE_PRISON &&
      ReplacedPrisonDays(s, policy) <= 0) {
    v.AddViolation(F("sentence.breach_consequence"),
                   absl::StrCat("SERVE_PRISON needs an imposed prison term (",
                                cite::kR8, "(b))"));
  }
  if (s.breach_consequence() == v1::BREACH_CONSEQUENCE_PAY_FINE &&
      ReplacedFineRupiah(c) <= 0) {
    v.AddViolation(F("sentence.breach_consequence"),
                   absl::StrCat("PAY_FINE needs an imposed or replaced fine (",
                                cite::kR8, "(c))"));
  }
  CheckConstraints(v, s, policy, is_child);
  if (substitute) {
    if (!c.has_fine_substitution()) {
      v.AddViolation(
          F("fine_substitution"),
          absl::StrCat("is required for a fine-substitute sentence (",
                       cite::kR10, ")"));
    } else {
      CheckFineSubstitution(v, c, policy);
    }
  } else if (c.has_fine_substitution()) {
    v.AddViolation(F("fine_substitution"),
                   "must be unset unless sentence.basis is FINE_SUBSTITUTE");
  }
}

}  // namespace

absl::Status ValidateNewCase(const Case& c, const PolicyVersion& policy,
                             absl::CivilDay today,
                             std::vector<std::string>* warnings) {
  Validator v;
  const bool is_child =
      c.sentence().kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
  CheckPerson(v, c, today, is_child);
  CheckDecision(v, c, policy, today);
  CheckOffence(v, c, policy, today, is_child);
  if (!c.has_sentence()) {
    v.AddViolation(F("sentence"), "is required");
  } else {
    CheckSentence(v, c, policy, today);
  }
  if (warnings != nullptr) {
    warnings->insert(warnings->end(), v.warnings().begin(), v.warnings().end());
  }
  return v.Finish();
}

Case WithDerivedFields(Case c, const PolicyVersion& policy) {
  v1::Sentence* s = c.mutable_sentence();
  s->set_replaced_prison_days(ReplacedPrisonDays(*s, policy));
  s->set_policy_version(policy.version());
  if (c.has_person() && !c.person().nik().empty()) {
    Validator nik_check;
    std::optional<bool> female;
    if (c.person().sex() == v1::SEX_FEMALE) female = true;
    if (c.person().sex() == v1::SEX_MALE) female = false;
    nik_check.Nik(
        "nik", c.person().nik(),
        c.person().has_birth_date() ? &c.person().birth_date() : nullptr,
        female);
    c.mutable_person()->set_nik_date_mismatch(!nik_check.warnings().empty());
  } else if (c.has_person()) {
    c.mutable_person()->set_nik_date_mismatch(false);
  }
  if (c.has_fine_substitution()) {
    v1::FineSubstitution* fs = c.mutable_fine_substitution();
    if (fs->fine_rupiah() > 0) {
      fs->set_remaining_minutes(RemainingMinutesAfterPayment(
          fs->substitute_hours(), fs->fine_rupiah(),
          std::min(fs->paid_rupiah(), fs->fine_rupiah()), policy));
    }
  }
  if (c.progress().credited_minutes() == 0 &&
      c.progress().sessions_count() == 0) {
    c.mutable_progress()->set_owed_minutes(CurrentSentenceMinutes(c));
  }
  return c;
}

absl::StatusOr<int32_t> SubstituteHoursForFine(int64_t unpaid_fine_rupiah,
                                               const PolicyVersion& policy) {
  const cv1::FineConversion& fc = policy.fine_conversion();
  if (unpaid_fine_rupiah <= 0) {
    return InvalidArgumentError(
        {{"fine_rupiah", absl::StrCat("must be positive (", cite::kR10, ")")}});
  }
  absl::StatusOr<int64_t> max =
      policy::PolicySet::FineCategoryMaxRupiah(policy, fc.fine_category_max());
  if (!max.ok()) return max.status();
  if (unpaid_fine_rupiah > *max) {
    return InvalidArgumentError(
        {{"fine_rupiah",
          absl::StrCat("only an unpaid fine of at most category ",
                       internal::CategoryName(fc.fine_category_max()), ", Rp",
                       *max, ", may be replaced by community work (",
                       cite::kR10, "; Pasal 83(1)), got Rp",
                       unpaid_fine_rupiah)}});
  }
  if (fc.rupiah_per_hour() <= 0) {
    return absl::InternalError("policy fine_conversion.rupiah_per_hour <= 0");
  }
  int64_t hours = unpaid_fine_rupiah / fc.rupiah_per_hour();
  if (fc.rounding() == cv1::HOURS_ROUNDING_UP &&
      unpaid_fine_rupiah % fc.rupiah_per_hour() != 0) {
    ++hours;
  }
  hours = std::clamp<int64_t>(hours, fc.min_hours(), fc.max_hours());
  return static_cast<int32_t>(hours);
}

int64_t RemainingMinutesAfterPayment(int32_t substitute_hours,
                                     int64_t fine_rupiah, int64_t paid_rupiah,
                                     const PolicyVersion& policy) {
  if (fine_rupiah <= 0 || paid_rupiah >= fine_rupiah) return 0;
  const int64_t unpaid = fine_rupiah - std::max<int64_t>(paid_rupiah, 0);
  // hours x unpaid / fine, in 128 bits so large fines cannot overflow.
  const __int128 num = static_cast<__int128>(substitute_hours) * unpaid;
  int64_t hours = static_cast<int64_t>(num / fine_rupiah);
  if (policy.fine_conversion().rounding() == cv1::HOURS_ROUNDING_UP &&
      num % fine_rupiah != 0) {
    ++hours;
  }
  return hours * 60;
}

int32_t ReplacedPrisonDays(const kerjasosial::cases::v1::Sentence& s,
                           const PolicyVersion& policy) {
  const int64_t days = int64_t{std::max(s.imposed_prison_months(), 0)} *
                           policy.eligibility().days_per_bulan() +
                       std::max(s.imposed_prison_days(), 0);
  return static_cast<int32_t>(std::min<int64_t>(days, INT32_MAX));
}

int64_t ReplacedFineRupiah(const Case& c) {
  if (c.sentence().basis() == v1::SENTENCE_BASIS_FINE_SUBSTITUTE) {
    return c.fine_substitution().fine_rupiah();
  }
  return std::max<int64_t>(c.sentence().imposed_fine_rupiah(), 0);
}

int32_t CurrentSentenceHours(const Case& c) {
  const v1::RepeatOutcome* repeat = internal::LatestRepeat(c);
  return repeat != nullptr ? repeat->repeat_hours() : c.sentence().hours();
}

int64_t CurrentSentenceMinutes(const Case& c) {
  if (internal::LatestRepeat(c) == nullptr &&
      c.sentence().basis() == v1::SENTENCE_BASIS_FINE_SUBSTITUTE &&
      c.has_fine_substitution()) {
    return c.fine_substitution().remaining_minutes();
  }
  return int64_t{CurrentSentenceHours(c)} * 60;
}

int AgeInYears(absl::CivilDay birth, absl::CivilDay on) {
  int age = static_cast<int>(on.year() - birth.year());
  if (on.month() < birth.month() ||
      (on.month() == birth.month() && on.day() < birth.day())) {
    --age;
  }
  return age;
}

}  // namespace ks::cases::domain
