#include "services/placements/domain/site.h"

#include "common/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/placements/domain/test_util.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
using ::testing::Contains;
using testing::Ctx;
using testing::Fields;
using ::testing::HasSubstr;
using testing::ReasonOf;
using testing::Weekdays;

constexpr char kSweep[] = "regencies/64.01/activityTypes/sapu";
constexpr char kSiteName[] = "regencies/64.01/sites/taman";

pv1::CooperationAgreement InForce() {
  pv1::CooperationAgreement a;
  a.set_name("regencies/64.01/agreements/a1");
  a.set_regency_code("64.01");
  a.set_state(pv1::AGREEMENT_STATE_IN_FORCE);
  *a.mutable_effective_date() = DateFromCivilDay(absl::CivilDay(2026, 1, 1));
  *a.mutable_expiry_date() = DateFromCivilDay(absl::CivilDay(2027, 12, 31));
  return a;
}

std::map<std::string, pv1::ActivityType> Activities() {
  pv1::ActivityType t;
  t.set_name(kSweep);
  t.set_state(pv1::ACTIVITY_TYPE_STATE_ACTIVE);
  t.set_non_commercial_attested(true);
  t.set_non_degrading_attested(true);
  return {{kSweep, t}};
}

Site Input() {
  Site s;
  s.set_display_name("Taman Kota Tanah Grogot");
  s.set_agreement("regencies/64.01/agreements/a1");
  s.set_host_kind(pv1::HOST_KIND_PUBLIC_SPACE);
  s.set_address("Jl. Jenderal Sudirman");
  s.set_latitude(-1.91);
  s.set_longitude(116.19);
  auto* a = s.add_activities();
  a->set_activity_type(kSweep);
  a->set_non_commercial_attested(true);
  a->set_non_degrading_attested(true);
  s.set_capacity(3);
  *s.mutable_schedule() = Weekdays(8 * 60, 12 * 60);
  return s;
}

absl::StatusOr<Site> New(
    const Site& in, const pv1::CooperationAgreement& agreement = InForce()) {
  return NewSite(in, kSiteName, "64.01", "Asia/Makassar", agreement,
                 Activities(), Ctx());
}

TEST(SiteTest, NewSiteIsActiveInTheRegencysZone) {
  Site in = Input();
  // Input never sets the zone (R14): the regency's wins.
  in.set_time_zone("Asia/Jakarta");
  absl::StatusOr<Site> s = New(in);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->state(), pv1::SITE_STATE_ACTIVE);
  EXPECT_EQ(s->time_zone(), "Asia/Makassar");
  EXPECT_EQ(s->schedule().time_zone(), "Asia/Makassar");
  EXPECT_EQ(s->activities(0).attested_by().principal_id(), "pemda-6401");
}

TEST(SiteTest, SiteActivityWithoutAttestationsCitesPasal853) {
  Site in = Input();
  in.mutable_activities(0)->set_non_commercial_attested(false);
  absl::Status s = New(in).status();
  EXPECT_THAT(Fields(s),
              Contains("site.activities[0].non_commercial_attested"));
  EXPECT_THAT(ToRpcStatus(s).DebugString(), HasSubstr("Pasal 85(3)"));
}

TEST(SiteTest, RetiredOrUnattestedActivityTypeIsRefused) {
  std::map<std::string, pv1::ActivityType> activities = Activities();
  activities[kSweep].set_state(pv1::ACTIVITY_TYPE_STATE_RETIRED);
  absl::Status s = NewSite(Input(), kSiteName, "64.01", "Asia/Makassar",
                           InForce(), activities, Ctx())
                       .status();
  EXPECT_EQ(ReasonOf(s), kReasonActivityRetired);
  activities = Activities();
  activities[kSweep].set_non_degrading_attested(false);
  s = NewSite(Input(), kSiteName, "64.01", "Asia/Makassar", InForce(),
              activities, Ctx())
          .status();
  EXPECT_EQ(ReasonOf(s), kReasonActivityNotAttested);
}

TEST(SiteTest, AgreementMustBeInForceForTheRegency) {
  pv1::CooperationAgreement expired = InForce();
  *expired.mutable_expiry_date() = DateFromCivilDay(absl::CivilDay(2026, 2, 1));
  EXPECT_EQ(ReasonOf(New(Input(), expired).status()),
            kReasonAgreementNotInForce);
  pv1::CooperationAgreement elsewhere = InForce();
  elsewhere.set_regency_code("64.02");
  EXPECT_EQ(ReasonOf(New(Input(), elsewhere).status()),
            kReasonAgreementNotInForce);
  pv1::CooperationAgreement covering = elsewhere;
  covering.add_covered_regency_codes("64.01");
  EXPECT_TRUE(New(Input(), covering).ok());
}

