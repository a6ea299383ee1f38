// Supervision's conduct rpcs end to end (issue #10): group sessions,
// violations (and the one an enforceable absence makes), the referral that
// cases shows as a breach candidate, the warning ladder and its expiry, bad
// input, identical concurrent retries and cross-regency denial. The real
// kerjasosial-supervision and kerjasosial-cases binaries on real Redis
// (tests/supervision/supervision_harness.h).
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/testing/race.h"
#include "gmock/gmock.h"
#include "google/rpc/status.pb.h"
#include "tests/supervision/supervision_harness.h"

namespace ks::supervision::testing {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::ks::cases::testing::ErrorMetadata;
using ::testing::Contains;
using ::testing::ElementsAre;

class ConductE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.Start(); }
  void TearDown() override { env_.Stop(); }

  struct Person {
    casesv1::Case c;
    sv1::PkAssignment assignment;
    std::string placement;
  };

  // A `hours`-hour case handed over, assigned and placed at kSite from 10
  // days ago.
  Person Prepare(const std::string& decision, int hours = 16) {
    Person p;
    p.c = env_.HandedOverCase(decision, hours);
    p.assignment = env_.Assign(p.c);
    p.placement =
        env_.PlaceCase(p.c.name(), Today() - 10, Today() + 60, "p-" + decision);
    return p;
  }

  static absl::CivilMinute At(int days_ago, int hour) {
    const absl::CivilDay d = Today() - days_ago;
    return absl::CivilMinute(d.year(), d.month(), d.day(), hour, 0);
  }

  static google::protobuf::Timestamp LocalTime(int days_ago, int hour) {
    absl::TimeZone zone;
    absl::LoadTimeZone(kZone, &zone);
    const absl::CivilDay d = Today() - days_ago;
    return TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(absl::FromCivil(
        absl::CivilHour(d.year(), d.month(), d.day(), hour), zone)));
  }

  static sv1::RecordGroupSessionRequest Group(int days_ago) {
    sv1::RecordGroupSessionRequest req;
    req.set_parent("regencies/64.01");
    req.set_request_id(NewRequestId());
    sv1::GroupSession* g = req.mutable_group_session();
    g->set_site(kSite);
    *g->mutable_start_time() = LocalTime(days_ago, 8);
    *g->mutable_end_time() = LocalTime(days_ago, 12);
    return req;
  }

  static sv1::GroupAttendance* Attend(sv1::RecordGroupSessionRequest& req,
                                      const Person& p,
                                      sv1::AttendanceOutcome outcome) {
    sv1::GroupAttendance* a = req.mutable_group_session()->add_attendances();
    a->set_case_name(p.c.name());
    a->set_placement(p.placement);
    a->set_outcome(outcome);
    return a;
  }

  sv1::Violation RecordViolation(const Person& p, bool enforceable,
                                 grpc::Status* status = nullptr) {
    sv1::RecordViolationRequest req;
    req.set_parent("regencies/64.01");
    req.set_request_id(NewRequestId());
    sv1::Violation* v = req.mutable_violation();
    v->set_case_name(p.c.name());
    v->set_kind(sv1::VIOLATION_KIND_FAILED_TO_COMPLY);
    *v->mutable_occur_time() = LocalTime(1, 9);
    v->set_enforceable(enforceable);
    sv1::Violation out;
    grpc::Status s = env_.stub_->RecordViolation(
        SupervisionEnvironment::Ctx(env_.pk()).get(), req, &out);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    }
    return out;
  }

  sv1::Violation GetViolation(const std::string& name) {
    sv1::GetViolationRequest req;
    req.set_name(name);
    sv1::Violation out;
    grpc::Status s = env_.stub_->GetViolation(
        SupervisionEnvironment::Ctx(env_.pk()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    return out;
  }

  grpc::Status IssueWarning(const Person& p,
                            const std::vector<std::string>& violations,
                            int respond_in_days, sv1::Warning* out) {
    sv1::IssueWarningRequest req;
    req.set_parent("regencies/64.01");
    req.set_request_id(NewRequestId());
    req.mutable_warning()->set_case_name(p.c.name());
    for (const std::string& v : violations) {
      req.mutable_warning()->add_violations(v);
    }
    *req.mutable_warning()->mutable_respond_by_date() =
        DateFromCivilDay(Today() + respond_in_days);
    return env_.stub_->IssueWarning(
        SupervisionEnvironment::Ctx(env_.pk()).get(), req, out);
  }

  // The Redis key of `warning`'s stored record.
  static std::string StoredKey(const sv1::Warning& warning) {
    return absl::StrCat(kSupervisionPrefix, "pg:wrn:64.01:",
                        warning.name().substr(warning.name().rfind('/') + 1));
  }

  // Moves `warning`'s respond-by date to `day` in its stored record, keeping
  // its version (as if the days up to its respond-by date had passed: the
  // rules refuse a respond-by date in the past on issue).
  void BackdateRespondBy(const sv1::Warning& warning, absl::CivilDay day) {
    const std::string key = StoredKey(warning);
    absl::StatusOr<redis::Reply> stored =
        env_.pool_->Command({"HGET", key, "d"});
    ASSERT_TRUE(stored.ok() && stored->is_string());
    sv1::Warning w;
    ASSERT_TRUE(w.ParseFromString(stored->str));
    *w.mutable_respond_by_date() = DateFromCivilDay(day);
    ASSERT_TRUE(
        env_.pool_->Command({"HSET", key, "d", w.SerializeAsString()}).ok());
  }

  // Restarts supervision sweeping warnings every `interval`; returns its
  // arguments.
  std::vector<std::string> RestartWithWarningSweep(absl::string_view interval) {
    env_.binary_->Signal(SIGTERM, absl::Seconds(10));
    std::vector<std::string> args = env_.SupervisionArgs();
    args.push_back(absl::StrCat("--warning_sweep_interval=", interval));
    env_.binary_ =
        std::make_unique<ks::testing::Process>(KS_BIN_SUPERVISION, args);
    env_.StartSupervision();
    return args;
  }

  // GetWarning as the PK; expects success.
  sv1::Warning ReadWarning(const std::string& name) {
    sv1::GetWarningRequest get;
    get.set_name(name);
    sv1::Warning out;
    const grpc::Status s = env_.stub_->GetWarning(
        SupervisionEnvironment::Ctx(env_.pk()).get(), get, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // The version of `warning`'s stored record (0: none).
  int64_t StoredVersion(const sv1::Warning& warning) {
    absl::StatusOr<redis::Reply> r =
        env_.pool_->Command({"HGET", StoredKey(warning), "v"});
    return r.ok() && r->is_string() ? std::stoll(r->str) : 0;
  }

  // WarningClosed events of `warning` in the feed.
  std::vector<sv1::WarningClosed> ClosedEventsOf(const sv1::Warning& warning) {
    std::vector<sv1::WarningClosed> out;
    for (const kerjasosial::common::v1::Event& e :
         env_.FeedEvents("WarningClosed")) {
      if (e.aggregate_name() != warning.name()) continue;
      sv1::WarningClosed closed;
      EXPECT_TRUE(e.payload().UnpackTo(&closed));
      out.push_back(closed);
    }
    return out;
  }

  // How many warning sweeps `process` (a supervision binary) has finished.
  static int WarningSweepsDone(const ks::testing::Process& process) {
    const std::string log = process.ReadLog();
    int n = 0;
    for (size_t at = log.find("warning_sweep_done"); at != std::string::npos;
         at = log.find("warning_sweep_done", at + 1)) {
      ++n;
    }
    return n;
  }

  SupervisionEnvironment env_;
};

// Ten people at one site session: six complied, one failed to comply, one
// absent without reason, one absent with an acceptable reason, and one
// refused (an overlapping session of theirs is already recorded). Each gets
// their own result; the refusal names its rule and refuses nobody else.
TEST_F(ConductE2eTest, GroupSessionOfTenWithMixedOutcomesAndOneRefusal) {
  std::vector<Person> people;
  for (int i = 0; i < 10; ++i) {
    people.push_back(Prepare(absl::StrCat("GRP-", i)));
    ASSERT_FALSE(HasFailure());
  }
  // Person 9 already has a session inside the group's window.
  sv1::WorkSession earlier;
  grpc::Status s = env_.Record(
      SupervisionEnvironment::Session(people[9].c.name(), people[9].placement,
                                      At(2, 9), At(2, 10)),
      &earlier);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();

  sv1::RecordGroupSessionRequest req = Group(/*days_ago=*/2);
  for (int i = 0; i < 6; ++i) {
    Attend(req, people[i], sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED);
  }
  Attend(req, people[6], sv1::ATTENDANCE_OUTCOME_FAILED_TO_COMPLY);
  Attend(req, people[7], sv1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE);
  Attend(req, people[8], sv1::ATTENDANCE_OUTCOME_ABSENT_ACCEPTABLE)
      ->set_reason_code("illness");
  Attend(req, people[9], sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED);
  const size_t sessions_before = env_.FeedEvents("SessionRecorded").size();

  // The site's own supervisor records it.
  sv1::GroupSession group;
  s = env_.stub_->RecordGroupSession(
      SupervisionEnvironment::Ctx(env_.site_supervisor_).get(), req, &group);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  ASSERT_EQ(group.results_size(), 10);
  for (int i = 0; i < 6; ++i) {
    const sv1::GroupAttendanceResult& r = group.results(i);
    EXPECT_EQ(r.case_name(), people[i].c.name());
    EXPECT_FALSE(r.has_refusal()) << r.refusal().message();
    EXPECT_FALSE(r.work_session().empty());
    EXPECT_EQ(r.credited_minutes(), 240);
    EXPECT_TRUE(r.violation().empty());
    const sv1::HoursLedger ledger = env_.Ledger(people[i].assignment.ledger());
    EXPECT_EQ(ledger.credited_minutes(), 240);
    EXPECT_EQ(ledger.owed_minutes(), 16 * 60 - 240);
  }
  for (int i : {6, 7}) {
    const sv1::GroupAttendanceResult& r = group.results(i);
    EXPECT_FALSE(r.has_refusal()) << r.refusal().message();
    EXPECT_EQ(r.credited_minutes(), 0);
    ASSERT_FALSE(r.violation().empty()) << i;
    const sv1::Violation v = GetViolation(r.violation());
    EXPECT_EQ(v.work_session(), r.work_session());
    EXPECT_EQ(v.kind(), i == 6 ? sv1::VIOLATION_KIND_FAILED_TO_COMPLY
                               : sv1::VIOLATION_KIND_ABSENT_WITHOUT_REASON);
    EXPECT_EQ(env_.Ledger(people[i].assignment.ledger()).credited_minutes(), 0);
  }
  EXPECT_FALSE(group.results(8).has_refusal());
  EXPECT_TRUE(group.results(8).violation().empty());
  // The refused person: the overlap rule, with nothing written for them.
  const sv1::GroupAttendanceResult& refused = group.results(9);
  ASSERT_TRUE(refused.has_refusal());
  EXPECT_TRUE(refused.work_session().empty());
  EXPECT_NE(refused.refusal().code(), 0);
  bool names_rule = false;
  for (const auto& d : refused.refusal().details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad;
    if (d.UnpackTo(&info) && !info.reason().empty()) names_rule = true;
    if (d.UnpackTo(&bad)) {
      for (const auto& f : bad.field_violations()) {
        EXPECT_TRUE(
            absl::StartsWith(f.field(), "group_session.attendances[9]."))
            << f.field();
        names_rule = true;
      }
    }
  }
  EXPECT_TRUE(names_rule) << refused.refusal().ShortDebugString();
  EXPECT_EQ(env_.Ledger(people[9].assignment.ledger()).sessions_count(), 1);

  // The sessions name the group; the feed has one event per work session
  // and one for the group.
  ASSERT_EQ(group.work_sessions_size(), 9);
  sv1::GetWorkSessionRequest get;
  get.set_name(group.work_sessions(0));
  sv1::WorkSession first;
  ASSERT_TRUE(env_.stub_
                  ->GetWorkSession(SupervisionEnvironment::Ctx(env_.pk()).get(),
                                   get, &first)
                  .ok());
  EXPECT_EQ(first.group_session(), group.name());
  EXPECT_EQ(env_.FeedEvents("SessionRecorded").size(), sessions_before + 9);
  const auto groups = env_.FeedEvents("GroupSessionRecorded");
  ASSERT_EQ(groups.size(), 1u);
  sv1::GroupSessionRecorded recorded;
  ASSERT_TRUE(groups[0].payload().UnpackTo(&recorded));
  EXPECT_EQ(recorded.group_session(), group.name());
  EXPECT_EQ(recorded.work_sessions_size(), 9);
  EXPECT_EQ(env_.FeedEvents("ViolationRecorded").size(), 2u);

  // A retry answers the first result and writes nothing.
  sv1::GroupSession again;
  s = env_.stub_->RecordGroupSession(
      SupervisionEnvironment::Ctx(env_.site_supervisor_).get(), req, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.SerializeAsString(), group.SerializeAsString());
  EXPECT_EQ(env_.FeedEvents("SessionRecorded").size(), sessions_before + 9);

  // Get and List answer the group.
  sv1::GetGroupSessionRequest get_group;
  get_group.set_name(group.name());
  sv1::GroupSession read;
  ASSERT_TRUE(env_.stub_
                  ->GetGroupSession(
                      SupervisionEnvironment::Ctx(env_.site_supervisor_).get(),
                      get_group, &read)
                  .ok());
  EXPECT_EQ(read.results_size(), 10);
  sv1::ListGroupSessionsRequest list;
  list.set_parent("regencies/64.01");
  list.set_filter(absl::StrCat("site = \"", kSite, "\""));
  sv1::ListGroupSessionsResponse page;
  s = env_.stub_->ListGroupSessions(
      SupervisionEnvironment::Ctx(env_.pk()).get(), list, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(page.group_sessions_size(), 1);
  EXPECT_EQ(page.group_sessions(0).name(), group.name());
}

// Identical RecordGroupSession requests sent at once credit each attendee
// once and all answer the same group; so does a retry after a crash midway.
TEST_F(ConductE2eTest, ConcurrentAndPostCrashGroupRetriesCreditOnce) {
  std::vector<Person> people;
  for (int i = 0; i < 3; ++i) {
    people.push_back(Prepare(absl::StrCat("GRC-", i)));
    ASSERT_FALSE(HasFailure());
  }
  sv1::RecordGroupSessionRequest req = Group(/*days_ago=*/3);
  for (const Person& p : people) {
    Attend(req, p, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED);
  }
  constexpr int kTwins = 6;
  std::vector<grpc::Status> status(kTwins);
  std::vector<sv1::GroupSession> answers(kTwins);
  ks::testing::RunTogether(kTwins, [&](int i) {
    status[i] = env_.stub_->RecordGroupSession(
        SupervisionEnvironment::Ctx(env_.pk()).get(), req, &answers[i]);
  });
  for (int i = 0; i < kTwins; ++i) {
    ASSERT_TRUE(status[i].ok())
        << status[i].error_code() << " " << status[i].error_message();
    EXPECT_EQ(answers[i].name(), answers[0].name());
    EXPECT_EQ(answers[i].work_sessions_size(), 3);
    for (int k = 0; k < answers[i].work_sessions_size(); ++k) {
      EXPECT_EQ(answers[i].work_sessions(k), answers[0].work_sessions(k));
    }
  }
  for (const Person& p : people) {
    const sv1::HoursLedger ledger = env_.Ledger(p.assignment.ledger());
    EXPECT_EQ(ledger.credited_minutes(), 240);
    EXPECT_EQ(ledger.sessions_count(), 1);
  }
  EXPECT_EQ(env_.FeedEvents("SessionRecorded").size(), 3u);
  EXPECT_EQ(env_.FeedEvents("GroupSessionRecorded").size(), 1u);

  // A crash after the attendees' commits but before the group's: simulated
  // by removing the group's record and its idempotency entry. The retry
  // names the same group and the same sessions, and credits nobody twice.
  const std::string id =
      answers[0].name().substr(answers[0].name().rfind('/') + 1);
  ASSERT_TRUE(
      env_.pool_
          ->Command(
              {"DEL", absl::StrCat(kSupervisionPrefix, "pg:grp:64.01:", id),
               absl::StrCat(kSupervisionPrefix, "idem:", req.request_id())})
          .ok());
  sv1::GroupSession retried;
  grpc::Status s = env_.stub_->RecordGroupSession(
      SupervisionEnvironment::Ctx(env_.pk()).get(), req, &retried);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(retried.name(), answers[0].name());
  ASSERT_EQ(retried.work_sessions_size(), 3);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(retried.work_sessions(k), answers[0].work_sessions(k));
    EXPECT_EQ(retried.results(k).credited_minutes(), 240);
  }
  for (const Person& p : people) {
    EXPECT_EQ(env_.Ledger(p.assignment.ledger()).credited_minutes(), 240);
  }
  EXPECT_EQ(env_.FeedEvents("SessionRecorded").size(), 3u);
}

// An enforceable absence recorded with RecordWorkSession creates its
// violation in the same step; an absence marked not enforceable does not.
// The violation's lifecycle: referred to the prosecutor, cases lists it
// among Progress.referred_violations; withdrawn, cases drops it.
TEST_F(ConductE2eTest, ViolationLifecycleAndReferralReachCases) {
  const Person p = Prepare("VIO-1");
  ASSERT_FALSE(HasFailure());
  sv1::WorkSession absent;
  const sv1::RecordWorkSessionRequest req = SupervisionEnvironment::Session(
      p.c.name(), p.placement, At(3, 8), At(3, 12),
      sv1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE);
  grpc::Status s = env_.Record(req, &absent);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  ASSERT_FALSE(absent.violation().empty());
  EXPECT_TRUE(absent.enforceable());
  const sv1::Violation auto_violation = GetViolation(absent.violation());
  EXPECT_EQ(auto_violation.kind(), sv1::VIOLATION_KIND_ABSENT_WITHOUT_REASON);
  EXPECT_EQ(auto_violation.work_session(), absent.name());
  EXPECT_EQ(auto_violation.state(), sv1::VIOLATION_STATE_OPEN);
  EXPECT_TRUE(auto_violation.enforceable());
  const auto recorded = env_.FeedEvents("ViolationRecorded");
  ASSERT_EQ(recorded.size(), 1u);
  sv1::ViolationRecorded ev;
  ASSERT_TRUE(recorded[0].payload().UnpackTo(&ev));
  EXPECT_EQ(ev.violation(), absent.violation());
  EXPECT_EQ(ev.work_session(), absent.name());
  EXPECT_EQ(ev.violations_count(), 1);

  // Marked not enforceable (with its reason): no violation.
  sv1::RecordWorkSessionRequest excused = req;
  excused.set_request_id(NewRequestId());
  *excused.mutable_work_session()->mutable_start_time() =
      *SupervisionEnvironment::Session("", "", At(2, 8), At(2, 12))
           .mutable_work_session()
           ->mutable_start_time();
  *excused.mutable_work_session()->mutable_end_time() =
      *SupervisionEnvironment::Session("", "", At(2, 8), At(2, 12))
           .mutable_work_session()
           ->mutable_end_time();
  excused.mutable_work_session()->set_enforceable(false);
  excused.mutable_work_session()->set_reason_code("illness");
  sv1::WorkSession excused_out;
  s = env_.Record(excused, &excused_out);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
  EXPECT_TRUE(excused_out.violation().empty());

  // A manual violation, not enforceable: it cannot be referred (R8).
  const sv1::Violation minor = RecordViolation(p, /*enforceable=*/false);
  ASSERT_FALSE(HasFailure());
  EXPECT_FALSE(minor.enforceable());
  sv1::ReferViolationToProsecutorRequest refer;
  refer.set_name(minor.name());
  refer.set_etag(minor.etag());
  refer.set_request_id(NewRequestId());
  sv1::Violation out;
  s = env_.stub_->ReferViolationToProsecutor(
      SupervisionEnvironment::Ctx(env_.pk()).get(), refer, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "VIOLATION_NOT_ENFORCEABLE");
  // Resolved instead.
  sv1::ResolveViolationRequest resolve;
  resolve.set_name(minor.name());
  resolve.set_etag(minor.etag());
  resolve.set_resolution_code("warning_complied");
  resolve.set_request_id(NewRequestId());
  s = env_.stub_->ResolveViolation(SupervisionEnvironment::Ctx(env_.pk()).get(),
                                   resolve, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), sv1::VIOLATION_STATE_RESOLVED);
  EXPECT_EQ(out.resolution_code(), "warning_complied");
  // A stale etag is ABORTED.
  resolve.set_request_id(NewRequestId());
  s = env_.stub_->ResolveViolation(SupervisionEnvironment::Ctx(env_.pk()).get(),
                                   resolve, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);

  // The session's violation is referred: cases sees the breach candidate.
  refer.set_name(auto_violation.name());
  refer.set_etag(auto_violation.etag());
  refer.set_request_id(NewRequestId());
  s = env_.stub_->ReferViolationToProsecutor(
      SupervisionEnvironment::Ctx(env_.pk()).get(), refer, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR);
  casesv1::Case c =
      env_.cases_.WaitFor(p.c.name(), [&](const casesv1::Case& c) {
        return c.progress().referred_violations_size() == 1;
      });
  EXPECT_THAT(c.progress().referred_violations(),
              ElementsAre(auto_violation.name()));
  EXPECT_EQ(c.progress().violations_count(), 2);
  // Referred, it is the prosecutor's: the PK may not resolve it...
  resolve.set_name(out.name());
  resolve.set_etag(out.etag());
  resolve.set_request_id(NewRequestId());
  sv1::Violation after;
  s = env_.stub_->ResolveViolation(SupervisionEnvironment::Ctx(env_.pk()).get(),
                                   resolve, &after);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "VIOLATION_NOT_RESOLVABLE");
  // ...only withdraw it as recorded in error, which cases then drops.
  resolve.set_withdraw(true);
  resolve.set_resolution_code("recorded_in_error");
  resolve.set_request_id(NewRequestId());
  s = env_.stub_->ResolveViolation(SupervisionEnvironment::Ctx(env_.pk()).get(),
                                   resolve, &after);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(after.state(), sv1::VIOLATION_STATE_WITHDRAWN);
  c = env_.cases_.WaitFor(p.c.name(), [&](const casesv1::Case& c) {
    return c.progress().referred_violations().empty() &&
           c.progress().violations_count() == 1;
  });

  // The PK lists the case's violations, newest first, by state.
  sv1::ListViolationsRequest list;
  list.set_parent("regencies/64.01");
  list.set_filter(
      absl::StrCat("case_name = \"", p.c.name(), "\" AND state = RESOLVED"));
  sv1::ListViolationsResponse page;
  s = env_.stub_->ListViolations(SupervisionEnvironment::Ctx(env_.pk()).get(),
                                 list, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(page.violations_size(), 1);
  EXPECT_EQ(page.violations(0).name(), minor.name());
  list.set_filter(absl::StrCat("case_name = \"", p.c.name(), "\""));
  list.set_page_size(1);
  s = env_.stub_->ListViolations(SupervisionEnvironment::Ctx(env_.pk()).get(),
                                 list, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(page.violations_size(), 1);
  EXPECT_EQ(page.violations(0).name(), minor.name());  // newest first
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  s = env_.stub_->ListViolations(SupervisionEnvironment::Ctx(env_.pk()).get(),
                                 list, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(page.violations_size(), 1);
  EXPECT_EQ(page.violations(0).name(), auto_violation.name());
  EXPECT_TRUE(page.next_page_token().empty());
  // The case's prosecutor reads them too.
  sv1::GetViolationRequest get;
  get.set_name(minor.name());
  s = env_.stub_->GetViolation(
      SupervisionEnvironment::Ctx(env_.cases_.jaksa_).get(), get, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// The ladder climbs 1, 2, 3 (the default policy's steps); a fourth warning
// is refused naming the rule. A response closes a warning; a warning past
// its respond-by date reads EXPIRED and takes no response.
TEST_F(ConductE2eTest, WarningLadderTopRefusedAndExpiryOnRead) {
  const Person p = Prepare("WRN-1");
  ASSERT_FALSE(HasFailure());
  const sv1::Violation v = RecordViolation(p, /*enforceable=*/true);
  ASSERT_FALSE(HasFailure());
  std::vector<sv1::Warning> warnings(3);
  for (int level = 1; level <= 3; ++level) {
    grpc::Status s = IssueWarning(p, {v.name()}, 7, &warnings[level - 1]);
    ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    EXPECT_EQ(warnings[level - 1].level(), level);
    EXPECT_EQ(warnings[level - 1].state(), sv1::WARNING_STATE_ISSUED);
  }
  const sv1::Violation warned = GetViolation(v.name());
  EXPECT_EQ(warned.state(), sv1::VIOLATION_STATE_WARNED);
  EXPECT_EQ(warned.warnings_size(), 3);
  sv1::Warning fourth;
  grpc::Status s = IssueWarning(p, {v.name()}, 7, &fourth);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "WARNING_LADDER_TOP_REACHED");
  EXPECT_EQ(ErrorMetadata(s, "rule"), "policy.warnings.steps");
  EXPECT_EQ(env_.FeedEvents("WarningIssued").size(), 3u);

  // The respond-by window: 8 days is beyond the policy's 7.
  s = IssueWarning(p, {v.name()}, 8, &fourth);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s), Contains("warning.respond_by_date"));

  // A response closes warning 1.
  sv1::RecordWarningResponseRequest respond;
  respond.set_name(warnings[0].name());
  respond.set_etag(warnings[0].etag());
  respond.set_response_accepted(true);
  respond.set_request_id(NewRequestId());
  sv1::Warning closed;
  s = env_.stub_->RecordWarningResponse(
      SupervisionEnvironment::Ctx(env_.pk()).get(), respond, &closed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(closed.state(), sv1::WARNING_STATE_RESPONDED);
  EXPECT_TRUE(closed.response_accepted());
  ASSERT_EQ(env_.FeedEvents("WarningClosed").size(), 1u);

  // Warning 2's respond-by date moves into the past in its stored record
  // (as if a week had passed): it reads EXPIRED, twice the same, and a
  // response is refused.
  BackdateRespondBy(warnings[1], Today() - 1);
  ASSERT_FALSE(HasFailure());
  sv1::GetWarningRequest get;
  get.set_name(warnings[1].name());
  sv1::Warning read;
  for (int i = 0; i < 2; ++i) {
    s = env_.stub_->GetWarning(SupervisionEnvironment::Ctx(env_.pk()).get(),
                               get, &read);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(read.state(), sv1::WARNING_STATE_EXPIRED);
  }
  respond.set_name(warnings[1].name());
  respond.set_etag(read.etag());
  respond.set_request_id(NewRequestId());
  s = env_.stub_->RecordWarningResponse(
      SupervisionEnvironment::Ctx(env_.pk()).get(), respond, &closed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "WARNING_EXPIRED");
  // ListWarnings filters on the state as read.
  sv1::ListWarningsRequest list;
  list.set_parent("regencies/64.01");
  list.set_filter("state = EXPIRED");
  sv1::ListWarningsResponse page;
  s = env_.stub_->ListWarnings(SupervisionEnvironment::Ctx(env_.pk()).get(),
                               list, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(page.warnings_size(), 1);
  EXPECT_EQ(page.warnings(0).name(), warnings[1].name());
}

// The warning sweep commits a warning past its respond-by date as EXPIRED
// with exactly one WarningClosed(EXPIRED), however often it runs; a warning
// still within its respond-by date is left ISSUED, and what the sweep
// committed is what reads showed before it ran.
TEST_F(ConductE2eTest, WarningSweepExpiresOnceWithOneWarningClosed) {
  const Person p = Prepare("WRN-SWEEP");
  ASSERT_FALSE(HasFailure());
  const sv1::Violation v = RecordViolation(p, /*enforceable=*/true);
  ASSERT_FALSE(HasFailure());
  sv1::Warning due, pending;
  grpc::Status s = IssueWarning(p, {v.name()}, 3, &due);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = IssueWarning(p, {v.name()}, 7, &pending);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // Its respond-by date was yesterday in the case's zone (WITA).
  BackdateRespondBy(due, Today() - 1);
  ASSERT_FALSE(HasFailure());
  const sv1::Warning before = ReadWarning(due.name());
  EXPECT_EQ(before.state(), sv1::WARNING_STATE_EXPIRED);
  EXPECT_EQ(before.etag(), due.etag()) << "the read wrote nothing";
  EXPECT_TRUE(ClosedEventsOf(due).empty());

  // Restart supervision with a short warning sweep interval: it sweeps at
  // start and then every 200 ms.
  RestartWithWarningSweep("200ms");
  ASSERT_FALSE(HasFailure());

  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (ClosedEventsOf(due).empty() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(ClosedEventsOf(due).size(), 1u) << env_.binary_->ReadLog();
  // Two more complete sweeps add nothing.
  const int seen = WarningSweepsDone(*env_.binary_);
  while (WarningSweepsDone(*env_.binary_) < seen + 2 &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_GE(WarningSweepsDone(*env_.binary_), seen + 2)
      << "the sweep did not run twice";

  const std::vector<sv1::WarningClosed> closed = ClosedEventsOf(due);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].state(), sv1::WARNING_STATE_EXPIRED);
  EXPECT_EQ(closed[0].case_name(), p.c.name());
  EXPECT_EQ(closed[0].level(), due.level());
  EXPECT_FALSE(closed[0].response_accepted());
  EXPECT_TRUE(ClosedEventsOf(pending).empty());

  // Stored EXPIRED now (its version moved once), read the same as before.
  const sv1::Warning after = ReadWarning(due.name());
  EXPECT_EQ(after.state(), sv1::WARNING_STATE_EXPIRED);
  EXPECT_NE(after.etag(), due.etag());
  absl::StatusOr<redis::Reply> stored =
      env_.pool_->Command({"HGET", StoredKey(due), "d"});
  ASSERT_TRUE(stored.ok() && stored->is_string());
  sv1::Warning raw;
  ASSERT_TRUE(raw.ParseFromString(stored->str));
  EXPECT_EQ(raw.state(), sv1::WARNING_STATE_EXPIRED);

  // The warning within its respond-by date is untouched: ISSUED, same etag.
  const sv1::Warning untouched = ReadWarning(pending.name());
  EXPECT_EQ(untouched.state(), sv1::WARNING_STATE_ISSUED);
  EXPECT_EQ(untouched.etag(), pending.etag());
}

// Two supervision processes on the office's one Redis sweep every 20 ms
// while a warning falls due: their sweeps race on it, and still exactly one
// WarningClosed(EXPIRED) is emitted (the commit is conditional on the
// warning's version; the loser is ABORTED and leaves it).
TEST_F(ConductE2eTest, ConcurrentWarningSweepsExpireOnce) {
  const Person p = Prepare("WRN-RACE");
  ASSERT_FALSE(HasFailure());
  const sv1::Violation v = RecordViolation(p, /*enforceable=*/true);
  ASSERT_FALSE(HasFailure());
  sv1::Warning due;
  grpc::Status s = IssueWarning(p, {v.name()}, 3, &due);
  ASSERT_TRUE(s.ok()) << s.error_message();

  std::vector<std::string> second_args = RestartWithWarningSweep("20ms");
  ASSERT_FALSE(HasFailure());
  second_args[0] =
      absl::StrCat("--listen=127.0.0.1:", ks::testing::PickFreePort());
  ks::testing::Process second(KS_BIN_SUPERVISION, second_args);
  ASSERT_TRUE(second.Start().ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while ((WarningSweepsDone(*env_.binary_) == 0 ||
          WarningSweepsDone(second) == 0) &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_GT(WarningSweepsDone(second), 0) << second.ReadLog();

  const int64_t issued_version = StoredVersion(due);
  // Falls due while both sweep.
  BackdateRespondBy(due, Today() - 1);
  ASSERT_FALSE(HasFailure());
  while (ClosedEventsOf(due).empty() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const int first_seen = WarningSweepsDone(*env_.binary_);
  const int second_seen = WarningSweepsDone(second);
  while ((WarningSweepsDone(*env_.binary_) < first_seen + 2 ||
          WarningSweepsDone(second) < second_seen + 2) &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_GE(WarningSweepsDone(second), second_seen + 2)
      << "the sweeps did not run";
  second.Signal(SIGTERM, absl::Seconds(10));

  const std::vector<sv1::WarningClosed> closed = ClosedEventsOf(due);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].state(), sv1::WARNING_STATE_EXPIRED);
  EXPECT_EQ(ReadWarning(due.name()).state(), sv1::WARNING_STATE_EXPIRED);
  // One commit after the issue's: the stored version moved by exactly one.
  EXPECT_EQ(StoredVersion(due), issued_version + 1);
}

// Bad input names each field and why; callers of another regency, and a
// site supervisor of another site, are denied.
TEST_F(ConductE2eTest, BadInputNamesFieldsAndCrossRegencyIsDenied) {
  const Person p = Prepare("BAD-1");
  ASSERT_FALSE(HasFailure());
  sv1::RecordViolationRequest bad;
  bad.set_parent("regencies/64.01");
  bad.set_request_id(NewRequestId());
  bad.mutable_violation()->set_case_name("cases/nope");
  sv1::Violation v;
  grpc::Status s = env_.stub_->RecordViolation(
      SupervisionEnvironment::Ctx(env_.pk()).get(), bad, &v);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s), Contains("violation.case_name"));
  EXPECT_THAT(BadFields(s), Contains("violation.kind"));
  EXPECT_THAT(BadFields(s), Contains("violation.occur_time"));

  sv1::RecordGroupSessionRequest group = Group(2);
  Attend(group, p, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED);
  Attend(group, p, sv1::ATTENDANCE_OUTCOME_UNSPECIFIED);
  *group.mutable_group_session()->mutable_end_time() =
      group.group_session().start_time();
  sv1::GroupSession g;
  s = env_.stub_->RecordGroupSession(
      SupervisionEnvironment::Ctx(env_.pk()).get(), group, &g);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s), Contains("group_session.end_time"));
  EXPECT_THAT(BadFields(s), Contains("group_session.attendances[1].case_name"));
  EXPECT_THAT(BadFields(s), Contains("group_session.attendances[1].outcome"));

  sv1::Warning w;
  s = IssueWarning(p, {}, 3, &w);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(s), Contains("warning.violations"));

  // Another regency's PK: denied on every conduct write and read.
  sv1::RecordGroupSessionRequest ok_group = Group(2);
  Attend(ok_group, p, sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED);
  s = env_.stub_->RecordGroupSession(
      SupervisionEnvironment::Ctx(env_.other_office_pk_).get(), ok_group, &g);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A site supervisor who is not staff of the site.
  s = env_.stub_->RecordGroupSession(
      SupervisionEnvironment::Ctx(env_.other_site_supervisor_).get(), ok_group,
      &g);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const sv1::Violation mine = RecordViolation(p, true);
  ASSERT_FALSE(HasFailure());
  sv1::RecordViolationRequest other = bad;
  other.set_request_id(NewRequestId());
  other.mutable_violation()->set_case_name(p.c.name());
  other.mutable_violation()->set_kind(sv1::VIOLATION_KIND_LATE);
  *other.mutable_violation()->mutable_occur_time() = LocalTime(1, 9);
  s = env_.stub_->RecordViolation(
      SupervisionEnvironment::Ctx(env_.other_office_pk_).get(), other, &v);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  sv1::GetViolationRequest get;
  get.set_name(mine.name());
  s = env_.stub_->GetViolation(
      SupervisionEnvironment::Ctx(env_.other_office_pk_).get(), get, &v);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = env_.stub_->GetViolation(
      SupervisionEnvironment::Ctx(env_.cases_.other_jaksa_).get(), get, &v);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Nothing was written by the denied calls.
  EXPECT_EQ(env_.FeedEvents("GroupSessionRecorded").size(), 0u);
  EXPECT_EQ(env_.FeedEvents("ViolationRecorded").size(), 1u);
}

}  // namespace
}  // namespace ks::supervision::testing
