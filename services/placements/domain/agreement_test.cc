#include "services/placements/domain/agreement.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/placements/domain/test_util.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;
using testing::Ctx;
using ::testing::ElementsAre;

CooperationAgreement Input(absl::CivilDay effective, absl::CivilDay expiry) {
  CooperationAgreement a;
  a.set_agreement_number("PKS/1/2026");
  a.set_title("Kerja sosial");
  a.set_level(pv1::AGREEMENT_LEVEL_REGENCY);
  a.add_parties()->set_agency(cv1::AGENCY_PEMDA);
  a.mutable_parties(0)->set_office_name("Pemkab Paser");
  a.add_parties()->set_agency(cv1::AGENCY_KEJAKSAAN);
  a.mutable_parties(1)->set_office_name("Kejari Paser");
  *a.mutable_signed_date() = DateFromCivilDay(effective);
  *a.mutable_effective_date() = DateFromCivilDay(effective);
  *a.mutable_expiry_date() = DateFromCivilDay(expiry);
  return a;
}

const std::string kName = "regencies/64.01/agreements/a1";

TEST(AgreementTest, TermIsThePolicysTwoYears) {
  const absl::CivilDay d(2026, 3, 2);
  // 24 months after 2026-03-02 is 2028-03-02: the last valid day is the one
  // before.
  EXPECT_TRUE(
      NewAgreement(Input(d, absl::CivilDay(2028, 3, 1)), kName, "64.01", Ctx())
          .ok());
  absl::StatusOr<CooperationAgreement> over =
      NewAgreement(Input(d, absl::CivilDay(2028, 3, 2)), kName, "64.01", Ctx());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(testing::Fields(over.status()),
              ElementsAre("agreement.expiry_date"));
}

TEST(AgreementTest, NeedsTwoPartiesWithThePemdaAndALevel) {
  CooperationAgreement in =
      Input(absl::CivilDay(2026, 3, 2), absl::CivilDay(2027, 3, 1));
  in.mutable_parties(0)->set_agency(cv1::AGENCY_BAPAS);
  in.clear_level();
  absl::StatusOr<CooperationAgreement> a =
      NewAgreement(in, kName, "64.01", Ctx());
  EXPECT_THAT(testing::Fields(a.status()),
              ElementsAre("agreement.parties", "agreement.level"));
}

TEST(AgreementTest, LifecycleAndExpiryOnRead) {
  absl::StatusOr<CooperationAgreement> a = NewAgreement(
      Input(absl::CivilDay(2026, 3, 2), absl::CivilDay(2026, 12, 31)), kName,
      "64.01", Ctx());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->state(), pv1::AGREEMENT_STATE_DRAFT);
  EXPECT_EQ(a->next_evaluation_due_date().year(), 2027);
  absl::StatusOr<CooperationAgreement> in_force = Activate(*a, Ctx());
  ASSERT_TRUE(in_force.ok());
  EXPECT_EQ(in_force->state(), pv1::AGREEMENT_STATE_IN_FORCE);
  EXPECT_EQ(testing::ReasonOf(Activate(*in_force, Ctx()).status()),
            "INVALID_STATE");
  EXPECT_TRUE(
      CheckInForce(*in_force, "64.01", absl::CivilDay(2026, 12, 31)).ok());
  EXPECT_EQ(testing::ReasonOf(
                CheckInForce(*in_force, "71.01", absl::CivilDay(2026, 6, 1))),
            "AGREEMENT_NOT_IN_FORCE");
  // The day after expiry it reads EXPIRED and refuses placements.
  const absl::CivilDay after(2027, 1, 1);
  EXPECT_EQ(EffectiveState(*in_force, after), pv1::AGREEMENT_STATE_EXPIRED);
  EXPECT_EQ(testing::ReasonOf(CheckInForce(*in_force, "64.01", after)),
            "AGREEMENT_NOT_IN_FORCE");
  // The sweep expires it once.
  absl::StatusOr<CooperationAgreement> expired = Expire(*in_force, Ctx(after));
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired->state(), pv1::AGREEMENT_STATE_EXPIRED);
  EXPECT_EQ(testing::ReasonOf(Expire(*expired, Ctx(after)).status()),
            "INVALID_STATE");
  EXPECT_EQ(EndedEvent(*expired).state(), pv1::AGREEMENT_STATE_EXPIRED);
  // Terminal: neither terminated nor evaluated.
  EXPECT_EQ(testing::ReasonOf(Terminate(*expired, Ctx(after)).status()),
            "INVALID_STATE");
}

