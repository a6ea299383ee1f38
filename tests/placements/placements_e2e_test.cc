// The placements service end to end: the real kerjasosial-placements binary
// over a real redis-server, checking cases against a real kerjasosial-cases
// process (placements_harness.h).
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/testing/race.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/placements/placements_harness.h"

namespace ks::placements::testing {
namespace {

using ::ks::cases::testing::BadFields;
using ::ks::cases::testing::ErrorMetadata;
using ::ks::cases::testing::Reason;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class PlacementsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.Start(); }
  void TearDown() override { env_.Stop(); }
  PlacementsEnvironment env_;
};

TEST_F(PlacementsE2eTest, AgreementToReassignmentToEnd) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  const pv1::ActivityType activity = env_.Activity();
  const pv1::Site site = env_.Site(agreement, activity, 2);
  const pv1::Site other = env_.Site(agreement, activity, 1);
  EXPECT_EQ(site.time_zone(), "Asia/Makassar");  // from 64.01, never input
  EXPECT_EQ(site.state(), pv1::SITE_STATE_ACTIVE);
  const std::string case_name = env_.HandedOverCase();

  // The prosecutor proposes; the Pemda accepts, taking a slot.
  pv1::ProposePlacementRequest propose;
  propose.set_parent("regencies/64.01");
  propose.set_request_id(NewRequestId());
  *propose.mutable_placement() =
      PlacementsEnvironment::PlacementInput(case_name, site, activity);
  pv1::Placement p;
  grpc::Status s =
      env_.stub_->ProposePlacement(env_.Ctx(env_.jaksa_).get(), propose, &p);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(p.state(), pv1::PLACEMENT_STATE_PROPOSED);
  EXPECT_EQ(p.kind(), cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
  EXPECT_EQ(p.schedule().time_zone(), "Asia/Makassar");
  EXPECT_EQ(p.proposal().proposed_by().principal_id(), "jaksa-6401");

  pv1::AcceptPlacementProposalRequest accept;
  accept.set_name(p.name());
  accept.set_etag(p.etag());
  accept.set_request_id(NewRequestId());
  s = env_.stub_->AcceptPlacementProposal(env_.Ctx(env_.officer_).get(), accept,
                                          &p);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(p.state(), pv1::PLACEMENT_STATE_ACCEPTED);

  pv1::StartPlacementRequest start;
  start.set_name(p.name());
  start.set_etag(p.etag());
  start.set_request_id(NewRequestId());
  s = env_.stub_->StartPlacement(env_.Ctx(env_.officer_).get(), start, &p);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(p.state(), pv1::PLACEMENT_STATE_ACTIVE);

  pv1::GetSiteRequest get_site;
  get_site.set_name(site.name());
  pv1::Site read;
  ASSERT_TRUE(
      env_.stub_->GetSite(env_.Ctx(env_.officer_).get(), get_site, &read).ok());
  EXPECT_EQ(read.active_placements(), 1);

  // Reassignment: the old placement ends, the successor starts, linked.
  pv1::ReassignPlacementRequest reassign;
  reassign.set_name(p.name());
  reassign.set_etag(p.etag());
  reassign.set_request_id(NewRequestId());
  *reassign.mutable_successor() =
      PlacementsEnvironment::PlacementInput("", other, activity);
  pv1::ReassignPlacementResponse moved;
  s = env_.stub_->ReassignPlacement(env_.Ctx(env_.officer_).get(), reassign,
                                    &moved);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(moved.ended().state(), pv1::PLACEMENT_STATE_ENDED);
  EXPECT_EQ(moved.ended().end_reason(),
            pv1::PLACEMENT_END_REASON_MOVED_TO_ANOTHER_SITE);
  EXPECT_EQ(moved.ended().successor(), moved.successor().name());
  EXPECT_EQ(moved.successor().predecessor(), p.name());
  EXPECT_EQ(moved.successor().state(), pv1::PLACEMENT_STATE_ACTIVE);
  EXPECT_EQ(moved.successor().case_name(), case_name);
  EXPECT_EQ(moved.successor().site(), other.name());

  ASSERT_TRUE(
      env_.stub_->GetSite(env_.Ctx(env_.officer_).get(), get_site, &read).ok());
  EXPECT_EQ(read.active_placements(), 0);

  pv1::EndPlacementRequest end;
  end.set_name(moved.successor().name());
  end.set_etag(moved.successor().etag());
  end.set_end_reason(pv1::PLACEMENT_END_REASON_COMPLETED);
  end.set_request_id(NewRequestId());
  pv1::Placement ended;
  s = env_.stub_->EndPlacement(env_.Ctx(env_.jaksa_).get(), end, &ended);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(ended.state(), pv1::PLACEMENT_STATE_ENDED);

  // One event per change of each aggregate, in its order.
  EXPECT_THAT(env_.EventsOf(p.name()),
              ElementsAre("kerjasosial.placements.v1.PlacementCreated",
                          "kerjasosial.placements.v1.PlacementChanged",
                          "kerjasosial.placements.v1.PlacementStarted",
                          "kerjasosial.placements.v1.PlacementEnded"));
  EXPECT_THAT(env_.EventsOf(ended.name()),
              ElementsAre("kerjasosial.placements.v1.PlacementCreated",
                          "kerjasosial.placements.v1.PlacementEnded"));
  // The successor's creation carries what supervision works from offline.
  for (const cv1::Event& e : env_.Feed()) {
    if (e.aggregate_name() != ended.name() ||
        e.event_type() != "kerjasosial.placements.v1.PlacementCreated") {
      continue;
    }
    pv1::PlacementCreated created;
    ASSERT_TRUE(e.payload().UnpackTo(&created));
    EXPECT_EQ(created.facts().case_name(), case_name);
    EXPECT_EQ(created.facts().site(), other.name());
    EXPECT_EQ(created.facts().schedule().time_zone(), "Asia/Makassar");
    EXPECT_EQ(created.facts().schedule().slots_size(), 5);
    EXPECT_TRUE(created.facts().period().has_start_date());
    EXPECT_EQ(created.facts().activity_category(),
              pv1::ACTIVITY_CATEGORY_PUBLIC_FACILITIES);
    EXPECT_EQ(e.regency_code(), "64.01");
  }
  // The site event carries zone, schedule and staff ids.
  for (const cv1::Event& e : env_.Feed()) {
    if (e.aggregate_name() != site.name()) continue;
    pv1::SiteChanged changed;
    ASSERT_TRUE(e.payload().UnpackTo(&changed));
    EXPECT_EQ(changed.time_zone(), "Asia/Makassar");
    EXPECT_THAT(changed.staff_principal_ids(), ElementsAre("spv-taman-01"));
    EXPECT_THAT(changed.attested_activity_types(),
                ElementsAre(activity.name()));
  }
}

