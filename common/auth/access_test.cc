#include "common/auth/access.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/authenticator.h"
#include "common/status/rich_status.h"
#include "gtest/gtest.h"
#include "kerjasosial/cases/v1/cases_service.pb.h"
#include "kerjasosial/placements/v1/placements_service.pb.h"
#include "kerjasosial/reporting/v1/reporting_service.pb.h"
#include "kerjasosial/supervision/v1/supervision_service.pb.h"

namespace ks::auth {
namespace {

namespace cv1 = ::kerjasosial::common::v1;
namespace v1 = ::kerjasosial::cases::v1;

std::string Reason(const absl::Status& s) {
  const google::rpc::Status rpc = ToRpcStatus(s);
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

const google::protobuf::MethodDescriptor& Method(const std::string& name) {
  const auto* m =
      FindMethod(absl::StrCat("/kerjasosial.cases.v1.Cases/", name));
  EXPECT_NE(m, nullptr) << name;
  return *m;
}

Principal Jaksa() {
  return {"jaksa-1", "kejari-64.01", Role::JAKSA, {"64.01"}};
}
Principal Pk() { return {"pk-1", "bapas-bpp", Role::PK_BAPAS, {"64"}}; }
Principal Admin() { return {"admin-1", "ops", Role::ADMIN, {"64.01"}}; }

TEST(AccessTest, ResourceRegencyAdmitsOwnAndRefusesForeignRegency) {
  v1::CancelCaseRequest req;
  req.set_name("regencies/64.01/cases/abc");
  absl::StatusOr<AccessDecision> d =
      Authorize(Method("CancelCase"), req, Jaksa());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_FALSE(d->needs_relation());
  EXPECT_EQ(d->regency, "64.01");

  req.set_name("regencies/71.01/cases/abc");
  d = Authorize(Method("CancelCase"), req, Jaksa());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(d.status()), kReasonRegencyOutOfScope);
}

TEST(AccessTest, WrongRoleIsRoleRequiredNamingEveryRoleAndAdmin) {
  v1::CancelCaseRequest req;
  req.set_name("regencies/64.01/cases/abc");
  absl::StatusOr<AccessDecision> d = Authorize(Method("CancelCase"), req, Pk());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(d.status()), kReasonRoleRequired);
  EXPECT_EQ(d.status().message(),
            "role JAKSA or ADMIN required; caller has PK_BAPAS");
}

TEST(AccessTest, AdminPassesRolesButStaysInItsScope) {
  v1::CancelCaseRequest req;
  req.set_name("regencies/64.01/cases/abc");
  EXPECT_TRUE(Authorize(Method("CancelCase"), req, Admin()).ok());
  req.set_name("regencies/64.02/cases/abc");
  absl::StatusOr<AccessDecision> d =
      Authorize(Method("CancelCase"), req, Admin());
  EXPECT_EQ(Reason(d.status()), kReasonRegencyOutOfScope);
}

TEST(AccessTest, DottedFieldIsRead) {
  v1::UpdateCaseRequest req;
  req.mutable_case_data()->set_name("regencies/71.01/cases/abc");
  absl::StatusOr<AccessDecision> d =
      Authorize(Method("UpdateCase"), req, Jaksa());
  EXPECT_EQ(Reason(d.status()), kReasonRegencyOutOfScope);
  EXPECT_EQ(d.status().message(),
            "principal jaksa-1 (kejari-64.01, scope 64.01) may not act in "
            "regency 71.01");
  req.mutable_case_data()->set_name("regencies/64.01/cases/abc");
  EXPECT_TRUE(Authorize(Method("UpdateCase"), req, Jaksa()).ok());
}

TEST(AccessTest, WildcardParentIsTheCallersScope) {
  v1::ListCasesRequest req;
  req.set_parent("regencies/-");
  absl::StatusOr<AccessDecision> d =
      Authorize(Method("ListCases"), req, Jaksa());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->regency, "-");
}

