// Supervision part 1's Litmas, assignment history, lists, adjustments, site
// roll and at-risk sweep over real gRPC: the real kerjasosial-supervision
// and kerjasosial-cases binaries on real redis-servers (the harness of
// supervision_harness.h). Each rpc: the happy path, bad input naming its
// fields, a stale etag where it takes one, and a caller of another regency
// or site denied.
#include <algorithm>

#include "google/protobuf/field_mask.pb.h"
#include "tests/supervision/supervision_harness.h"

namespace ks::supervision::testing {
namespace {

namespace cv1 = ::kerjasosial::common::v1;

class LedgerE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new SupervisionEnvironment();
    env_->Start();
    if (::testing::Test::HasFatalFailure()) return;
    // Restart supervision with a short sweep interval, so the sweep test
    // sees several sweeps; the sweep writes only on a change of a flag.
    env_->binary_->Signal(SIGTERM, absl::Seconds(10));
    std::vector<std::string> args = env_->SupervisionArgs();
    args.push_back("--risk_sweep_interval=200ms");
    env_->binary_ =
        std::make_unique<ks::testing::Process>(KS_BIN_SUPERVISION, args);
    env_->StartSupervision();
  }
  static void TearDownTestSuite() {
    env_->Stop();
    delete env_;
  }

  static std::unique_ptr<grpc::ClientContext> Pk() {
    return SupervisionEnvironment::Ctx(env_->pk());
  }
  static absl::CivilMinute At(int days_ago, int hour, int minute = 0) {
    const absl::CivilDay d = Today() - days_ago;
    return absl::CivilMinute(d.year(), d.month(), d.day(), hour, minute);
  }
  // Feed events of `type` about `aggregate`.
  static int CountEvents(const std::string& type,
                         const std::string& aggregate) {
    int n = 0;
    for (const cv1::Event& e : env_->FeedEvents(type)) {
      if (e.aggregate_name() == aggregate) ++n;
    }
    return n;
  }
  static std::string Dump(const grpc::Status& s) {
    return absl::StrCat(s.error_code(), " ", s.error_message());
  }

  // Records a complied session of `c` at `placement` on the local day
  // `days_ago`, from `from` to `to` o'clock; expects success.
  static sv1::WorkSession Worked(const casesv1::Case& c,
                                 const std::string& placement, int days_ago,
                                 int from, int to) {
    sv1::WorkSession out;
    const grpc::Status s = env_->Record(
        SupervisionEnvironment::Session(c.name(), placement, At(days_ago, from),
                                        At(days_ago, to)),
        &out);
    EXPECT_TRUE(s.ok()) << Dump(s);
    return out;
  }

  static SupervisionEnvironment* env_;
};

SupervisionEnvironment* LedgerE2eTest::env_ = nullptr;

// ---------------------------------------------------------------------------
// Litmas.