TEST_F(PlacementsE2eTest, CasesStoppedIsUnavailableFastWithNothingWritten) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  const pv1::ActivityType activity = env_.Activity();
  const pv1::Site site = env_.Site(agreement, activity, 2);
  const std::string case_name = env_.HandedOverCase();
  ASSERT_EQ(env_.cases_.binary_->Signal(SIGKILL, absl::Seconds(5)), 9);

  const auto before = env_.CountsNow();
  for (int i = 0; i < 4; ++i) {
    pv1::Placement out;
    const absl::Time t0 = absl::Now();
    grpc::Status s = env_.Create(
        PlacementsEnvironment::PlacementInput(case_name, site, activity), &out);
    const absl::Duration took = absl::Now() - t0;
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE)
        << s.error_message();
    // Within the configured deadline (500 ms) plus the call's own work; once
    // the breaker is open (after 2 failures) without touching the network.
    EXPECT_LT(took, absl::Milliseconds(1500)) << i;
    if (i >= 2) {
      EXPECT_EQ(Reason(s), "PEER_UNAVAILABLE");
    }
  }
  const auto after = env_.CountsNow();
  EXPECT_EQ(after.keys, before.keys);
  EXPECT_EQ(after.events, before.events);
  EXPECT_EQ(after.audit, before.audit);
}