TEST(AccessTest, RelationGrantChecksRoleAndLeavesTheRelation) {
  v1::GetCaseForExecutionRequest req;
  req.set_name("regencies/71.01/cases/abc");  // outside the PK's scope
  absl::StatusOr<AccessDecision> d =
      Authorize(Method("GetCaseForExecution"), req, Pk());
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->relations, std::vector<cv1::AccessRelation>{
                              cv1::ACCESS_RELATION_HANDOVER_OFFICE});

  RelationFacts facts;
  absl::Status s = CheckRelations(Pk(), *d, facts);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(s), kReasonBapasOfficeRequired);
  facts.handover_office = "bapas-other";
  EXPECT_EQ(Reason(CheckRelations(Pk(), *d, facts)),
            kReasonBapasOfficeRequired);
  facts.handover_office = "bapas-bpp";
  EXPECT_TRUE(CheckRelations(Pk(), *d, facts).ok());

  // GetCase has no relation grant: the PK is refused by role.
  v1::GetCaseRequest get;
  get.set_name("regencies/64.01/cases/abc");
  EXPECT_EQ(Reason(Authorize(Method("GetCase"), get, Pk()).status()),
            kReasonRoleRequired);
}

TEST(AccessTest, CallerScopeChecksTheRoleOnly) {
  kerjasosial::common::v1::StreamEventsRequest req;
  Principal svc{"svc", "supervision", Role::SERVICE, {"64.01"}};
  EXPECT_TRUE(Authorize(Method("StreamEvents"), req, svc).ok());
  EXPECT_EQ(Reason(Authorize(Method("StreamEvents"), req, Jaksa()).status()),
            kReasonRoleRequired);
}

TEST(AccessTest, RelationHoldsPerKind) {
  const Principal pk = Pk();
  RelationFacts f;
  f.assigned_pk = "pk-1";
  f.site_staff = {"x", "pk-1"};
  f.placement_regency = "64.03";
  f.case_regency = "71.01";
  EXPECT_TRUE(RelationHolds(pk, cv1::ACCESS_RELATION_ASSIGNED_PK, f));
  EXPECT_TRUE(RelationHolds(pk, cv1::ACCESS_RELATION_SITE_STAFF, f));
  EXPECT_TRUE(RelationHolds(pk, cv1::ACCESS_RELATION_PLACEMENT_REGENCY, f));
  EXPECT_FALSE(RelationHolds(pk, cv1::ACCESS_RELATION_CASE_PROSECUTOR, f));
  EXPECT_FALSE(RelationHolds(pk, cv1::ACCESS_RELATION_HANDOVER_OFFICE, f));
  EXPECT_FALSE(RelationHolds(pk, cv1::ACCESS_RELATION_UNSPECIFIED, f));
}

// Every rpc of every service declares a well-formed access rule, and every
// field a grant names exists in the rpc's request.
class EveryServiceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryServiceTest, EveryRpcDeclaresAWellFormedAccessRule) {
  // Referencing one message of each file links its descriptor in.
  (void)v1::GetCaseRequest::descriptor();
  (void)
      kerjasosial::placements::v1::GetCooperationAgreementRequest::descriptor();
  (void)kerjasosial::supervision::v1::GetPkAssignmentRequest::descriptor();
  (void)kerjasosial::reporting::v1::GetNationalSummaryRequest::descriptor();
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          GetParam());
  ASSERT_NE(service, nullptr) << GetParam();
  ASSERT_GT(service->method_count(), 0) << GetParam();
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor& m = *service->method(i);
    std::optional<cv1::AccessRule> rule = RuleOf(m);
    ASSERT_TRUE(rule.has_value()) << m.full_name() << " has no access option";
    ASSERT_GT(rule->grants_size(), 0) << m.full_name();
    for (const cv1::AccessGrant& g : rule->grants()) {
      EXPECT_GT(g.roles_size(), 0) << m.full_name();
      EXPECT_NE(g.scope(), cv1::ACCESS_SCOPE_UNSPECIFIED) << m.full_name();
      EXPECT_EQ(g.scope() == cv1::ACCESS_SCOPE_RELATION,
                g.relation() != cv1::ACCESS_RELATION_UNSPECIFIED)
          << m.full_name();
      const std::string field = GrantField(g);
      if (!field.empty()) {
        const google::protobuf::Message* prototype =
            google::protobuf::MessageFactory::generated_factory()->GetPrototype(
                m.input_type());
        ASSERT_NE(prototype, nullptr) << m.full_name();
        EXPECT_TRUE(StringAtPath(*prototype, field).ok())
            << m.full_name() << " grant names field " << field
            << " its request lacks";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Services, EveryServiceTest,
    ::testing::Values("kerjasosial.cases.v1.Cases",
                      "kerjasosial.placements.v1.Placements",
                      "kerjasosial.supervision.v1.Supervision",
                      "kerjasosial.reporting.v1.Reporting"));

}  // namespace
}  // namespace ks::auth
