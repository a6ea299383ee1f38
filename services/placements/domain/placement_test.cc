#include "services/placements/domain/placement.h"

#include <functional>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/placements/domain/test_util.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;
namespace casev1 = ::kerjasosial::cases::v1;
using testing::Ctx;
using ::testing::ElementsAre;
using testing::ReasonOf;

struct World {
  casev1::CaseForExecution c;
  pv1::Site site;
  pv1::CooperationAgreement agreement;
  pv1::ActivityType activity;
  PlacementInputs inputs() { return {&c, &site, &agreement, &activity}; }
};

World MakeWorld() {
  World w;
  w.c.set_name("regencies/64.01/cases/c1");
  w.c.set_state(casev1::CASE_STATE_HANDED_OVER);
  w.c.set_kind(cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
  w.c.set_sentence_minutes(2400);
  *w.c.mutable_span_start_date() = DateFromCivilDay(absl::CivilDay(2026, 3, 1));
  *w.c.mutable_deadline_date() = DateFromCivilDay(absl::CivilDay(2026, 8, 27));
  w.agreement.set_name("regencies/64.01/agreements/a1");
  w.agreement.set_regency_code("64.01");
  w.agreement.set_state(pv1::AGREEMENT_STATE_IN_FORCE);
  *w.agreement.mutable_effective_date() =
      DateFromCivilDay(absl::CivilDay(2026, 1, 1));
  *w.agreement.mutable_expiry_date() =
      DateFromCivilDay(absl::CivilDay(2027, 12, 31));
  w.activity.set_name("regencies/64.01/activityTypes/t1");
  w.activity.set_state(pv1::ACTIVITY_TYPE_STATE_ACTIVE);
  w.activity.set_non_commercial_attested(true);
  w.activity.set_non_degrading_attested(true);
  w.site.set_name("regencies/64.01/sites/s1");
  w.site.set_regency_code("64.01");
  w.site.set_state(pv1::SITE_STATE_ACTIVE);
  w.site.set_time_zone("Asia/Makassar");
  w.site.set_capacity(2);
  *w.site.mutable_schedule() = testing::Weekdays(7 * 60, 15 * 60);
  auto* a = w.site.add_activities();
  a->set_activity_type(w.activity.name());
  a->set_non_commercial_attested(true);
  a->set_non_degrading_attested(true);
  return w;
}

Placement Input(const World& w) {
  Placement p;
  p.set_case_name(w.c.name());
  p.set_site(w.site.name());
  p.set_activity_type(w.activity.name());
  *p.mutable_period()->mutable_start_date() =
      DateFromCivilDay(absl::CivilDay(2026, 3, 2));
  *p.mutable_period()->mutable_end_date() =
      DateFromCivilDay(absl::CivilDay(2026, 5, 2));
  *p.mutable_schedule() = testing::Weekdays(8 * 60, 12 * 60);
  return p;
}

absl::StatusOr<Placement> Make(World& w) {
  return NewPlacement(Input(w), "regencies/64.01/placements/p1", "placement",
                      pv1::PLACEMENT_STATE_PLANNED, w.inputs(), Ctx());
}

TEST(PlacementTest, NewPlacementTakesItsFactsFromTheCaseAndSite) {
  World w = MakeWorld();
  absl::StatusOr<Placement> p = Make(w);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->state(), pv1::PLACEMENT_STATE_PLANNED);
  EXPECT_EQ(p->kind(), cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
  EXPECT_EQ(p->owed_minutes_at_start(), 2400);
  EXPECT_EQ(p->schedule().time_zone(), "Asia/Makassar");
  EXPECT_TRUE(HoldsSlot(p->state()));
}

TEST(PlacementTest, RefusalsNameTheirRule) {
  {
    World w = MakeWorld();
    w.c.set_state(casev1::CASE_STATE_COMPLETED);
    EXPECT_EQ(ReasonOf(Make(w).status()), "CASE_NOT_PLACEABLE");
  }
  {
    World w = MakeWorld();
    w.site.mutable_activities(0)->set_non_commercial_attested(false);
    absl::Status s = Make(w).status();
    EXPECT_EQ(ReasonOf(s), "ACTIVITY_NOT_ATTESTED");
    EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("Pasal 85(3)"));
  }
  {
    World w = MakeWorld();
    w.site.set_state(pv1::SITE_STATE_SUSPENDED);
    EXPECT_EQ(ReasonOf(Make(w).status()), "SITE_NOT_ACTIVE");
  }
  {
    World w = MakeWorld();
    w.agreement.set_state(pv1::AGREEMENT_STATE_TERMINATED);
    EXPECT_EQ(ReasonOf(Make(w).status()), "AGREEMENT_NOT_IN_FORCE");
  }
  {
    World w = MakeWorld();
    w.c.set_kind(cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT);
    *w.site.mutable_schedule() = testing::Weekdays(15 * 60, 18 * 60);
    Placement in = Input(w);
    *in.mutable_schedule() = testing::Weekdays(15 * 60, 18 * 60);
    absl::Status s =
        NewPlacement(in, "p", "placement", pv1::PLACEMENT_STATE_PLANNED,
                     w.inputs(), Ctx())
            .status();
    EXPECT_EQ(ReasonOf(s), "CHILD_NOT_ACCEPTED");
  }
  {
    World w = MakeWorld();
    Placement in = Input(w);
    *in.mutable_period()->mutable_end_date() =
        DateFromCivilDay(absl::CivilDay(2026, 9, 1));  // past the deadline
    absl::Status s =
        NewPlacement(in, "p", "placement", pv1::PLACEMENT_STATE_PLANNED,
                     w.inputs(), Ctx())
            .status();
    EXPECT_THAT(testing::Fields(s), ElementsAre("placement.period.end_date"));
  }
}

