// The programs part under misuse, over real gRPC and a real Redis: bad
// input naming the field and rule, concurrent identical retries, etags,
// cross-office and cross-role denial; and the privacy test: notes and names
// sent through every method never reach the feed, the logs, the metrics, or
// any response to PEMDA_OFFICER, JAKSA, SITE_SUPERVISOR or NATIONAL_VIEWER.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/testing/race.h"
#include "gmock/gmock.h"
#include "tests/supervision/programs_harness.h"

namespace ks::supervision::programs::testing {
namespace {

using ::testing::ElementsAre;

class ProgramsRobustnessTest : public ProgramsHarness {};

TEST_F(ProgramsRobustnessTest, BadInputNamesEveryFieldAndRule) {
  v1::CreateReferralRequest empty;
  empty.set_parent(kParent);
  empty.set_request_id(ids::NewId());
  v1::Referral r;
  grpc::Status s = stub_->CreateReferral(Ctx(pk_).get(), empty, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s), ElementsAre("referral"));

  v1::CreateGuidanceSessionRequest g;
  g.set_parent(kParent);
  g.set_request_id(ids::NewId());
  g.mutable_guidance_session()->set_case_name(kAdultCase);
  *g.mutable_guidance_session()->mutable_interval()->mutable_start_time() =
      Ago(absl::Hours(1));
  *g.mutable_guidance_session()->mutable_interval()->mutable_end_time() =
      Ago(-absl::Hours(2));  // in the future
  v1::GuidanceSession out;
  s = stub_->CreateGuidanceSession(Ctx(pk_).get(), g, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(
      BadFields(s),
      ElementsAre("guidance_session.interval.end_time", "guidance_session.mode",
                  "guidance_session.topics", "guidance_session.reason_code"));

  v1::CreatePartnerProgramRequest p;
  p.set_parent(kParent);
  p.set_request_id(ids::NewId());
  p.mutable_partner_program()->set_title("Kursus las");
  p.mutable_partner_program()->set_capacity(-1);
  v1::PartnerProgram program;
  s = stub_->CreatePartnerProgram(Ctx(pk_).get(), p, &program);
  EXPECT_THAT(
      BadFields(s),
      ElementsAre("partner_program.category", "partner_program.partner_name",
                  "partner_program.partner_kind", "partner_program.capacity"));

  v1::ListReferralsRequest list;
  list.set_parent(kParent);
  list.set_filter("notes = \"x\"");
  v1::ListReferralsResponse listed;
  s = stub_->ListReferrals(Ctx(pk_).get(), list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s), ElementsAre("filter"));
  list.set_filter("");
  list.set_page_token("not-a-token");
  s = stub_->ListReferrals(Ctx(pk_).get(), list, &listed);
  EXPECT_THAT(BadFields(s), ElementsAre("page_token"));

  v1::GetReferralRequest get;
  get.set_name("regencies/64.01/referrals/nope");
  s = stub_->GetReferral(Ctx(pk_).get(), get, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ProgramsRobustnessTest, ConcurrentIdenticalRetriesHoldOneSeat) {
  const v1::PartnerProgram program = MakeProgram("Pelatihan menjahit", 3);
  const v1::CreateReferralRequest req =
      ReferralRequest(program.name(), kAdultCase);
  std::vector<v1::Referral> answers(8);
  std::vector<grpc::Status> statuses(8);
  ks::testing::RunTogether(8, [&](int i) {
    statuses[i] = stub_->CreateReferral(Ctx(pk_).get(), req, &answers[i]);
  });
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(answers[i].SerializeAsString(), answers[0].SerializeAsString());
  }
  v1::GetPartnerProgramRequest get;
  get.set_name(program.name());
  v1::PartnerProgram after;
  ASSERT_TRUE(stub_->GetPartnerProgram(Ctx(pk_).get(), get, &after).ok());
  EXPECT_EQ(after.active_referrals(), 1);
  int changes = 0;
  for (const auto& e : FeedEvents()) {
    if (e.aggregate_name() == answers[0].name()) ++changes;
  }
  EXPECT_EQ(changes, 1);
  // The same request id with another body is refused.
  v1::CreateReferralRequest other = req;
  other.mutable_referral()->set_case_name(kChildCase);
  v1::Referral r;
  grpc::Status s = stub_->CreateReferral(Ctx(pk_).get(), other, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(s), "REQUEST_ID_REUSED");
}

TEST_F(ProgramsRobustnessTest, StaleEtagIsAbortedAndCapacityKeepsHeldSeats) {
  const v1::PartnerProgram program = MakeProgram("Pertanian organik", 3);
  v1::Referral r;
  ASSERT_TRUE(stub_
                  ->CreateReferral(Ctx(pk_).get(),
                                   ReferralRequest(program.name(), kAdultCase),
                                   &r)
                  .ok());
  v1::AcceptReferralRequest accept;
  accept.set_name(r.name());
  accept.set_etag(r.etag());
  accept.set_request_id(ids::NewId());
  v1::Referral accepted;
  ASSERT_TRUE(stub_->AcceptReferral(Ctx(pk_).get(), accept, &accepted).ok());
  v1::WithdrawReferralRequest withdraw;
  withdraw.set_name(r.name());
  withdraw.set_etag(r.etag());  // before the acceptance
  withdraw.set_reason_code("dropped_out");
  withdraw.set_request_id(ids::NewId());
  grpc::Status s = stub_->WithdrawReferral(Ctx(pk_).get(), withdraw, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(s), "STALE_ETAG");
  withdraw.set_etag("garbage");
  s = stub_->WithdrawReferral(Ctx(pk_).get(), withdraw, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s), ElementsAre("etag"));