TEST_F(LedgerE2eTest, LitmasIsUpdatedAsADraftAndImmutableOnceSubmitted) {
  sv1::CreateLitmasReportRequest bad;
  bad.set_parent("regencies/64.01");
  bad.set_request_id(NewRequestId());
  bad.mutable_litmas_report()->set_proceedings_reference("x\ny");
  sv1::LitmasReport out;
  grpc::Status s = env_->stub_->CreateLitmasReport(Pk().get(), bad, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Dump(s);
  std::vector<std::string> fields = BadFields(s);
  for (const char* f :
       {"litmas_report.purpose", "litmas_report.requested_by",
        "litmas_report.request_date", "litmas_report.pk_principal_id",
        "litmas_report.proceedings_reference"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }

  sv1::CreateLitmasReportRequest create;
  create.set_parent("regencies/64.01");
  create.set_request_id(NewRequestId());
  sv1::LitmasReport* in = create.mutable_litmas_report();
  in->set_purpose(sv1::LITMAS_PURPOSE_PRE_SENTENCE_CHILD);
  in->set_requested_by(cv1::AGENCY_KEJAKSAAN);
  *in->mutable_request_date() = DateFromCivilDay(Today() - 3);
  in->set_pk_principal_id("pk-mnd-01");
  in->set_proceedings_reference("PDM-17/2026");
  // A PK of another regency cannot open one here by naming itself.
  s = env_->stub_->CreateLitmasReport(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), create, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Dump(s);

  in->set_pk_principal_id("pk-bpp-01");
  create.set_request_id(NewRequestId());
  sv1::LitmasReport draft;
  s = env_->stub_->CreateLitmasReport(Pk().get(), create, &draft);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(draft.state(), sv1::LITMAS_STATE_IN_PROGRESS);
  EXPECT_EQ(draft.etag(), "v1");

  // Submitting without a number or recommendation names both.
  sv1::SubmitLitmasReportRequest submit;
  submit.set_name(draft.name());
  *submit.mutable_submitted_date() = DateFromCivilDay(Today());
  submit.set_etag(draft.etag());
  submit.set_request_id(NewRequestId());
  s = env_->stub_->SubmitLitmasReport(Pk().get(), submit, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Dump(s);
  fields = BadFields(s);
  EXPECT_EQ(fields.size(), 2u);

  sv1::UpdateLitmasReportRequest update;
  update.mutable_litmas_report()->set_name(draft.name());
  update.mutable_litmas_report()->set_number("LIT-17/2026");
  update.mutable_litmas_report()->set_recommendation(
      sv1::LitmasRecommendation(1));
  update.mutable_update_mask()->add_paths("number");
  update.mutable_update_mask()->add_paths("recommendation");
  update.set_etag(draft.etag());
  update.set_request_id(NewRequestId());
  sv1::LitmasReport filled;
  s = env_->stub_->UpdateLitmasReport(Pk().get(), update, &filled);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(filled.number(), "LIT-17/2026");
  EXPECT_EQ(filled.etag(), "v2");

  // A stale etag is ABORTED.
  update.set_request_id(NewRequestId());
  s = env_->stub_->UpdateLitmasReport(Pk().get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << Dump(s);

  submit.set_etag(filled.etag());
  submit.set_request_id(NewRequestId());
  sv1::LitmasReport submitted;
  s = env_->stub_->SubmitLitmasReport(Pk().get(), submit, &submitted);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(submitted.state(), sv1::LITMAS_STATE_SUBMITTED);
  EXPECT_EQ(CountEvents("LitmasSubmitted", submitted.name()), 1);

  // Immutable after submission, whatever the etag.
  update.set_etag(submitted.etag());
  update.set_request_id(NewRequestId());
  s = env_->stub_->UpdateLitmasReport(Pk().get(), update, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << Dump(s);
  EXPECT_EQ(Reason(s), "LITMAS_NOT_IN_PROGRESS");
  submit.set_etag(submitted.etag());
  submit.set_request_id(NewRequestId());
  s = env_->stub_->SubmitLitmasReport(Pk().get(), submit, &out);
  EXPECT_EQ(Reason(s), "LITMAS_NOT_IN_PROGRESS");

  sv1::GetLitmasReportRequest get;
  get.set_name(draft.name());
  s = env_->stub_->GetLitmasReport(Pk().get(), get, &out);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(out.number(), "LIT-17/2026");
  EXPECT_EQ(out.state(), sv1::LITMAS_STATE_SUBMITTED);

  sv1::ListLitmasReportsRequest list;
  list.set_parent("regencies/64.01");
  list.set_filter("state = SUBMITTED AND pk_principal_id = \"pk-bpp-01\"");
  sv1::ListLitmasReportsResponse listed;
  s = env_->stub_->ListLitmasReports(Pk().get(), list, &listed);
  ASSERT_TRUE(s.ok()) << Dump(s);
  bool found = false;
  for (const auto& l : listed.litmas_reports()) {
    EXPECT_EQ(l.state(), sv1::LITMAS_STATE_SUBMITTED);
    found |= l.name() == draft.name();
  }
  EXPECT_TRUE(found);

  // A PK of another Bapas and regency changes and reads nothing of it:
  // denied by name,
  // and its list (admitted only for its own Litmas, ASSIGNED_PK) is empty.
  s = env_->stub_->GetLitmasReport(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Dump(s);
  update.set_request_id(NewRequestId());
  s = env_->stub_->UpdateLitmasReport(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Dump(s);
  submit.set_request_id(NewRequestId());
  s = env_->stub_->SubmitLitmasReport(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), submit, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Dump(s);
  list.clear_filter();
  s = env_->stub_->ListLitmasReports(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), list, &listed);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(listed.litmas_reports_size(), 0);
}

TEST_F(LedgerE2eTest, ChildCaseIsAssignedOnlyOnceItsLitmasIsSubmitted) {
  sv1::CreateLitmasReportRequest create;
  create.set_parent("regencies/64.01");
  create.set_request_id(NewRequestId());
  sv1::LitmasReport* in = create.mutable_litmas_report();
  in->set_purpose(sv1::LITMAS_PURPOSE_PRE_SENTENCE_CHILD);
  in->set_requested_by(cv1::AGENCY_KEJAKSAAN);
  *in->mutable_request_date() = DateFromCivilDay(Today() - 20);
  in->set_pk_principal_id("pk-bpp-01");
  in->set_number("LIT-CHILD/2026");
  in->set_recommendation(sv1::LitmasRecommendation(1));
  sv1::LitmasReport draft;
  grpc::Status s = env_->stub_->CreateLitmasReport(Pk().get(), create, &draft);
  ASSERT_TRUE(s.ok()) << Dump(s);

  // The decision (in cases) names the Litmas made here.
  casesv1::Case data = ks::cases::testing::ChildCase("LED-CHILD");
  data.mutable_sentence()->mutable_litmas()->set_litmas(draft.name());
  const casesv1::Case c =
      env_->cases_.HandOver(env_->cases_.Order(env_->cases_.CreateCase(data)));
  ASSERT_FALSE(c.name().empty());

  sv1::CreatePkAssignmentRequest assign;
  assign.set_parent("regencies/64.01");
  assign.mutable_pk_assignment()->set_case_name(c.name());
  assign.mutable_pk_assignment()->set_bapas_office_code(kBapasOffice);
  assign.mutable_pk_assignment()->set_pk_principal_id("pk-bpp-01");
  assign.set_request_id(NewRequestId());
  sv1::PkAssignment out;
  s = env_->stub_->CreatePkAssignment(Pk().get(), assign, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << Dump(s);
  EXPECT_EQ(Reason(s), "LITMAS_NOT_SUBMITTED");
  EXPECT_NE(s.error_message().find("R11"), std::string::npos);

  sv1::SubmitLitmasReportRequest submit;
  submit.set_name(draft.name());
  *submit.mutable_submitted_date() = DateFromCivilDay(Today() - 15);
  submit.set_etag(draft.etag());
  submit.set_request_id(NewRequestId());
  sv1::LitmasReport submitted;
  s = env_->stub_->SubmitLitmasReport(Pk().get(), submit, &submitted);
  ASSERT_TRUE(s.ok()) << Dump(s);

  assign.set_request_id(NewRequestId());
  s = env_->stub_->CreatePkAssignment(Pk().get(), assign, &out);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(out.kind(), cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT);
}

// ---------------------------------------------------------------------------
// Assignments.

TEST_F(LedgerE2eTest, ReassignPkKeepsHistoryAndMovesTheCaseload) {
  const casesv1::Case c = env_->HandedOverCase("LED-ASG", 16);
  const sv1::PkAssignment first = env_->Assign(c);
  ASSERT_FALSE(first.name().empty());

  sv1::ListPkAssignmentsRequest list;
  list.set_parent("regencies/64.01");
  list.set_filter("pk_principal_id = \"pk-bpp-02\" AND state = ACTIVE");
  sv1::ListPkAssignmentsResponse before;
  ASSERT_TRUE(env_->stub_->ListPkAssignments(Pk().get(), list, &before).ok());

  sv1::ReassignPkRequest same;
  same.set_name(first.name());
  same.set_pk_principal_id("pk-bpp-01");
  same.set_etag(first.etag());
  same.set_request_id(NewRequestId());
  sv1::PkAssignment out;
  grpc::Status s = env_->stub_->ReassignPk(Pk().get(), same, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Dump(s);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"pk_principal_id"});

  sv1::ReassignPkRequest reassign = same;
  reassign.set_pk_principal_id("pk-bpp-02");
  reassign.set_request_id(NewRequestId());
  sv1::PkAssignment second;
  s = env_->stub_->ReassignPk(Pk().get(), reassign, &second);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_NE(second.name(), first.name());
  EXPECT_EQ(second.state(), sv1::ASSIGNMENT_STATE_ACTIVE);
  EXPECT_EQ(second.pk_principal_id(), "pk-bpp-02");
  EXPECT_EQ(second.reassigned_from(), first.name());
  ASSERT_EQ(second.previous_pk_principal_ids_size(), 1);
  EXPECT_EQ(second.previous_pk_principal_ids(0), "pk-bpp-01");
  EXPECT_EQ(second.person().full_name(), first.person().full_name());

  // The old assignment is history, linked to the new.
  sv1::GetPkAssignmentRequest get;
  get.set_name(first.name());
  sv1::PkAssignment old;
  ASSERT_TRUE(env_->stub_->GetPkAssignment(Pk().get(), get, &old).ok());
  EXPECT_EQ(old.state(), sv1::ASSIGNMENT_STATE_ENDED);
  EXPECT_EQ(old.end_reason(), sv1::ASSIGNMENT_END_REASON_REASSIGNED);
  EXPECT_EQ(old.reassigned_to(), second.name());
  // The ledger's PK moved in the same step, with its event.
  EXPECT_EQ(env_->Ledger(first.ledger()).pk_principal_id(), "pk-bpp-02");
  EXPECT_EQ(CountEvents("PkReassigned", first.ledger()), 1);

  // The first etag is stale now.
  reassign.set_request_id(NewRequestId());
  s = env_->stub_->ReassignPk(Pk().get(), reassign, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << Dump(s);

  // The new PK's caseload counts it, exactly.
  sv1::ListPkAssignmentsResponse after;
  ASSERT_TRUE(env_->stub_->ListPkAssignments(Pk().get(), list, &after).ok());
  EXPECT_EQ(after.pk_caseload(), before.pk_caseload() + 1);
  EXPECT_TRUE(std::any_of(
      after.pk_assignments().begin(), after.pk_assignments().end(),
      [&](const sv1::PkAssignment& a) { return a.name() == second.name(); }));

  // Ending needs a reason; then the ledger has no PK.
  sv1::EndPkAssignmentRequest end;
  end.set_name(second.name());
  end.set_etag(second.etag());
  end.set_request_id(NewRequestId());
  s = env_->stub_->EndPkAssignment(Pk().get(), end, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Dump(s);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"end_reason"});
  end.set_end_reason(sv1::ASSIGNMENT_END_REASON_MOVED_TO_ANOTHER_BAPAS);
  end.set_etag("v2");  // a version this assignment has not reached
  end.set_request_id(NewRequestId());
  s = env_->stub_->EndPkAssignment(Pk().get(), end, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << Dump(s);
  end.set_etag(second.etag());
  end.set_request_id(NewRequestId());
  sv1::PkAssignment ended;
  s = env_->stub_->EndPkAssignment(Pk().get(), end, &ended);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(ended.state(), sv1::ASSIGNMENT_STATE_ENDED);
  EXPECT_EQ(env_->Ledger(first.ledger()).pk_principal_id(), "");
  EXPECT_EQ(CountEvents("PkAssignmentEnded", first.ledger()), 1);
  ASSERT_TRUE(env_->stub_->ListPkAssignments(Pk().get(), list, &after).ok());
  EXPECT_EQ(after.pk_caseload(), before.pk_caseload());
  end.set_request_id(NewRequestId());
  end.set_etag(ended.etag());
  s = env_->stub_->EndPkAssignment(Pk().get(), end, &out);
  EXPECT_EQ(Reason(s), "ASSIGNMENT_NOT_ACTIVE") << Dump(s);

  // Another regency's PK neither lists, reassigns nor ends here.
  s = env_->stub_->ListPkAssignments(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), list, &after);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Dump(s);
  s = env_->stub_->ReassignPk(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), reassign,
      &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Dump(s);
  s = env_->stub_->EndPkAssignment(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), end, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Dump(s);
}

// ---------------------------------------------------------------------------
// Adjustments.

TEST_F(LedgerE2eTest, AdjustmentCrossingTheTargetEmitsCompletionOnce) {
  const casesv1::Case c = env_->HandedOverCase("LED-ADJ", 8);
  const sv1::PkAssignment a = env_->Assign(c);
  const std::string placement =
      env_->PlaceCase(c.name(), Today() - 10, Today() + 60, "p-adj");
  const sv1::WorkSession session = Worked(c, placement, 2, 8, 9);
  const sv1::HoursLedger before = env_->Ledger(a.ledger());
  ASSERT_EQ(before.credited_minutes(), 60);

  sv1::AdjustHoursLedgerRequest bad;
  bad.set_name(a.ledger());
  bad.set_kind(sv1::ADJUSTMENT_KIND_INITIAL);
  bad.set_target_minutes(-5);
  bad.set_request_id(NewRequestId());
  sv1::HoursLedger out;
  grpc::Status s = env_->stub_->AdjustHoursLedger(Pk().get(), bad, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Dump(s);
  std::vector<std::string> fields = BadFields(s);
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields,
            (std::vector<std::string>{"kind", "source_id", "target_minutes"}));

  sv1::AdjustHoursLedgerRequest transfer;
  transfer.set_name(a.ledger());
  transfer.set_kind(sv1::ADJUSTMENT_KIND_TRANSFER_IN);
  transfer.set_target_minutes(480);
  transfer.set_carried_minutes(420);
  transfer.set_source_id("transfer-17");
  transfer.set_etag("v999");
  transfer.set_request_id(NewRequestId());
  s = env_->stub_->AdjustHoursLedger(Pk().get(), transfer, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << Dump(s);

  transfer.clear_etag();
  transfer.set_request_id(NewRequestId());
  sv1::HoursLedger done;
  s = env_->stub_->AdjustHoursLedger(Pk().get(), transfer, &done);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(done.credited_minutes(), 480);
  EXPECT_EQ(done.owed_minutes(), 0);
  EXPECT_EQ(done.state(), sv1::LEDGER_STATE_COMPLETED);
  EXPECT_EQ(CountEvents("CompletionReached", a.ledger()), 1);
  EXPECT_EQ(CountEvents("LedgerAdjusted", a.ledger()), 1);

  // A retry, and a redelivery of the same source under another request id,
  // change nothing and announce nothing again.
  ASSERT_TRUE(env_->stub_->AdjustHoursLedger(Pk().get(), transfer, &out).ok());
  EXPECT_EQ(out.etag(), done.etag());
  transfer.set_request_id(NewRequestId());
  ASSERT_TRUE(env_->stub_->AdjustHoursLedger(Pk().get(), transfer, &out).ok());
  EXPECT_EQ(out.adjustments_size(), done.adjustments_size());
  EXPECT_EQ(CountEvents("CompletionReached", a.ledger()), 1);
  EXPECT_EQ(CountEvents("LedgerAdjusted", a.ledger()), 1);

  // A correction above the credit reopens it; the ledger stays the sum of
  // its session and the carried minutes.
  sv1::AdjustHoursLedgerRequest correct;
  correct.set_name(a.ledger());
  correct.set_kind(sv1::ADJUSTMENT_KIND_SENTENCE_CORRECTED);
  correct.set_target_minutes(540);
  correct.set_source_id("correction-1");
  correct.set_request_id(NewRequestId());
  s = env_->stub_->AdjustHoursLedger(Pk().get(), correct, &out);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(out.state(), sv1::LEDGER_STATE_OPEN);
  EXPECT_EQ(out.owed_minutes(), 60);
  sv1::GetWorkSessionRequest get;
  get.set_name(session.name());
  sv1::WorkSession stored;
  ASSERT_TRUE(env_->stub_->GetWorkSession(Pk().get(), get, &stored).ok());
  EXPECT_EQ(out.credited_minutes(), stored.credited_minutes() + 420);
  EXPECT_EQ(CountEvents("CompletionReached", a.ledger()), 1);

  // Another regency's PK cannot adjust it.
  correct.set_request_id(NewRequestId());
  s = env_->stub_->AdjustHoursLedger(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), correct, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Dump(s);
}

// ---------------------------------------------------------------------------
// Lists and the site roll.

TEST_F(LedgerE2eTest, SessionsAndLedgersListPerCaseSitePkAndRegency) {
  const casesv1::Case c = env_->HandedOverCase("LED-LIST", 16);
  const sv1::PkAssignment a = env_->Assign(c);
  const std::string placement =
      env_->PlaceCase(c.name(), Today() - 10, Today() + 60, "p-list");
  const sv1::WorkSession s1 = Worked(c, placement, 3, 8, 10);
  const sv1::WorkSession s2 = Worked(c, placement, 2, 8, 10);

  sv1::ListWorkSessionsRequest by_case;
  by_case.set_parent("regencies/64.01");
  by_case.set_filter(absl::StrCat("case_name = \"", c.name(), "\""));
  sv1::ListWorkSessionsResponse sessions;
  grpc::Status s =
      env_->stub_->ListWorkSessions(Pk().get(), by_case, &sessions);
  ASSERT_TRUE(s.ok()) << Dump(s);
  ASSERT_EQ(sessions.work_sessions_size(), 2);
  EXPECT_EQ(sessions.work_sessions(0).name(), s2.name());  // newest first
  by_case.set_order_by("start_time");
  ASSERT_TRUE(
      env_->stub_->ListWorkSessions(Pk().get(), by_case, &sessions).ok());
  EXPECT_EQ(sessions.work_sessions(0).name(), s1.name());

  // Per site and time range, paged one at a time.
  sv1::ListWorkSessionsRequest by_site;
  by_site.set_parent("regencies/64.01");
  by_site.set_filter(absl::StrCat(
      "site = \"", kSite, "\" AND placement = \"", placement,
      "\" AND start_time >= \"",
      absl::FormatTime(
          absl::RFC3339_full,
          absl::FromCivil(At(3, 0), absl::UTCTimeZone()) - absl::Hours(8),
          absl::UTCTimeZone()),
      "\""));
  by_site.set_page_size(1);
  std::vector<std::string> seen;
  do {
    sv1::ListWorkSessionsResponse page;
    s = env_->stub_->ListWorkSessions(Pk().get(), by_site, &page);
    ASSERT_TRUE(s.ok()) << Dump(s);
    for (const auto& w : page.work_sessions()) seen.push_back(w.name());
    by_site.set_page_token(page.next_page_token());
  } while (!by_site.page_token().empty());
  EXPECT_EQ(seen, (std::vector<std::string>{s2.name(), s1.name()}));

  // The site's supervisor lists the sessions at its site; another site's
  // supervisor sees none of them.
  sv1::ListWorkSessionsRequest sup = by_case;
  sup.clear_order_by();
  ASSERT_TRUE(env_->stub_
                  ->ListWorkSessions(
                      SupervisionEnvironment::Ctx(env_->site_supervisor_).get(),
                      sup, &sessions)
                  .ok());
  EXPECT_EQ(sessions.work_sessions_size(), 2);
  s = env_->stub_->ListWorkSessions(
      SupervisionEnvironment::Ctx(env_->other_site_supervisor_).get(), sup,
      &sessions);
  EXPECT_TRUE(s.ok() ? sessions.work_sessions_size() == 0
                     : s.error_code() == grpc::StatusCode::PERMISSION_DENIED)
      << Dump(s);

  // Ledgers per PK and per site, in the regency.
  sv1::ListHoursLedgersRequest ledgers;
  ledgers.set_parent("regencies/64.01");
  ledgers.set_filter(
      absl::StrCat("pk_principal_id = \"pk-bpp-01\" AND site = \"", kSite,
                   "\" AND state = OPEN"));
  sv1::ListHoursLedgersResponse listed;
  s = env_->stub_->ListHoursLedgers(Pk().get(), ledgers, &listed);
  ASSERT_TRUE(s.ok()) << Dump(s);
  bool found = false;
  for (const auto& l : listed.ledgers()) {
    EXPECT_EQ(l.days_size(), 0);
    EXPECT_EQ(l.site(), kSite);
    found |= l.name() == a.ledger();
  }
  EXPECT_TRUE(found);
  ledgers.set_filter("at_risk = true AND overdue = false");
  ASSERT_TRUE(env_->stub_->ListHoursLedgers(Pk().get(), ledgers, &listed).ok());
  for (const auto& l : listed.ledgers()) EXPECT_TRUE(l.at_risk());

  // Bad filters name `filter`.
  ledgers.set_filter("person = 1");
  s = env_->stub_->ListHoursLedgers(Pk().get(), ledgers, &listed);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Dump(s);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"filter"});
  // Another regency's PK is admitted only to the ledgers assigned to it
  // (ASSIGNED_PK): none here.
  ledgers.clear_filter();
  s = env_->stub_->ListHoursLedgers(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), ledgers,
      &listed);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(listed.ledgers_size(), 0);
  sv1::ListWorkSessionsRequest all;
  all.set_parent("regencies/-");
  s = env_->stub_->ListWorkSessions(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), all,
      &sessions);
  ASSERT_TRUE(s.ok()) << Dump(s);
  EXPECT_EQ(sessions.work_sessions_size(), 0);
}

TEST_F(LedgerE2eTest, SiteRollShowsTheNameAndNothingElsePersonal) {
  const casesv1::Case c = env_->HandedOverCase("LED-ROLL", 16);
  const sv1::PkAssignment a = env_->Assign(c);
  const std::string placement =
      env_->PlaceCase(c.name(), Today() - 1, Today() + 30, "p-roll");
  sv1::ListSiteRollRequest req;
  req.set_site(kSite);
  *req.mutable_date() = DateFromCivilDay(Today());
  sv1::ListSiteRollResponse roll;
  grpc::Status s = env_->stub_->ListSiteRoll(
      SupervisionEnvironment::Ctx(env_->site_supervisor_).get(), req, &roll);
  ASSERT_TRUE(s.ok()) << Dump(s);
  const sv1::SiteRollEntry* mine = nullptr;
  for (const auto& e : roll.entries()) {
    if (e.placement() == placement) mine = &e;
  }
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->case_name(), c.name());
  EXPECT_FALSE(a.person().full_name().empty());
  EXPECT_EQ(mine->full_name(), a.person().full_name());
  // Nothing else about the person: the entry has only these four fields.
  std::vector<const google::protobuf::FieldDescriptor*> set;
  mine->GetReflection()->ListFields(*mine, &set);
  for (const auto* f : set) {
    EXPECT_TRUE(f->name() == "case_name" || f->name() == "placement" ||
                f->name() == "full_name" || f->name() == "kind")
        << f->name();
  }

  // Before the placement's period it is not on the roll.
  *req.mutable_date() = DateFromCivilDay(Today() - 5);
  ASSERT_TRUE(env_->stub_
                  ->ListSiteRoll(
                      SupervisionEnvironment::Ctx(env_->site_supervisor_).get(),
                      req, &roll)
                  .ok());
  for (const auto& e : roll.entries()) EXPECT_NE(e.placement(), placement);

  // Another site's supervisor and another regency's PK are denied; a bad
  // date names `date`.
  s = env_->stub_->ListSiteRoll(
      SupervisionEnvironment::Ctx(env_->other_site_supervisor_).get(), req,
      &roll);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Dump(s);
  s = env_->stub_->ListSiteRoll(
      SupervisionEnvironment::Ctx(env_->other_office_pk_).get(), req, &roll);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Dump(s);
  req.mutable_date()->set_month(13);
  s = env_->stub_->ListSiteRoll(
      SupervisionEnvironment::Ctx(env_->site_supervisor_).get(), req, &roll);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Dump(s);
  EXPECT_EQ(BadFields(s), std::vector<std::string>{"date"});
}

// ---------------------------------------------------------------------------
// The sweep.

TEST_F(LedgerE2eTest, SweepEmitsAtRiskOnceHoweverOftenItRuns) {
  const casesv1::Case c = env_->HandedOverCase("LED-SWEEP", 40);
  const sv1::PkAssignment a = env_->Assign(c);
  const std::string placement =
      env_->PlaceCase(c.name(), Today() - 10, Today() + 120, "p-sweep");
  Worked(c, placement, 1, 8, 10);
  ASSERT_FALSE(env_->Ledger(a.ledger()).at_risk());
  EXPECT_EQ(CountEvents("AtRiskChanged", a.ledger()), 0);

  // The placement's schedule loses every window: the owed hours can no
  // longer be worked before the deadline. Only the sweep sees it (no
  // session arrives).
  plv1::PlacementFacts facts;
  facts.set_case_name(c.name());
  facts.set_site(kSite);
  facts.set_activity_type("regencies/64.01/activityTypes/clean");
  facts.set_kind(cv1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
  *facts.mutable_period()->mutable_start_date() =
      DateFromCivilDay(Today() - 10);
  *facts.mutable_period()->mutable_end_date() = DateFromCivilDay(Today() + 120);
  facts.mutable_schedule()->set_time_zone(kZone);
  facts.set_state(plv1::PLACEMENT_STATE_ACTIVE);
  plv1::PlacementChanged changed;
  *changed.mutable_facts() = facts;
  env_->PublishPlacements(changed, placement, 3);
  env_->WaitApplied(absl::StrCat("rm:pl:", placement), 3);

  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (CountEvents("AtRiskChanged", a.ledger()) == 0 &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(CountEvents("AtRiskChanged", a.ledger()), 1);
  EXPECT_TRUE(env_->Ledger(a.ledger()).at_risk());

  // Two more complete sweeps over the same facts add nothing.
  const auto sweeps = [] {
    const std::string log = env_->binary_->ReadLog();
    int n = 0;
    for (size_t at = log.find("risk_sweep_done"); at != std::string::npos;
         at = log.find("risk_sweep_done", at + 1)) {
      ++n;
    }
    return n;
  };
  const int seen = sweeps();
  while (sweeps() < seen + 2 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_GE(sweeps(), seen + 2) << "the sweep did not run twice more";
  EXPECT_EQ(CountEvents("AtRiskChanged", a.ledger()), 1);
  const sv1::HoursLedger after = env_->Ledger(a.ledger());
  EXPECT_TRUE(after.at_risk());

  // It is listed as at risk, for its PK and its site.
  sv1::ListHoursLedgersRequest list;
  list.set_parent("regencies/64.01");
  list.set_filter(absl::StrCat("at_risk = true AND pk_principal_id = \"",
                               a.pk_principal_id(), "\" AND site = \"", kSite,
                               "\""));
  sv1::ListHoursLedgersResponse listed;
  ASSERT_TRUE(env_->stub_->ListHoursLedgers(Pk().get(), list, &listed).ok());
  EXPECT_TRUE(std::any_of(
      listed.ledgers().begin(), listed.ledgers().end(),
      [&](const sv1::HoursLedger& l) { return l.name() == a.ledger(); }));
}

}  // namespace
}  // namespace ks::supervision::testing
