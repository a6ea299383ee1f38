// The prosecutor's supervision visits (KUHP Pasal 85(8)) end to end: the
// real kerjasosial-cases binary over real gRPC and a real redis-server.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tests/cases/cases_harness.h"

namespace ks::cases::testing {
namespace {

class CasesVisitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new CasesEnvironment();
    env_->Start(/*with_feed=*/false);
  }
  static void TearDownTestSuite() {
    env_->Stop();
    delete env_;
    env_ = nullptr;
  }

  static v1::CreateSupervisionVisitRequest VisitOn(const v1::Case& c,
                                                   int days_ago) {
    v1::CreateSupervisionVisitRequest req;
    req.set_parent(c.name());
    req.set_request_id("r" + ids::NewId());
    v1::SupervisionVisit* v = req.mutable_visit();
    *v->mutable_visit_date() = DateOf(Today() - days_ago);
    v->set_mode(v1::SUPERVISION_VISIT_MODE_PK_MEETING);
    v->set_findings("Met the PK; the work plan is followed.");
    return req;
  }

  grpc::Status Create(const v1::CreateSupervisionVisitRequest& req,
                      v1::SupervisionVisit* out,
                      const std::string& token = "") {
    return env_->stub_->CreateSupervisionVisit(
        CasesEnvironment::Ctx(token.empty() ? env_->jaksa_ : token).get(), req,
        out);
  }

  static CasesEnvironment* env_;
};

CasesEnvironment* CasesVisitTest::env_ = nullptr;

