// The pure rules of the programs part: the referral state machine and
// seats, program eligibility and capacity, evaluation versioning, incident
// severity, guidance validation, and that a program-integrasi client never
// has hours. No Redis.
#include <string>

#include "absl/time/civil_time.h"
#include "common/policy/policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/supervision/programs/domain/evaluation.h"
#include "services/supervision/programs/domain/guidance.h"
#include "services/supervision/programs/domain/incident.h"
#include "services/supervision/programs/domain/integration_client.h"
#include "services/supervision/programs/domain/program.h"
#include "services/supervision/programs/domain/referral.h"
#include "services/supervision/programs/domain/test_util.h"

namespace ks::supervision::programs::domain {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;
using ::testing::ElementsAre;
using testing::Fields;
using ::testing::HasSubstr;
using testing::Reason;

constexpr char kRegency[] = "64.01";
constexpr char kCase[] = "regencies/64.01/cases/01case";
constexpr char kProgram[] = "regencies/64.01/partnerPrograms/01prog";
constexpr char kPersonName[] = "Budi Santoso Testperson";

class DomainTest : public ::testing::Test {
 protected:
  DomainTest() : policy_(*policy::PolicySet::Default()) {
    ctx_.now = absl::FromCivil(absl::CivilSecond(2026, 3, 10, 3, 0, 0),
                               absl::UTCTimeZone());
    ctx_.today = absl::CivilDay(2026, 3, 10);
    ctx_.actor.set_principal_id("pk-1");
    ctx_.policy = &policy_.At(ctx_.today);
    subject_.case_name = kCase;
    subject_.active = true;
  }

  v1::PartnerProgram Program(int capacity) {
    v1::PartnerProgram p;
    p.set_title("Pelatihan budidaya ikan");
    p.set_category(v1::PROGRAM_CATEGORY_AGRIBUSINESS);
    p.set_partner_name("Dinas Perikanan");
    p.set_partner_kind(v1::PARTNER_KIND_AGRICULTURE_OFFICE);
    p.set_capacity(capacity);
    absl::StatusOr<v1::PartnerProgram> out =
        NewProgram(p, nullptr, kProgram, ctx_);
    EXPECT_TRUE(out.ok()) << out.status();
    return *out;
  }

  v1::Referral Referred(const v1::PartnerProgram& program) {
    v1::Referral in;
    in.set_case_name(kCase);
    in.set_program(kProgram);
    absl::StatusOr<ReferralStep> step =
        CreateReferral(in, program, subject_, "regencies/64.01/referrals/01ref",
                       kRegency, ctx_);
    EXPECT_TRUE(step.ok()) << step.status();
    return step->outcome.after;
  }

  policy::PolicySet policy_;
  Context ctx_;
  Subject subject_;
};

TEST_F(DomainTest, ReferralRunsReferredAcceptedCompletedAndHoldsOneSeat) {
  v1::PartnerProgram program = Program(2);
  program.set_certifies_completion(true);
  v1::Referral in;
  in.set_case_name(kCase);
  in.set_program(kProgram);
  absl::StatusOr<ReferralStep> created = CreateReferral(
      in, program, subject_, "regencies/64.01/referrals/01ref", kRegency, ctx_);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->seat_delta, 1);
  EXPECT_EQ(created->outcome.after.state(), v1::REFERRAL_STATE_REFERRED);
  EXPECT_EQ(created->outcome.after.pk_principal_id(), "pk-1");
  ASSERT_EQ(created->outcome.events.size(), 1u);
  EXPECT_EQ(created->outcome.events[0].aggregate_version(), 1);