  // Accepting twice is a transition error, not a second seat.
  accept.set_etag(accepted.etag());
  accept.set_request_id(ids::NewId());
  s = stub_->AcceptReferral(Ctx(pk_).get(), accept, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "TRANSITION_NOT_ALLOWED");

  v1::UpdatePartnerProgramRequest update;
  update.mutable_partner_program()->set_name(program.name());
  update.mutable_partner_program()->set_capacity(0);
  update.mutable_update_mask()->add_paths("capacity");
  update.set_etag(program.etag());
  update.set_request_id(ids::NewId());
  v1::PartnerProgram changed;
  ASSERT_TRUE(
      stub_->UpdatePartnerProgram(Ctx(pk_).get(), update, &changed).ok());
  EXPECT_EQ(changed.capacity(), 0);
  {
    absl::MutexLock lock(&mu_);
    facts_["regencies/64.01/cases/c-two"] = CaseFacts{true, false, "pk-1", ""};
  }
  ASSERT_TRUE(
      stub_
          ->CreateReferral(
              Ctx(pk_).get(),
              ReferralRequest(program.name(), "regencies/64.01/cases/c-two"),
              &r)
          .ok());
  update.mutable_partner_program()->set_capacity(1);
  update.set_etag(changed.etag());
  update.set_request_id(ids::NewId());
  s = stub_->UpdatePartnerProgram(Ctx(pk_).get(), update, &changed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "CAPACITY_BELOW_ACTIVE_REFERRALS");
}

