// The Litmas rules (litmas.h): UU SPPA Pasal 60(3)-(4) (a child's decision
// needs the PK's Litmas; R11), R12 (adults as the policy says), and the
// immutability of a submitted Litmas.
#include "services/supervision/domain/litmas.h"

#include <set>
#include <string>

#include "common/status/rich_status.h"
#include "common/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "services/supervision/domain/test_util.h"

namespace ks::supervision::domain {
namespace {

using namespace ::ks::supervision::domain::testing;  // NOLINT
namespace cv1 = ::kerjasosial::common::v1;
namespace sv1 = ::kerjasosial::supervision::v1;
namespace casesv1 = ::kerjasosial::cases::v1;

LitmasReport Draft() {
  LitmasReport in;
  in.set_purpose(sv1::LITMAS_PURPOSE_PRE_SENTENCE_CHILD);
  in.set_requested_by(cv1::AGENCY_KEJAKSAAN);
  *in.mutable_request_date() = DateFromCivilDay(absl::CivilDay(2026, 3, 2));
  in.set_pk_principal_id("pk-bpp-01");
  return NewLitmas(in, "regencies/64.01/litmasReports/l1",
                   At(Wita(), 2026, 3, 2, 9));
}

std::set<std::string> Fields(const absl::Status& s) {
  std::set<std::string> out;
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& d : rpc.details()) {
    google::rpc::BadRequest br;
    if (d.UnpackTo(&br)) {
      for (const auto& v : br.field_violations()) out.insert(v.field());
    }
  }
  return out;
}

TEST(LitmasTest, FieldsNamedWhenMissing) {
  Validator v;
  CheckLitmasFields(LitmasReport(), "litmas_report.", v);
  std::set<std::string> fields;
  for (const auto& f : v.violations()) fields.insert(f.field);
  EXPECT_EQ(fields, (std::set<std::string>{"litmas_report.purpose",
                                           "litmas_report.requested_by",
                                           "litmas_report.request_date",
                                           "litmas_report.pk_principal_id"}));
}

TEST(LitmasTest, SubmitNeedsNumberAndRecommendationThenIsImmutable) {
  const absl::Time now = At(Wita(), 2026, 3, 5, 9);
  LitmasReport draft = Draft();
  absl::StatusOr<LitmasReport> early =
      SubmitLitmas(draft, DateFromCivilDay(absl::CivilDay(2026, 3, 5)), now);
  EXPECT_EQ(Fields(early.status()),
            (std::set<std::string>{"litmas_report.number",
                                   "litmas_report.recommendation"}));

  LitmasReport change;
  change.set_number("LIT-17/2026");
  change.set_recommendation(sv1::LitmasRecommendation(1));
  google::protobuf::FieldMask mask;
  mask.add_paths("number");
  mask.add_paths("recommendation");
  absl::StatusOr<LitmasReport> filled = UpdateLitmas(draft, change, mask, now);
  ASSERT_TRUE(filled.ok()) << filled.status();
  EXPECT_EQ(filled->number(), "LIT-17/2026");
  absl::StatusOr<LitmasReport> submitted =
      SubmitLitmas(*filled, DateFromCivilDay(absl::CivilDay(2026, 3, 5)), now);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(submitted->state(), sv1::LITMAS_STATE_SUBMITTED);

  change.set_number("LIT-18/2026");
  mask.Clear();
  mask.add_paths("number");
  EXPECT_EQ(UpdateLitmas(*submitted, change, mask, now).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(SubmitLitmas(*submitted,
                         DateFromCivilDay(absl::CivilDay(2026, 3, 6)), now)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(LitmasTest, UpdateRefusesOutputOnlyPaths) {
  google::protobuf::FieldMask mask;
  mask.add_paths("state");
  absl::StatusOr<LitmasReport> r =
      UpdateLitmas(Draft(), LitmasReport(), mask, At(Wita(), 2026, 3, 5, 9));
  EXPECT_EQ(Fields(r.status()), (std::set<std::string>{"update_mask"}));
}

TEST(LitmasTest, R11ChildCaseNeedsALitmasBeforeAssignment) {
  cv1::PolicyVersion policy = DefaultPolicy().At(absl::CivilDay(2026, 3, 2));
  policy.mutable_child()->set_litmas_required(true);
  const auto child = cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
  casesv1::LitmasRef none;
  absl::Status s = RequireLitmas(child, policy, none, nullptr, "c");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("R11"), std::string::npos);

  // A Litmas written outside kerjasosial: its number is enough.
  casesv1::LitmasRef outside;
  outside.set_number("LIT-1/2026");
  EXPECT_TRUE(RequireLitmas(child, policy, outside, nullptr, "c").ok());

  // One made here must be SUBMITTED.
  casesv1::LitmasRef here;
  here.set_number("LIT-17/2026");
  here.set_litmas("regencies/64.01/litmasReports/l1");
  LitmasReport draft = Draft();
  EXPECT_EQ(RequireLitmas(child, policy, here, &draft, "c").code(),
            absl::StatusCode::kFailedPrecondition);
  draft.set_state(sv1::LITMAS_STATE_SUBMITTED);
  EXPECT_TRUE(RequireLitmas(child, policy, here, &draft, "c").ok());
}

TEST(LitmasTest, R12AdultsOnlyWhenThePolicySays) {
  cv1::PolicyVersion policy = DefaultPolicy().At(absl::CivilDay(2026, 3, 2));
  const auto adult = cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL;
  policy.mutable_adult()->set_litmas_required(false);
  EXPECT_TRUE(
      RequireLitmas(adult, policy, casesv1::LitmasRef(), nullptr, "c").ok());
  policy.mutable_adult()->set_litmas_required(true);
  EXPECT_EQ(
      RequireLitmas(adult, policy, casesv1::LitmasRef(), nullptr, "c").code(),
      absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ks::supervision::domain