TEST(AgreementTest, EvaluationMovesTheNextDueDate) {
  CooperationAgreement a = *NewAgreement(
      Input(absl::CivilDay(2026, 1, 5), absl::CivilDay(2027, 12, 31)), kName,
      "64.01", Ctx());
  a = *Activate(a, Ctx());
  pv1::AgreementEvaluation e;
  *e.mutable_evaluated_date() = DateFromCivilDay(absl::CivilDay(2026, 2, 27));
  e.set_continue_agreement(true);
  absl::StatusOr<CooperationAgreement> out = RecordEvaluation(a, e, Ctx());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->evaluations_size(), 1);
  EXPECT_EQ(out->evaluations(0).recorded_by().principal_id(), "pemda-6401");
  EXPECT_EQ(out->next_evaluation_due_date().year(), 2027);
  EXPECT_EQ(out->next_evaluation_due_date().month(), 2);
  EXPECT_EQ(out->next_evaluation_due_date().day(), 27);
  // Not in the future.
  *e.mutable_evaluated_date() = DateFromCivilDay(absl::CivilDay(2026, 3, 3));
  EXPECT_THAT(testing::Fields(RecordEvaluation(a, e, Ctx()).status()),
              ElementsAre("evaluation.evaluated_date"));
}

TEST(AgreementTest, InForceChangesOnlyItsReportingTerms) {
  CooperationAgreement a = *Activate(
      *NewAgreement(
          Input(absl::CivilDay(2026, 1, 5), absl::CivilDay(2027, 12, 31)),
          kName, "64.01", Ctx()),
      Ctx());
  CooperationAgreement patch;
  patch.set_title("Other");
  patch.set_technical_office("Dinas Lingkungan Hidup");
  google::protobuf::FieldMask mask;
  mask.add_paths("technical_office");
  EXPECT_EQ(UpdateAgreement(a, patch, mask, Ctx())->technical_office(),
            "Dinas Lingkungan Hidup");
  mask.add_paths("title");
  EXPECT_EQ(testing::ReasonOf(UpdateAgreement(a, patch, mask, Ctx()).status()),
            "INVALID_STATE");
}

TEST(AgreementTest, RenewalLinksBothAndRefusesASecond) {
  CooperationAgreement a = *Activate(
      *NewAgreement(
          Input(absl::CivilDay(2026, 1, 5), absl::CivilDay(2027, 12, 31)),
          kName, "64.01", Ctx()),
      Ctx());
  auto renewed = Renew(a, "regencies/64.01/agreements/a2", "PKS/2/2027",
                       DateFromCivilDay(absl::CivilDay(2027, 12, 1)),
                       DateFromCivilDay(absl::CivilDay(2029, 11, 30)), Ctx());
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(renewed->first.renewed_by(), "regencies/64.01/agreements/a2");
  EXPECT_EQ(renewed->second.renewed_from(), kName);
  EXPECT_EQ(renewed->second.state(), pv1::AGREEMENT_STATE_DRAFT);
  EXPECT_EQ(renewed->second.parties_size(), 2);
  EXPECT_EQ(testing::ReasonOf(
                Renew(renewed->first, "x", "PKS/3", {}, {}, Ctx()).status()),
            "AGREEMENT_ALREADY_RENEWED");
  // The new expiry is held to the policy's term too, on the request's field.
  auto too_long = Renew(a, "regencies/64.01/agreements/a3", "PKS/3/2027",
                        DateFromCivilDay(absl::CivilDay(2027, 12, 1)),
                        DateFromCivilDay(absl::CivilDay(2030, 1, 1)), Ctx());
  EXPECT_THAT(testing::Fields(too_long.status()), ElementsAre("expiry_date"));
}

}  // namespace
}  // namespace ks::placements::domain