TEST_F(CasesVisitTest, CreateGetAndIdempotentRetry) {
  const v1::Case c = env_->HandOver(
      env_->Order(env_->CreateCase(AdultCase("601/Pid.B/2026/PN Tgt"))));
  v1::CreateSupervisionVisitRequest req = VisitOn(c, 1);
  req.mutable_visit()->set_mode(v1::SUPERVISION_VISIT_MODE_SITE_VISIT);
  req.mutable_visit()->set_site("regencies/64.01/sites/s1");
  *req.mutable_visit()->mutable_next_visit_date() = DateOf(Today() + 14);
  v1::SupervisionVisit first;
  grpc::Status s = Create(req, &first);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_TRUE(absl::StartsWith(first.name(), c.name() + "/supervisionVisits/"));
  EXPECT_EQ(first.recorded_by().principal_id(), "jaksa-6401");
  EXPECT_EQ(first.etag(), "v1");
  EXPECT_EQ(first.site(), "regencies/64.01/sites/s1");

  // The retry answers the first visit and writes nothing.
  const CasesEnvironment::Counts before = env_->CountsNow();
  v1::SupervisionVisit again;
  ASSERT_TRUE(Create(req, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_TRUE(env_->CountsNow().SameWrites(before));
  v1::ListSupervisionVisitsRequest list;
  list.set_parent(c.name());
  v1::ListSupervisionVisitsResponse listed;
  ASSERT_TRUE(env_->stub_
                  ->ListSupervisionVisits(
                      CasesEnvironment::Ctx(env_->jaksa_).get(), list, &listed)
                  .ok());
  ASSERT_EQ(listed.visits_size(), 1);
  EXPECT_EQ(listed.visits(0).name(), first.name());

  // Readable by the national viewer too; the case is unchanged.
  v1::GetSupervisionVisitRequest get;
  get.set_name(first.name());
  v1::SupervisionVisit got;
  s = env_->stub_->GetSupervisionVisit(
      CasesEnvironment::Ctx(env_->viewer_).get(), get, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(env_->GetCase(c.name()).etag(), c.etag());
  get.set_name(c.name() + "/supervisionVisits/nope");
  EXPECT_EQ(env_->stub_
                ->GetSupervisionVisit(CasesEnvironment::Ctx(env_->jaksa_).get(),
                                      get, &got)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CasesVisitTest, ListIsNewestFirstAndPages) {
  const v1::Case c = env_->HandOver(
      env_->Order(env_->CreateCase(AdultCase("602/Pid.B/2026/PN Tgt"))));
  std::vector<std::string> names;  // oldest first
  for (int days_ago : {3, 2, 1}) {
    v1::SupervisionVisit v;
    ASSERT_TRUE(Create(VisitOn(c, days_ago), &v).ok());
    names.push_back(v.name());
  }
  v1::ListSupervisionVisitsRequest req;
  req.set_parent(c.name());
  req.set_page_size(2);
  v1::ListSupervisionVisitsResponse page1, page2;
  ASSERT_TRUE(env_->stub_
                  ->ListSupervisionVisits(
                      CasesEnvironment::Ctx(env_->jaksa_).get(), req, &page1)
                  .ok());
  ASSERT_EQ(page1.visits_size(), 2);
  EXPECT_EQ(page1.visits(0).name(), names[2]);
  EXPECT_EQ(page1.visits(1).name(), names[1]);
  ASSERT_FALSE(page1.next_page_token().empty());
  req.set_page_token(page1.next_page_token());
  ASSERT_TRUE(env_->stub_
                  ->ListSupervisionVisits(
                      CasesEnvironment::Ctx(env_->jaksa_).get(), req, &page2)
                  .ok());
  ASSERT_EQ(page2.visits_size(), 1);
  EXPECT_EQ(page2.visits(0).name(), names[0]);
  EXPECT_TRUE(page2.next_page_token().empty());

  // The token is bound to its query.
  req.set_filter("mode = PK_MEETING");
  v1::ListSupervisionVisitsResponse bad;
  EXPECT_EQ(env_->stub_
                ->ListSupervisionVisits(
                    CasesEnvironment::Ctx(env_->jaksa_).get(), req, &bad)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // A filter over every case of the regency.
  v1::ListSupervisionVisitsRequest all;
  all.set_parent("regencies/64.01/cases/-");
  all.set_filter(absl::StrCat("visit_date >= \"",
                              absl::FormatCivilTime(Today() - 2), "\""));
  v1::ListSupervisionVisitsResponse recent;
  ASSERT_TRUE(env_->stub_
                  ->ListSupervisionVisits(
                      CasesEnvironment::Ctx(env_->viewer_).get(), all, &recent)
                  .ok());
  std::vector<std::string> got;
  for (const auto& v : recent.visits()) {
    if (absl::StartsWith(v.name(), c.name() + "/")) got.push_back(v.name());
  }
  EXPECT_EQ(got, (std::vector<std::string>{names[2], names[1]}));
}

TEST_F(CasesVisitTest, ForeignRegencyIsDenied) {
  const v1::Case c = env_->HandOver(
      env_->Order(env_->CreateCase(AdultCase("603/Pid.B/2026/PN Tgt"))));
  const CasesEnvironment::Counts before = env_->CountsNow();
  v1::SupervisionVisit out;
  EXPECT_EQ(Create(VisitOn(c, 0), &out, env_->other_jaksa_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListSupervisionVisitsRequest list;
  list.set_parent(c.name());
  v1::ListSupervisionVisitsResponse resp;
  EXPECT_EQ(
      env_->stub_
          ->ListSupervisionVisits(
              CasesEnvironment::Ctx(env_->other_jaksa_).get(), list, &resp)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // A PK may not record the prosecutor's supervision.
  EXPECT_EQ(Create(VisitOn(c, 0), &out, env_->pk_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(env_->CountsNow().SameWrites(before));
}

TEST_F(CasesVisitTest, BadInputNamesTheFieldAndWritesNothing) {
  const v1::Case c = env_->HandOver(
      env_->Order(env_->CreateCase(AdultCase("604/Pid.B/2026/PN Tgt"))));
  const CasesEnvironment::Counts before = env_->CountsNow();
  v1::SupervisionVisit out;
  v1::CreateSupervisionVisitRequest req = VisitOn(c, 0);
  req.mutable_visit()->clear_findings();
  grpc::Status s = Create(req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"visit.findings"});

  req = VisitOn(c, -2);  // the day after tomorrow
  s = Create(req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"visit.visit_date"});

  req = VisitOn(c, 0);
  req.clear_visit();
  s = Create(req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"visit"});
  EXPECT_TRUE(env_->CountsNow().SameWrites(before));

  // Before the handover there is nothing to supervise.
  const v1::Case ordered =
      env_->Order(env_->CreateCase(AdultCase("605/Pid.B/2026/PN Tgt")));
  const CasesEnvironment::Counts before2 = env_->CountsNow();
  s = Create(VisitOn(ordered, 0), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "CASE_NOT_UNDER_SUPERVISION");
  EXPECT_TRUE(env_->CountsNow().SameWrites(before2));
}

}  // namespace
}  // namespace ks::cases::testing
