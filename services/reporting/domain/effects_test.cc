#include "services/reporting/domain/effects.h"

#include <map>
#include <string>

#include "absl/time/civil_time.h"
#include "common/time/clock.h"
#include "gtest/gtest.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/supervision/v1/events.pb.h"
#include "services/reporting/domain/figures.h"
#include "services/reporting/domain/privacy.h"

namespace ks::reporting::domain {
namespace {

namespace cv1 = ::kerjasosial::cases::v1;
namespace pv1 = ::kerjasosial::placements::v1;
namespace sv1 = ::kerjasosial::supervision::v1;
namespace rv1 = ::kerjasosial::reporting::v1;
using ::kerjasosial::common::v1::Event;

constexpr int kAdult = 1;
constexpr int kChild = 2;

Event Wrap(const google::protobuf::Message& payload, const std::string& regency,
           int64_t unix_seconds) {
  Event e;
  e.set_event_id("e1");
  e.set_aggregate_name("regencies/" + regency + "/cases/c1");
  e.set_regency_code(regency);
  e.mutable_event_time()->set_seconds(unix_seconds);
  e.set_event_type(payload.GetDescriptor()->full_name());
  e.mutable_payload()->PackFrom(payload);
  return e;
}

cv1::CaseFacts Facts(int kind, cv1::CaseState before, cv1::CaseState after) {
  cv1::CaseFacts f;
  f.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kind));
  f.set_state(after);
  f.set_previous_state(before);
  f.set_sentence_hours(40);
  f.set_replaced_prison_days(60);
  f.set_replaced_fine_rupiah(5'000'000);
  return f;
}

google::type::Date Date(int year, int month, int day) {
  return DateFromCivilDay(absl::CivilDay(year, month, day));
}

// Applies ops to an in-memory "Redis": key -> field -> value, and sets.
struct Memory {
  std::map<std::string, Counters> hashes;
  std::map<std::string, std::set<std::string>> sets;
  void Apply(const std::vector<Op>& ops) {
    for (const Op& op : ops) {
      switch (op.kind) {
        case Op::Kind::kIncr:
          hashes[op.key][op.member] += op.amount;
          break;
        case Op::Kind::kSetAdd:
          sets[op.key].insert(op.member);
          break;
        case Op::Kind::kSetRemove:
          sets[op.key].erase(op.member);
          break;
        case Op::Kind::kHashSet:
          hashes[op.key][op.member] = op.amount;
          break;
      }
    }
  }
  // Reads back what a kHashSet stored (the PriorLookup of EffectOf).
  PriorLookup Prior() {
    return [this](const std::string& key,
                  const std::string& field) -> absl::StatusOr<int64_t> {
      auto h = hashes.find(key);
      if (h == hashes.end()) return 0;
      auto f = h->second.find(field);
      return f == h->second.end() ? 0 : f->second;
    };
  }
};

std::vector<Op> Effect(const Event& e,
                       rv1::UpstreamKind kind = rv1::UPSTREAM_KIND_CASES,
                       const PriorLookup& prior = nullptr) {
  absl::StatusOr<std::vector<Op>> ops = EffectOf(e, kind, {}, prior);
  EXPECT_TRUE(ops.ok()) << ops.status();
  return ops.ok() ? *ops : std::vector<Op>();
}

