// The programs part's acceptance flows over real gRPC and a real Redis
// (issue #11): a client referred to three programs (completed with a
// certificate, withdrawn, full), guidance sessions of every mode, an
// evaluation submitted then corrected, a severe incident reaching a feed
// consumer, and a program-integrasi client with guidance and a referral but
// never hours.
#include <atomic>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/feed/consumer.h"
#include "services/supervision/programs/domain/integration_client.h"
#include "tests/supervision/programs_harness.h"

namespace ks::supervision::programs::testing {
namespace {

using ::kerjasosial::common::v1::Event;

class ProgramsE2eTest : public ProgramsHarness {};

TEST_F(ProgramsE2eTest, ClientReferredToThreeProgramsCompletedWithdrawnFull) {
  const v1::PartnerProgram fisheries =
      MakeProgram("Budidaya lele", 5, /*certifies=*/true);
  const v1::PartnerProgram literacy = MakeProgram("Literasi keuangan", 5);
  const v1::PartnerProgram meals = MakeProgram("Dapur makan bergizi", 1);
  {
    absl::MutexLock lock(&mu_);
    facts_["regencies/64.01/cases/c-other"] =
        CaseFacts{true, false, "pk-1", ""};
  }
  // The last seat of the meals program is taken by another client.
  v1::Referral other;
  ASSERT_TRUE(
      stub_
          ->CreateReferral(
              Ctx(pk_).get(),
              ReferralRequest(meals.name(), "regencies/64.01/cases/c-other"),
              &other)
          .ok());

  // 1. Completed, with the certificate the program requires.
  v1::Referral r;
  grpc::Status s = stub_->CreateReferral(
      Ctx(pk_).get(), ReferralRequest(fisheries.name(), kAdultCase), &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.state(), v1::REFERRAL_STATE_REFERRED);
  EXPECT_EQ(r.pk_principal_id(), "pk-1");
  v1::AcceptReferralRequest accept;
  accept.set_name(r.name());
  accept.set_etag(r.etag());
  accept.set_request_id(ids::NewId());
  ASSERT_TRUE(stub_->AcceptReferral(Ctx(pk_).get(), accept, &r).ok());
  EXPECT_EQ(r.state(), v1::REFERRAL_STATE_ACCEPTED);
  v1::RecordReferralAttendanceRequest meeting;
  meeting.set_name(r.name());
  meeting.set_etag(r.etag());
  meeting.set_request_id(ids::NewId());
  const absl::CivilDay yesterday =
      absl::ToCivilDay(absl::Now() - absl::Hours(36), absl::UTCTimeZone());
  *meeting.mutable_attendance()->mutable_date() = Date(
      static_cast<int>(yesterday.year()), yesterday.month(), yesterday.day());
  meeting.mutable_attendance()->set_attended(true);
  s = stub_->RecordReferralAttendance(Ctx(pk_).get(), meeting, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(r.attendances_size(), 1);
  v1::CompleteReferralRequest complete;
  complete.set_name(r.name());
  complete.set_etag(r.etag());
  complete.set_request_id(ids::NewId());
  complete.set_outcome(v1::REFERRAL_OUTCOME_COMPLETED);
  s = stub_->CompleteReferral(Ctx(pk_).get(), complete, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"certificate"});
  complete.mutable_certificate()->set_number("SERT/DISNAK/2026/041");
  complete.set_request_id(ids::NewId());
  s = stub_->CompleteReferral(Ctx(pk_).get(), complete, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.state(), v1::REFERRAL_STATE_COMPLETED);
  EXPECT_EQ(r.outcome(), v1::REFERRAL_OUTCOME_COMPLETED);
  EXPECT_EQ(r.certificate().number(), "SERT/DISNAK/2026/041");

  // 2. Withdrawn, with the policy's reason.
  v1::Referral w;
  ASSERT_TRUE(stub_
                  ->CreateReferral(Ctx(pk_).get(),
                                   ReferralRequest(literacy.name(), kAdultCase),
                                   &w)
                  .ok());
  v1::WithdrawReferralRequest withdraw;
  withdraw.set_name(w.name());
  withdraw.set_etag(w.etag());
  withdraw.set_request_id(ids::NewId());
  withdraw.set_reason_code("declined_by_client");
  s = stub_->WithdrawReferral(Ctx(pk_).get(), withdraw, &w);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(w.state(), v1::REFERRAL_STATE_WITHDRAWN);
  EXPECT_EQ(w.outcome(), v1::REFERRAL_OUTCOME_WITHDRAWN);
  EXPECT_EQ(w.end_reason_code(), "declined_by_client");

  // 3. Full: refused, nothing written.
  v1::Referral refused;
  s = stub_->CreateReferral(
      Ctx(pk_).get(), ReferralRequest(meals.name(), kAdultCase), &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "PROGRAM_FULL");

  // Seats: the completed and the withdrawn gave theirs back.
  v1::GetPartnerProgramRequest get;
  v1::PartnerProgram p;
  get.set_name(fisheries.name());
  ASSERT_TRUE(stub_->GetPartnerProgram(Ctx(pk_).get(), get, &p).ok());
  EXPECT_EQ(p.active_referrals(), 0);
  get.set_name(meals.name());
  ASSERT_TRUE(stub_->GetPartnerProgram(Ctx(pk_).get(), get, &p).ok());
  EXPECT_EQ(p.active_referrals(), 1);

  // The client's referrals, and the feed's counts by outcome.
  v1::ListReferralsRequest list;
  list.set_parent(kParent);
  list.set_filter(absl::StrCat("case_name = \"", kAdultCase, "\""));
  v1::ListReferralsResponse listed;
  ASSERT_TRUE(stub_->ListReferrals(Ctx(pk_).get(), list, &listed).ok());
  ASSERT_EQ(listed.referrals_size(), 2);
  EXPECT_EQ(listed.referrals(0).name(), w.name());  // newest first
  std::map<int, int> ended;
  for (const Event& e : FeedEvents()) {
    v1::ReferralChanged c;
    if (e.payload().UnpackTo(&c) && c.outcome() != 0) ++ended[c.outcome()];
  }
  EXPECT_EQ(ended[v1::REFERRAL_OUTCOME_COMPLETED], 1);
  EXPECT_EQ(ended[v1::REFERRAL_OUTCOME_WITHDRAWN], 1);
}

TEST_F(ProgramsE2eTest, GuidanceSessionsOfEveryModeAndTheirCounts) {
  for (int mode = v1::GUIDANCE_MODE_AT_BAPAS; mode <= v1::GUIDANCE_MODE_GROUP;
       ++mode) {
    const v1::GuidanceSession g =
        MakeGuidance(kAdultCase, static_cast<v1::GuidanceMode>(mode));
    EXPECT_EQ(g.mode(), mode);
    EXPECT_EQ(g.pk_principal_id(), "pk-1");
    EXPECT_TRUE(g.has_notes());  // the PK sees the reference to its notes
  }
  v1::ListGuidanceSessionsRequest list;
  list.set_parent(kParent);
  list.set_filter("mode = HOME_VISIT");
  v1::ListGuidanceSessionsResponse page;
  ASSERT_TRUE(stub_->ListGuidanceSessions(Ctx(pk_).get(), list, &page).ok());
  ASSERT_EQ(page.guidance_sessions_size(), 1);
  EXPECT_EQ(page.guidance_sessions(0).mode(), v1::GUIDANCE_MODE_HOME_VISIT);

  std::map<int, int> by_mode;
  for (const Event& e : FeedEvents()) {
    v1::GuidanceSessionRecorded g;
    if (!e.payload().UnpackTo(&g)) continue;
    ++by_mode[g.mode()];
    EXPECT_EQ(g.case_name(), kAdultCase);
    ASSERT_EQ(g.topics_size(), 1);
  }
  EXPECT_EQ(by_mode.size(), 5u);

  // No ACTIVE assignment: refused.
  v1::CreateGuidanceSessionRequest req;
  req.set_parent(kParent);
  req.set_request_id(ids::NewId());
  *req.mutable_guidance_session() = page.guidance_sessions(0);
  req.mutable_guidance_session()->clear_name();
  req.mutable_guidance_session()->clear_etag();
  req.mutable_guidance_session()->set_case_name(kEndedCase);
  v1::GuidanceSession out;
  grpc::Status s = stub_->CreateGuidanceSession(Ctx(pk_).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "NO_ACTIVE_ASSIGNMENT");
}

TEST_F(ProgramsE2eTest, PemdaReadsAttendanceAndReferralsOfPeoplePlacedThere) {
  {
    absl::MutexLock lock(&mu_);
    facts_["regencies/64.01/cases/c-away"] =
        CaseFacts{true, false, "pk-1", "64.02"};
  }
  const v1::GuidanceSession here =
      MakeGuidance(kAdultCase, v1::GUIDANCE_MODE_SITE_VISIT);
  const v1::GuidanceSession away =
      MakeGuidance("regencies/64.01/cases/c-away", v1::GUIDANCE_MODE_AT_BAPAS);
  const v1::PartnerProgram program = MakeProgram("Pelatihan tata boga", 4);
  v1::Referral r;
  ASSERT_TRUE(stub_
                  ->CreateReferral(Ctx(pk_).get(),
                                   ReferralRequest(program.name(), kAdultCase),
                                   &r)
                  .ok());

  v1::ListGuidanceSessionsRequest list;
  list.set_parent(kParent);
  v1::ListGuidanceSessionsResponse page;
  grpc::Status s = stub_->ListGuidanceSessions(Ctx(pemda_).get(), list, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // Only the person placed in the Pemda's regency, attendance without notes.
  ASSERT_EQ(page.guidance_sessions_size(), 1);
  EXPECT_EQ(page.guidance_sessions(0).name(), here.name());
  EXPECT_TRUE(page.guidance_sessions(0).attended());
  EXPECT_FALSE(page.guidance_sessions(0).has_notes());
  v1::GetGuidanceSessionRequest get;
  get.set_name(away.name());
  v1::GuidanceSession g;
  s = stub_->GetGuidanceSession(Ctx(pemda_).get(), get, &g);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::GetReferralRequest get_ref;
  get_ref.set_name(r.name());
  v1::Referral seen;
  s = stub_->GetReferral(Ctx(pemda_).get(), get_ref, &seen);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(seen.state(), v1::REFERRAL_STATE_REFERRED);
  // The Pemda reads; it does not refer.
  s = stub_->CreateReferral(Ctx(pemda_).get(),
                            ReferralRequest(program.name(), kAdultCase), &seen);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ProgramsE2eTest, EvaluationSubmittedThenCorrectedAsANewVersion) {
  {
    absl::MutexLock lock(&mu_);
    for (int day : {5, 6, 7}) {
      v1::WorkSession w;
      w.set_time_zone("Asia/Makassar");
      w.mutable_start_time()->set_seconds(absl::ToUnixSeconds(absl::FromCivil(
          absl::CivilSecond(2026, 2, day, 8, 0, 0), absl::UTCTimeZone())));
      w.set_state(v1::WORK_SESSION_STATE_RECORDED);
      w.set_outcome(day == 7 ? v1::ATTENDANCE_OUTCOME_ABSENT_ACCEPTABLE
                             : v1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED);
      w.set_credited_minutes(day == 7 ? 0 : 240);
      sessions_[kAdultCase].push_back(w);
    }
  }
  v1::CreateEvaluationRequest create;
  create.set_parent(kParent);
  create.set_request_id(ids::NewId());
  v1::Evaluation* in = create.mutable_evaluation();
  in->set_case_name(kAdultCase);
  in->set_kind(v1::EVALUATION_KIND_FINAL);
  *in->mutable_period()->mutable_start_date() = Date(2026, 1, 1);
  *in->mutable_period()->mutable_end_date() = Date(2026, 3, 31);
  in->set_assessment(v1::EVALUATION_ASSESSMENT_COMPLETED);
  in->set_recommendation(v1::EVALUATION_RECOMMENDATION_CLOSE_COMPLETED);
  v1::Evaluation first;
  grpc::Status s = stub_->CreateEvaluation(Ctx(pk_).get(), create, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(first.revision(), 1);
  // Hours and attendance of the period, from part 1's sessions.
  EXPECT_EQ(first.attendance().sessions_recorded(), 3);
  EXPECT_EQ(first.attendance().sessions_complied(), 2);
  EXPECT_EQ(first.attendance().absences_acceptable(), 1);
  EXPECT_EQ(first.attendance().credited_minutes(), 480);
  v1::SubmitEvaluationRequest submit;
  submit.set_name(first.name());
  submit.set_etag(first.etag());
  submit.set_request_id(ids::NewId());
  ASSERT_TRUE(stub_->SubmitEvaluation(Ctx(pk_).get(), submit, &first).ok());
  EXPECT_EQ(first.state(), v1::RECORD_STATE_SUBMITTED);

  // Submitted is immutable.
  v1::UpdateEvaluationRequest update;
  update.mutable_evaluation()->set_name(first.name());
  update.mutable_evaluation()->set_assessment(
      v1::EVALUATION_ASSESSMENT_NEEDS_ATTENTION);
  update.mutable_update_mask()->add_paths("assessment");
  update.set_etag(first.etag());
  update.set_request_id(ids::NewId());
  v1::Evaluation unchanged;
  s = stub_->UpdateEvaluation(Ctx(pk_).get(), update, &unchanged);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "EVALUATION_SUBMITTED");
  // A second FINAL evaluation is not a correction: refused.
  create.set_request_id(ids::NewId());
  s = stub_->CreateEvaluation(Ctx(pk_).get(), create, &unchanged);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "FINAL_EVALUATION_EXISTS");

  // The correction: a new evaluation naming the first, revision 2.
  create.set_request_id(ids::NewId());
  in->set_corrects(first.name());
  in->set_assessment(v1::EVALUATION_ASSESSMENT_NEEDS_ATTENTION);
  in->set_recommendation(v1::EVALUATION_RECOMMENDATION_ADJUST_SCHEDULE);
  v1::Evaluation second;
  s = stub_->CreateEvaluation(Ctx(pk_).get(), create, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(second.revision(), 2);
  EXPECT_EQ(second.corrects(), first.name());
  submit.set_name(second.name());
  submit.set_etag(second.etag());
  submit.set_request_id(ids::NewId());
  ASSERT_TRUE(stub_->SubmitEvaluation(Ctx(pk_).get(), submit, &second).ok());
  // Each evaluation is corrected once: the chain has no fork.
  create.set_request_id(ids::NewId());
  s = stub_->CreateEvaluation(Ctx(pk_).get(), create, &unchanged);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(s), "EVALUATION_ALREADY_CORRECTED");

  // The first is as it was submitted.
  v1::GetEvaluationRequest get;
  get.set_name(first.name());
  v1::Evaluation again;
  ASSERT_TRUE(stub_->GetEvaluation(Ctx(jaksa_).get(), get, &again).ok());
  EXPECT_EQ(again.assessment(), v1::EVALUATION_ASSESSMENT_COMPLETED);
  EXPECT_EQ(again.etag(), first.etag());
  std::vector<int> revisions;
  for (const Event& e : FeedEvents()) {
    v1::EvaluationSubmitted sub;
    if (e.payload().UnpackTo(&sub)) revisions.push_back(sub.revision());
  }
  EXPECT_EQ(revisions, (std::vector<int>{1, 2}));
}

TEST_F(ProgramsE2eTest, SevereIncidentReachesAFeedConsumer) {
  absl::Mutex mu;
  std::vector<Event> raised;
  feed::ConsumerOptions options;
  options.key_prefix = "ks:{feed}:pemda-test:supervision";
  options.consumer_id = "pemda-test";
  options.event_types = {"kerjasosial.supervision.v1.SafetyIncidentRaised"};
  auto stub = stub_.get();
  options.stream = [stub](
                       grpc::ClientContext* c,
                       const kerjasosial::common::v1::StreamEventsRequest& r) {
    return stub->StreamEvents(c, r);
  };
  const std::string token = service_token_;
  options.configure_context = [token](grpc::ClientContext* c) {
    c->AddMetadata("authorization", "Bearer " + token);
  };
  options.handler = [&](const Event& e) -> absl::StatusOr<feed::RedisOps> {
    absl::MutexLock lock(&mu);
    raised.push_back(e);
    return feed::RedisOps{};
  };
  feed::Consumer consumer(pool(), options);
  consumer.Start();

  v1::RecordSafetyIncidentRequest req;
  req.set_parent(kParent);
  v1::SafetyIncident* in = req.mutable_safety_incident();
  in->set_site(kSite);
  in->set_case_name(kAdultCase);
  *in->mutable_occur_time() = Ago(absl::Hours(1));
  in->set_description(absl::StrCat(kPersonName, " cut a hand on a sickle"));
  in->set_actions_taken("First aid, taken to the puskesmas");
  for (v1::IncidentSeverity severity :
       {v1::INCIDENT_SEVERITY_MINOR, v1::INCIDENT_SEVERITY_SERIOUS}) {
    in->set_severity(severity);
    req.set_request_id(ids::NewId());
    v1::SafetyIncident out;
    // The site's supervisor records it (SITE_STAFF).
    grpc::Status s =
        stub_->RecordSafetyIncident(Ctx(supervisor_).get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    {
      absl::MutexLock lock(&mu);
      if (!raised.empty()) break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  consumer.Stop();
  absl::MutexLock lock(&mu);
  ASSERT_EQ(raised.size(), 1u);  // the MINOR one is not raised
  v1::SafetyIncidentRaised e;
  ASSERT_TRUE(raised[0].payload().UnpackTo(&e));
  EXPECT_EQ(e.incident().severity(), v1::INCIDENT_SEVERITY_SERIOUS);
  EXPECT_EQ(e.incident().case_name(), kAdultCase);
  EXPECT_EQ(e.incident().site(), kSite);
  EXPECT_EQ(raised[0].regency_code(), kRegency);
  EXPECT_EQ(raised[0].SerializeAsString().find(kPersonName), std::string::npos);
}

TEST_F(ProgramsE2eTest, IntegrationClientHasGuidanceAndReferralButNoHours) {
  v1::CreateIntegrationClientRequest create;
  create.set_parent(kParent);
  create.set_request_id(ids::NewId());
  v1::IntegrationClient* c = create.mutable_integration_client();
  c->set_bapas_office_code("bapas-samarinda");
  c->set_pk_principal_id("pk-1");
  c->set_kind(v1::INTEGRATION_KIND_PAROLE);
  c->set_decree_reference("PAS-1234.PK.01.05.06/2026");
  const absl::CivilDay today =
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  *c->mutable_period()->mutable_start_date() =
      Date(static_cast<int>(today.year()) - 1, 1, 1);
  *c->mutable_period()->mutable_end_date() =
      Date(static_cast<int>(today.year()) + 1, 12, 31);
  c->mutable_person()->set_full_name(kPersonName);
  v1::IntegrationClient client;
  grpc::Status s =
      stub_->CreateIntegrationClient(Ctx(pk_).get(), create, &client);
  ASSERT_TRUE(s.ok()) << s.error_message();

  const v1::GuidanceSession g =
      MakeGuidance("", v1::GUIDANCE_MODE_AT_BAPAS, client.name());
  EXPECT_EQ(g.client(), client.name());
  const v1::PartnerProgram program = MakeProgram("Konseling", 3);
  v1::Referral r;
  s = stub_->CreateReferral(
      Ctx(pk_).get(), ReferralRequest(program.name(), "", client.name()), &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.client(), client.name());
  EXPECT_EQ(r.case_name(), "");

  // Never hours: part 1's RecordWorkSession is not in this tree yet, so the
  // refusal is checked at the rule it will call (domain level).
  absl::Status hours = domain::CheckNoHours(client.name());
  EXPECT_EQ(hours.code(), absl::StatusCode::kFailedPrecondition);

  // The feed counts it separately and carries no person.
  int opened = 0, client_guidance = 0, client_referrals = 0;
  for (const Event& e : FeedEvents()) {
    EXPECT_EQ(e.SerializeAsString().find(kPersonName), std::string::npos);
    v1::IntegrationClientChanged ic;
    v1::GuidanceSessionRecorded gr;
    v1::ReferralChanged rc;
    if (e.payload().UnpackTo(&ic) && ic.open()) ++opened;
    if (e.payload().UnpackTo(&gr) && gr.client() == client.name()) {
      ++client_guidance;
    }
    if (e.payload().UnpackTo(&rc) && rc.client() == client.name()) {
      ++client_referrals;
    }
  }
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(client_guidance, 1);
  EXPECT_EQ(client_referrals, 1);
}

}  // namespace
}  // namespace ks::supervision::programs::testing