TEST_F(PlacementsE2eTest, ActivityWithoutAttestationIsRefusedCitingPasal853) {
  pv1::CreateActivityTypeRequest req;
  req.set_parent("regencies/64.01");
  req.set_request_id(NewRequestId());
  req.mutable_activity_type()->set_display_name("Parkir pasar");
  req.mutable_activity_type()->set_category(
      pv1::ACTIVITY_CATEGORY_PUBLIC_FACILITIES);
  req.mutable_activity_type()->set_non_commercial_attested(false);
  req.mutable_activity_type()->set_non_degrading_attested(true);
  pv1::ActivityType out;
  grpc::Status s =
      env_.stub_->CreateActivityType(env_.Ctx(env_.officer_).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s),
              ElementsAre("activity_type.non_commercial_attested"));
  EXPECT_THAT(s.error_message(), HasSubstr("KUHP Pasal 85(3)"));

  // A site cannot offer an activity without its own attestation either.
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  const pv1::ActivityType activity = env_.Activity();
  pv1::CreateSiteRequest site = env_.SiteRequest(agreement, activity, 1);
  site.mutable_site()->mutable_activities(0)->set_non_degrading_attested(false);
  pv1::Site created;
  s = env_.stub_->CreateSite(env_.Ctx(env_.officer_).get(), site, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s),
              ElementsAre("site.activities[0].non_degrading_attested"));
  EXPECT_THAT(s.error_message(), HasSubstr("Pasal 85(3)"));

  // A retired activity type is refused at the site.
  pv1::RetireActivityTypeRequest retire;
  retire.set_name(activity.name());
  retire.set_etag(activity.etag());
  retire.set_request_id(NewRequestId());
  pv1::ActivityType retired;
  ASSERT_TRUE(
      env_.stub_
          ->RetireActivityType(env_.Ctx(env_.officer_).get(), retire, &retired)
          .ok());
  s = env_.stub_->CreateSite(env_.Ctx(env_.officer_).get(),
                             env_.SiteRequest(agreement, activity, 1),
                             &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "ACTIVITY_TYPE_RETIRED");
}

TEST_F(PlacementsE2eTest, SiteUnderExpiredAgreementRefusesPlacements) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  const pv1::ActivityType activity = env_.Activity();
  const pv1::Site site = env_.Site(agreement, activity, 2);
  const std::string case_name = env_.HandedOverCase();
  // Time passes: the stored agreement's expiry date is moved to yesterday
  // (the record as two years of calendar would leave it).
  absl::StatusOr<redis::Reply> rec = env_.pool_->Command(
      {"HGET", absl::StrCat(kPrefix, "rec:", agreement.name()), "d"});
  ASSERT_TRUE(rec.ok());
  pv1::CooperationAgreement stored;
  ASSERT_TRUE(stored.ParseFromString(rec->str));
  *stored.mutable_signed_date() = DateOf(Today() - 400);
  *stored.mutable_effective_date() = DateOf(Today() - 400);
  *stored.mutable_expiry_date() = DateOf(Today() - 1);
  ASSERT_TRUE(
      env_.pool_
          ->Command({"HSET", absl::StrCat(kPrefix, "rec:", agreement.name()),
                     "d", stored.SerializeAsString()})
          .ok());

  pv1::GetCooperationAgreementRequest get;
  get.set_name(agreement.name());
  pv1::CooperationAgreement read;
  ASSERT_TRUE(
      env_.stub_
          ->GetCooperationAgreement(env_.Ctx(env_.jaksa_).get(), get, &read)
          .ok());
  EXPECT_EQ(read.state(), pv1::AGREEMENT_STATE_EXPIRED);  // computed on read

  const auto before = env_.CountsNow();
  pv1::Placement out;
  grpc::Status s = env_.Create(
      PlacementsEnvironment::PlacementInput(case_name, site, activity), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_EQ(Reason(s), "AGREEMENT_NOT_IN_FORCE");
  EXPECT_EQ(env_.CountsNow().events, before.events);
}

TEST_F(PlacementsE2eTest, ScheduleOutsideTheSiteWindowsNamesTheSlot) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  const pv1::ActivityType activity = env_.Activity();
  const pv1::Site site = env_.Site(agreement, activity, 2);  // 07:00-15:00
  const std::string case_name = env_.HandedOverCase();
  pv1::Placement p =
      PlacementsEnvironment::PlacementInput(case_name, site, activity);
  p.mutable_schedule()->mutable_slots(2)->set_end_minute(16 * 60);  // Wed
  pv1::Placement out;
  grpc::Status s = env_.Create(p, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s), ElementsAre("placement.schedule.slots[2]"));
  EXPECT_THAT(s.error_message(), HasSubstr("Wed 08:00-16:00"));
  EXPECT_THAT(s.error_message(), HasSubstr("Wed 07:00-15:00"));
}

