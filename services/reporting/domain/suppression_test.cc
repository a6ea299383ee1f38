// Complementary cell suppression: no small cell published, and no suppressed
// value recoverable by subtraction, checked by an attacker that chains every
// subtraction the published sums allow.
#include "services/reporting/domain/suppression.h"

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/rich_status.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "services/reporting/domain/violation_test_util.h"

namespace ks::reporting {
namespace {

namespace v1 = ::kerjasosial::reporting::v1;
using ::kerjasosial::reporting::v1::PublicCell;

constexpr int kMin = 10;
const absl::Time kNow = absl::FromUnixSeconds(1796000000);

// Figures of one scope: completed, active, credited hours, prison days,
// active sites, completed cases that replaced a fine, rupiah of those fines.
struct Fig {
  int64_t completed = 0, active = 0, hours = 0, days = 0, sites = 0, fined = 0,
          rupiah = 0;
};

void Fill(Summary& s, const Fig& f) {
  s.mutable_totals()->set_cases_completed(f.completed);
  s.mutable_totals()->set_cases_active(f.active);
  s.mutable_totals()->set_credited_minutes(f.hours * 60);
  s.mutable_totals()->set_prison_days_averted(f.days);
  s.mutable_sites()->set_sites_active(f.sites);
  s.mutable_totals()->set_fines_replaced_cases(f.fined);
  s.mutable_totals()->set_fines_replaced_rupiah(f.rupiah);
}

Fig Add(Fig a, const Fig& b) {
  a.completed += b.completed;
  a.active += b.active;
  a.hours += b.hours;
  a.days += b.days;
  a.sites += b.sites;
  a.fined += b.fined;
  a.rupiah += b.rupiah;
  return a;
}

// A consistent input: every total is the sum of its children.
PublicInput Input(const std::map<std::string, std::vector<Fig>>& regencies) {
  PublicInput in;
  in.nation.set_scope(v1::SUMMARY_SCOPE_NATION);
  Fig nation;
  for (const auto& [province, figs] : regencies) {
    Fig sum;
    for (size_t i = 0; i < figs.size(); ++i) {
      Summary r;
      r.set_scope(v1::SUMMARY_SCOPE_REGENCY);
      r.mutable_region()->set_province_code(province);
      r.mutable_region()->set_regency_code(
          absl::StrFormat("%s.%02d", province, i + 1));
      Fill(r, figs[i]);
      in.regencies.push_back(r);
      sum = Add(sum, figs[i]);
    }
    Summary p;
    p.set_scope(v1::SUMMARY_SCOPE_PROVINCE);
    p.mutable_region()->set_province_code(province);
    Fill(p, sum);
    in.provinces.push_back(p);
    nation = Add(nation, sum);
  }
  Fill(in.nation, nation);
  return in;
}

const PublicCell& CellOf(const PublicSummary& s, int m) {
  switch (m) {
    case 0:
      return s.cases_completed();
    case 1:
      return s.cases_in_progress();
    case 2:
      return s.credited_hours();
    case 3:
      return s.prison_days_averted();
    case 4:
      return s.active_sites();
    default:
      return s.fines_replaced_rupiah();
  }
}

// What the public sees of measure `m`: nullopt for a suppressed cell.
struct Published {
  std::vector<std::optional<int64_t>> cells;  // nation, provinces, regencies
  std::vector<std::pair<size_t, std::vector<size_t>>> sums;
};

Published View(const PublicInput& in, const PublicFigures& out, int m) {
  Published v;
  std::vector<const PublicSummary*> all = {&out.nation};
  for (const auto& p : out.provinces) all.push_back(&p);
  for (const auto& r : out.regencies) all.push_back(&r);
  for (const PublicSummary* s : all) {
    const PublicCell& c = CellOf(*s, m);
    v.cells.push_back(c.suppressed() ? std::nullopt
                                     : std::optional<int64_t>(c.value()));
  }
  std::vector<size_t> provinces;
  std::map<std::string, std::vector<size_t>> regencies_of;
  for (size_t i = 0; i < in.provinces.size(); ++i) provinces.push_back(1 + i);
  for (size_t i = 0; i < in.regencies.size(); ++i) {
    regencies_of[in.regencies[i].region().province_code()].push_back(
        1 + in.provinces.size() + i);
  }
  v.sums.push_back({0, provinces});
  for (size_t i = 0; i < in.provinces.size(); ++i) {
    auto it = regencies_of.find(in.provinces[i].region().province_code());
    if (it != regencies_of.end()) v.sums.push_back({1 + i, it->second});
  }
  return v;
}

// The attacker: repeatedly takes any sum with exactly one unknown cell and
// solves it by subtraction, until nothing more can be solved. Returns the
// indexes of the suppressed cells it recovered.
std::vector<size_t> RecoverBySubtraction(Published v) {
  std::vector<size_t> recovered;
  for (bool progress = true; progress;) {
    progress = false;
    for (const auto& [total, children] : v.sums) {
      std::vector<size_t> unknown;
      if (!v.cells[total]) unknown.push_back(total);
      for (size_t c : children) {
        if (!v.cells[c]) unknown.push_back(c);
      }
      if (unknown.size() != 1) continue;
      int64_t known_children = 0;
      for (size_t c : children) {
        if (v.cells[c]) known_children += *v.cells[c];
      }
      const size_t u = unknown[0];
      v.cells[u] =
          u == total ? known_children : *v.cells[total] - known_children;
      recovered.push_back(u);
      progress = true;
    }
  }
  return recovered;
}

TEST(SuppressionTest, PublishesEveryCellWhenNoneIsSmall) {
  const PublicInput in =
      Input({{"64", {{20, 30, 400, 900, 3}, {15, 12, 80, 60, 1}}},
             {"72", {{11, 40, 500, 100, 2}}}});
  auto out = BuildPublicFigures(in, kMin, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->nation.name(), "nation/publicSummary");
  EXPECT_EQ(out->nation.cases_completed().value(), 46);
  EXPECT_FALSE(out->nation.cases_completed().suppressed());
  EXPECT_EQ(out->nation.credited_hours().value(), 980);
  EXPECT_EQ(out->nation.active_sites().value(), 6);
  EXPECT_EQ(out->provinces[0].name(), "provinces/64/publicSummary");
  EXPECT_EQ(out->provinces[0].prison_days_averted().value(), 960);
  EXPECT_EQ(out->regencies[2].name(), "regencies/72.01/publicSummary");
  EXPECT_EQ(out->regencies[2].cases_in_progress().value(), 40);
  EXPECT_EQ(out->nation.as_of_time().seconds(), 1796000000);
}

TEST(SuppressionTest, SmallCellAndItsSmallestPositiveSiblingAreSuppressed) {
  // Regency 64.02 completed 3 cases: primary. Its siblings 64.01 (50) and
  // 64.03 (20): the smaller, 20, is the complement; the province total stays.
  const PublicInput in = Input(
      {{"64",
        {{50, 30, 100, 10, 1}, {3, 30, 100, 10, 1}, {20, 30, 100, 10, 1}}},
       {"72", {{40, 40, 100, 10, 1}}}});
  auto out = BuildPublicFigures(in, kMin, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->regencies[0].cases_completed().suppressed());
  EXPECT_TRUE(out->regencies[1].cases_completed().suppressed());
  EXPECT_EQ(out->regencies[1].cases_completed().value(), 0);
  EXPECT_TRUE(out->regencies[2].cases_completed().suppressed());
  EXPECT_EQ(out->provinces[0].cases_completed().value(), 73);
  EXPECT_FALSE(out->provinces[0].cases_completed().suppressed());
  // Prison days rest on the same 3 completed cases: suppressed too, though
  // 10 days is not below the threshold as a number.
  EXPECT_TRUE(out->regencies[1].prison_days_averted().suppressed());
  // Credited hours rest on 33 people: published.
  EXPECT_FALSE(out->regencies[1].credited_hours().suppressed());
}

TEST(SuppressionTest, FinesRestOnTheCasesThatReplacedAFine) {
  // 64.02 completed 40 cases, but only 2 replaced a fine: its rupiah are
  // those 2 people's fines, so the cell is suppressed (and a complement,
  // the smaller positive sibling 64.03), while its completed cases are
  // published.
  const PublicInput in = Input({{"64",
                                 {{50, 30, 100, 10, 1, 20, 5'000'000},
                                  {40, 30, 100, 10, 1, 2, 900'000},
                                  {30, 30, 100, 10, 1, 12, 3'000'000}}}});
  auto out = BuildPublicFigures(in, kMin, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->regencies[1].cases_completed().suppressed());
  EXPECT_TRUE(out->regencies[1].fines_replaced_rupiah().suppressed());
  EXPECT_EQ(out->regencies[1].fines_replaced_rupiah().value(), 0);
  EXPECT_TRUE(out->regencies[2].fines_replaced_rupiah().suppressed());
  EXPECT_EQ(out->regencies[0].fines_replaced_rupiah().value(), 5'000'000);
  EXPECT_EQ(out->provinces[0].fines_replaced_rupiah().value(), 8'900'000);
  EXPECT_EQ(out->nation.fines_replaced_rupiah().value(), 8'900'000);
  EXPECT_TRUE(RecoverBySubtraction(View(in, *out, 5)).empty());
}

TEST(SuppressionTest, AttackerRecoversAPrimaryLeftWithoutComplement) {
  // The attacker is real: publish the complement chosen above and it solves
  // the primary (3) from the province total (73 - 50 - 20).
  const PublicInput in = Input(
      {{"64",
        {{50, 30, 100, 10, 1}, {3, 30, 100, 10, 1}, {20, 30, 100, 10, 1}}}});
  auto out = BuildPublicFigures(in, kMin, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  Published view = View(in, *out, 0);
  ASSERT_TRUE(RecoverBySubtraction(view).empty());
  const size_t complement = 1 + 1 + 2;  // nation, province 64, 64.01, 64.02
  ASSERT_FALSE(view.cells[complement].has_value());
  view.cells[complement] = 20;
  EXPECT_EQ(RecoverBySubtraction(view), std::vector<size_t>{3});
}

TEST(SuppressionTest, ZeroIsPublishedAndSitesAreNeverPrimary) {
  const PublicInput in =
      Input({{"64", {{0, 0, 0, 0, 2}, {30, 30, 100, 10, 1}}}});
  auto out = BuildPublicFigures(in, kMin, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->regencies[0].cases_completed().suppressed());
  EXPECT_EQ(out->regencies[0].cases_completed().value(), 0);
  EXPECT_FALSE(out->regencies[0].active_sites().suppressed());
  EXPECT_EQ(out->regencies[0].active_sites().value(), 2);
}

TEST(SuppressionTest, OnlyChildSuppressesItsTotalAndTheTotalGetsAComplement) {
  // Province 65 has one regency with 4 completed cases: the province equals
  // it, so the province is suppressed; then the nation's sum has one
  // suppressed province and needs a complement among the other provinces.
  const PublicInput in =
      Input({{"64", {{50, 30, 100, 10, 1}, {60, 30, 100, 10, 1}}},
             {"65", {{4, 30, 100, 10, 1}}},
             {"72", {{25, 30, 100, 10, 1}}}});
  auto out = BuildPublicFigures(in, kMin, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->regencies[2].cases_completed().suppressed());
  EXPECT_TRUE(out->provinces[1].cases_completed().suppressed());
  EXPECT_TRUE(out->provinces[2].cases_completed().suppressed());  // 25 < 110
  EXPECT_FALSE(out->provinces[0].cases_completed().suppressed());
  // 72 is suppressed in the nation's sum, so it needs a complement in its own
  // sum: its only regency.
  EXPECT_TRUE(out->regencies[3].cases_completed().suppressed());
  EXPECT_FALSE(out->nation.cases_completed().suppressed());
  for (int m = 0; m < 6; ++m) {
    EXPECT_TRUE(RecoverBySubtraction(View(in, *out, m)).empty()) << m;
  }
}

TEST(SuppressionTest, SubtractionAttackRecoversNothingOnRandomTables) {
  std::mt19937_64 rng(12);  // fixed seed: the same tables every run
  int suppressed_seen = 0;
  for (int round = 0; round < 300; ++round) {
    std::map<std::string, std::vector<Fig>> table;
    const int provinces = 1 + rng() % 6;
    for (int p = 0; p < provinces; ++p) {
      const int regencies = rng() % 5;  // 0: the province has no regency rows
      std::vector<Fig> figs;
      for (int r = 0; r < regencies; ++r) {
        // Mostly small numbers, so that many cells fall under the threshold.
        auto small = [&] { return static_cast<int64_t>(rng() % 25); };
        const int64_t completed = small();
        const int64_t fined = completed / 2;
        figs.push_back({completed, small(), small() * 7, small() * 30,
                        small() % 4, fined, fined * 150'000});
      }
      table[absl::StrFormat("%02d", 11 + p)] = figs;
    }
    PublicInput in = Input(table);
    // Provinces without regency rows still carry figures of their own.
    for (Summary& p : in.provinces) {
      if (p.totals().cases_completed() == 0 && p.totals().cases_active() == 0) {
        Fill(p, {static_cast<int64_t>(rng() % 15), 12, 40, 20, 1});
      }
    }
    Fig nation;
    for (const Summary& p : in.provinces) {
      nation = Add(
          nation,
          {p.totals().cases_completed(), p.totals().cases_active(),
           p.totals().credited_minutes() / 60, p.totals().prison_days_averted(),
           p.sites().sites_active(), p.totals().fines_replaced_cases(),
           p.totals().fines_replaced_rupiah()});
    }
    Fill(in.nation, nation);

    auto out = BuildPublicFigures(in, kMin, kNow);
    ASSERT_TRUE(out.ok()) << out.status();
    for (int m = 0; m < 6; ++m) {
      const Published view = View(in, *out, m);
      EXPECT_TRUE(RecoverBySubtraction(view).empty())
          << "round " << round << " measure " << m;
      for (const auto& c : view.cells) suppressed_seen += c ? 0 : 1;
    }
    // No published cell rests on 1..9 people.
    std::vector<std::pair<const Summary*, const PublicSummary*>> pairs = {
        {&in.nation, &out->nation}};
    for (size_t i = 0; i < in.provinces.size(); ++i) {
      pairs.push_back({&in.provinces[i], &out->provinces[i]});
    }
    for (size_t i = 0; i < in.regencies.size(); ++i) {
      pairs.push_back({&in.regencies[i], &out->regencies[i]});
    }
    for (const auto& [s, p] : pairs) {
      const auto& t = s->totals();
      const int64_t people[6] = {t.cases_completed(),
                                 t.cases_active(),
                                 t.cases_active() + t.cases_completed(),
                                 t.cases_completed(),
                                 0,  // sites are not people
                                 t.fines_replaced_cases()};
      for (int m = 0; m < 6; ++m) {
        if (people[m] > 0 && people[m] < kMin) {
          EXPECT_TRUE(CellOf(*p, m).suppressed()) << p->name() << " " << m;
          EXPECT_EQ(CellOf(*p, m).value(), 0);
        }
      }
    }
  }
  EXPECT_GT(suppressed_seen, 500);  // the tables did exercise suppression
}

using testing::Violation;

TEST(SuppressionTest, RefusesBadInputNamingTheField) {
  PublicInput in = Input({{"64", {{50, 30, 100, 10, 1}}}});
  auto zero = BuildPublicFigures(in, 0, kNow);
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Violation(zero.status(), "public_figures.min_cell_size"),
            "must be at least 1, got 0");

  PublicInput orphan = in;
  orphan.regencies[0].mutable_region()->set_province_code("72");
  auto o = BuildPublicFigures(orphan, kMin, kNow);
  EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Violation(o.status(), "regencies[0]"),
            "province 72 of regency 64.01 is not given");

  PublicInput dup = in;
  dup.provinces.push_back(dup.provinces[0]);
  auto d = BuildPublicFigures(dup, kMin, kNow);
  EXPECT_EQ(Violation(d.status(), "provinces[1]"), "duplicate province 64");

  PublicInput wrong = in;
  wrong.nation.set_scope(v1::SUMMARY_SCOPE_PROVINCE);
  EXPECT_EQ(
      Violation(BuildPublicFigures(wrong, kMin, kNow).status(), "nation.scope"),
      "must be SUMMARY_SCOPE_NATION");
}

TEST(SuppressionTest, FindsByName) {
  const PublicInput in = Input({{"64", {{50, 30, 100, 10, 1}}}});
  auto out = BuildPublicFigures(in, kMin, kNow);
  ASSERT_TRUE(out.ok());
  ASSERT_NE(out->Find("regencies/64.01/publicSummary"), nullptr);
  EXPECT_EQ(
      out->Find("regencies/64.01/publicSummary")->cases_completed().value(),
      50);
  EXPECT_EQ(out->Find("provinces/99/publicSummary"), nullptr);
}

}  // namespace
}  // namespace ks::reporting