  absl::StatusOr<ReferralStep> accepted =
      AcceptReferral(created->outcome.after, 1, program, kRegency, ctx_);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->seat_delta, 0);
  EXPECT_EQ(accepted->outcome.events[0].aggregate_version(), 2);

  v1::RecordReferralAttendanceRequest meeting;
  meeting.mutable_attendance()->mutable_date()->set_year(2026);
  meeting.mutable_attendance()->mutable_date()->set_month(3);
  meeting.mutable_attendance()->mutable_date()->set_day(9);
  meeting.mutable_attendance()->set_attended(true);
  absl::StatusOr<ReferralStep> met = RecordReferralAttendance(
      accepted->outcome.after, 2, meeting, program, kRegency, ctx_);
  ASSERT_TRUE(met.ok()) << met.status();
  ASSERT_EQ(met->outcome.after.attendances_size(), 1);
  EXPECT_EQ(met->outcome.after.attendances(0).recorded_by().principal_id(),
            "pk-1");
  // The same meeting twice is refused.
  absl::Status twice = RecordReferralAttendance(met->outcome.after, 3, meeting,
                                                program, kRegency, ctx_)
                           .status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(twice), "ATTENDANCE_ALREADY_RECORDED");

  // The program certifies completion: COMPLETED needs the certificate.
  v1::CompleteReferralRequest done;
  done.set_outcome(v1::REFERRAL_OUTCOME_COMPLETED);
  absl::Status no_cert =
      CompleteReferral(met->outcome.after, 3, done, program, kRegency, ctx_)
          .status();
  EXPECT_EQ(no_cert.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(no_cert), ElementsAre("certificate"));

  done.mutable_certificate()->set_number("SERT/2026/017");
  absl::StatusOr<ReferralStep> completed =
      CompleteReferral(met->outcome.after, 3, done, program, kRegency, ctx_);
  ASSERT_TRUE(completed.ok()) << completed.status();
  EXPECT_EQ(completed->seat_delta, -1);
  EXPECT_EQ(completed->outcome.after.state(), v1::REFERRAL_STATE_COMPLETED);
  EXPECT_EQ(completed->outcome.after.outcome(), v1::REFERRAL_OUTCOME_COMPLETED);
  v1::ReferralChanged event;
  ASSERT_TRUE(completed->outcome.events[0].payload().UnpackTo(&event));
  EXPECT_EQ(event.category(), v1::PROGRAM_CATEGORY_AGRIBUSINESS);
  EXPECT_EQ(event.outcome(), v1::REFERRAL_OUTCOME_COMPLETED);
  EXPECT_TRUE(event.certified());

  // Terminal: no way out.
  v1::WithdrawReferralRequest withdraw;
  withdraw.set_reason_code("dropped_out");
  absl::Status after_end = WithdrawReferral(completed->outcome.after, 4,
                                            withdraw, program, kRegency, ctx_)
                               .status();
  EXPECT_EQ(after_end.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(after_end), "TRANSITION_NOT_ALLOWED");
}

TEST_F(DomainTest, WithdrawNeedsAPolicyReasonAndReleasesTheSeat) {
  const v1::PartnerProgram program = Program(1);
  const v1::Referral referred = Referred(program);
  v1::WithdrawReferralRequest req;
  absl::Status missing =
      WithdrawReferral(referred, 1, req, program, kRegency, ctx_).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(missing), ElementsAre("reason_code"));
  req.set_reason_code("bored");
  absl::Status unknown =
      WithdrawReferral(referred, 1, req, program, kRegency, ctx_).status();
  EXPECT_THAT(Fields(unknown), ElementsAre("reason_code"));
  EXPECT_THAT(unknown.message(), HasSubstr("referral_withdrawal_reason"));
  req.set_reason_code("declined_by_partner");
  absl::StatusOr<ReferralStep> out =
      WithdrawReferral(referred, 1, req, program, kRegency, ctx_);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->seat_delta, -1);
  EXPECT_EQ(out->outcome.after.outcome(), v1::REFERRAL_OUTCOME_WITHDRAWN);
  EXPECT_EQ(out->outcome.after.end_reason_code(), "declined_by_partner");
}