TEST_F(PlacementsE2eTest, SuspendingASiteReportsAndSuspendsItsPlacements) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  const pv1::ActivityType activity = env_.Activity();
  const pv1::Site site = env_.Site(agreement, activity, 3);
  std::vector<std::string> active;
  for (int i = 0; i < 2; ++i) {
    active.push_back(env_.Started(site, activity).name());
    ASSERT_FALSE(::testing::Test::HasFailure());
  }
  std::sort(active.begin(), active.end());
  pv1::SuspendSiteRequest req;
  req.set_name(site.name());
  req.set_etag(site.etag());
  req.set_reason_code("safety_hazard");
  req.set_request_id(NewRequestId());
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + env_.officer_);
  pv1::Site out;
  grpc::Status s = env_.stub_->SuspendSite(&ctx, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), pv1::SITE_STATE_SUSPENDED);
  auto it = ctx.GetServerTrailingMetadata().find("ks-affected-placements");
  ASSERT_NE(it, ctx.GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()),
            absl::StrJoin(active, ","));
  for (const std::string& name : active) {
    pv1::GetPlacementRequest get;
    get.set_name(name);
    pv1::Placement p;
    ASSERT_TRUE(
        env_.stub_->GetPlacement(env_.Ctx(env_.officer_).get(), get, &p).ok());
    EXPECT_EQ(p.state(), pv1::PLACEMENT_STATE_SUSPENDED);
    EXPECT_EQ(p.state_reason_code(), "site_suspended");
    EXPECT_EQ(env_.EventsOf(name).back(),
              "kerjasosial.placements.v1.PlacementSuspended");
  }
}

TEST_F(PlacementsE2eTest, BadInputStaleEtagRetriesAndCrossRegency) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  // Bad input: every field named.
  pv1::CreateCooperationAgreementRequest bad;
  bad.set_parent("regencies/64.01");
  bad.set_request_id(NewRequestId());
  *bad.mutable_agreement() = env_.AgreementInput(Today());
  bad.mutable_agreement()->mutable_parties()->RemoveLast();
  *bad.mutable_agreement()->mutable_expiry_date() = DateOf(Today() + 1000);
  pv1::CooperationAgreement out;
  grpc::Status s = env_.stub_->CreateCooperationAgreement(
      env_.Ctx(env_.officer_).get(), bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s),
              ElementsAre("agreement.parties", "agreement.expiry_date"));

  // Stale etag: ABORTED with the current one.
  pv1::TerminateCooperationAgreementRequest term;
  term.set_name(agreement.name());
  term.set_etag("v1");
  term.set_request_id(NewRequestId());
  s = env_.stub_->TerminateCooperationAgreement(env_.Ctx(env_.officer_).get(),
                                                term, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(s), "STALE_ETAG");
  EXPECT_EQ(ErrorMetadata(s, "current_etag"), agreement.etag());

  // Cross-regency: an officer of 71.01 neither reads nor writes 64.01.
  pv1::GetCooperationAgreementRequest get;
  get.set_name(agreement.name());
  s = env_.stub_->GetCooperationAgreement(env_.Ctx(env_.other_officer_).get(),
                                          get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  pv1::ListCooperationAgreementsRequest list;
  list.set_parent("regencies/-");
  pv1::ListCooperationAgreementsResponse listed;
  ASSERT_TRUE(env_.stub_
                  ->ListCooperationAgreements(
                      env_.Ctx(env_.other_officer_).get(), list, &listed)
                  .ok());
  EXPECT_EQ(listed.agreements_size(), 0);

  // Concurrent identical retries: one activity type, every twin answered
  // with it.
  pv1::CreateActivityTypeRequest create;
  create.set_parent("regencies/64.01");
  create.set_request_id(NewRequestId());
  create.mutable_activity_type()->set_display_name("Kebersihan pasar");
  create.mutable_activity_type()->set_category(
      pv1::ACTIVITY_CATEGORY_PUBLIC_FACILITIES);
  create.mutable_activity_type()->set_non_commercial_attested(true);
  create.mutable_activity_type()->set_non_degrading_attested(true);
  std::vector<pv1::ActivityType> answers(12);
  std::vector<grpc::Status> status(12);
  const auto before = env_.CountsNow();
  ks::testing::RunTogether(12, [&](int i) {
    status[i] = env_.stub_->CreateActivityType(env_.Ctx(env_.officer_).get(),
                                               create, &answers[i]);
  });
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(status[i].ok()) << status[i].error_message();
    EXPECT_EQ(answers[i].name(), answers[0].name());
  }
  EXPECT_EQ(env_.CountsNow().events, before.events + 1);
  // The same request id with another body is ALREADY_EXISTS.
  create.mutable_activity_type()->set_display_name("Lain");
  pv1::ActivityType other;
  s = env_.stub_->CreateActivityType(env_.Ctx(env_.officer_).get(), create,
                                     &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(s), "REQUEST_ID_REUSED");

  // A duplicate agreement number in the regency.
  pv1::CreateCooperationAgreementRequest dup;
  dup.set_parent("regencies/64.01");
  dup.set_request_id(NewRequestId());
  *dup.mutable_agreement() = env_.AgreementInput(Today());
  dup.mutable_agreement()->set_agreement_number(agreement.agreement_number());
  s = env_.stub_->CreateCooperationAgreement(env_.Ctx(env_.officer_).get(), dup,
                                             &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(s), "AGREEMENT_NUMBER_EXISTS");
}