TEST(Buckets, MonthsAndIsoWeeks) {
  EXPECT_EQ(MonthBucket(absl::CivilDay(2026, 11, 30)), "M:2026-11");
  // 2026-11-30 is a Monday; 2026-12-06 the Sunday of the same week.
  EXPECT_EQ(WeekBucket(absl::CivilDay(2026, 11, 30)), "W:2026-11-30");
  EXPECT_EQ(WeekBucket(absl::CivilDay(2026, 12, 6)), "W:2026-11-30");
  EXPECT_EQ(WeekBucket(absl::CivilDay(2027, 1, 1)), "W:2026-12-28");
  EXPECT_EQ(BucketEnd(rv1::GRANULARITY_MONTH, absl::CivilDay(2024, 2, 10)),
            absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(BucketStart(rv1::GRANULARITY_WEEK, absl::CivilDay(2026, 12, 6)),
            absl::CivilDay(2026, 11, 30));
}

TEST(Effects, RegistrationCountsOnTheDecisionDateInEveryScope) {
  cv1::CaseRegistered p;
  *p.mutable_facts() =
      Facts(kChild, cv1::CASE_STATE_UNSPECIFIED, cv1::CASE_STATE_REGISTERED);
  p.mutable_final_date()->set_year(2026);
  p.mutable_final_date()->set_month(10);
  p.mutable_final_date()->set_day(31);
  Memory m;
  // Committed in November (a late entry): counts in October.
  m.Apply(Effect(Wrap(p, "64.01", 1'795'000'000)));
  for (const char* scope : {"N", "P:64", "R:64.01"}) {
    EXPECT_EQ(m.hashes[AllTimeKey(scope)][Field(fig::kRegistered, kChild)], 1);
    EXPECT_EQ(m.hashes[AllTimeKey(scope)][Field(fig::kSentencedHours, kChild)],
              40);
    EXPECT_EQ(m.hashes[AllTimeKey(scope)][Field(fig::kActive, kChild)], 1);
    EXPECT_EQ(m.hashes[BucketKey(scope, "M:2026-10")]
                      [Field(fig::kRegistered, kChild)],
              1);
    EXPECT_EQ(m.hashes[BucketKey(scope, "W:2026-10-26")]
                      [Field(fig::kRegistered, kChild)],
              1);
    EXPECT_TRUE(m.sets[BucketListKey(scope, rv1::GRANULARITY_MONTH)].count(
        "M:2026-10"));
  }
  EXPECT_EQ(m.hashes.count(AllTimeKey("R:64.02")), 0u);
}

TEST(Effects, TransferredRegistrationIsNotANewSentence) {
  cv1::CaseRegistered p;
  *p.mutable_facts() =
      Facts(kAdult, cv1::CASE_STATE_UNSPECIFIED, cv1::CASE_STATE_REGISTERED);
  p.set_transferred_from("regencies/64.02/cases/x");
  Memory m;
  m.Apply(Effect(Wrap(p, "64.01", 1'795'000'000)));
  EXPECT_EQ(m.hashes[AllTimeKey("N")][Field(fig::kRegistered, kAdult)], 0);
  EXPECT_EQ(
      m.hashes[AllTimeKey("N")][StateFigure(cv1::CASE_STATE_REGISTERED) + "|1"],
      1);
}

TEST(Effects, CompletionCountsAvertedPrisonFinesAndDaysHistogram) {
  cv1::CaseCompleted p;
  *p.mutable_facts() = Facts(kAdult, cv1::CASE_STATE_COMPLETION_PENDING,
                             cv1::CASE_STATE_COMPLETED);
  p.set_days_to_complete(47);
  Memory m;
  m.Apply(Effect(Wrap(p, "91.71", 1'795'000'000)));  // Jayapura, WIT
  Counters& n = m.hashes[AllTimeKey("N")];
  EXPECT_EQ(n[Field(fig::kCompleted, kAdult)], 1);
  EXPECT_EQ(n[Field(fig::kPrisonDays, kAdult)], 60);
  EXPECT_EQ(n[Field(fig::kFines, kAdult)], 5'000'000);
  // One person whose sentence replaced a fine (the public cell's size).
  EXPECT_EQ(n[Field(fig::kFinedCompleted, kAdult)], 1);
  EXPECT_EQ(n[Field(DaysFigure(3), kAdult)], 1);  // [45, 60)
  EXPECT_EQ(n[Field(fig::kActive, kAdult)], -1);  // left an active state
  EXPECT_EQ(n[StateFigure(cv1::CASE_STATE_COMPLETION_PENDING) + "|1"], -1);
  EXPECT_EQ(n[StateFigure(cv1::CASE_STATE_COMPLETED) + "|1"], 1);
}

TEST(Effects, CompletionWithoutAFineCountsNoFinedCase) {
  cv1::CaseCompleted p;
  *p.mutable_facts() = Facts(kAdult, cv1::CASE_STATE_COMPLETION_PENDING,
                             cv1::CASE_STATE_COMPLETED);
  p.mutable_facts()->set_replaced_fine_rupiah(0);
  Memory m;
  m.Apply(Effect(Wrap(p, "64.01", 1'795'000'000)));
  Counters& n = m.hashes[AllTimeKey("N")];
  EXPECT_EQ(n[Field(fig::kCompleted, kAdult)], 1);
  EXPECT_EQ(n[Field(fig::kFinedCompleted, kAdult)], 0);
  EXPECT_EQ(n[Field(fig::kFines, kAdult)], 0);
}

pv1::SiteChanged Site(pv1::SiteState before, pv1::SiteState after,
                      int capacity) {
  pv1::SiteChanged s;
  s.set_previous_state(before);
  s.set_state(after);
  s.set_capacity(capacity);
  return s;
}

TEST(Effects, SitesCountTheCapacityOfActiveSitesOnly) {
  Memory m;
  auto apply = [&](const pv1::SiteChanged& s, const std::string& name) {
    Event e = Wrap(s, "64.01", 1'795'000'000);
    e.set_aggregate_name(name);
    m.Apply(Effect(e, rv1::UPSTREAM_KIND_PLACEMENTS, m.Prior()));
  };
  const std::string a = "regencies/64.01/sites/a";
  const std::string b = "regencies/64.01/sites/b";
  apply(Site(pv1::SITE_STATE_UNSPECIFIED, pv1::SITE_STATE_ACTIVE, 10), a);
  apply(Site(pv1::SITE_STATE_UNSPECIFIED, pv1::SITE_STATE_ACTIVE, 6), b);
  // A capacity cut of an ACTIVE site: the event says 4, not "-6".
  apply(Site(pv1::SITE_STATE_ACTIVE, pv1::SITE_STATE_ACTIVE, 4), b);
  Counters& p = m.hashes[AllTimeKey("P:64")];
  EXPECT_EQ(p[Field(fig::kSitesActive, 0)], 2);
  EXPECT_EQ(p[Field(fig::kCapacity, 0)], 14);
  // Suspended: no longer counts its capacity; resumed: counts it again.
  apply(Site(pv1::SITE_STATE_ACTIVE, pv1::SITE_STATE_SUSPENDED, 10), a);
  EXPECT_EQ(p[Field(fig::kSitesActive, 0)], 1);
  EXPECT_EQ(p[Field(fig::kSitesSuspended, 0)], 1);
  EXPECT_EQ(p[Field(fig::kCapacity, 0)], 4);
  apply(Site(pv1::SITE_STATE_SUSPENDED, pv1::SITE_STATE_ACTIVE, 12), a);
  apply(Site(pv1::SITE_STATE_ACTIVE, pv1::SITE_STATE_CLOSED, 4), b);
  EXPECT_EQ(p[Field(fig::kSitesActive, 0)], 1);
  EXPECT_EQ(p[Field(fig::kSitesSuspended, 0)], 0);
  EXPECT_EQ(p[Field(fig::kCapacity, 0)], 12);
  EXPECT_TRUE(IsStockField(Field(fig::kCapacity, 0)));
}

// An agreement in force 2026-01-15 .. 2026-06-14, reporting monthly, 10 due
// days, first evaluation due 2026-04-15.
Event Activated(const std::string& agreement) {
  pv1::CooperationAgreementActivated p;
  *p.mutable_effective_date() = Date(2026, 1, 15);
  *p.mutable_expiry_date() = Date(2026, 6, 14);
  p.set_reporting_period(kerjasosial::common::v1::REPORTING_PERIOD_MONTHLY);
  p.set_report_due_days(10);
  *p.mutable_next_evaluation_due_date() = Date(2026, 4, 15);
  Event e = Wrap(p, "64.01", 1'768'435'200);  // 2026-01-15 00:00 UTC
  e.set_aggregate_name(agreement);
  return e;
}

int64_t InMonth(Memory& m, absl::string_view figure, int year, int month) {
  return m.hashes[BucketKey("N", MonthBucket(absl::CivilDay(year, month, 1)))]
                 [Field(figure, 0)];
}

TEST(Effects, AnAgreementOwesOneReportPerPeriodInForceDueAfterIt) {
  Memory m;
  const std::string a = "regencies/64.01/agreements/a1";
  m.Apply(Effect(Activated(a), rv1::UPSTREAM_KIND_PLACEMENTS, m.Prior()));
  // January..June: six reports, each due the 10th of the next month.
  EXPECT_EQ(InMonth(m, fig::kReportsDue, 2026, 1), 0);
  for (int month = 2; month <= 7; ++month) {
    EXPECT_EQ(InMonth(m, fig::kReportsDue, 2026, month), 1) << month;
  }
  EXPECT_EQ(m.hashes[AllTimeKey("P:64")][Field(fig::kReportsDue, 0)], 6);
  EXPECT_EQ(InMonth(m, fig::kEvaluationsDue, 2026, 4), 1);
  // A redelivered activation counts nothing twice.
  m.Apply(Effect(Activated(a), rv1::UPSTREAM_KIND_PLACEMENTS, m.Prior()));
  EXPECT_EQ(m.hashes[AllTimeKey("N")][Field(fig::kReportsDue, 0)], 6);
  EXPECT_EQ(m.hashes[AllTimeKey("N")][Field(fig::kEvaluationsDue, 0)], 1);

  // February's report submitted on time counts in its due month (March).
  pv1::PeriodicReportSubmitted on_time;
  *on_time.mutable_due_date() = Date(2026, 3, 10);
  on_time.set_on_time(true);
  m.Apply(Effect(Wrap(on_time, "64.01", 1'772'928'000),
                 rv1::UPSTREAM_KIND_PLACEMENTS, m.Prior()));
  pv1::PeriodicReportSubmitted late;
  *late.mutable_due_date() = Date(2026, 2, 10);
  m.Apply(Effect(Wrap(late, "64.01", 1'772'928'000),
                 rv1::UPSTREAM_KIND_PLACEMENTS, m.Prior()));
  EXPECT_EQ(InMonth(m, fig::kReportsOnTime, 2026, 3), 1);
  EXPECT_EQ(InMonth(m, fig::kReportsOnTime, 2026, 2), 0);
  EXPECT_EQ(m.hashes[AllTimeKey("N")][Field(fig::kPeriodicReports, 0)], 2);
}

TEST(Effects, AnEarlyEvaluationMovesItsDueDate) {
  Memory m;
  const std::string a = "regencies/64.01/agreements/a1";
  m.Apply(Effect(Activated(a), rv1::UPSTREAM_KIND_PLACEMENTS, m.Prior()));
  pv1::CooperationAgreementEvaluated early;
  *early.mutable_evaluated_date() = Date(2026, 3, 2);
  *early.mutable_next_evaluation_due_date() = Date(2026, 6, 2);
  Event e = Wrap(early, "64.01", 1'772'409'600);
  e.set_aggregate_name(a);
  m.Apply(Effect(e, rv1::UPSTREAM_KIND_PLACEMENTS, m.Prior()));
  EXPECT_EQ(InMonth(m, fig::kEvaluationsDue, 2026, 4), 0);
  EXPECT_EQ(InMonth(m, fig::kEvaluationsDue, 2026, 6), 1);
  // Held late (after June 2), June's due stays counted; the next one is
  // after the agreement's last day, so it is not due.
  pv1::CooperationAgreementEvaluated late;
  *late.mutable_evaluated_date() = Date(2026, 6, 5);
  *late.mutable_next_evaluation_due_date() = Date(2026, 9, 5);
  e = Wrap(late, "64.01", 1'780'617'600);
  e.set_aggregate_name(a);
  m.Apply(Effect(e, rv1::UPSTREAM_KIND_PLACEMENTS, m.Prior()));
  EXPECT_EQ(InMonth(m, fig::kEvaluationsDue, 2026, 6), 1);
  EXPECT_EQ(m.hashes[AllTimeKey("N")][Field(fig::kEvaluationsDue, 0)], 1);
}

// Terminated on 2026-03-20: March's report is still owed, April..June's
// are not, nor the evaluation due in April.
TEST(Effects, AnEarlyEndTakesBackTheLaterPeriodsReports) {
  Memory m;
  const std::string a = "regencies/64.01/agreements/a1";
  m.Apply(Effect(Activated(a), rv1::UPSTREAM_KIND_PLACEMENTS, m.Prior()));
  pv1::CooperationAgreementEnded ended;
  ended.set_state(pv1::AGREEMENT_STATE_TERMINATED);
  *ended.mutable_end_date() = Date(2026, 3, 20);
  Event e = Wrap(ended, "64.01", 1'773'964'800);
  e.set_aggregate_name(a);
  m.Apply(Effect(e, rv1::UPSTREAM_KIND_PLACEMENTS, m.Prior()));
  EXPECT_EQ(InMonth(m, fig::kReportsDue, 2026, 4), 1);  // March's
  for (int month = 5; month <= 7; ++month) {
    EXPECT_EQ(InMonth(m, fig::kReportsDue, 2026, month), 0) << month;
  }
  EXPECT_EQ(m.hashes[AllTimeKey("N")][Field(fig::kReportsDue, 0)], 3);
  EXPECT_EQ(m.hashes[AllTimeKey("N")][Field(fig::kEvaluationsDue, 0)], 0);
  EXPECT_EQ(m.hashes[AllTimeKey("N")][Field(fig::kAgreementsInForce, 0)], 0);
}

TEST(Effects, PlacementsAndAgreementsAreStocks) {
  Memory m;
  // Every placement payload carries the same facts (state change, kind).
  auto placement = [&](pv1::PlacementState before, pv1::PlacementState after) {
    pv1::PlacementStarted p;
    p.mutable_facts()->set_kind(
        static_cast<kerjasosial::common::v1::SentenceKind>(kChild));
    p.mutable_facts()->set_previous_state(before);
    p.mutable_facts()->set_state(after);
    m.Apply(
        Effect(Wrap(p, "64.01", 1'795'000'000), rv1::UPSTREAM_KIND_PLACEMENTS));
  };
  placement(pv1::PLACEMENT_STATE_PLANNED, pv1::PLACEMENT_STATE_ACTIVE);
  placement(pv1::PLACEMENT_STATE_PLANNED, pv1::PLACEMENT_STATE_ACTIVE);
  placement(pv1::PLACEMENT_STATE_ACTIVE, pv1::PLACEMENT_STATE_ENDED);
  m.Apply(
      Effect(Wrap(pv1::CooperationAgreementActivated(), "64.01", 1'795'000'000),
             rv1::UPSTREAM_KIND_PLACEMENTS));
  m.Apply(Effect(Wrap(pv1::PeriodicReportSubmitted(), "64.01", 1'795'000'000),
                 rv1::UPSTREAM_KIND_PLACEMENTS));
  Counters& n = m.hashes[AllTimeKey("N")];
  EXPECT_EQ(n[Field(fig::kActivePlacements, kChild)], 1);
  EXPECT_EQ(n[Field(fig::kAgreementsInForce, 0)], 1);
  EXPECT_EQ(n[Field(fig::kPeriodicReports, 0)], 1);
  // A cases event on a placements feed is refused.
  EXPECT_EQ(EffectOf(Wrap(cv1::CaseStarted(), "64.01", 1'795'000'000),
                     rv1::UPSTREAM_KIND_PLACEMENTS, {})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Effects, SupervisionCountsCaseloadsGuidanceReferralsAndClients) {
  Memory m;
  auto apply = [&](const google::protobuf::Message& p) {
    m.Apply(Effect(Wrap(p, "91.71", 1'795'000'000),
                   rv1::UPSTREAM_KIND_SUPERVISION));
  };
  sv1::PkAssigned assigned;
  assigned.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kAdult));
  apply(assigned);
  apply(assigned);
  sv1::PkAssignmentEnded ended;
  ended.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kAdult));
  apply(ended);
  sv1::GuidanceSessionRecorded guidance;
  guidance.set_client("regencies/91.71/clients/k1");
  apply(guidance);
  apply(guidance);  // the same client twice: one client
  sv1::ReferralChanged referral;
  referral.set_state(sv1::REFERRAL_STATE_REFERRED);
  apply(referral);
  referral.set_state(sv1::REFERRAL_STATE_ACCEPTED);
  apply(referral);
  referral.set_state(sv1::REFERRAL_STATE_COMPLETED);
  referral.set_client("regencies/91.71/clients/k2");
  apply(referral);
  apply(sv1::LitmasSubmitted());
  Counters& r = m.hashes[AllTimeKey("R:91.71")];
  EXPECT_EQ(r[Field(fig::kPkAssignments, kAdult)], 1);
  EXPECT_EQ(r[Field(fig::kGuidance, 0)], 2);
  EXPECT_EQ(r[Field(fig::kReferralsMade, 0)], 1);
  EXPECT_EQ(r[Field(fig::kReferralsCompleted, 0)], 1);
  EXPECT_EQ(r[Field(fig::kLitmas, 0)], 1);
  EXPECT_EQ(m.sets[IntegrasiKey("N")].size(), 2u);
}

TEST(Effects, PkCaseloadCountsDistinctPksPerScope) {
  Memory m;
  // Two regencies of one province; PK "a" works in both.
  auto apply = [&](const google::protobuf::Message& p,
                   const std::string& regency) {
    m.Apply(Effect(Wrap(p, regency, 1'795'000'000),
                   rv1::UPSTREAM_KIND_SUPERVISION, m.Prior()));
  };
  auto assigned = [](const std::string& pk, int kind) {
    sv1::PkAssigned p;
    p.set_pk_principal_id(pk);
    p.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kind));
    return p;
  };
  apply(assigned("a", kAdult), "64.01");
  apply(assigned("a", kChild), "64.01");
  apply(assigned("a", kAdult), "64.72");
  apply(assigned("b", kAdult), "64.72");
  // b's case goes to c, then to a: a reassignment keeps the assignment.
  sv1::PkReassigned moved;
  moved.set_previous_pk_principal_id("b");
  moved.set_pk_principal_id("c");
  moved.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kAdult));
  apply(moved, "64.72");
  moved.set_previous_pk_principal_id("c");
  moved.set_pk_principal_id("a");
  apply(moved, "64.72");
  moved.set_previous_pk_principal_id("a");
  apply(moved, "64.72");  // to the same PK: nothing moves
  // One of a's adult cases in 64.01 ends.
  sv1::PkAssignmentEnded ended;
  ended.set_pk_principal_id("a");
  ended.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kAdult));
  apply(ended, "64.01");

  const Counters& r1 = m.hashes[AllTimeKey("R:64.01")];
  const Counters& r2 = m.hashes[AllTimeKey("R:64.72")];
  const Counters& p = m.hashes[AllTimeKey("P:64")];
  // 64.01: a holds one child case. 64.72: a holds two adult cases.
  // Province: a alone, three cases.
  EXPECT_EQ(PkCaseloadX100(r1, std::nullopt), 100);
  EXPECT_EQ(PkCaseloadX100(r1, kAdult), 0);
  EXPECT_EQ(PkCaseloadX100(r1, kChild), 100);
  EXPECT_EQ(PkCaseloadX100(r2, std::nullopt), 200);
  EXPECT_EQ(PkCaseloadX100(p, std::nullopt), 300);
  EXPECT_EQ(PkCaseloadX100(p, kAdult), 200);
  EXPECT_EQ(Sum(p, fig::kPkHolders, std::nullopt), 1);
  EXPECT_EQ(m.hashes[PkLoadKey("P:64")]["b"], 0);
  EXPECT_EQ(m.hashes[PkLoadKey("P:64")]["c"], 0);
  EXPECT_EQ(MetricValue(rv1::METRIC_PK_CASELOAD_X100, p, std::nullopt), 300);
  EXPECT_TRUE(IsStockField(Field(fig::kPkHolders, 0)));
  EXPECT_TRUE(IsStockField(Field(fig::kPkHoldersOfKind, kAdult)));
}

TEST(Figures, PkCaseloadRoundsDownAndIsZeroWithoutPks) {
  Counters c;
  EXPECT_EQ(PkCaseloadX100(c, std::nullopt), 0);
  c[Field(fig::kPkAssignments, kAdult)] = 5;
  c[Field(fig::kPkAssignments, kChild)] = 2;
  c[Field(fig::kPkHolders, 0)] = 3;
  c[Field(fig::kPkHoldersOfKind, kAdult)] = 3;
  c[Field(fig::kPkHoldersOfKind, kChild)] = 1;
  EXPECT_EQ(PkCaseloadX100(c, std::nullopt), 233);  // 7 / 3
  EXPECT_EQ(PkCaseloadX100(c, kAdult), 166);        // 5 / 3
  EXPECT_EQ(PkCaseloadX100(c, kChild), 200);
}

sv1::LedgerSnapshot Ledger(const std::string& name, int64_t version, int kind,
                           int64_t owed, sv1::LedgerState state) {
  sv1::LedgerSnapshot l;
  l.set_ledger(name);
  l.set_case_name(name + "/case");
  l.set_version(version);
  l.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kind));
  l.set_owed_minutes(owed);
  l.set_state(state);
  return l;
}

TEST(Effects, OwedMinutesFollowEachLedgerSnapshotExactlyOnce) {
  Memory m;
  auto apply = [&](const google::protobuf::Message& p) {
    m.Apply(Effect(Wrap(p, "64.01", 1'795'000'000),
                   rv1::UPSTREAM_KIND_SUPERVISION, m.Prior()));
  };
  sv1::PkAssigned opened;
  *opened.mutable_ledger() =
      Ledger("l1", 1, kAdult, 2400, sv1::LEDGER_STATE_OPEN);
  apply(opened);
  sv1::PkAssigned child;
  *child.mutable_ledger() =
      Ledger("l2", 1, kChild, 600, sv1::LEDGER_STATE_OPEN);
  apply(child);
  sv1::SessionRecorded session;
  session.set_credited_minutes(150);
  *session.mutable_ledger() =
      Ledger("l1", 2, kAdult, 2250, sv1::LEDGER_STATE_OPEN);
  apply(session);
  apply(session);  // the same snapshot again changes nothing
  sv1::AtRiskChanged stale;
  *stale.mutable_ledger() =
      Ledger("l1", 1, kAdult, 2400, sv1::LEDGER_STATE_OPEN);
  apply(stale);  // older than the one held: skipped
  Counters& r = m.hashes[AllTimeKey("R:64.01")];
  EXPECT_EQ(Sum(r, fig::kOwedMinutes, kAdult), 2250);
  EXPECT_EQ(MetricValue(rv1::METRIC_OWED_HOURS, r, std::nullopt),
            (2250 + 600) / 60);
  // The child case leaves community work: its ledger closes, nothing owed.
  sv1::LedgerAdjusted closed;
  *closed.mutable_ledger() =
      Ledger("l2", 2, kChild, 600, sv1::LEDGER_STATE_CLOSED);
  apply(closed);
  // The adult one completes.
  sv1::CompletionReached done;
  *done.mutable_ledger() =
      Ledger("l1", 3, kAdult, 0, sv1::LEDGER_STATE_COMPLETED);
  apply(done);
  EXPECT_EQ(Sum(m.hashes[AllTimeKey("N")], fig::kOwedMinutes, std::nullopt), 0);
  EXPECT_TRUE(IsStockField(Field(fig::kOwedMinutes, kAdult)));
  // Events without a ledger (a scripted session) leave the figure alone.
  sv1::SessionRecorded bare;
  bare.set_credited_minutes(60);
  apply(bare);
  EXPECT_EQ(Sum(m.hashes[AllTimeKey("N")], fig::kOwedMinutes, std::nullopt), 0);
}

TEST(Effects, SupervisionFlagsSetTheSameAtRiskSetsAsTheCasesMirror) {
  Memory m;
  auto apply = [&](const google::protobuf::Message& p, rv1::UpstreamKind kind) {
    m.Apply(Effect(Wrap(p, "64.01", 1'795'000'000), kind, m.Prior()));
  };
  // The cases feed's mirror says at risk first...
  cv1::CaseProgressChanged mirror;
  *mirror.mutable_facts() =
      Facts(kAdult, cv1::CASE_STATE_IN_PROGRESS, cv1::CASE_STATE_IN_PROGRESS);
  mirror.set_at_risk(true);
  apply(mirror, rv1::UPSTREAM_KIND_CASES);
  // ...then supervision says it too, and overdue: still one case.
  sv1::LedgerSnapshot l = Ledger("l1", 1, kAdult, 600, sv1::LEDGER_STATE_OPEN);
  l.set_case_name("regencies/64.01/cases/c1");  // the mirror's case
  l.set_at_risk(true);
  l.set_overdue(true);
  sv1::LedgerOverdue overdue;
  *overdue.mutable_ledger() = l;
  apply(overdue, rv1::UPSTREAM_KIND_SUPERVISION);
  EXPECT_EQ(m.sets[AtRiskKey("N")].size(), 1u);
  EXPECT_EQ(m.sets[OverdueKey("P:64")].size(), 1u);
  // A stale snapshot (older version) changes no flag.
  sv1::AtRiskChanged stale;
  *stale.mutable_ledger() =
      Ledger("l1", 0, kAdult, 600, sv1::LEDGER_STATE_OPEN);
  stale.mutable_ledger()->set_case_name(l.case_name());
  apply(stale, rv1::UPSTREAM_KIND_SUPERVISION);
  EXPECT_EQ(m.sets[AtRiskKey("N")].size(), 1u);
  // Supervision clears at-risk; a session event's snapshot sets no flag.
  l.set_version(2);
  l.set_at_risk(false);
  sv1::AtRiskChanged cleared;
  *cleared.mutable_ledger() = l;
  cleared.set_at_risk(false);
  apply(cleared, rv1::UPSTREAM_KIND_SUPERVISION);
  EXPECT_TRUE(m.sets[AtRiskKey("R:64.01")].empty());
  EXPECT_EQ(m.sets[OverdueKey("R:64.01")].size(), 1u);
  l.set_version(3);
  l.set_overdue(false);
  sv1::FirstSessionCredited session;
  *session.mutable_ledger() = l;
  apply(session, rv1::UPSTREAM_KIND_SUPERVISION);
  EXPECT_EQ(m.sets[OverdueKey("R:64.01")].size(), 1u);
  // The ledger closes: the case leaves both sets.
  l.set_version(4);
  l.set_overdue(true);
  l.set_state(sv1::LEDGER_STATE_CLOSED);
  sv1::LedgerOverdue closed;
  *closed.mutable_ledger() = l;
  apply(closed, rv1::UPSTREAM_KIND_SUPERVISION);
  EXPECT_TRUE(m.sets[OverdueKey("N")].empty());
}

TEST(Figures, OwedHoursRoundDown) {
  Counters c;
  c[Field(fig::kOwedMinutes, kAdult)] = 119;
  c[Field(fig::kOwedMinutes, kChild)] = 60;
  EXPECT_EQ(MetricValue(rv1::METRIC_OWED_HOURS, c, std::nullopt), 2);
  EXPECT_EQ(MetricValue(rv1::METRIC_OWED_HOURS, c, kAdult), 1);
  EXPECT_TRUE(FigureOf(rv1::METRIC_OWED_HOURS).ok());
  EXPECT_TRUE(FigureOf(rv1::METRIC_PK_CASELOAD_X100).ok());
}

Event SnapshotOf(const std::string& name, int64_t version, int kind,
                 cv1::CaseState state) {
  cv1::CaseStateSnapshot p;
  p.set_name(name);
  p.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kind));
  p.set_state(state);
  Event e = Wrap(p, "64.01", 1'795'000'000);
  e.set_aggregate_name(name);
  e.set_aggregate_version(version);
  e.set_snapshot(true);
  return e;
}

TEST(Effects, ASnapshotReplacesTheCountedStateIdempotently) {
  Memory m;
  const std::string name = "regencies/64.01/cases/c1";
  // Counted incrementally: registered, then in progress (version 2).
  cv1::CaseStarted started;
  *started.mutable_facts() =
      Facts(kAdult, cv1::CASE_STATE_REGISTERED, cv1::CASE_STATE_IN_PROGRESS);
  Event e = Wrap(started, "64.01", 1'795'000'000);
  e.set_aggregate_name(name);
  e.set_aggregate_version(2);
  cv1::CaseRegistered registered;
  *registered.mutable_facts() =
      Facts(kAdult, cv1::CASE_STATE_UNSPECIFIED, cv1::CASE_STATE_REGISTERED);
  Event r = Wrap(registered, "64.01", 1'795'000'000);
  r.set_aggregate_name(name);
  r.set_aggregate_version(1);
  m.Apply(Effect(r, rv1::UPSTREAM_KIND_CASES, m.Prior()));
  m.Apply(Effect(e, rv1::UPSTREAM_KIND_CASES, m.Prior()));
  Counters& n = m.hashes[AllTimeKey("N")];
  EXPECT_EQ(n[Field(fig::kActive, kAdult)], 1);
  // A snapshot of an older version changes nothing.
  m.Apply(Effect(SnapshotOf(name, 1, kAdult, cv1::CASE_STATE_REGISTERED),
                 rv1::UPSTREAM_KIND_CASES, m.Prior()));
  EXPECT_EQ(n[StateFigure(cv1::CASE_STATE_IN_PROGRESS) + "|1"], 1);
  EXPECT_EQ(n[StateFigure(cv1::CASE_STATE_REGISTERED) + "|1"], 0);
  // A newer one moves the case (the events in between were trimmed), once
  // however often it is applied.
  for (int i = 0; i < 2; ++i) {
    m.Apply(Effect(SnapshotOf(name, 9, kAdult, cv1::CASE_STATE_COMPLETED),
                   rv1::UPSTREAM_KIND_CASES, m.Prior()));
  }
  EXPECT_EQ(n[StateFigure(cv1::CASE_STATE_IN_PROGRESS) + "|1"], 0);
  EXPECT_EQ(n[StateFigure(cv1::CASE_STATE_COMPLETED) + "|1"], 1);
  EXPECT_EQ(n[Field(fig::kActive, kAdult)], 0);
  // Into empty aggregates (a rebuild), a snapshot counts the case afresh.
  Memory empty;
  empty.Apply(Effect(SnapshotOf(name, 9, kChild, cv1::CASE_STATE_IN_PROGRESS),
                     rv1::UPSTREAM_KIND_CASES, empty.Prior()));
  EXPECT_EQ(empty.hashes[AllTimeKey("R:64.01")][Field(fig::kActive, kChild)],
            1);
}

TEST(Effects, EventDayIsLocalToTheRegencyZone) {
  cv1::CaseBreached p;
  *p.mutable_facts() =
      Facts(kAdult, cv1::CASE_STATE_IN_PROGRESS, cv1::CASE_STATE_BREACHED);
  // 2026-10-31T16:30Z: still October in Jakarta (23:30 WIB), already
  // November in Jayapura (01:30 WIT).
  const int64_t t = absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(2026, 10, 31, 16, 30, 0), absl::UTCTimeZone()));
  Memory m;
  m.Apply(Effect(Wrap(p, "31.71", t)));
  m.Apply(Effect(Wrap(p, "91.71", t)));
  EXPECT_EQ(m.hashes[BucketKey("R:31.71", "M:2026-10")]
                    [Field(fig::kBreached, kAdult)],
            1);
  EXPECT_EQ(m.hashes[BucketKey("R:91.71", "M:2026-11")]
                    [Field(fig::kBreached, kAdult)],
            1);
}

TEST(Effects, BreachOutcomeOnDecisionDateAndConversion) {
  cv1::BreachOutcomeDecided p;
  *p.mutable_facts() =
      Facts(kChild, cv1::CASE_STATE_BREACHED, cv1::CASE_STATE_CONVERTED);
  p.mutable_outcome()->set_kind(cv1::BREACH_OUTCOME_KIND_SERVE_PRISON);
  p.mutable_outcome()->set_extent(cv1::OUTCOME_EXTENT_PART);
  p.mutable_outcome()->mutable_decided_date()->set_year(2026);
  p.mutable_outcome()->mutable_decided_date()->set_month(9);
  p.mutable_outcome()->mutable_decided_date()->set_day(2);
  Memory m;
  m.Apply(Effect(Wrap(p, "64.01", 1'795'000'000)));
  Counters& sep = m.hashes[BucketKey("N", "M:2026-09")];
  EXPECT_EQ(sep[Field(OutcomeFigure(2, 2), kChild)], 1);
  EXPECT_EQ(sep[Field(fig::kConverted, kChild)], 1);
}

TEST(Effects, AtRiskAndOverdueAreSetsLeftOnTerminalStates) {
  cv1::CaseProgressChanged p;
  *p.mutable_facts() =
      Facts(kAdult, cv1::CASE_STATE_IN_PROGRESS, cv1::CASE_STATE_IN_PROGRESS);
  p.set_at_risk(true);
  p.set_overdue(true);
  Memory m;
  Event e = Wrap(p, "64.01", 1'795'000'000);
  m.Apply(Effect(e));
  m.Apply(Effect(e));  // absolute flags: applying twice changes nothing
  EXPECT_EQ(m.sets[AtRiskKey("P:64")].size(), 1u);
  EXPECT_EQ(m.sets[OverdueKey("N")].size(), 1u);
  cv1::CaseCancelled c;
  *c.mutable_facts() =
      Facts(kAdult, cv1::CASE_STATE_IN_PROGRESS, cv1::CASE_STATE_CANCELLED);
  m.Apply(Effect(Wrap(c, "64.01", 1'795'000'000)));
  EXPECT_TRUE(m.sets[AtRiskKey("P:64")].empty());
  EXPECT_TRUE(m.sets[OverdueKey("N")].empty());
}

TEST(Effects, SessionsCountOnTheirLocalDateAndVoidsWithdraw) {
  sv1::SessionRecorded s;
  s.set_credited_minutes(240);
  s.mutable_local_date()->set_year(2026);
  s.mutable_local_date()->set_month(8);
  s.mutable_local_date()->set_day(15);
  sv1::SessionVoided v;
  v.set_withdrawn_minutes(240);
  *v.mutable_local_date() = s.local_date();
  Memory m;
  m.Apply(
      Effect(Wrap(s, "64.01", 1'795'000'000), rv1::UPSTREAM_KIND_SUPERVISION));
  m.Apply(
      Effect(Wrap(s, "64.01", 1'795'000'000), rv1::UPSTREAM_KIND_SUPERVISION));
  m.Apply(
      Effect(Wrap(v, "64.01", 1'795'000'000), rv1::UPSTREAM_KIND_SUPERVISION));
  Counters& aug = m.hashes[BucketKey("R:64.01", "M:2026-08")];
  EXPECT_EQ(aug[Field(fig::kSessions, 0)], 1);
  EXPECT_EQ(aug[Field(fig::kCreditedMinutes, 0)], 240);
}

TEST(Effects, RejectsWhatCannotBeTrusted) {
  cv1::CaseCancelled c;
  *c.mutable_facts() =
      Facts(kAdult, cv1::CASE_STATE_IN_PROGRESS, cv1::CASE_STATE_CANCELLED);
  Event unknown_regency = Wrap(c, "64.99", 1);
  EXPECT_EQ(
      EffectOf(unknown_regency, rv1::UPSTREAM_KIND_CASES, {}).status().code(),
      absl::StatusCode::kInvalidArgument);
  Event garbage = Wrap(c, "64.01", 1);
  garbage.mutable_payload()->set_value("\xff\xff\xff");
  EXPECT_EQ(EffectOf(garbage, rv1::UPSTREAM_KIND_CASES, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  Event outside = Wrap(c, "64.01", 1);
  EXPECT_EQ(
      EffectOf(outside, rv1::UPSTREAM_KIND_CASES, {"64.02"}).status().code(),
      absl::StatusCode::kInvalidArgument);
  Event foreign = Wrap(c, "64.01", 1);
  EXPECT_EQ(
      EffectOf(foreign, rv1::UPSTREAM_KIND_SUPERVISION, {}).status().code(),
      absl::StatusCode::kInvalidArgument);
  Event no_regency;  // deployment-level: counts nowhere, not an error
  ASSERT_TRUE(EffectOf(no_regency, rv1::UPSTREAM_KIND_CASES, {}).ok());
  EXPECT_TRUE(EffectOf(no_regency, rv1::UPSTREAM_KIND_CASES, {})->empty());
}

TEST(Effects, RejectsPersonalDataFoundThroughTheDescriptors) {
  // A payload type that holds a person: rejected by its marked fields, the
  // path named, the content never.
  cv1::Person person;
  person.set_full_name("Siti Rahayu");
  person.set_nik("6401234567890012");
  Event e = Wrap(person, "64.01", 1);
  absl::StatusOr<std::vector<Op>> ops =
      EffectOf(e, rv1::UPSTREAM_KIND_CASES, {});
  ASSERT_EQ(ops.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ops.status().message().find("personal data (field full_name"),
            std::string::npos)
      << ops.status();
  EXPECT_EQ(ops.status().message().find("Siti"), std::string::npos);
  EXPECT_EQ(ops.status().message().find("6401234567890012"), std::string::npos);
  // Nested: a Case with its person.
  cv1::Case c;
  c.mutable_person()->mutable_guardian()->set_phone_number("+628123");
  EXPECT_EQ(FindPersonalField(c), "person");
  EXPECT_EQ(FindPersonalField(c.person()), "guardian");
  EXPECT_EQ(FindPersonalField(c.person().guardian()), "phone_number");
  // The facts of a case are not personal.
  cv1::CaseCancelled ok;
  *ok.mutable_facts() =
      Facts(kAdult, cv1::CASE_STATE_IN_PROGRESS, cv1::CASE_STATE_CANCELLED);
  EXPECT_EQ(FindPersonalField(ok), "");
  // An event_type that lies about its payload.
  Event liar = Wrap(ok, "64.01", 1);
  liar.set_event_type("kerjasosial.cases.v1.CaseCompleted");
  EXPECT_EQ(EffectOf(liar, rv1::UPSTREAM_KIND_CASES, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ks::reporting::domain
