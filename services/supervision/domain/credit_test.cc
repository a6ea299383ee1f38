// The daily cap, the owed cap and the child rules, named after the article
// each enforces, at their boundary values.
#include "services/supervision/domain/credit.h"

#include <vector>

#include "gtest/gtest.h"
#include "services/supervision/domain/ledger.h"
#include "services/supervision/domain/test_util.h"

namespace ks::supervision::domain {
namespace {

using namespace ::ks::supervision::domain::testing;  // NOLINT
namespace cv1 = ::kerjasosial::common::v1;
namespace sv1 = ::kerjasosial::supervision::v1;

CreditRules Adult(DayRule rule, int64_t target = 240 * 60) {
  CreditRules r;
  r.day_rule = rule;
  r.daily_cap_minutes = 8 * 60;
  r.target_minutes = target;
  return r;
}

SessionInput S(std::string id, absl::Time start, absl::Time end,
               absl::TimeZone zone) {
  return SessionInput{std::move(id), start, end, zone, true};
}

const SessionCredit& Find(const std::vector<SessionCredit>& all,
                          const std::string& id) {
  for (const SessionCredit& s : all) {
    if (s.id == id) return s;
  }
  ADD_FAILURE() << "no session " << id;
  return all.front();
}

// KUHP Pasal 85(5): "paling lama 8 (delapan) jam dalam 1 (satu) Hari".
TEST(Pasal85Ayat5Rolling24h, EightHoursThenTheNextMinuteOfTheWindowIsExcess) {
  const absl::TimeZone z = Wib();
  auto out =
      Allocate(Adult(cv1::DAY_RULE_ROLLING_24H),
               {S("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 16), z),
                S("b", At(z, 2026, 3, 3, 7, 59), At(z, 2026, 3, 3, 8), z),
                S("c", At(z, 2026, 3, 3, 8), At(z, 2026, 3, 3, 9), z)});
  EXPECT_EQ(Find(out, "a").credited, 480);
  // 07:59 the next day: the window (07:59 yesterday, 07:59] holds 480.
  EXPECT_EQ(Find(out, "b").credited, 0);
  EXPECT_EQ(Find(out, "b").days[0].excess.at(sv1::EXCESS_REASON_DAILY_CAP), 1);
  // From 08:00 on, yesterday's minutes leave the window one by one.
  EXPECT_EQ(Find(out, "c").credited, 60);
}

TEST(Pasal85Ayat5Rolling24h, EveningAfterAFullDayIsNotCreditedAcrossMidnight) {
  const absl::TimeZone z = Wib();
  auto out = Allocate(Adult(cv1::DAY_RULE_ROLLING_24H),
                      {S("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 16), z),
                       S("b", At(z, 2026, 3, 3, 0), At(z, 2026, 3, 3, 2), z)});
  EXPECT_EQ(Find(out, "b").credited, 0);
  EXPECT_EQ(Find(out, "b").excess, 120);
}

TEST(Pasal85Ayat5CalendarDay, EightHoursPerLocalDayAndANewDayAtMidnight) {
  const absl::TimeZone z = Wib();
  auto out = Allocate(Adult(cv1::DAY_RULE_CALENDAR_DAY),
                      {S("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 16), z),
                       S("b", At(z, 2026, 3, 2, 20), At(z, 2026, 3, 2, 21), z),
                       S("c", At(z, 2026, 3, 3, 0), At(z, 2026, 3, 3, 2), z)});
  EXPECT_EQ(Find(out, "a").credited, 480);
  EXPECT_EQ(Find(out, "b").credited, 0);
  EXPECT_EQ(Find(out, "b").days[0].excess.at(sv1::EXCESS_REASON_DAILY_CAP), 60);
  EXPECT_EQ(Find(out, "c").credited, 120);
}

TEST(Pasal85Ayat5CalendarDay, ExactlyEightHoursIsAllCredited) {
  const absl::TimeZone z = Wib();
  auto out =
      Allocate(Adult(cv1::DAY_RULE_CALENDAR_DAY),
               {S("a", At(z, 2026, 3, 2, 0), At(z, 2026, 3, 2, 8), z),
                S("b", At(z, 2026, 3, 2, 23, 59), At(z, 2026, 3, 3, 0, 1), z)});
  EXPECT_EQ(Find(out, "a").credited, 480);
  ASSERT_EQ(Find(out, "b").days.size(), 2u);
  EXPECT_EQ(Find(out, "b").days[0].credited, 0);  // 481st minute of the day
  EXPECT_EQ(Find(out, "b").days[1].credited, 1);
}

// R14 (Keppres 41/1987): the site's zone decides the local day; a session
// across local midnight is split there under CALENDAR_DAY.
class Pasal85Ayat5AcrossLocalMidnight
    : public ::testing::TestWithParam<const char*> {};

TEST_P(Pasal85Ayat5AcrossLocalMidnight, SplitsAtTheSitesMidnight) {
  const absl::TimeZone z = Zone(GetParam());
  auto out =
      Allocate(Adult(cv1::DAY_RULE_CALENDAR_DAY),
               {S("day", At(z, 2026, 3, 2, 7), At(z, 2026, 3, 2, 14), z),
                S("night", At(z, 2026, 3, 2, 22), At(z, 2026, 3, 3, 2), z)});
  const SessionCredit& night = Find(out, "night");
  ASSERT_EQ(night.days.size(), 2u);
  EXPECT_EQ(night.days[0].day, absl::CivilDay(2026, 3, 2));
  EXPECT_EQ(night.days[0].worked, 120);
  EXPECT_EQ(night.days[0].credited, 60);  // 7 h already that day
  EXPECT_EQ(night.days[0].excess.at(sv1::EXCESS_REASON_DAILY_CAP), 60);
  EXPECT_EQ(night.days[1].day, absl::CivilDay(2026, 3, 3));
  EXPECT_EQ(night.days[1].credited, 120);
  EXPECT_EQ(night.credited, 180);
  EXPECT_EQ(night.excess, 60);
}

INSTANTIATE_TEST_SUITE_P(WibWitaWit, Pasal85Ayat5AcrossLocalMidnight,
                         ::testing::Values("Asia/Jakarta", "Asia/Makassar",
                                           "Asia/Jayapura"));

// KUHP Pasal 85(4): credit never exceeds the sentence; the rest is excess
// with its reason.
TEST(Pasal85Ayat4OwedCap, CreditStopsAtTheTargetAndTheRestIsOverSentence) {
  const absl::TimeZone z = Wita();
  auto out = Allocate(Adult(cv1::DAY_RULE_ROLLING_24H, /*target=*/600),
                      {S("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 16), z),
                       S("b", At(z, 2026, 3, 4, 8), At(z, 2026, 3, 4, 16), z)});
  EXPECT_EQ(Find(out, "b").credited, 120);
  EXPECT_EQ(Find(out, "b").days[0].excess.at(sv1::EXCESS_REASON_OVER_SENTENCE),
            360);
  const LedgerTotals totals = Summarize(600, out);
  EXPECT_EQ(totals.credited, 600);
  EXPECT_EQ(totals.owed, 0);
  EXPECT_EQ(CompletionFor(false, totals), CompletionStep::kReached);
  EXPECT_EQ(CompletionFor(true, totals), CompletionStep::kNone);
}

// A late entry for an earlier day takes its place in time: the later
// session loses the credit the cap no longer leaves it, in any arrival order.
TEST(Pasal85Ayat4OwedCap, LateEntryReevaluatesLaterSessions) {
  const absl::TimeZone z = Wib();
  const CreditRules rules = Adult(cv1::DAY_RULE_ROLLING_24H, 600);
  std::vector<SessionInput> later = {
      S("tue", At(z, 2026, 3, 3, 8), At(z, 2026, 3, 3, 16), z)};
  EXPECT_EQ(Find(Allocate(rules, later), "tue").credited, 480);
  later.push_back(S("mon", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 16), z));
  auto out = Allocate(rules, later);
  EXPECT_EQ(Find(out, "mon").credited, 480);
  EXPECT_EQ(Find(out, "tue").credited, 120);
  // Voiding Monday gives Tuesday its credit back.
  later.pop_back();
  EXPECT_EQ(Find(Allocate(rules, later), "tue").credited, 480);
  // Completion withdrawn when the void takes credit below the target.
  EXPECT_EQ(CompletionFor(true, Summarize(600, Allocate(rules, later))),
            CompletionStep::kWithdrawn);
}

// R7 (KUHP Pasal 85(5)): minutes after the deadline are not credited.
TEST(Pasal85Ayat5Span, MinutesFromTheDeadlineOnAreOutsideTheSpan) {
  const absl::TimeZone z = Wib();
  CreditRules rules = Adult(cv1::DAY_RULE_ROLLING_24H);
  rules.deadline = At(z, 2026, 3, 3, 0);
  auto out =
      Allocate(rules, {S("a", At(z, 2026, 3, 2, 23), At(z, 2026, 3, 3, 1), z)});
  EXPECT_EQ(Find(out, "a").credited, 60);
  EXPECT_EQ(Find(out, "a").days[1].excess.at(sv1::EXCESS_REASON_OUTSIDE_SPAN),
            60);
}

// UU SPPA Pasal 76 and PP 58/2022 Pasal 19(5)-(6) (R11): a child works at
// most 3 hours per working day, outside school hours, never on a public
// holiday of the policy's calendar.
CreditRules Child() {
  const policy::PolicySet& set = DefaultPolicy();
  return RulesFor(
      set.At(absl::CivilDay(2026, 8, 17)), /*child=*/true, 120 * 60, 0,
      [&set](absl::CivilDay d) { return set.IsChildWorkingDay(d); });
}

TEST(SppaPasal76ChildDailyCap, ThreeHoursOnAWorkingDay) {
  const absl::TimeZone z = Wib();
  // Tuesday 18 August 2026, after school (07:00-15:00).
  auto out = Allocate(
      Child(), {S("a", At(z, 2026, 8, 18, 15), At(z, 2026, 8, 18, 19), z)});
  EXPECT_EQ(Find(out, "a").credited, 180);
  EXPECT_EQ(Find(out, "a").days[0].excess.at(sv1::EXCESS_REASON_DAILY_CAP), 60);
}

TEST(SppaPasal76ChildDailyCap, NothingOnAPublicHoliday) {
  const absl::TimeZone z = Wib();
  // Monday 17 August 2026, Independence Day.
  auto out = Allocate(
      Child(), {S("a", At(z, 2026, 8, 17, 15), At(z, 2026, 8, 17, 17), z)});
  EXPECT_EQ(Find(out, "a").credited, 0);
  EXPECT_EQ(
      Find(out, "a").days[0].excess.at(sv1::EXCESS_REASON_OUTSIDE_ALLOWED_TIME),
      120);
}

TEST(SppaPasal76ChildDailyCap, NothingOnASaturday) {
  const absl::TimeZone z = Wit();
  auto out = Allocate(
      Child(), {S("a", At(z, 2026, 8, 22, 9), At(z, 2026, 8, 22, 10), z)});
  EXPECT_EQ(Find(out, "a").credited, 0);
}

TEST(Pp58Pasal19Ayat6SchoolHours, OnlyTheMinutesAfterSchoolCount) {
  const absl::TimeZone z = Wita();
  // School 07:00-15:00: 14:59 is school, 15:00 is not.
  auto out = Allocate(Child(), {S("a", At(z, 2026, 8, 18, 14, 59),
                                  At(z, 2026, 8, 18, 15, 30), z)});
  EXPECT_EQ(Find(out, "a").credited, 30);
  EXPECT_EQ(
      Find(out, "a").days[0].excess.at(sv1::EXCESS_REASON_OUTSIDE_ALLOWED_TIME),
      1);
}

TEST(Pasal85Ayat5Rules, PolicyCapsAndTheDecisionsLowerCap) {
  const cv1::PolicyVersion& v = DefaultPolicy().At(absl::CivilDay(2026, 3, 2));
  EXPECT_EQ(RulesFor(v, false, 100, 0, nullptr).daily_cap_minutes, 480);
  EXPECT_EQ(RulesFor(v, false, 100, 4, nullptr).daily_cap_minutes, 240);
  EXPECT_EQ(RulesFor(v, false, 100, 10, nullptr).daily_cap_minutes, 480);
  EXPECT_EQ(RulesFor(v, true, 100, 0, nullptr).daily_cap_minutes, 180);
  EXPECT_EQ(RulesFor(v, false, 100, 0, nullptr).day_rule,
            cv1::DAY_RULE_ROLLING_24H);
}

TEST(Pasal85Ayat4OwedCap, NonCreditableOutcomesWorkNoMinutes) {
  const absl::TimeZone z = Wib();
  SessionInput absent = S("a", At(z, 2026, 3, 2, 8), At(z, 2026, 3, 2, 12), z);
  absent.creditable = false;
  auto out = Allocate(Adult(cv1::DAY_RULE_ROLLING_24H), {absent});
  EXPECT_EQ(out[0].worked, 0);
  EXPECT_TRUE(out[0].days.empty());
}

}  // namespace
}  // namespace ks::supervision::domain
