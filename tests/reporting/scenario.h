// The scripted scenario of the reporting end-to-end tests: cases in
// regencies of the three zones (31.71 WIB, 64.01 and 64.72 WITA, 91.71 WIT),
// adult and child, through every path (completion, each breach outcome,
// cancellation, open cases at risk or overdue), late registrations, and work
// sessions with a void. It yields the events each upstream publishes AND the
// expected figures, computed here from the script itself (per case, by its
// path), not by reporting's rules, so the test compares two independent
// computations.
#ifndef KS_TESTS_REPORTING_SCENARIO_H_
#define KS_TESTS_REPORTING_SCENARIO_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "kerjasosial/common/v1/event.pb.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/supervision/v1/events.pb.h"

namespace ks::reporting::testing {

namespace cv1 = ::kerjasosial::cases::v1;
namespace sv1 = ::kerjasosial::supervision::v1;
namespace pv1 = ::kerjasosial::placements::v1;

// Expected figures of one scope and sentence kind (0: both).
struct Expected {
  int64_t registered = 0, active = 0, completed = 0, breached = 0,
          converted = 0, cancelled = 0, sentenced_hours = 0, prison_days = 0,
          fines = 0, at_risk = 0, overdue = 0, sessions = 0,
          credited_minutes = 0;
  // Supervision (totals; PK assignments also per kind).
  int64_t pk_assignments = 0, guidance = 0, referrals_made = 0,
          referrals_completed = 0, litmas = 0, warnings = 0,
          integrasi_clients = 0;
  // Placements (totals; active placements also per kind).
  int64_t sites_active = 0, sites_suspended = 0, capacity = 0,
          active_placements = 0, agreements_in_force = 0, periodic_reports = 0;
  // Stocks at the end of the scenario, kind 0 only: minutes owed by open
  // ledgers, and ACTIVE assignments per distinct PK x100 (rounded down).
  int64_t owed_minutes = 0, pk_caseload_x100 = 0;
  std::map<int, int64_t> days_buckets;              // bucket index -> count
  std::map<int, int64_t> states;                    // final CaseState -> count
  std::map<std::pair<int, int>, int64_t> outcomes;  // (kind, extent)
  std::map<std::string, int64_t> registered_by_month;  // "2026-09"
  std::map<std::string, int64_t> completed_by_month;
  // Agreements' dues by the month they fall due in (kind 0 only).
  std::map<std::string, int64_t> reports_due_by_month;
  std::map<std::string, int64_t> reports_on_time_by_month;
  std::map<std::string, int64_t> evaluations_due_by_month;
};

// "2026-09" of a civil month.
inline std::string MonthKey(absl::CivilMonth m) {
  return absl::StrFormat("%04d-%02d", m.year(), m.month());
}

struct Scenario {
  // Events per upstream source, in publishing order.
  std::map<std::string, std::vector<kerjasosial::common::v1::Event>> events;
  // scope ("N", "P:64", "R:64.01") -> kind (0 both, 1 adult, 2 child).
  std::map<std::string, std::map<int, Expected>> expected;
  // Active cases at the end of each month (scope -> "2026-09" -> count).
  std::map<std::string, std::map<std::string, int64_t>> active_at_month_end;
};

inline const char* ZoneOf(const std::string& regency) {
  if (regency.rfind("31.", 0) == 0) return "Asia/Jakarta";
  if (regency.rfind("91.", 0) == 0) return "Asia/Jayapura";
  return "Asia/Makassar";
}

inline std::string MonthOf(absl::Time t, const std::string& regency) {
  absl::TimeZone zone;
  absl::LoadTimeZone(ZoneOf(regency), &zone);
  const absl::CivilDay d = absl::ToCivilDay(t, zone);
  return absl::FormatTime("%Y-%m", absl::FromCivil(d, absl::UTCTimeZone()),
                          absl::UTCTimeZone());
}

inline google::type::Date DateOf(absl::CivilDay d) {
  google::type::Date out;
  out.set_year(static_cast<int>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

// An event of `payload` about aggregate `name`, its id the next of `seq`.
inline kerjasosial::common::v1::Event EventOf(
    int64_t* seq, const std::string& aggregate_type, const std::string& name,
    int64_t version, const std::string& regency, absl::Time t,
    const google::protobuf::Message& payload) {
  kerjasosial::common::v1::Event e;
  e.set_event_id(absl::StrCat("ev-", ++*seq));
  e.set_aggregate_type(aggregate_type);
  e.set_aggregate_name(name);
  e.set_aggregate_version(version);
  e.set_regency_code(regency);
  e.mutable_event_time()->set_seconds(absl::ToUnixSeconds(t));
  e.set_event_type(payload.GetDescriptor()->full_name());
  e.mutable_payload()->PackFrom(payload);
  return e;
}

// Builds the scenario: `per_regency` cases in each regency.
inline Scenario BuildScenario(int per_regency) {
  Scenario s;
  const std::vector<std::string> regencies = {"31.71", "64.01", "64.72",
                                              "91.71"};
  const absl::Time base = absl::FromCivil(
      absl::CivilSecond(2026, 9, 1, 3, 0, 0), absl::UTCTimeZone());
  int64_t event_seq = 0;
  // The end state the supervision script leaves, per scope: each PK's
  // ACTIVE assignments, and each open ledger's owed minutes. The expected
  // caseload and owed hours are computed from these at the end, not from
  // reporting's incremental rules.
  std::map<std::string, std::map<std::string, int64_t>> pk_load;
  std::map<std::string, std::map<std::string, int64_t>> owed_by_ledger;
  auto scopes_of = [](const std::string& r) {
    return std::vector<std::string>{"N", "P:" + r.substr(0, 2), "R:" + r};
  };
  for (const std::string& regency : regencies) {
    const std::string source = regency == "91.71" ? "cases-b" : "cases-a";
    for (int i = 0; i < per_regency; ++i) {
      const std::string name =
          absl::StrCat("regencies/", regency, "/cases/c", i);
      const int kind = i % 2 == 0 ? 1 : 2;
      const int path = i % 7;
      const int hours = 10 + i;
      const int prison_days = 30 + i;
      const int64_t fine = 1000 * (i + 1);
      const int days_to_complete = 5 + 9 * i;
      const absl::CivilDay final_day = absl::CivilDay(2026, 9, 1) + 3 * i;
      // Late entries: every fifth case is registered 40 days after its
      // decision, so its registration counts in an earlier month.
      absl::Time t = absl::FromCivil(final_day, absl::UTCTimeZone()) +
                     absl::Hours(3) +
                     (i % 5 == 0 ? absl::Hours(24 * 40) : absl::Hours(24));
      const absl::Time registered_at = t;
      absl::Time terminal_at = absl::InfiniteFuture();
      int64_t version = 0;
      cv1::CaseState state = cv1::CASE_STATE_UNSPECIFIED;
      auto facts = [&](cv1::CaseState next) {
        cv1::CaseFacts f;
        f.set_regency_code(regency);
        f.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kind));
        f.set_basis(cv1::SENTENCE_BASIS_PRINCIPAL);
        f.set_sentence_hours(hours);
        f.set_replaced_prison_days(prison_days);
        f.set_replaced_fine_rupiah(fine);
        f.set_previous_state(state);
        f.set_state(next);
        state = next;
        return f;
      };
      auto emit = [&](const google::protobuf::Message& payload) {
        kerjasosial::common::v1::Event e;
        e.set_event_id(absl::StrCat("ev-", ++event_seq));
        e.set_aggregate_type("kerjasosial.cases.v1.Case");
        e.set_aggregate_name(name);
        e.set_aggregate_version(++version);
        e.set_regency_code(regency);
        e.mutable_event_time()->set_seconds(absl::ToUnixSeconds(t));
        e.set_event_type(payload.GetDescriptor()->full_name());
        e.mutable_payload()->PackFrom(payload);
        s.events[source].push_back(e);
        t += absl::Hours(30);
      };
      {
        cv1::CaseRegistered p;
        *p.mutable_facts() = facts(cv1::CASE_STATE_REGISTERED);
        *p.mutable_final_date() = DateOf(final_day);
        emit(p);
      }
      int breaches = 0;
      std::pair<int, int> outcome{0, 0};
      bool at_risk = false, overdue = false, completed = false,
           converted = false, cancelled = false;
      absl::Time completed_at;
      if (path == 5) {
        cv1::CaseCancelled p;
        *p.mutable_facts() = facts(cv1::CASE_STATE_CANCELLED);
        terminal_at = t;
        emit(p);
        cancelled = true;
      } else {
        {
          cv1::ExecutionOrderIssued p;
          *p.mutable_facts() = facts(cv1::CASE_STATE_EXECUTION_ORDERED);
          emit(p);
        }
        {
          cv1::CaseHandedOver p;
          *p.mutable_facts() = facts(cv1::CASE_STATE_HANDED_OVER);
          emit(p);
        }
        if (path == 6) {
          cv1::CaseProgressChanged p;
          *p.mutable_facts() = facts(cv1::CASE_STATE_HANDED_OVER);
          p.set_at_risk(true);
          emit(p);
          at_risk = true;
        } else {
          {
            cv1::CaseStarted p;
            *p.mutable_facts() = facts(cv1::CASE_STATE_IN_PROGRESS);
            emit(p);
          }
          if (path >= 1 && path <= 4) {
            cv1::CaseBreached b;
            *b.mutable_facts() = facts(cv1::CASE_STATE_BREACHED);
            b.set_breach_id("b1");
            emit(b);
            ++breaches;
            static const std::pair<int, int> kOutcome[] = {
                {cv1::BREACH_OUTCOME_KIND_REPEAT, cv1::OUTCOME_EXTENT_ALL},
                {cv1::BREACH_OUTCOME_KIND_SERVE_PRISON,
                 cv1::OUTCOME_EXTENT_ALL},
                {cv1::BREACH_OUTCOME_KIND_PAY_FINE, cv1::OUTCOME_EXTENT_PART},
                {cv1::BREACH_OUTCOME_KIND_EXCUSED, cv1::OUTCOME_EXTENT_ALL}};
            outcome = kOutcome[path - 1];
            cv1::BreachOutcomeDecided d;
            const bool converts = path == 2 || path == 3;
            *d.mutable_facts() = facts(converts ? cv1::CASE_STATE_CONVERTED
                                                : cv1::CASE_STATE_IN_PROGRESS);
            d.set_breach_id("b1");
            d.mutable_outcome()->set_kind(
                static_cast<cv1::BreachOutcomeKind>(outcome.first));
            d.mutable_outcome()->set_extent(
                static_cast<cv1::OutcomeExtent>(outcome.second));
            if (converts) terminal_at = t;
            emit(d);
            converted = converts;
          }
          if (path == 4) {
            cv1::CaseProgressChanged p;
            *p.mutable_facts() = facts(cv1::CASE_STATE_IN_PROGRESS);
            p.set_at_risk(i % 4 == 0);
            p.set_overdue(i % 3 == 0);
            emit(p);
            at_risk = i % 4 == 0;
            overdue = i % 3 == 0;
          }
          if (path == 0 || path == 1) {
            // First at risk, then completed: completion clears the flag.
            cv1::CaseProgressChanged r;
            *r.mutable_facts() = facts(cv1::CASE_STATE_IN_PROGRESS);
            r.set_at_risk(true);
            emit(r);
            cv1::CaseCompletionPending p;
            *p.mutable_facts() = facts(cv1::CASE_STATE_COMPLETION_PENDING);
            emit(p);
            cv1::CaseCompleted c;
            *c.mutable_facts() = facts(cv1::CASE_STATE_COMPLETED);
            c.set_days_to_complete(days_to_complete);
            completed_at = t;
            terminal_at = t;
            emit(c);
            completed = true;
          }
        }
      }
      // The expectation of this case, from its path.
      for (const std::string& scope : scopes_of(regency)) {
        for (int k : {0, kind}) {
          Expected& x = s.expected[scope][k];
          ++x.registered;
          x.sentenced_hours += hours;
          x.registered_by_month[absl::FormatCivilTime(
              absl::CivilMonth(final_day))] += 1;
          x.breached += breaches;
          ++x.states[state];
          if (outcome.first != 0) ++x.outcomes[outcome];
          if (completed) {
            ++x.completed;
            x.prison_days += prison_days;
            x.fines += fine;
            ++x.days_buckets[std::min(days_to_complete / 15, 12)];
            ++x.completed_by_month[MonthOf(completed_at, regency)];
          }
          if (converted) ++x.converted;
          if (cancelled) ++x.cancelled;
          if (!completed && !converted && !cancelled) {
            ++x.active;
            if (k == 0) {
              x.at_risk += at_risk ? 1 : 0;
              x.overdue += overdue ? 1 : 0;
            }
          }
        }
        for (const char* month : {"2026-09", "2026-10", "2026-11", "2026-12"}) {
          absl::CivilMonth m;
          absl::ParseCivilTime(month, &m);
          absl::TimeZone zone;
          absl::LoadTimeZone(ZoneOf(regency), &zone);
          const absl::Time end = absl::FromCivil(m + 1, zone);
          if (registered_at < end && terminal_at >= end) {
            ++s.active_at_month_end[scope][month];
          }
        }
      }
      // Supervision: even cases get a PK, every fourth one's assignment
      // ended again. Placements: a placement per case, started unless
      // i % 3 == 0, ended again when i % 3 == 1.
      const absl::Time later = base + absl::Hours(24 * 60 + i);
      if (i % 2 == 0) {
        // Three PKs shared by every regency (a PK counts once per scope),
        // the ledger opened with the sentence's hours owed.
        std::string pk_id = absl::StrCat("pk-", (i / 2) % 3);
        const std::string ledger = name + "/ledger";
        auto ledger_at = [&](int64_t v, int64_t owed, sv1::LedgerState st) {
          sv1::LedgerSnapshot l;
          l.set_case_name(name);
          l.set_ledger(ledger);
          l.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kind));
          l.set_version(v);
          l.set_owed_minutes(owed);
          l.set_state(st);
          return l;
        };
        sv1::PkAssigned pk;
        pk.set_case_name(name);
        pk.set_pk_principal_id(pk_id);
        pk.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kind));
        *pk.mutable_ledger() = ledger_at(1, hours * 60, sv1::LEDGER_STATE_OPEN);
        s.events["supervision"].push_back(
            EventOf(&event_seq, "kerjasosial.supervision.v1.Assignment",
                    name + "/assignment", 1, regency, later, pk));
        int64_t owed = hours * 60;
        if (i % 4 == 0) {
          sv1::PkAssignmentEnded end;
          end.set_case_name(name);
          end.set_pk_principal_id(pk_id);
          end.set_kind(pk.kind());
          s.events["supervision"].push_back(EventOf(
              &event_seq, "kerjasosial.supervision.v1.Assignment",
              name + "/assignment", 2, regency, later + absl::Hours(1), end));
          // The case left community work: its ledger is closed.
          sv1::LedgerAdjusted closed;
          *closed.mutable_ledger() =
              ledger_at(2, owed, sv1::LEDGER_STATE_CLOSED);
          s.events["supervision"].push_back(
              EventOf(&event_seq, "kerjasosial.supervision.v1.HoursLedger",
                      ledger, 2, regency, later + absl::Hours(2), closed));
          owed = 0;
        } else {
          // 90 minutes credited, then an older snapshot replayed late
          // (version 1), which must not bring the owed minutes back.
          sv1::FirstSessionCredited credited;
          owed -= 90;
          *credited.mutable_ledger() =
              ledger_at(2, owed, sv1::LEDGER_STATE_OPEN);
          s.events["supervision"].push_back(
              EventOf(&event_seq, "kerjasosial.supervision.v1.HoursLedger",
                      ledger, 2, regency, later + absl::Hours(2), credited));
          sv1::LedgerOverdue stale;
          *stale.mutable_ledger() =
              ledger_at(1, hours * 60, sv1::LEDGER_STATE_OPEN);
          s.events["supervision"].push_back(
              EventOf(&event_seq, "kerjasosial.supervision.v1.HoursLedger",
                      ledger, 1, regency, later + absl::Hours(3), stale));
          if (i % 6 == 2) {
            // Handed to a PK of its own: one more distinct PK.
            sv1::PkReassigned moved;
            moved.set_case_name(name);
            moved.set_previous_pk_principal_id(pk_id);
            pk_id = absl::StrCat("pk-", regency, "-own");
            moved.set_pk_principal_id(pk_id);
            moved.set_kind(pk.kind());
            s.events["supervision"].push_back(
                EventOf(&event_seq, "kerjasosial.supervision.v1.Assignment",
                        name + "/assignment", 2, regency,
                        later + absl::Hours(4), moved));
          }
          for (const std::string& scope : scopes_of(regency)) {
            ++pk_load[scope][pk_id];
          }
        }
        for (const std::string& scope : scopes_of(regency)) {
          owed_by_ledger[scope][ledger] = owed;
        }
      }
      const std::string placement =
          absl::StrCat("regencies/", regency, "/placements/p", i);
      pv1::PlacementFacts pf;
      pf.set_case_name(name);
      pf.set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kind));
      int64_t placement_version = 0;
      // Moves the placement to `state` with a payload of type T, `hours`
      // after `later`.
      auto place = [&](auto payload, pv1::PlacementState state, int hours) {
        if (placement_version > 0) pf.set_previous_state(pf.state());
        pf.set_state(state);
        *payload.mutable_facts() = pf;
        s.events["placements"].push_back(EventOf(
            &event_seq, "kerjasosial.placements.v1.Placement", placement,
            ++placement_version, regency, later + absl::Hours(hours), payload));
      };
      place(pv1::PlacementCreated(), pv1::PLACEMENT_STATE_PLANNED, 0);
      if (i % 3 != 0) {
        place(pv1::PlacementStarted(), pv1::PLACEMENT_STATE_ACTIVE, 1);
      }
      if (i % 3 == 1) {
        place(pv1::PlacementEnded(), pv1::PLACEMENT_STATE_ENDED, 2);
      }
      for (const std::string& scope : scopes_of(regency)) {
        for (int k : {0, kind}) {
          Expected& x = s.expected[scope][k];
          if (i % 2 == 0 && i % 4 != 0) ++x.pk_assignments;
          if (i % 3 == 2) ++x.active_placements;
        }
      }
    }
    // Work sessions of the regency from supervision: five, one voided.
    for (int j = 0; j < 5; ++j) {
      sv1::SessionRecorded p;
      p.set_work_session(absl::StrCat("regencies/", regency, "/sessions/s", j));
      p.set_credited_minutes(120 + 10 * j);
      *p.mutable_local_date() = DateOf(absl::CivilDay(2026, 9, 10 + j));
      kerjasosial::common::v1::Event e;
      e.set_event_id(absl::StrCat("ev-", ++event_seq));
      e.set_aggregate_type("kerjasosial.supervision.v1.WorkSession");
      e.set_aggregate_name(p.work_session());
      e.set_aggregate_version(1);
      e.set_regency_code(regency);
      e.mutable_event_time()->set_seconds(absl::ToUnixSeconds(base) + j);
      e.set_event_type(p.GetDescriptor()->full_name());
      e.mutable_payload()->PackFrom(p);
      s.events["supervision"].push_back(e);
      for (const std::string& scope : scopes_of(regency)) {
        s.expected[scope][0].sessions += 1;
        s.expected[scope][0].credited_minutes += 120 + 10 * j;
      }
    }
    sv1::SessionVoided v;
    v.set_work_session(absl::StrCat("regencies/", regency, "/sessions/s0"));
    v.set_withdrawn_minutes(120);
    *v.mutable_local_date() = DateOf(absl::CivilDay(2026, 9, 10));
    kerjasosial::common::v1::Event e;
    e.set_event_id(absl::StrCat("ev-", ++event_seq));
    e.set_aggregate_type("kerjasosial.supervision.v1.WorkSession");
    e.set_aggregate_name(v.work_session());
    e.set_aggregate_version(2);
    e.set_regency_code(regency);
    e.mutable_event_time()->set_seconds(absl::ToUnixSeconds(base) + 100);
    e.set_event_type(v.GetDescriptor()->full_name());
    e.mutable_payload()->PackFrom(v);
    s.events["supervision"].push_back(e);
    for (const std::string& scope : scopes_of(regency)) {
      s.expected[scope][0].sessions -= 1;
      s.expected[scope][0].credited_minutes -= 120;
    }
    // Supervision of the regency: a program-integrasi client guided twice,
    // a case guided once, a client referred and the referral completed, a
    // Litmas and a warning.
    const absl::Time t0 = base + absl::Hours(24 * 70);
    const std::string client =
        absl::StrCat("regencies/", regency, "/clients/k1");
    const std::string referred =
        absl::StrCat("regencies/", regency, "/clients/k2");
    for (int g = 0; g < 3; ++g) {
      sv1::GuidanceSessionRecorded p;
      if (g < 2) {
        p.set_client(client);
      } else {
        p.set_case_name(absl::StrCat("regencies/", regency, "/cases/c0"));
      }
      p.set_attended(true);
      s.events["supervision"].push_back(
          EventOf(&event_seq, "kerjasosial.supervision.v1.GuidanceSession",
                  absl::StrCat("regencies/", regency, "/guidance/g", g), 1,
                  regency, t0 + absl::Hours(g), p));
    }
    for (sv1::ReferralState state :
         {sv1::REFERRAL_STATE_REFERRED, sv1::REFERRAL_STATE_ACCEPTED,
          sv1::REFERRAL_STATE_COMPLETED}) {
      sv1::ReferralChanged p;
      p.set_client(referred);
      p.set_state(state);
      s.events["supervision"].push_back(
          EventOf(&event_seq, "kerjasosial.supervision.v1.Referral",
                  absl::StrCat("regencies/", regency, "/referrals/r1"), state,
                  regency, t0 + absl::Hours(10 + state), p));
    }
    {
      sv1::LitmasSubmitted l;
      l.set_case_name(absl::StrCat("regencies/", regency, "/cases/c1"));
      s.events["supervision"].push_back(
          EventOf(&event_seq, "kerjasosial.supervision.v1.Litmas",
                  absl::StrCat("regencies/", regency, "/litmas/l1"), 1, regency,
                  t0 + absl::Hours(20), l));
      sv1::WarningIssued w;
      w.set_case_name(absl::StrCat("regencies/", regency, "/cases/c1"));
      w.set_level(1);
      s.events["supervision"].push_back(
          EventOf(&event_seq, "kerjasosial.supervision.v1.Warning",
                  absl::StrCat("regencies/", regency, "/warnings/w1"), 1,
                  regency, t0 + absl::Hours(21), w));
    }
    // Placements of the regency: two agreements and three periodic reports.
    //   a0: monthly reports due 10 days after each month, in force
    //       2026-09-20 .. 2028-09-19, first evaluation due 2027-09-20, held
    //       early on 2026-12-01 (the next then due 2027-12-01);
    //   a1: quarterly, due 15 days after, in force 2026-08-01 .. 2028-07-31,
    //       terminated on 2026-11-25: the quarters from January 2027 are no
    //       longer owed, nor its evaluation due 2027-08-01.
    // Reports: a0's September (due 2026-10-10) and October (due
    // 2026-11-10) on time, a1's third quarter (due 2026-10-15) late.
    // The expected dues are counted month by month here, not with the
    // calendar code the service uses.
    std::map<std::string, int64_t> due, on_time, evaluations;
    {
      pv1::CooperationAgreementActivated a0;
      *a0.mutable_effective_date() = DateOf(absl::CivilDay(2026, 9, 20));
      *a0.mutable_expiry_date() = DateOf(absl::CivilDay(2028, 9, 19));
      a0.set_reporting_period(
          kerjasosial::common::v1::REPORTING_PERIOD_MONTHLY);
      a0.set_report_due_days(10);
      *a0.mutable_next_evaluation_due_date() =
          DateOf(absl::CivilDay(2027, 9, 20));
      const std::string name0 =
          absl::StrCat("regencies/", regency, "/agreements/a0");
      s.events["placements"].push_back(
          EventOf(&event_seq, "kerjasosial.placements.v1.CooperationAgreement",
                  name0, 1, regency, t0, a0));
      // September 2026 .. September 2028, each due in the next month.
      for (absl::CivilMonth m(2026, 9); m <= absl::CivilMonth(2028, 9); ++m) {
        due[MonthKey(m + 1)] += 1;
      }
      pv1::CooperationAgreementEvaluated held;
      *held.mutable_evaluated_date() = DateOf(absl::CivilDay(2026, 12, 1));
      held.set_continue_agreement(true);
      *held.mutable_next_evaluation_due_date() =
          DateOf(absl::CivilDay(2027, 12, 1));
      s.events["placements"].push_back(
          EventOf(&event_seq, "kerjasosial.placements.v1.CooperationAgreement",
                  name0, 2, regency, t0 + absl::Hours(2), held));
      evaluations["2027-12"] += 1;  // September 2027's moved to December

      pv1::CooperationAgreementActivated a1;
      *a1.mutable_effective_date() = DateOf(absl::CivilDay(2026, 8, 1));
      *a1.mutable_expiry_date() = DateOf(absl::CivilDay(2028, 7, 31));
      a1.set_reporting_period(
          kerjasosial::common::v1::REPORTING_PERIOD_QUARTERLY);
      a1.set_report_due_days(15);
      *a1.mutable_next_evaluation_due_date() =
          DateOf(absl::CivilDay(2027, 8, 1));
      const std::string name1 =
          absl::StrCat("regencies/", regency, "/agreements/a1");
      s.events["placements"].push_back(
          EventOf(&event_seq, "kerjasosial.placements.v1.CooperationAgreement",
                  name1, 1, regency, t0 + absl::Hours(1), a1));
      pv1::CooperationAgreementEnded ended;
      ended.set_state(pv1::AGREEMENT_STATE_TERMINATED);
      *ended.mutable_end_date() = DateOf(absl::CivilDay(2026, 11, 25));
      s.events["placements"].push_back(
          EventOf(&event_seq, "kerjasosial.placements.v1.CooperationAgreement",
                  name1, 2, regency, t0 + absl::Hours(5), ended));
      // Owed: July-September 2026 (due October 15) and October-December
      // 2026 (due January 15, 2027), the quarter it ended in.
      due["2026-10"] += 1;
      due["2027-01"] += 1;
    }
    struct ReportDue {
      absl::CivilDay due;
      bool on_time;
    };
    const ReportDue reports[] = {{absl::CivilDay(2026, 10, 10), true},
                                 {absl::CivilDay(2026, 11, 10), true},
                                 {absl::CivilDay(2026, 10, 15), false}};
    for (int r = 0; r < 3; ++r) {
      pv1::PeriodicReportSubmitted submitted;
      *submitted.mutable_due_date() = DateOf(reports[r].due);
      submitted.set_on_time(reports[r].on_time);
      s.events["placements"].push_back(
          EventOf(&event_seq, "kerjasosial.placements.v1.PeriodicReport",
                  absl::StrCat("regencies/", regency, "/reports/r", r), 1,
                  regency, t0 + absl::Hours(6 + r), submitted));
      if (reports[r].on_time) {
        on_time[MonthKey(absl::CivilMonth(reports[r].due))] += 1;
      }
    }
    for (const std::string& scope : scopes_of(regency)) {
      Expected& x = s.expected[scope][0];
      for (const auto& [month, n] : due) x.reports_due_by_month[month] += n;
      for (const auto& [month, n] : on_time) {
        x.reports_on_time_by_month[month] += n;
      }
      for (const auto& [month, n] : evaluations) {
        x.evaluations_due_by_month[month] += n;
      }
    }
    int64_t capacity = 0, active = 0, suspended = 0;
    const int regency_no = static_cast<int>(&regency - &regencies[0]);
    for (int j = 0; j < 4; ++j) {
      const std::string site =
          absl::StrCat("regencies/", regency, "/sites/s", j);
      const int first = 5 + 3 * j + regency_no;
      int64_t version = 0;
      auto change = [&](pv1::SiteState before, pv1::SiteState after, int cap) {
        pv1::SiteChanged c;
        c.set_previous_state(before);
        c.set_state(after);
        c.set_capacity(cap);
        ++version;
        s.events["placements"].push_back(
            EventOf(&event_seq, "kerjasosial.placements.v1.Site", site, version,
                    regency, t0 + absl::Hours(30 + 2 * j + version), c));
      };
      change(pv1::SITE_STATE_UNSPECIFIED, pv1::SITE_STATE_ACTIVE, first);
      if (j == 0) {
        capacity += first;
        ++active;
      } else if (j == 1) {
        change(pv1::SITE_STATE_ACTIVE, pv1::SITE_STATE_ACTIVE, 2);
        capacity += 2;
        ++active;
      } else if (j == 2) {
        change(pv1::SITE_STATE_ACTIVE, pv1::SITE_STATE_SUSPENDED, first);
        ++suspended;
      } else {
        change(pv1::SITE_STATE_ACTIVE, pv1::SITE_STATE_CLOSED, first);
      }
    }
    for (const std::string& scope : scopes_of(regency)) {
      Expected& x = s.expected[scope][0];
      x.guidance += 3;
      x.referrals_made += 1;
      x.referrals_completed += 1;
      x.litmas += 1;
      x.warnings += 1;
      x.integrasi_clients += 2;
      x.agreements_in_force += 1;
      x.periodic_reports += 3;
      x.sites_active += active;
      x.sites_suspended += suspended;
      x.capacity += capacity;
    }
  }
  for (const auto& [scope, loads] : pk_load) {
    int64_t assignments = 0, pks = 0;
    for (const auto& [pk, n] : loads) {
      assignments += n;
      pks += n > 0 ? 1 : 0;
    }
    s.expected[scope][0].pk_caseload_x100 =
        pks == 0 ? 0 : assignments * 100 / pks;
  }
  for (const auto& [scope, ledgers] : owed_by_ledger) {
    for (const auto& [ledger, owed] : ledgers) {
      s.expected[scope][0].owed_minutes += owed;
    }
  }
  return s;
}

}  // namespace ks::reporting::testing

#endif  // KS_TESTS_REPORTING_SCENARIO_H_
