#include "services/placements/domain/activity.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/placements/domain/test_util.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
using testing::Ctx;
using testing::Fields;
using ::testing::HasSubstr;
using testing::ReasonOf;
using ::testing::UnorderedElementsAre;

constexpr char kName[] = "regencies/64.01/activityTypes/sapu";

ActivityType Input() {
  ActivityType a;
  a.set_display_name("Kebersihan taman kota");
  a.set_category(pv1::ACTIVITY_CATEGORY_PUBLIC_FACILITIES);
  a.set_non_commercial_attested(true);
  a.set_non_degrading_attested(true);
  return a;
}

TEST(ActivityTest, NewTypeWithBothAttestationsIsActiveAndRecordsWho) {
  absl::StatusOr<ActivityType> a = NewActivityType(Input(), kName, Ctx());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->state(), pv1::ACTIVITY_TYPE_STATE_ACTIVE);
  EXPECT_EQ(a->attested_by().principal_id(), "pemda-6401");
  EXPECT_TRUE(CheckUsable(*a, *Ctx().policy).ok());
}

TEST(ActivityTest, MissingAttestationsAreRefusedCitingPasal853) {
  ActivityType in = Input();
  in.set_non_commercial_attested(false);
  in.set_non_degrading_attested(false);
  absl::Status s = NewActivityType(in, kName, Ctx()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(s),
              UnorderedElementsAre("activity_type.non_commercial_attested",
                                   "activity_type.non_degrading_attested"));
  // The citation is in each violation's description, not only the message.
  bool cites = false;
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest br;
    if (!any.UnpackTo(&br)) continue;
    for (const auto& v : br.field_violations()) {
      EXPECT_THAT(v.description(), HasSubstr("Pasal 85(3)"));
      cites = true;
    }
  }
  EXPECT_TRUE(cites);
}

TEST(ActivityTest, CategoryAndNameAreRequired) {
  ActivityType in = Input();
  in.clear_category();
  in.clear_display_name();
  EXPECT_THAT(Fields(NewActivityType(in, kName, Ctx()).status()),
              UnorderedElementsAre("activity_type.category",
                                   "activity_type.display_name"));
}

TEST(ActivityTest, AnAttestationCannotBeWithdrawnByUpdate) {
  const ActivityType a = *NewActivityType(Input(), kName, Ctx());
  ActivityType patch;
  patch.set_non_degrading_attested(false);
  google::protobuf::FieldMask mask;
  mask.add_paths("non_degrading_attested");
  EXPECT_THAT(Fields(UpdateActivityType(a, patch, mask, Ctx()).status()),
              UnorderedElementsAre("activity_type.non_degrading_attested"));
}

TEST(ActivityTest, UnknownUpdatePathIsNamed) {
  const ActivityType a = *NewActivityType(Input(), kName, Ctx());
  google::protobuf::FieldMask mask;
  mask.add_paths("state");
  EXPECT_THAT(Fields(UpdateActivityType(a, a, mask, Ctx()).status()),
              UnorderedElementsAre("update_mask"));
}

TEST(ActivityTest, ReaffirmingAnAttestationRecordsTheNewAttester) {
  const ActivityType a = *NewActivityType(Input(), kName, Ctx());
  Context later = Ctx(absl::CivilDay(2026, 4, 1));
  later.actor.set_principal_id("pemda-6401-b");
  ActivityType patch;
  patch.set_non_commercial_attested(true);
  google::protobuf::FieldMask mask;
  mask.add_paths("non_commercial_attested");
  absl::StatusOr<ActivityType> b = UpdateActivityType(a, patch, mask, later);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->attested_by().principal_id(), "pemda-6401-b");
}

TEST(ActivityTest, RetiredTypeIsUnusableAndFrozen) {
  const ActivityType a = *NewActivityType(Input(), kName, Ctx());
  absl::StatusOr<ActivityType> retired = Retire(a, Ctx());
  ASSERT_TRUE(retired.ok());
  EXPECT_EQ(retired->state(), pv1::ACTIVITY_TYPE_STATE_RETIRED);
  EXPECT_EQ(ReasonOf(CheckUsable(*retired, *Ctx().policy)),
            kReasonActivityRetired);
  EXPECT_EQ(ReasonOf(Retire(*retired, Ctx()).status()), kReasonInvalidState);
  google::protobuf::FieldMask mask;
  mask.add_paths("display_name");
  EXPECT_EQ(ReasonOf(UpdateActivityType(*retired, a, mask, Ctx()).status()),
            kReasonActivityRetired);
}

TEST(ActivityTest, StoredDraftWithoutAttestationIsNotUsable) {
  // A type stored without its attestations (an import, an older version)
  // can never be used by a site or a placement.
  ActivityType stored = *NewActivityType(Input(), kName, Ctx());
  stored.set_non_commercial_attested(false);
  absl::Status s = CheckUsable(stored, *Ctx().policy);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), kReasonActivityNotAttested);
  EXPECT_THAT(s.message(), HasSubstr("Pasal 85(3)"));
}

}  // namespace
}  // namespace ks::placements::domain