TEST_F(ProgramsRobustnessTest, CrossOfficeAndCrossRoleAreDenied) {
  v1::GuidanceSession g = MakeGuidance(kAdultCase, v1::GUIDANCE_MODE_AT_BAPAS);
  v1::GetGuidanceSessionRequest get;
  get.set_name(g.name());
  v1::GuidanceSession out;
  // A PK of another Bapas, not assigned to the case.
  grpc::Status s = stub_->GetGuidanceSession(Ctx(other_pk_).get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::CreateGuidanceSessionRequest create;
  create.set_parent(kParent);
  create.set_request_id(ids::NewId());
  *create.mutable_guidance_session() = g;
  create.mutable_guidance_session()->clear_name();
  create.mutable_guidance_session()->clear_etag();
  s = stub_->CreateGuidanceSession(Ctx(other_pk_).get(), create, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Once the case is assigned to that PK, the relation admits it.
  {
    absl::MutexLock lock(&mu_);
    facts_[kAdultCase].assigned_pk = "pk-9";
  }
  s = stub_->GetGuidanceSession(Ctx(other_pk_).get(), get, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  create.set_request_id(ids::NewId());
  s = stub_->CreateGuidanceSession(Ctx(other_pk_).get(), create, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();

  // Roles the contract does not grant.
  v1::CreateReferralRequest refer =
      ReferralRequest(MakeProgram("Olahraga", 0).name(), kAdultCase);
  v1::Referral r;
  s = stub_->CreateReferral(Ctx(pemda_).get(), refer, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(s), "ROLE_REQUIRED");
  v1::GetIntegrationClientRequest client;
  client.set_name("regencies/64.01/integrationClients/x");
  v1::IntegrationClient ic;
  s = stub_->GetIntegrationClient(Ctx(jaksa_).get(), client, &ic);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = stub_->CreateReferral(Ctx("").get(), refer, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A site supervisor records incidents at its own site only.
  v1::RecordSafetyIncidentRequest inc;
  inc.set_parent(kParent);
  inc.set_request_id(ids::NewId());
  inc.mutable_safety_incident()->set_site("regencies/64.01/sites/s-other");
  *inc.mutable_safety_incident()->mutable_occur_time() = Ago(absl::Hours(1));
  inc.mutable_safety_incident()->set_severity(v1::INCIDENT_SEVERITY_MINOR);
  inc.mutable_safety_incident()->set_description("Slipped on a wet floor");
  v1::SafetyIncident si;
  s = stub_->RecordSafetyIncident(Ctx(supervisor_).get(), inc, &si);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// Every method gets a name or notes; then everything other roles can see,
// the feed, the log lines and the metrics are scanned for them.
TEST_F(ProgramsRobustnessTest, NotesAndNamesNeverLeaveThePk) {
  absl::Mutex log_mu;
  std::vector<std::string> lines;
  log::SetSinkForTesting([&](const std::string& line) {
    absl::MutexLock lock(&log_mu);
    lines.push_back(line);
  });
  const std::string secret = absl::StrCat(kPersonName, " ", kNotesMarker);

  // Integration client (person), guidance (notes) for it and for a case.
  v1::CreateIntegrationClientRequest cc;
  cc.set_parent(kParent);
  cc.set_request_id(ids::NewId());
  v1::IntegrationClient* c = cc.mutable_integration_client();
  c->set_bapas_office_code("bapas-samarinda");
  c->set_pk_principal_id("pk-1");
  c->set_kind(v1::INTEGRATION_KIND_CONDITIONAL_LEAVE);
  c->set_decree_reference("PAS-77.PK.01/2026");
  *c->mutable_period()->mutable_start_date() = Date(2025, 1, 1);
  *c->mutable_period()->mutable_end_date() = Date(2099, 12, 31);
  c->mutable_person()->set_full_name(kPersonName);
  v1::IntegrationClient client;
  ASSERT_TRUE(stub_->CreateIntegrationClient(Ctx(pk_).get(), cc, &client).ok());
  const v1::GuidanceSession g1 =
      MakeGuidance(kAdultCase, v1::GUIDANCE_MODE_HOME_VISIT);
  const v1::GuidanceSession g2 =
      MakeGuidance("", v1::GUIDANCE_MODE_REMOTE, client.name());
  v1::UpdateGuidanceSessionRequest ug;
  *ug.mutable_guidance_session() = g1;
  ug.mutable_guidance_session()->mutable_notes()->set_number(secret);
  ug.mutable_update_mask()->add_paths("notes");
  ug.set_etag(g1.etag());
  ug.set_request_id(ids::NewId());
  v1::GuidanceSession g1b;
  ASSERT_TRUE(stub_->UpdateGuidanceSession(Ctx(pk_).get(), ug, &g1b).ok());
  // Evaluation with its document; incident with its account; a referral.
  v1::CreateEvaluationRequest ce;
  ce.set_parent(kParent);
  ce.set_request_id(ids::NewId());
  ce.mutable_evaluation()->set_case_name(kAdultCase);
  ce.mutable_evaluation()->set_kind(v1::EVALUATION_KIND_PERIODIC);
  *ce.mutable_evaluation()->mutable_period()->mutable_start_date() =
      Date(2026, 1, 1);
  *ce.mutable_evaluation()->mutable_period()->mutable_end_date() =
      Date(2026, 1, 31);
  ce.mutable_evaluation()->mutable_document()->set_uri(
      absl::StrCat("dms://bapas/", kNotesMarker));
  v1::Evaluation ev;
  ASSERT_TRUE(stub_->CreateEvaluation(Ctx(pk_).get(), ce, &ev).ok());
  v1::RecordSafetyIncidentRequest ri;
  ri.set_parent(kParent);
  ri.set_request_id(ids::NewId());
  ri.mutable_safety_incident()->set_site(kSite);
  ri.mutable_safety_incident()->set_case_name(kAdultCase);
  *ri.mutable_safety_incident()->mutable_occur_time() = Ago(absl::Hours(2));
  ri.mutable_safety_incident()->set_severity(v1::INCIDENT_SEVERITY_CRITICAL);
  ri.mutable_safety_incident()->set_description(secret);
  ri.mutable_safety_incident()->set_actions_taken(secret);
  v1::SafetyIncident incident;
  ASSERT_TRUE(
      stub_->RecordSafetyIncident(Ctx(supervisor_).get(), ri, &incident).ok());
  const v1::PartnerProgram program = MakeProgram("Bengkel motor", 2);
  v1::Referral ref;
  ASSERT_TRUE(stub_
                  ->CreateReferral(Ctx(pk_).get(),
                                   ReferralRequest(program.name(), kAdultCase),
                                   &ref)
                  .ok());

  // Everything each other role reads (answers and refusals alike).
  std::vector<std::string> seen;
  const auto keep = [&](const grpc::Status& s,
                        const google::protobuf::Message& m) {
    seen.push_back(s.ok() ? m.SerializeAsString() : s.error_message());
  };
  for (const std::string& token : {pemda_, jaksa_, supervisor_, national_}) {
    {
      v1::GetGuidanceSessionRequest r;
      v1::GuidanceSession m;
      for (const std::string& n : {g1.name(), g2.name()}) {
        r.set_name(n);
        keep(stub_->GetGuidanceSession(Ctx(token).get(), r, &m), m);
      }
      v1::ListGuidanceSessionsRequest l;
      l.set_parent("regencies/-");
      v1::ListGuidanceSessionsResponse lm;
      keep(stub_->ListGuidanceSessions(Ctx(token).get(), l, &lm), lm);
    }
    {
      v1::GetEvaluationRequest r;
      r.set_name(ev.name());
      v1::Evaluation m;
      keep(stub_->GetEvaluation(Ctx(token).get(), r, &m), m);
      v1::ListEvaluationsRequest l;
      l.set_parent(kParent);
      v1::ListEvaluationsResponse lm;
      keep(stub_->ListEvaluations(Ctx(token).get(), l, &lm), lm);
    }
    {
      v1::GetSafetyIncidentRequest r;
      r.set_name(incident.name());
      v1::SafetyIncident m;
      keep(stub_->GetSafetyIncident(Ctx(token).get(), r, &m), m);
      v1::ListSafetyIncidentsRequest l;
      l.set_parent(kParent);
      v1::ListSafetyIncidentsResponse lm;
      keep(stub_->ListSafetyIncidents(Ctx(token).get(), l, &lm), lm);
    }
    {
      v1::GetIntegrationClientRequest r;
      r.set_name(client.name());
      v1::IntegrationClient m;
      keep(stub_->GetIntegrationClient(Ctx(token).get(), r, &m), m);
      v1::ListIntegrationClientsRequest l;
      l.set_parent(kParent);
      v1::ListIntegrationClientsResponse lm;
      keep(stub_->ListIntegrationClients(Ctx(token).get(), l, &lm), lm);
    }
    {
      v1::GetReferralRequest r;
      r.set_name(ref.name());
      v1::Referral m;
      keep(stub_->GetReferral(Ctx(token).get(), r, &m), m);
      v1::ListReferralsRequest l;
      l.set_parent(kParent);
      v1::ListReferralsResponse lm;
      keep(stub_->ListReferrals(Ctx(token).get(), l, &lm), lm);
      v1::ListPartnerProgramsRequest lp;
      lp.set_parent(kParent);
      v1::ListPartnerProgramsResponse lpm;
      keep(stub_->ListPartnerPrograms(Ctx(token).get(), lp, &lpm), lpm);
    }
  }
  log::SetSinkForTesting(nullptr);
  // The readers did read something: the scan is not vacuous.
  int answered = 0;
  for (const std::string& s : seen) {
    if (absl::StrContains(s, "guidanceSessions/")) ++answered;
  }
  EXPECT_GE(answered, 2);

  for (const std::string& needle :
       {std::string(kPersonName), std::string(kNotesMarker)}) {
    for (const std::string& s : seen) {
      EXPECT_FALSE(absl::StrContains(s, needle)) << "in a response: " << needle;
    }
    for (const auto& e : FeedEvents()) {
      EXPECT_FALSE(absl::StrContains(e.SerializeAsString(), needle))
          << "in the feed: " << e.event_type();
    }
    absl::MutexLock lock(&log_mu);
    for (const std::string& line : lines) {
      EXPECT_FALSE(absl::StrContains(line, needle)) << "in a log: " << line;
    }
    EXPECT_FALSE(
        absl::StrContains(metrics::Registry::Global().Render(), needle));
  }
  // The PK still reads its own notes.
  v1::GetGuidanceSessionRequest own;
  own.set_name(g1.name());
  v1::GuidanceSession mine;
  ASSERT_TRUE(stub_->GetGuidanceSession(Ctx(pk_).get(), own, &mine).ok());
  EXPECT_EQ(mine.notes().number(), secret);
}

}  // namespace
}  // namespace ks::supervision::programs::testing
