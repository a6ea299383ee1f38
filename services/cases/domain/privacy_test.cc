// What leaves the cases service: facts without personal data, the execution
// view, NIK masking per role.
#include "services/cases/domain/privacy.h"

#include "common/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/cases/domain/internal.h"
#include "services/cases/domain/lifecycle.h"
#include "services/cases/domain/test_util.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
using testing::AdultCase;
using testing::Ctx;
using testing::DefaultPolicy;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::Registered;

google::type::Date D(int y, int m, int d) {
  return DateFromCivilDay(absl::CivilDay(y, m, d));
}

absl::CivilDay CivilDayFromDateOrDie(const google::type::Date& d) {
  EXPECT_TRUE(IsValidDate(d)) << d.ShortDebugString();
  return absl::CivilDay(d.year(), d.month(), d.day());
}

void ExpectNoPersonalData(const std::string& bytes) {
  for (const char* secret : {testing::kName, testing::kNik, testing::kAddress,
                             testing::kPhone, "Petani"}) {
    EXPECT_THAT(bytes, Not(HasSubstr(secret))) << secret;
  }
}

Case HandedOverForSnapshot() {
  v1::IssueExecutionOrderRequest order;
  order.mutable_execution_order()->set_order_number("PRINT-1");
  *order.mutable_execution_order()->mutable_issued_date() = D(2026, 2, 20);
  order.mutable_execution_order()->set_kejari_code("kejari-64.01");
  absl::StatusOr<Transition> t = IssueExecutionOrder(
      Registered(AdultCase()), order, DefaultPolicy(), Ctx());
  EXPECT_TRUE(t.ok()) << t.status();
  v1::HandOverToBapasRequest hand;
  hand.mutable_handover()->set_bapas_office_code("bapas-samarinda");
  *hand.mutable_handover()->mutable_handover_date() = D(2026, 2, 25);
  t = HandOverToBapas(t->after, hand, DefaultPolicy(), Ctx());
  EXPECT_TRUE(t.ok()) << t.status();
  return t->after;
}

TEST(Privacy, NoPersonalDataInAnyEventOfALifecycle) {
  std::vector<Transition> all;
  auto keep = [&](absl::StatusOr<Transition> t) {
    EXPECT_TRUE(t.ok()) << t.status();
    all.push_back(*t);
    return t->after;
  };
  Case c = keep(RegisterCase(AdultCase(), "regencies/64.01/cases/c1", "64.01",
                             DefaultPolicy(), Ctx(), nullptr));
  v1::IssueExecutionOrderRequest order;
  order.mutable_execution_order()->set_order_number("PRINT-1");
  *order.mutable_execution_order()->mutable_issued_date() = D(2026, 2, 20);
  order.mutable_execution_order()->set_kejari_code("kejari-64.01");
  c = keep(IssueExecutionOrder(c, order, DefaultPolicy(), Ctx()));
  v1::HandOverToBapasRequest hand;
  hand.mutable_handover()->set_bapas_office_code("bapas-samarinda");
  *hand.mutable_handover()->mutable_handover_date() = D(2026, 2, 25);
  c = keep(HandOverToBapas(c, hand, DefaultPolicy(), Ctx()));
  v1::UpdateCaseRequest upd;
  upd.mutable_case_data()->mutable_person()->set_phone_number(testing::kPhone);
  upd.mutable_update_mask()->add_paths("person.phone_number");
  c = keep(UpdateCase(c, upd, DefaultPolicy(), Ctx(), nullptr));
  v1::RecordBreachRequest breach;
  breach.set_reason(v1::BREACH_REASON_ABSENT_WITHOUT_REASON);
  breach.add_violations("regencies/64.01/violations/v1");
  c = keep(RecordBreach(c, breach, Ctx()));
  v1::DecideBreachOutcomeRequest out;
  out.mutable_outcome()->set_kind(v1::BREACH_OUTCOME_KIND_SERVE_PRISON);
  out.mutable_outcome()->set_extent(v1::OUTCOME_EXTENT_ALL);
  out.mutable_outcome()->mutable_serve_prison()->set_prison_days(90);
  *out.mutable_outcome()->mutable_decided_date() = D(2026, 3, 1);
  keep(DecideBreachOutcome(c, out, DefaultPolicy(), Ctx()));
  ASSERT_EQ(all.size(), 6u);
  for (const Transition& t : all) {
    for (const auto& e : t.events) {
      SCOPED_TRACE(e.event_type());
      ExpectNoPersonalData(e.SerializeAsString());
    }
    ExpectNoPersonalData(t.history.SerializeAsString());
  }
  // The case itself does hold them (sanity of the probe).
  EXPECT_THAT(c.SerializeAsString(), HasSubstr(testing::kNik));
}