TEST(SiteTest, ScheduleWindowsAreChecked) {
  Site in = Input();
  in.mutable_schedule()->mutable_slots(0)->set_end_minute(1500);
  EXPECT_THAT(Fields(New(in).status()),
              Contains("site.schedule.slots[0].end_minute"));
  in = Input();
  in.mutable_schedule()->clear_slots();
  EXPECT_THAT(Fields(New(in).status()), Contains("site.schedule.slots"));
  in = Input();
  in.mutable_schedule()->mutable_slots(1)->clear_weekday();
  EXPECT_THAT(Fields(New(in).status()),
              Contains("site.schedule.slots[1].weekday"));
}

TEST(SiteTest, CapacityAndActivitiesAreBounded) {
  Site in = Input();
  in.set_capacity(0);
  in.clear_activities();
  const std::vector<std::string> fields = Fields(New(in).status());
  EXPECT_THAT(fields, Contains("site.capacity"));
  EXPECT_THAT(fields, Contains("site.activities"));
}

TEST(SiteTest, LifecycleTransitions) {
  const Site active = *New(Input());
  // ACTIVE → SUSPENDED needs a reason of the taxonomy.
  EXPECT_FALSE(Suspend(active, "not_a_reason", Ctx()).ok());
  absl::StatusOr<Site> suspended = Suspend(active, "safety_hazard", Ctx());
  ASSERT_TRUE(suspended.ok()) << suspended.status();
  EXPECT_EQ(suspended->state(), pv1::SITE_STATE_SUSPENDED);
  EXPECT_EQ(suspended->state_reason_code(), "safety_hazard");
  EXPECT_EQ(ReasonOf(CheckReceives(*suspended)), kReasonSiteNotActive);
  // Only a SUSPENDED site is reinstated; only an ACTIVE one suspended.
  EXPECT_EQ(ReasonOf(Reinstate(active, Ctx()).status()), kReasonInvalidState);
  EXPECT_EQ(ReasonOf(Suspend(*suspended, "renovation", Ctx()).status()),
            kReasonInvalidState);
  absl::StatusOr<Site> back = Reinstate(*suspended, Ctx());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->state(), pv1::SITE_STATE_ACTIVE);
  EXPECT_TRUE(back->state_reason_code().empty());
  EXPECT_TRUE(CheckReceives(*back).ok());
  // Closing is terminal, from ACTIVE or SUSPENDED.
  absl::StatusOr<Site> closed = Close(*suspended, "agreement_ended", Ctx());
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->state(), pv1::SITE_STATE_CLOSED);
  EXPECT_EQ(ReasonOf(Close(*closed, "other", Ctx()).status()),
            kReasonInvalidState);
  EXPECT_EQ(ReasonOf(Reinstate(*closed, Ctx()).status()), kReasonInvalidState);
  google::protobuf::FieldMask mask;
  mask.add_paths("display_name");
  EXPECT_EQ(
      ReasonOf(
          UpdateSite(*closed, Input(), mask, 0, Activities(), Ctx()).status()),
      kReasonInvalidState);
}

TEST(SiteTest, CapacityCannotDropBelowTheSlotsHeld) {
  const Site active = *New(Input());
  Site patch;
  patch.set_capacity(1);
  google::protobuf::FieldMask mask;
  mask.add_paths("capacity");
  absl::Status s =
      UpdateSite(active, patch, mask, /*held=*/2, Activities(), Ctx()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      UpdateSite(active, patch, mask, /*held=*/1, Activities(), Ctx()).ok());
}

TEST(SiteTest, ChangedEventCarriesWhatSupervisionNeedsOffline) {
  Site s = *New(Input());
  s.add_staff()->set_principal_id("spv-taman-01");
  const pv1::SiteChanged e = ChangedEvent(s, pv1::SITE_STATE_UNSPECIFIED);
  EXPECT_EQ(e.time_zone(), "Asia/Makassar");
  EXPECT_EQ(e.schedule().slots_size(), 5);
  ASSERT_EQ(e.staff_principal_ids_size(), 1);
  EXPECT_EQ(e.staff_principal_ids(0), "spv-taman-01");
  ASSERT_EQ(e.attested_activity_types_size(), 1);
  EXPECT_EQ(e.attested_activity_types(0), kSweep);
}

}  // namespace
}  // namespace ks::placements::domain
