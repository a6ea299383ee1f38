// The rules of a prosecutor's supervision visit and the visits' list filter.
#include "services/cases/domain/visit.h"

#include "common/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/cases/domain/test_util.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
using testing::AdultCase;
using testing::Ctx;
using testing::ErrorReason;
using testing::Registered;
using ::testing::UnorderedElementsAre;
using testing::ViolationFields;
using testing::ViolationOf;

constexpr char kVisitName[] = "regencies/64.01/cases/c1/supervisionVisits/v1";

google::type::Date D(int y, int m, int d) {
  return DateFromCivilDay(absl::CivilDay(y, m, d));
}

// A case under supervision, its execution order of 2026-02-20 (Ctx() is
// 2026-03-02 11:00 WITA).
Case Supervised(v1::CaseState state = v1::CASE_STATE_IN_PROGRESS) {
  Case c = Registered(AdultCase());
  c.set_state(state);
  *c.mutable_execution_order()->mutable_issued_date() = D(2026, 2, 20);
  return c;
}

v1::SupervisionVisit Visit() {
  v1::SupervisionVisit v;
  *v.mutable_visit_date() = D(2026, 3, 2);
  v.set_mode(v1::SUPERVISION_VISIT_MODE_SITE_VISIT);
  v.set_site("regencies/64.01/sites/s1");
  v.set_findings("Attended; tasks match the plan.");
  *v.mutable_next_visit_date() = D(2026, 3, 16);
  return v;
}

TEST(SupervisionVisit, RecordedWhileSupervised) {
  for (v1::CaseState s :
       {v1::CASE_STATE_HANDED_OVER, v1::CASE_STATE_IN_PROGRESS}) {
    const absl::StatusOr<v1::SupervisionVisit> v =
        NewSupervisionVisit(Supervised(s), Visit(), kVisitName, Ctx());
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->name(), kVisitName);
    EXPECT_EQ(v->recorded_by().principal_id(), "jaksa-6401");
    EXPECT_TRUE(v->has_create_time());
    EXPECT_EQ(v->findings(), "Attended; tasks match the plan.");
  }
}

TEST(SupervisionVisit, RefusedOutsideSupervision) {
  for (v1::CaseState s :
       {v1::CASE_STATE_REGISTERED, v1::CASE_STATE_EXECUTION_ORDERED,
        v1::CASE_STATE_COMPLETION_PENDING, v1::CASE_STATE_BREACHED,
        v1::CASE_STATE_COMPLETED, v1::CASE_STATE_TRANSFERRED_OUT}) {
    const absl::Status st =
        NewSupervisionVisit(Supervised(s), Visit(), kVisitName, Ctx()).status();
    EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_EQ(ErrorReason(st), "CASE_NOT_UNDER_SUPERVISION");
  }
}

TEST(SupervisionVisit, Dates) {
  v1::SupervisionVisit v = Visit();
  *v.mutable_visit_date() = D(2026, 3, 3);  // tomorrow in WITA
  EXPECT_EQ(
      ViolationOf(
          NewSupervisionVisit(Supervised(), v, kVisitName, Ctx()).status(),
          "visit.visit_date"),
      "must not be in the future");
  *v.mutable_visit_date() = D(2026, 2, 19);
  EXPECT_EQ(
      ViolationOf(
          NewSupervisionVisit(Supervised(), v, kVisitName, Ctx()).status(),
          "visit.visit_date"),
      "must not be before the execution order's issued date");
  *v.mutable_visit_date() = D(2026, 2, 20);
  *v.mutable_next_visit_date() = D(2026, 2, 20);
  EXPECT_EQ(
      ViolationOf(
          NewSupervisionVisit(Supervised(), v, kVisitName, Ctx()).status(),
          "visit.next_visit_date"),
      "must be after visit_date");
  // Just past local midnight on the client's clock, within the skew.
  CommandContext late = Ctx();
  late.now = absl::FromCivil(absl::CivilSecond(2026, 3, 2, 15, 57, 0),
                             absl::UTCTimeZone());  // 23:57 WITA
  *v.mutable_visit_date() = D(2026, 3, 3);
  v.clear_next_visit_date();
  EXPECT_TRUE(NewSupervisionVisit(Supervised(), v, kVisitName, late).ok());
}

TEST(SupervisionVisit, NamesEveryBadField) {
  v1::SupervisionVisit v;
  v.set_site("regencies/64.01/sites/s1");
  v.set_follow_up(std::string(2001, 'x'));
  const absl::Status st =
      NewSupervisionVisit(Supervised(), v, kVisitName, Ctx()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      ViolationFields(st),
      UnorderedElementsAre("visit.visit_date", "visit.mode", "visit.site",
                           "visit.findings", "visit.follow_up"));
  v = Visit();
  v.set_site("sites/s1");
  EXPECT_THAT(
      ViolationFields(
          NewSupervisionVisit(Supervised(), v, kVisitName, Ctx()).status()),
      UnorderedElementsAre("visit.site"));
}

TEST(VisitFilter, DateAndMode) {
  const absl::StatusOr<VisitFilter> f =
      VisitFilter::Parse("visit_date >= \"2026-03-01\" AND mode = SITE_VISIT");
  ASSERT_TRUE(f.ok()) << f.status();
  v1::SupervisionVisit v = Visit();
  EXPECT_TRUE(f->Matches(v));
  *v.mutable_visit_date() = D(2026, 2, 28);
  EXPECT_FALSE(f->Matches(v));
  v = Visit();
  v.set_mode(v1::SUPERVISION_VISIT_MODE_PK_MEETING);
  EXPECT_FALSE(f->Matches(v));
}

TEST(VisitFilter, RefusesUnknownFieldsAndValues) {
  EXPECT_EQ(
      ViolationOf(VisitFilter::Parse("findings = \"x\"").status(), "filter"),
      "unknown field; filter on visit_date or mode");
  EXPECT_EQ(VisitFilter::Parse("visit_date > 2026").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VisitFilter::Parse("mode < SITE_VISIT").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VisitFilter::Parse("mode = FLYING").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VisitFilter::Parse("").value().empty(), true);
}

}  // namespace
}  // namespace ks::cases::domain