TEST_F(DomainTest, CompleteRefusesWithdrawnOutcomeAndAReferralNotAccepted) {
  const v1::PartnerProgram program = Program(0);
  const v1::Referral referred = Referred(program);
  v1::CompleteReferralRequest req;
  req.set_outcome(v1::REFERRAL_OUTCOME_WITHDRAWN);
  absl::Status bad =
      CompleteReferral(referred, 1, req, program, kRegency, ctx_).status();
  EXPECT_THAT(Fields(bad), ElementsAre("outcome"));
  req.set_outcome(v1::REFERRAL_OUTCOME_PARTIALLY_COMPLETED);
  absl::Status early =
      CompleteReferral(referred, 1, req, program, kRegency, ctx_).status();
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(early), "TRANSITION_NOT_ALLOWED");
}

TEST_F(DomainTest, ProgramEligibilityClosedChildAndEnded) {
  v1::PartnerProgram program = Program(3);
  Subject child = subject_;
  child.child = true;
  EXPECT_EQ(Reason(CheckReferable(program, child, ctx_)),
            "PROGRAM_NOT_FOR_CHILDREN");
  program.set_accepts_children(true);
  EXPECT_TRUE(CheckReferable(program, child, ctx_).ok());
  program.mutable_period()->mutable_end_date()->set_year(2026);
  program.mutable_period()->mutable_end_date()->set_month(3);
  program.mutable_period()->mutable_end_date()->set_day(9);
  EXPECT_EQ(Reason(CheckReferable(program, child, ctx_)), "PROGRAM_ENDED");
  absl::StatusOr<v1::PartnerProgram> closed = CloseProgram(Program(3), ctx_);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(Reason(CheckReferable(*closed, subject_, ctx_)), "PROGRAM_CLOSED");
  EXPECT_EQ(Reason(CloseProgram(*closed, ctx_).status()),
            "TRANSITION_NOT_ALLOWED");
  // A case without an ACTIVE assignment is referred nowhere.
  Subject ended = subject_;
  ended.active = false;
  v1::Referral in;
  in.set_case_name(kCase);
  in.set_program(kProgram);
  EXPECT_EQ(Reason(CreateReferral(in, Program(3), ended,
                                  "regencies/64.01/referrals/x", kRegency, ctx_)
                       .status()),
            "NO_ACTIVE_ASSIGNMENT");
}

TEST_F(DomainTest, CapacityMayNotFallBelowTheSeatsHeld) {
  const v1::PartnerProgram program = Program(5);
  v1::UpdatePartnerProgramRequest req;
  req.mutable_partner_program()->set_capacity(2);
  req.mutable_update_mask()->add_paths("capacity");
  absl::Status st = UpdateProgram(program, req, 3, ctx_).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(st), "CAPACITY_BELOW_ACTIVE_REFERRALS");
  EXPECT_TRUE(UpdateProgram(program, req, 2, ctx_).ok());
  req.mutable_update_mask()->add_paths("state");
  EXPECT_THAT(Fields(UpdateProgram(program, req, 0, ctx_).status()),
              ElementsAre("update_mask"));
  EXPECT_EQ(SeatLimit(program), 5);
  EXPECT_GT(SeatLimit(Program(0)), 1000000);
}

