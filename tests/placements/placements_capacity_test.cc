// Capacity is never overbooked: 50 concurrent CreatePlacement calls for the
// one free slot of a site, 20 rounds, exactly one winner each time and 49
// FAILED_PRECONDITION SITE_CAPACITY_EXHAUSTED (the slot is held in the same
// commit script as the placement, outbox::Reservation). Also: a kill -9 of
// the placements binary under a burst of writes loses no acknowledged write
// and leaves no record without its event.
#include <signal.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "common/testing/race.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/placements/placements_harness.h"

namespace ks::placements::testing {
namespace {

using ::ks::cases::testing::Reason;

class PlacementsCapacityTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.Start(); }
  void TearDown() override { env_.Stop(); }
  // Slots the site holds, as stored.
  std::string Held(const std::string& site) {
    return std::string(absl::StripAsciiWhitespace(
        env_.redis_.Cli(absl::StrCat("HGET ", kPrefix, "slots:site ", site))));
  }
  PlacementsEnvironment env_;
};

TEST_F(PlacementsCapacityTest, FiftyRacersForOneSlotHaveExactlyOneWinner) {
  constexpr int kRacers = 50;
  constexpr int kRounds = 20;
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  const pv1::ActivityType activity = env_.Activity();
  std::vector<std::string> cases;
  for (int i = 0; i < kRacers; ++i) cases.push_back(env_.HandedOverCase());
  for (int round = 0; round < kRounds; ++round) {
    const pv1::Site site = env_.Site(agreement, activity, 1);
    std::vector<grpc::Status> status(kRacers);
    std::vector<pv1::Placement> out(kRacers);
    ks::testing::RunTogether(kRacers, [&](int i) {
      status[i] = env_.Create(
          PlacementsEnvironment::PlacementInput(cases[i], site, activity),
          &out[i]);
    });
    int winners = 0;
    int winner = -1;
    for (int i = 0; i < kRacers; ++i) {
      if (status[i].ok()) {
        ++winners;
        winner = i;
        continue;
      }
      EXPECT_EQ(status[i].error_code(), grpc::StatusCode::FAILED_PRECONDITION)
          << status[i].error_message();
      EXPECT_EQ(Reason(status[i]), "SITE_CAPACITY_EXHAUSTED");
    }
    ASSERT_EQ(winners, 1) << "round " << round;
    EXPECT_EQ(Held(site.name()), "1");
    // The winner's case is free again for the next round.
    pv1::CancelPlacementRequest cancel;
    cancel.set_name(out[winner].name());
    cancel.set_etag(out[winner].etag());
    cancel.set_request_id(NewRequestId());
    pv1::Placement cancelled;
    ASSERT_TRUE(
        env_.stub_
            ->CancelPlacement(env_.Ctx(env_.officer_).get(), cancel, &cancelled)
            .ok());
    EXPECT_EQ(Held(site.name()), "0");
  }
}

TEST_F(PlacementsCapacityTest, KillNineUnderABurstLosesNoAcknowledgedWrite) {
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 40;
  std::vector<std::vector<std::string>> acknowledged(kWriters);
  std::atomic<int> attempts{0};
  std::thread killer([&] {
    // Kill once the burst is well under way.
    while (attempts.load() < kWriters * kPerWriter / 3) {
      std::this_thread::yield();
    }
    env_.binary_->Signal(SIGKILL, absl::Seconds(5));
  });
  ks::testing::RunTogether(kWriters, [&](int w) {
    for (int i = 0; i < kPerWriter; ++i) {
      pv1::CreateActivityTypeRequest req;
      req.set_parent("regencies/64.01");
      req.set_request_id(NewRequestId());
      req.mutable_activity_type()->set_display_name(
          absl::StrCat("Kegiatan ", w, "-", i));
      req.mutable_activity_type()->set_category(
          pv1::ACTIVITY_CATEGORY_ENVIRONMENT);
      req.mutable_activity_type()->set_non_commercial_attested(true);
      req.mutable_activity_type()->set_non_degrading_attested(true);
      pv1::ActivityType out;
      ++attempts;
      grpc::Status s = env_.stub_->CreateActivityType(
          env_.Ctx(env_.officer_).get(), req, &out);
      if (s.ok()) acknowledged[w].push_back(out.name());
    }
  });
  killer.join();
  int acked = 0;
  for (const auto& names : acknowledged) acked += names.size();
  // The kill landed inside the burst: some writes failed.
  EXPECT_LT(acked, kWriters * kPerWriter);
  // Restart over the same redis (AOF): every acknowledged write is there.
  env_.StartBinary();
  int total = 0;
  for (const auto& names : acknowledged) {
    for (const std::string& name : names) {
      pv1::GetActivityTypeRequest get;
      get.set_name(name);
      pv1::ActivityType out;
      EXPECT_TRUE(
          env_.stub_->GetActivityType(env_.Ctx(env_.officer_).get(), get, &out)
              .ok())
          << name;
      ++total;
    }
  }
  EXPECT_GT(total, 0);
  // No record without its event, no event without its record.
  std::map<std::string, int> events;
  for (const cv1::Event& e : env_.Feed()) ++events[e.aggregate_name()];
  const std::string index = env_.redis_.Cli(
      absl::StrCat("ZRANGE ", kPrefix, "idx:activityTypes:g 0 -1"));
  int records = 0;
  for (absl::string_view name :
       absl::StrSplit(index, '\n', absl::SkipWhitespace())) {
    ++records;
    EXPECT_EQ(events[std::string(name)], 1) << name;
  }
  EXPECT_EQ(static_cast<int>(events.size()), records);
  EXPECT_GE(records, total);
}

}  // namespace
}  // namespace ks::placements::testing