TEST_F(PlacementsE2eTest, SuggestSitesRanksAndExplainsAndKeepsNoLocation) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  const pv1::ActivityType activity = env_.Activity();
  pv1::CreateSiteRequest near = env_.SiteRequest(agreement, activity, 2);
  near.mutable_site()->set_latitude(-1.9001);
  near.mutable_site()->set_longitude(116.1901);
  pv1::CreateSiteRequest far = env_.SiteRequest(agreement, activity, 2);
  far.mutable_site()->set_latitude(-1.5);
  far.mutable_site()->set_longitude(116.5);
  pv1::Site near_site, far_site;
  ASSERT_TRUE(
      env_.stub_->CreateSite(env_.Ctx(env_.officer_).get(), far, &far_site)
          .ok());
  ASSERT_TRUE(
      env_.stub_->CreateSite(env_.Ctx(env_.officer_).get(), near, &near_site)
          .ok());
  const std::string case_name = env_.HandedOverCase();
  const auto before = env_.CountsNow();
  pv1::SuggestSitesRequest req;
  req.set_parent("regencies/64.01");
  req.set_case_name(case_name);
  req.set_home_latitude(-1.9012345);
  req.set_home_longitude(116.1912345);
  pv1::SuggestSitesResponse out;
  grpc::Status s =
      env_.stub_->SuggestSites(env_.Ctx(env_.jaksa_).get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.suggestions_size(), 2);
  EXPECT_EQ(out.suggestions(0).site(), near_site.name());
  EXPECT_LT(out.suggestions(0).distance_meters(), 1000);
  EXPECT_EQ(out.suggestions(0).free_slots(), 2);
  std::vector<std::string> factors;
  for (const auto& f : out.suggestions(0).factors())
    factors.push_back(f.factor());
  EXPECT_THAT(factors, ElementsAre("activity_fit", "child_suitability",
                                   "schedule_fit", "distance"));
  EXPECT_GT(out.suggestions(0).score(), out.suggestions(1).score());
  // Nothing stored, nothing logged of the location.
  const auto after = env_.CountsNow();
  EXPECT_EQ(after.keys, before.keys);
  EXPECT_EQ(after.events, before.events);
  EXPECT_EQ(env_.binary_->ReadLog().find("1.9012"), std::string::npos);
  // Bad coordinates name their field.
  req.set_home_latitude(91);
  s = env_.stub_->SuggestSites(env_.Ctx(env_.jaksa_).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s), ElementsAre("home_latitude"));
}