TEST_F(DomainTest, SubmittedEvaluationIsImmutableAndCorrectedByANewVersion) {
  v1::Evaluation in;
  in.set_case_name(kCase);
  in.set_kind(v1::EVALUATION_KIND_PERIODIC);
  in.mutable_period()->mutable_start_date()->set_year(2026);
  in.mutable_period()->mutable_start_date()->set_month(2);
  in.mutable_period()->mutable_start_date()->set_day(1);
  *in.mutable_period()->mutable_end_date() = in.period().start_date();
  in.mutable_period()->mutable_end_date()->set_day(28);
  absl::StatusOr<Outcome<v1::Evaluation>> draft = CreateEvaluation(
      in, nullptr, subject_, "regencies/64.01/evaluations/e1", kRegency, ctx_);
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_EQ(draft->after.revision(), 1);
  EXPECT_EQ(draft->after.state(), v1::RECORD_STATE_DRAFT);

  absl::Status incomplete =
      SubmitEvaluation(draft->after, 1, kRegency, ctx_).status();
  EXPECT_THAT(Fields(incomplete), ElementsAre("evaluation.assessment",
                                              "evaluation.recommendation"));
  v1::UpdateEvaluationRequest update;
  update.mutable_evaluation()->set_assessment(
      v1::EVALUATION_ASSESSMENT_ON_TRACK);
  update.mutable_evaluation()->set_recommendation(
      v1::EVALUATION_RECOMMENDATION_CONTINUE);
  update.mutable_update_mask()->add_paths("assessment");
  update.mutable_update_mask()->add_paths("recommendation");
  absl::StatusOr<Outcome<v1::Evaluation>> filled =
      UpdateEvaluation(draft->after, update, ctx_);
  ASSERT_TRUE(filled.ok()) << filled.status();
  absl::StatusOr<Outcome<v1::Evaluation>> submitted =
      SubmitEvaluation(filled->after, 2, kRegency, ctx_);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  ASSERT_EQ(submitted->events.size(), 1u);
  EXPECT_EQ(submitted->events[0].aggregate_version(), 3);

  // Submitted is immutable: no update, no second submission.
  absl::Status changed =
      UpdateEvaluation(submitted->after, update, ctx_).status();
  EXPECT_EQ(changed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(changed), "EVALUATION_SUBMITTED");
  EXPECT_EQ(
      Reason(SubmitEvaluation(submitted->after, 3, kRegency, ctx_).status()),
      "EVALUATION_SUBMITTED");

  // The correction is a new evaluation, revision 2, even after the
  // assignment ended.
  v1::Evaluation fix = in;
  fix.set_corrects(submitted->after.name());
  Subject ended = subject_;
  ended.active = false;
  absl::StatusOr<Outcome<v1::Evaluation>> correction =
      CreateEvaluation(fix, &submitted->after, ended,
                       "regencies/64.01/evaluations/e2", kRegency, ctx_);
  ASSERT_TRUE(correction.ok()) << correction.status();
  EXPECT_EQ(correction->after.revision(), 2);
  EXPECT_EQ(correction->after.corrects(), submitted->after.name());
  // A draft is not corrected, it is updated.
  EXPECT_EQ(
      Reason(CreateEvaluation(fix, &draft->after, subject_,
                              "regencies/64.01/evaluations/e3", kRegency, ctx_)
                 .status()),
      "EVALUATION_NOT_SUBMITTED");
  // Another kind is not a correction of it.
  fix.set_kind(v1::EVALUATION_KIND_FINAL);
  EXPECT_THAT(
      Fields(CreateEvaluation(fix, &submitted->after, subject_,
                              "regencies/64.01/evaluations/e4", kRegency, ctx_)
                 .status()),
      ElementsAre("evaluation.kind"));
}