TEST(Privacy, FactsCarryTheNumbers) {
  const Case c = Registered(AdultCase());
  const v1::CaseFacts f = Facts(c, v1::CASE_STATE_UNSPECIFIED);
  EXPECT_EQ(f.regency_code(), "64.01");
  EXPECT_EQ(f.kind(),
            kerjasosial::common::v1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
  EXPECT_EQ(f.basis(), v1::SENTENCE_BASIS_PRINCIPAL);
  EXPECT_EQ(f.offence_category(), "theft");
  EXPECT_EQ(f.sentence_hours(), 120);
  EXPECT_EQ(f.replaced_prison_days(), 90);
  EXPECT_EQ(f.replaced_fine_rupiah(), 0);
  EXPECT_EQ(f.state(), v1::CASE_STATE_REGISTERED);
  ExpectNoPersonalData(f.SerializeAsString());
}

TEST(Privacy, SnapshotStateCarriesTheNumbersAndNoPerson) {
  Case c = HandedOverForSnapshot();
  v1::CaseStateSnapshot s = SnapshotOf(c);
  EXPECT_EQ(s.name(), "regencies/64.01/cases/c1");
  EXPECT_EQ(s.regency_code(), "64.01");
  EXPECT_EQ(s.kind(),
            kerjasosial::common::v1::SENTENCE_KIND_ADULT_KERJA_SOSIAL);
  EXPECT_EQ(s.state(), v1::CASE_STATE_HANDED_OVER);
  EXPECT_EQ(s.sentence_hours(), 120);
  EXPECT_EQ(s.credited_minutes(), 0);
  // Nothing reported by supervision yet: the whole sentence is owed.
  EXPECT_EQ(s.owed_minutes(), 120 * 60);
  EXPECT_EQ(s.deadline_time().seconds(),
            c.progress().deadline_time().seconds());
  EXPECT_EQ(s.bapas_office_code(), "bapas-samarinda");
  EXPECT_EQ(s.version(), c.version());
  ExpectNoPersonalData(s.SerializeAsString());
  // Once the ledger reported, its figures are the case's.
  c.mutable_progress()->set_credited_minutes(600);
  c.mutable_progress()->set_owed_minutes(6600);
  c.mutable_progress()->set_source_cursor("1-0");
  s = SnapshotOf(c);
  EXPECT_EQ(s.credited_minutes(), 600);
  EXPECT_EQ(s.owed_minutes(), 6600);
}

TEST(Privacy, MaskNik) {
  EXPECT_EQ(MaskNik("6401011705900012"), "6401**********12");
  EXPECT_EQ(MaskNik("123456"), "******");
  EXPECT_EQ(MaskNik(""), "");
}

TEST(Privacy, MaskForRole) {
  const Case c = Registered(AdultCase());
  for (auth::Role role : auth::kAllRoles) {
    SCOPED_TRACE(auth::RoleName(role));
    const Case shown = MaskForRole(c, role);
    const bool sees = role == auth::Role::JAKSA || role == auth::Role::ADMIN;
    EXPECT_EQ(RoleSeesNik(role), sees);
    EXPECT_EQ(shown.person().nik(), sees ? testing::kNik : "6401**********01");
    EXPECT_EQ(shown.person().full_name(), testing::kName);
  }
}

// A case through IssueExecutionOrder (dated 2026-02-20) under the default
// policy, whose span starts at the execution order (R7).
Case Ordered(Case input) {
  v1::IssueExecutionOrderRequest order;
  order.mutable_execution_order()->set_order_number("PRINT-1");
  *order.mutable_execution_order()->mutable_issued_date() = D(2026, 2, 20);
  order.mutable_execution_order()->set_kejari_code("kejari-64.01");
  absl::StatusOr<Transition> t =
      IssueExecutionOrder(Registered(input), order, DefaultPolicy(), Ctx());
  EXPECT_TRUE(t.ok()) << t.status();
  return t->after;
}

v1::CaseForExecution ViewFor(const Case& c, auth::Role role) {
  return ExecutionView(c, role, DefaultPolicy(), Ctx().zone);
}

TEST(Privacy, MaskNikButLast4) {
  EXPECT_EQ(MaskNikButLast4("6401011705900012"), "************0012");
  EXPECT_EQ(MaskNikButLast4("1234"), "****");
  EXPECT_EQ(MaskNikButLast4(""), "");
}

TEST(Privacy, ExecutionViewCarriesWhatExecutionNeeds) {
  Case c = Ordered(testing::ChildCase());
  c.mutable_sentence()->mutable_constraints()->set_max_days_per_week(3);
  const v1::CaseForExecution x = ViewFor(c, auth::Role::JAKSA);
  EXPECT_EQ(x.name(), "regencies/64.01/cases/c1");
  EXPECT_EQ(x.sentence_hours(), 60);
  EXPECT_EQ(x.sentence_minutes(), 3600);
  EXPECT_EQ(x.constraints().max_days_per_week(), 3);
  EXPECT_EQ(x.policy_version(), "kuhp-2026-01-02");
  // R7 default: 180 days from the execution order; the last day is the
  // 180th, 2026-02-20 + 179 days.
  EXPECT_EQ(CivilDayFromDateOrDie(x.span_start_date()),
            absl::CivilDay(2026, 2, 20));
  EXPECT_EQ(CivilDayFromDateOrDie(x.deadline_date()),
            absl::CivilDay(2026, 8, 18));
  EXPECT_EQ(x.litmas().number(), "LITMAS-17/2026");
  EXPECT_EQ(CivilDayFromDateOrDie(x.litmas().date()), testing::Today() - 46);
  EXPECT_FALSE(x.has_person());
  EXPECT_THAT(x.SerializeAsString(), Not(HasSubstr("12/Pid.B/2026/PN Tgt")));
}

TEST(Privacy, ExecutionViewBeforeTheSpanStartsHasNoSpanDates) {
  const v1::CaseForExecution x =
      ViewFor(Registered(AdultCase()), auth::Role::SERVICE);
  EXPECT_FALSE(x.has_span_start_date());
  EXPECT_FALSE(x.has_deadline_date());
  EXPECT_FALSE(x.has_litmas());  // the adult fixture has none
}

TEST(Privacy, ARepeatRestartsTheSpanInTheExecutionView) {
  Case c = Ordered(AdultCase());
  v1::Breach* b = c.add_breaches();
  b->set_breach_id("b0001");
  v1::BreachOutcome* o = b->mutable_outcome();
  o->set_kind(v1::BREACH_OUTCOME_KIND_REPEAT);
  *o->mutable_decided_date() = D(2026, 3, 1);
  o->mutable_repeat()->set_repeat_hours(40);
  o->mutable_repeat()->set_span_days(30);
  *c.mutable_progress()->mutable_deadline_time() =
      internal::ToProto(StartOfDay(absl::CivilDay(2026, 3, 31), Ctx().zone));
  const v1::CaseForExecution x = ViewFor(c, auth::Role::SERVICE);
  EXPECT_EQ(CivilDayFromDateOrDie(x.span_start_date()),
            absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(CivilDayFromDateOrDie(x.deadline_date()),
            absl::CivilDay(2026, 3, 30));
}

// DESIGN §6: the summary goes to SERVICE and the handover office's PK only;
// JAKSA reads the person with GetCase, PEMDA_OFFICER never.
TEST(Privacy, PersonSummaryOnlyForServiceAndPk) {
  const Case c = Ordered(AdultCase());
  for (auth::Role role : auth::kAllRoles) {
    SCOPED_TRACE(auth::RoleName(role));
    const v1::CaseForExecution x = ViewFor(c, role);
    const bool sees =
        role == auth::Role::SERVICE || role == auth::Role::PK_BAPAS;
    EXPECT_EQ(RoleSeesPersonSummary(role), sees);
    EXPECT_EQ(x.has_person(), sees);
    if (!sees) ExpectNoPersonalData(x.SerializeAsString());
  }
  const v1::PersonSummary p = ViewFor(c, auth::Role::PK_BAPAS).person();
  EXPECT_EQ(p.full_name(), testing::kName);
  EXPECT_EQ(CivilDayFromDateOrDie(p.birth_date()), absl::CivilDay(1990, 5, 17));
  EXPECT_EQ(p.sex(), c.person().sex());
  EXPECT_EQ(p.phone_number(), c.person().phone_number());
  EXPECT_EQ(p.nik_masked(), "************0001");
  EXPECT_FALSE(p.has_guardian());
  // Never the address, the livelihood or the full NIK.
  const std::string bytes = p.SerializeAsString();
  EXPECT_THAT(bytes, Not(HasSubstr(testing::kAddress)));
  EXPECT_THAT(bytes, Not(HasSubstr("Petani")));
  EXPECT_THAT(bytes, Not(HasSubstr(testing::kNik)));
}

TEST(Privacy, PersonSummaryHasTheGuardianOfAChildOnly) {
  Case child = Ordered(testing::ChildCase());
  v1::Guardian* g = child.mutable_person()->mutable_guardian();
  g->set_full_name("Siti Ibu");
  g->set_relationship("ibu");
  g->set_phone_number("+6281100000001");
  const v1::PersonSummary p = SummaryOf(child);
  EXPECT_EQ(p.guardian().full_name(), "Siti Ibu");
  EXPECT_EQ(p.guardian().phone_number(), "+6281100000001");
  EXPECT_EQ(p.nik_masked(), "************0002");

  // A guardian recorded on an adult's case is not the PK's business.
  Case adult = Registered(AdultCase());
  *adult.mutable_person()->mutable_guardian() = *g;
  EXPECT_FALSE(SummaryOf(adult).has_guardian());
}

}  // namespace
}  // namespace ks::cases::domain