// Every action from every state: allowed exactly where the lifecycle says.
TEST(PlacementTest, TransitionMatrix) {
  World w = MakeWorld();
  const std::map<std::string,
                 std::function<absl::StatusOr<Placement>(const Placement&)>>
      actions = {
          {"accept", [](const Placement& p) { return Accept(p, Ctx()); }},
          {"decline", [](const Placement& p) { return Decline(p, "", Ctx()); }},
          {"start",
           [&](const Placement& p) { return Start(p, w.site, Ctx()); }},
          {"suspend",
           [](const Placement& p) {
             return SuspendPlacement(p, "illness", Ctx());
           }},
          {"end",
           [](const Placement& p) {
             return End(p, pv1::PLACEMENT_END_REASON_COMPLETED, Ctx());
           }},
          {"cancel", [](const Placement& p) { return Cancel(p, Ctx()); }},
      };
  const std::map<std::string, std::map<int, int>> allowed = {
      {"accept",
       {{pv1::PLACEMENT_STATE_PROPOSED, pv1::PLACEMENT_STATE_ACCEPTED}}},
      {"decline",
       {{pv1::PLACEMENT_STATE_PROPOSED, pv1::PLACEMENT_STATE_DECLINED}}},
      {"start",
       {{pv1::PLACEMENT_STATE_PLANNED, pv1::PLACEMENT_STATE_ACTIVE},
        {pv1::PLACEMENT_STATE_ACCEPTED, pv1::PLACEMENT_STATE_ACTIVE},
        {pv1::PLACEMENT_STATE_SUSPENDED, pv1::PLACEMENT_STATE_ACTIVE}}},
      {"suspend",
       {{pv1::PLACEMENT_STATE_ACTIVE, pv1::PLACEMENT_STATE_SUSPENDED}}},
      {"end",
       {{pv1::PLACEMENT_STATE_ACTIVE, pv1::PLACEMENT_STATE_ENDED},
        {pv1::PLACEMENT_STATE_SUSPENDED, pv1::PLACEMENT_STATE_ENDED}}},
      {"cancel",
       {{pv1::PLACEMENT_STATE_PLANNED, pv1::PLACEMENT_STATE_CANCELLED},
        {pv1::PLACEMENT_STATE_ACCEPTED, pv1::PLACEMENT_STATE_CANCELLED}}},
  };
  for (const auto& [action, run] : actions) {
    for (int state = pv1::PLACEMENT_STATE_PLANNED;
         state <= pv1::PLACEMENT_STATE_DECLINED; ++state) {
      Placement p;
      p.set_name("p");
      p.set_state(static_cast<pv1::PlacementState>(state));
      absl::StatusOr<Placement> out = run(p);
      auto it = allowed.at(action).find(state);
      SCOPED_TRACE(action + " from " + pv1::PlacementState_Name(p.state()));
      if (it == allowed.at(action).end()) {
        EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(ReasonOf(out.status()), "INVALID_STATE");
      } else {
        ASSERT_TRUE(out.ok()) << out.status();
        EXPECT_EQ(out->state(), it->second);
      }
    }
  }
}

TEST(PlacementTest, SlotHoldingStates) {
  std::vector<std::string> holding;
  for (int s = 1; s <= pv1::PLACEMENT_STATE_DECLINED; ++s) {
    if (HoldsSlot(static_cast<pv1::PlacementState>(s))) {
      holding.push_back(
          pv1::PlacementState_Name(static_cast<pv1::PlacementState>(s)));
    }
  }
  EXPECT_THAT(
      holding,
      ElementsAre("PLACEMENT_STATE_PLANNED", "PLACEMENT_STATE_ACTIVE",
                  "PLACEMENT_STATE_SUSPENDED", "PLACEMENT_STATE_ACCEPTED"));
}

}  // namespace
}  // namespace ks::placements::domain