TEST_F(DomainTest, AttendanceOfThePeriodCountsRecordedSessionsByLocalDate) {
  const auto session = [](absl::CivilSecond local, v1::AttendanceOutcome o,
                          int64_t credited, bool voided = false) {
    v1::WorkSession s;
    s.set_time_zone("Asia/Makassar");  // WITA, UTC+8
    absl::TimeZone wita;
    absl::LoadTimeZone("Asia/Makassar", &wita);
    *s.mutable_start_time() = ToProto(absl::FromCivil(local, wita));
    s.set_outcome(o);
    s.set_credited_minutes(credited);
    s.set_state(voided ? v1::WORK_SESSION_STATE_VOIDED
                       : v1::WORK_SESSION_STATE_RECORDED);
    if (o == v1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE) {
      s.set_violation("regencies/64.01/violations/v1");
    }
    return s;
  };
  kerjasosial::common::v1::DateRange february;
  february.mutable_start_date()->set_year(2026);
  february.mutable_start_date()->set_month(2);
  february.mutable_start_date()->set_day(1);
  *february.mutable_end_date() = february.start_date();
  february.mutable_end_date()->set_day(28);
  const v1::AttendanceSummary a = SummarizeAttendance(
      {// 1 Feb 07:00 WITA is 31 Jan UTC: in February by the site's date.
       session(absl::CivilSecond(2026, 2, 1, 7, 0, 0),
               v1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 240),
       session(absl::CivilSecond(2026, 2, 10, 8, 0, 0),
               v1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 180),
       session(absl::CivilSecond(2026, 2, 11, 8, 0, 0),
               v1::ATTENDANCE_OUTCOME_ABSENT_ACCEPTABLE, 0),
       session(absl::CivilSecond(2026, 2, 12, 8, 0, 0),
               v1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE, 0),
       session(absl::CivilSecond(2026, 2, 13, 8, 0, 0),
               v1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 120, /*voided=*/true),
       session(absl::CivilSecond(2026, 3, 1, 0, 30, 0),
               v1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED, 60)},
      february);
  EXPECT_EQ(a.sessions_recorded(), 4);
  EXPECT_EQ(a.sessions_complied(), 2);
  EXPECT_EQ(a.absences_acceptable(), 1);
  EXPECT_EQ(a.absences_unacceptable(), 1);
  EXPECT_EQ(a.credited_minutes(), 420);
  EXPECT_EQ(a.violations(), 1);
}

TEST_F(DomainTest, SevereIncidentIsRaisedWithoutItsDescription) {
  v1::SafetyIncident in;
  in.set_site("regencies/64.01/sites/s1");
  in.set_case_name(kCase);
  *in.mutable_occur_time() = ToProto(ctx_.now - absl::Hours(1));
  in.set_description(absl::StrCat(kPersonName, " fell from a ladder"));
  for (auto [severity, type] :
       std::vector<std::pair<v1::IncidentSeverity, std::string>>{
           {v1::INCIDENT_SEVERITY_NEAR_MISS,
            "kerjasosial.supervision.v1.SafetyIncidentRecorded"},
           {v1::INCIDENT_SEVERITY_MINOR,
            "kerjasosial.supervision.v1.SafetyIncidentRecorded"},
           {v1::INCIDENT_SEVERITY_SERIOUS,
            "kerjasosial.supervision.v1.SafetyIncidentRaised"},
           {v1::INCIDENT_SEVERITY_CRITICAL,
            "kerjasosial.supervision.v1.SafetyIncidentRaised"}}) {
    in.set_severity(severity);
    absl::StatusOr<Outcome<v1::SafetyIncident>> out = RecordIncident(
        in, "regencies/64.01/safetyIncidents/i1", kRegency, ctx_);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ(out->events.size(), 1u);
    EXPECT_EQ(out->events[0].event_type(), type);
    EXPECT_EQ(out->events[0].regency_code(), kRegency);
    EXPECT_THAT(out->events[0].SerializeAsString(),
                ::testing::Not(HasSubstr(kPersonName)));
  }
  in.set_site("regencies/64.02/sites/s1");
  *in.mutable_occur_time() = ToProto(ctx_.now + absl::Hours(1));
  in.set_severity(v1::INCIDENT_SEVERITY_UNSPECIFIED);
  EXPECT_THAT(Fields(RecordIncident(in, "regencies/64.01/safetyIncidents/i2",
                                    kRegency, ctx_)
                         .status()),
              ElementsAre("safety_incident.site", "safety_incident.occur_time",
                          "safety_incident.severity"));
}