TEST_F(PlacementsE2eTest, OutreachJointEvaluationAndMonitoringVisit) {
  const pv1::CooperationAgreement agreement = env_.AgreementInForce();
  const pv1::ActivityType activity = env_.Activity();
  const pv1::Site site = env_.Site(agreement, activity, 3);
  pv1::Placement p;
  ASSERT_TRUE(env_.Create(PlacementsEnvironment::PlacementInput(
                              env_.HandedOverCase(), site, activity),
                          &p)
                  .ok());
  pv1::StartPlacementRequest start;
  start.set_name(p.name());
  start.set_etag(p.etag());
  start.set_request_id(NewRequestId());
  ASSERT_TRUE(
      env_.stub_->StartPlacement(env_.Ctx(env_.officer_).get(), start, &p)
          .ok());

  pv1::CreateOutreachEventRequest outreach;
  outreach.set_parent("regencies/64.01");
  outreach.set_request_id(NewRequestId());
  outreach.mutable_outreach_event()->set_title(
      "Sosialisasi pidana kerja sosial");
  *outreach.mutable_outreach_event()->mutable_date() = DateOf(Today());
  outreach.mutable_outreach_event()->set_venue("Aula Kantor Bupati");
  outreach.mutable_outreach_event()->set_participants(120);
  pv1::OutreachEvent event;
  grpc::Status s = env_.stub_->CreateOutreachEvent(env_.Ctx(env_.jaksa_).get(),
                                                   outreach, &event);
  ASSERT_TRUE(s.ok()) << s.error_message();
  pv1::UpdateOutreachEventRequest update;
  *update.mutable_outreach_event() = event;
  update.mutable_outreach_event()->set_participants(130);
  update.mutable_update_mask()->add_paths("participants");
  update.set_etag("v9");
  update.set_request_id(NewRequestId());
  s = env_.stub_->UpdateOutreachEvent(env_.Ctx(env_.officer_).get(), update,
                                      &event);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  update.set_etag(event.etag());
  s = env_.stub_->UpdateOutreachEvent(env_.Ctx(env_.officer_).get(), update,
                                      &event);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(event.participants(), 130);

  pv1::CreateJointEvaluationRequest joint;
  joint.set_parent(agreement.name());
  joint.set_request_id(NewRequestId());
  pv1::JointEvaluation* je = joint.mutable_joint_evaluation();
  *je->mutable_date() = DateOf(Today());
  *je->mutable_period()->mutable_start_date() = DateOf(Today() - 30);
  *je->mutable_period()->mutable_end_date() = DateOf(Today());
  je->add_participant_office_codes("kejari-64.01");
  je->add_participant_office_codes("pemkab-64.01");
  je->set_findings("Pelaksanaan berjalan baik.");
  auto* follow = je->add_follow_ups();
  follow->set_action("Tambah lokasi kerja");
  follow->set_owner(cv1::AGENCY_PEMDA);
  pv1::JointEvaluation evaluation;
  s = env_.stub_->CreateJointEvaluation(env_.Ctx(env_.jaksa_).get(), joint,
                                        &evaluation);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(evaluation.figures_snapshot().sites_active(), 1);
  EXPECT_EQ(evaluation.figures_snapshot().capacity_total(), 3);
  EXPECT_EQ(evaluation.figures_snapshot().placements_started(), 1);
  EXPECT_EQ(evaluation.figures_snapshot().placements_active(), 1);
  EXPECT_EQ(evaluation.figures_snapshot().adults_placed(), 1);
  pv1::ListJointEvaluationsRequest list_joint;
  list_joint.set_parent(agreement.name());
  pv1::ListJointEvaluationsResponse joints;
  s = env_.stub_->ListJointEvaluations(env_.Ctx(env_.pk_).get(), list_joint,
                                       &joints);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(joints.joint_evaluations_size(), 1);
  EXPECT_EQ(joints.joint_evaluations(0).name(), evaluation.name());

  pv1::RecordMonitoringVisitRequest visit;
  visit.set_parent(site.name());
  visit.set_request_id(NewRequestId());
  *visit.mutable_monitoring_visit()->mutable_visit_date() =
      DateOf(Today() + 1);  // the future
  visit.mutable_monitoring_visit()->set_findings("Alat pelindung lengkap.");
  pv1::MonitoringVisit recorded;
  s = env_.stub_->RecordMonitoringVisit(env_.Ctx(env_.officer_).get(), visit,
                                        &recorded);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s), ElementsAre("monitoring_visit.visit_date"));
  *visit.mutable_monitoring_visit()->mutable_visit_date() = DateOf(Today());
  s = env_.stub_->RecordMonitoringVisit(env_.Ctx(env_.officer_).get(), visit,
                                        &recorded);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(recorded.recorded_by().principal_id(), "pemda-6401");
  pv1::ListMonitoringVisitsRequest list_visits;
  list_visits.set_parent("regencies/64.01/sites/-");
  pv1::ListMonitoringVisitsResponse visits;
  ASSERT_TRUE(env_.stub_
                  ->ListMonitoringVisits(env_.Ctx(env_.jaksa_).get(),
                                         list_visits, &visits)
                  .ok());
  ASSERT_EQ(visits.monitoring_visits_size(), 1);
  // Another regency's officer may not record here.
  visit.set_request_id(NewRequestId());
  s = env_.stub_->RecordMonitoringVisit(env_.Ctx(env_.other_officer_).get(),
                                        visit, &recorded);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace ks::placements::testing