TEST_F(DomainTest, GuidanceOfEveryModeKeepsNotesOutOfTheEvent) {
  v1::GuidanceSession in;
  in.set_case_name(kCase);
  *in.mutable_interval()->mutable_start_time() =
      ToProto(ctx_.now - absl::Hours(2));
  *in.mutable_interval()->mutable_end_time() =
      ToProto(ctx_.now - absl::Hours(1));
  in.add_topics(v1::GUIDANCE_TOPIC_PERSONALITY);
  in.add_topics(v1::GUIDANCE_TOPIC_FAMILY_SOCIAL);
  in.set_attended(true);
  in.mutable_notes()->set_number(absl::StrCat("Catatan ", kPersonName));
  for (int mode = v1::GUIDANCE_MODE_AT_BAPAS; mode <= v1::GUIDANCE_MODE_GROUP;
       ++mode) {
    in.set_mode(static_cast<v1::GuidanceMode>(mode));
    absl::StatusOr<Outcome<v1::GuidanceSession>> out = RecordGuidance(
        in, subject_, "regencies/64.01/guidanceSessions/g1", kRegency, ctx_);
    ASSERT_TRUE(out.ok()) << out.status();
    v1::GuidanceSessionRecorded e;
    ASSERT_TRUE(out->events[0].payload().UnpackTo(&e));
    EXPECT_EQ(e.mode(), mode);
    EXPECT_THAT(e.topics(), ElementsAre(v1::GUIDANCE_TOPIC_PERSONALITY,
                                        v1::GUIDANCE_TOPIC_FAMILY_SOCIAL));
    EXPECT_THAT(out->events[0].SerializeAsString(),
                ::testing::Not(HasSubstr(kPersonName)));
    EXPECT_FALSE(RedactGuidance(out->after).has_notes());
  }
  in.set_attended(false);
  EXPECT_THAT(
      Fields(RecordGuidance(in, subject_, "regencies/64.01/guidanceSessions/g2",
                            kRegency, ctx_)
                 .status()),
      ElementsAre("guidance_session.reason_code"));
  in.set_reason_code("illness");
  in.add_topics(v1::GUIDANCE_TOPIC_PERSONALITY);
  in.set_client("regencies/64.01/integrationClients/c1");
  EXPECT_THAT(
      Fields(RecordGuidance(in, subject_, "regencies/64.01/guidanceSessions/g2",
                            kRegency, ctx_)
                 .status()),
      ElementsAre("guidance_session.client", "guidance_session.topics[2]"));
}

TEST_F(DomainTest, IntegrationClientHasGuidanceAndReferralsButNeverHours) {
  v1::IntegrationClient in;
  in.set_bapas_office_code("bapas-samarinda");
  in.set_pk_principal_id("pk-1");
  in.set_kind(v1::INTEGRATION_KIND_PAROLE);
  in.set_decree_reference("PAS-123.PK.05.09/2026");
  in.mutable_period()->mutable_start_date()->set_year(2026);
  in.mutable_period()->mutable_start_date()->set_month(1);
  in.mutable_period()->mutable_start_date()->set_day(1);
  *in.mutable_period()->mutable_end_date() = in.period().start_date();
  in.mutable_period()->mutable_end_date()->set_month(12);
  in.mutable_person()->set_full_name(kPersonName);
  absl::StatusOr<Outcome<v1::IntegrationClient>> opened =
      OpenClient(in, "regencies/64.01/integrationClients/c1", kRegency, ctx_);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_THAT(opened->events[0].SerializeAsString(),
              ::testing::Not(HasSubstr(kPersonName)));
  const Subject client = ClientSubject(opened->after, ctx_);
  EXPECT_TRUE(client.active);
  v1::Referral ref;
  ref.set_client(opened->after.name());
  ref.set_program(kProgram);
  EXPECT_TRUE(CreateReferral(ref, Program(1), client,
                             "regencies/64.01/referrals/r9", kRegency, ctx_)
                  .ok());
  absl::Status hours = CheckNoHours(opened->after.name());
  EXPECT_EQ(hours.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(hours), "INTEGRATION_CLIENT_HAS_NO_HOURS");
  EXPECT_TRUE(CheckNoHours(kCase).ok());
  // After its period, guidance is refused.
  Context later = ctx_;
  later.today = absl::CivilDay(2027, 1, 1);
  EXPECT_EQ(Reason(CheckSubjectActive(ClientSubject(opened->after, later))),
            "INTEGRATION_PERIOD_ENDED");
}

}  // namespace
}  // namespace ks::supervision::programs::domain
