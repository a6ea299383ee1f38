#include "services/supervision/domain/hours.h"

#include <algorithm>
#include <map>
#include <utility>

#include "common/outbox/outbox.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/time/proto_time.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "services/supervision/domain/adjustment.h"
#include "services/supervision/domain/span.h"

namespace ks::supervision::domain {
namespace {

namespace cv1 = ::kerjasosial::common::v1;
namespace sv1 = ::kerjasosial::supervision::v1;

using ::ks::FromProto;
using ::ks::ToProto;

absl::StatusOr<int64_t> VersionOf(const std::string& etag) {
  if (etag.empty()) return 0;
  return outbox::VersionFromEtag(etag);
}

// Writes `credit` into the output fields of `s`.
void Fill(const SessionCredit& credit, WorkSession& s) {
  s.set_worked_minutes(credit.worked);
  s.set_credited_minutes(credit.credited);
  s.set_excess_minutes(credit.excess);
  s.clear_day_allocations();
  for (const DayPart& part : credit.days) {
    sv1::DayAllocation* d = s.add_day_allocations();
    *d->mutable_local_date() = DateFromCivilDay(part.day);
    d->set_worked_minutes(part.worked);
    d->set_credited_minutes(part.credited);
    d->set_excess_minutes(part.worked - part.credited);
    for (const auto& [reason, minutes] : part.excess) {
      sv1::ExcessPart* e = d->add_excess();
      e->set_reason(reason);
      e->set_minutes(minutes);
    }
  }
}

bool SameAllocation(const WorkSession& a, const WorkSession& b) {
  if (a.worked_minutes() != b.worked_minutes() ||
      a.credited_minutes() != b.credited_minutes() ||
      a.excess_minutes() != b.excess_minutes() ||
      a.day_allocations_size() != b.day_allocations_size()) {
    return false;
  }
  for (int i = 0; i < a.day_allocations_size(); ++i) {
    if (!google::protobuf::util::MessageDifferencer::Equals(
            a.day_allocations(i), b.day_allocations(i))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool Creditable(const WorkSession& s) {
  return s.outcome() == sv1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED ||
         (s.outcome() == sv1::ATTENDANCE_OUTCOME_SENT_HOME &&
          s.credit_partial());
}

absl::StatusOr<std::vector<SessionInput>> InputsOf(
    const std::vector<WorkSession>& sessions) {
  std::vector<SessionInput> out;
  for (const WorkSession& s : sessions) {
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(s.time_zone(), &zone)) {
      return absl::InvalidArgumentError(
          "a stored work session has an unknown time zone");
    }
    out.push_back({s.name(), FromProto(s.start_time()), FromProto(s.end_time()),
                   zone, Creditable(s)});
  }
  return out;
}

absl::StatusOr<HoursResult> Recompute(const HoursContext& ctx,
                                      const HoursLedger& ledger,
                                      const std::vector<WorkSession>& live) {
  const bool child =
      ledger.kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
  // Sessions credit what the carried minutes (adjustment.h) leave.
  const int64_t carried = CarriedMinutes(ledger);
  CreditRules rules =
      RulesFor(*ctx.policy, child, ledger.target_minutes() - carried,
               ctx.decision_hours_per_day, ctx.child_working_day);
  if (ledger.has_span_start_time()) {
    rules.span_start = FromProto(ledger.span_start_time());
  }
  if (ledger.has_deadline_time()) {
    rules.deadline = FromProto(ledger.deadline_time());
  }
  KS_ASSIGN_OR_RETURN(std::vector<SessionInput> inputs, InputsOf(live));
  std::map<std::string, const WorkSession*> by_name;
  for (const WorkSession& s : live) by_name[s.name()] = &s;
  const std::vector<SessionCredit> credits = Allocate(rules, inputs);

  HoursResult out;
  out.totals = Summarize(ledger.target_minutes(), credits, carried);
  for (const SessionCredit& credit : credits) {
    const WorkSession& before = *by_name.at(credit.id);
    WorkSession after = before;
    Fill(credit, after);
    if (!before.etag().empty() && SameAllocation(before, after)) continue;
    KS_ASSIGN_OR_RETURN(int64_t version, VersionOf(before.etag()));
    after.set_etag(outbox::Etag(version + 1));
    if (!before.etag().empty()) *after.mutable_update_time() = ToProto(ctx.now);
    out.sessions.push_back({std::move(after), version});
  }

  HoursLedger next = ledger;
  KS_ASSIGN_OR_RETURN(out.ledger_expected_version, VersionOf(ledger.etag()));
  next.set_etag(outbox::Etag(out.ledger_expected_version + 1));
  *next.mutable_update_time() = ToProto(ctx.now);
  next.set_credited_minutes(out.totals.credited);
  next.set_excess_minutes(out.totals.excess);
  next.set_owed_minutes(out.totals.owed);
  next.set_sessions_count(out.totals.sessions);
  next.clear_days();
  for (const auto& [day, t] : out.totals.days) {
    sv1::LedgerDay* d = next.add_days();
    *d->mutable_local_date() = DateFromCivilDay(day);
    d->set_credited_minutes(t.credited);
    d->set_excess_minutes(t.excess);
    d->set_sessions_count(t.sessions);
    for (const auto& [reason, minutes] : t.excess_by_reason) {
      sv1::ExcessPart* e = d->add_excess();
      e->set_reason(reason);
      e->set_minutes(minutes);
    }
  }
  // First and last session times over the credited sessions.
  next.clear_first_session_time();
  next.clear_last_session_time();
  for (const SessionCredit& credit : credits) {
    if (credit.credited == 0) continue;
    const WorkSession& s = *by_name.at(credit.id);
    if (!next.has_first_session_time()) {
      *next.mutable_first_session_time() = s.start_time();
    }
    *next.mutable_last_session_time() = s.end_time();
  }
  // R7 with SPAN_START_FIRST_SESSION: the first credited session starts
  // the span (cases mirrors the same deadline from FirstSessionCredited).
  const cv1::AdultSentence& adult = ctx.policy->adult();
  const cv1::SpanStart starts_at =
      child ? ctx.policy->child().span_starts_at() : adult.span_starts_at();
  if (!ledger.has_deadline_time() && next.has_first_session_time() &&
      starts_at == cv1::SPAN_START_FIRST_SESSION) {
    absl::TimeZone zone;
    if (absl::LoadTimeZone(next.time_zone(), &zone)) {
      const absl::Time first = FromProto(next.first_session_time());
      *next.mutable_span_start_time() = ToProto(first);
      *next.mutable_deadline_time() =
          ToProto(SpanDeadline(first, zone, *ctx.policy, child));
    }
  }
  // The first credited session, not the first credited minute: minutes
  // carried in by an adjustment are no session.
  out.first_credit =
      !ledger.has_first_session_time() && next.has_first_session_time();
  const bool announced = ledger.state() == sv1::LEDGER_STATE_COMPLETED;
  out.completion = CompletionFor(announced, out.totals);
  if (out.completion == CompletionStep::kReached) {
    next.set_state(sv1::LEDGER_STATE_COMPLETED);
    // Carried minutes alone can reach the target: then it is reached now.
    *next.mutable_completion_time() = ToProto(ctx.now);
    int64_t running = carried;
    for (const SessionCredit& credit : credits) {
      if (running >= out.totals.target) break;
      running += credit.credited;
      if (running >= out.totals.target) {
        *next.mutable_completion_time() = by_name.at(credit.id)->end_time();
        break;
      }
    }
  } else if (out.completion == CompletionStep::kWithdrawn) {
    next.set_state(sv1::LEDGER_STATE_OPEN);
    next.clear_completion_time();
  }
  if (next.has_deadline_time()) {
    next.set_overdue(
        IsOverdue(out.totals, FromProto(next.deadline_time()), ctx.now));
  }
  out.ledger = std::move(next);
  return out;
}

sv1::LedgerSnapshot SnapshotOf(const HoursLedger& l) {
  sv1::LedgerSnapshot s;
  s.set_case_name(l.case_name());
  s.set_ledger(l.name());
  s.set_kind(l.kind());
  s.set_target_minutes(l.target_minutes());
  s.set_credited_minutes(l.credited_minutes());
  s.set_excess_minutes(l.excess_minutes());
  s.set_owed_minutes(l.owed_minutes());
  s.set_sessions_count(l.sessions_count());
  if (l.has_deadline_time()) *s.mutable_deadline_time() = l.deadline_time();
  s.set_time_zone(l.time_zone());
  s.set_at_risk(l.at_risk());
  s.set_overdue(l.overdue());
  s.set_state(l.state());
  absl::StatusOr<int64_t> v = outbox::VersionFromEtag(l.etag());
  s.set_version(v.ok() ? *v : 0);
  s.set_placement(l.placement());
  s.set_site(l.site());
  s.set_pk_principal_id(l.pk_principal_id());
  s.set_bapas_office_code(l.bapas_office_code());
  if (l.has_span_start_time()) {
    *s.mutable_span_start_time() = l.span_start_time();
  }
  return s;
}

}  // namespace ks::supervision::domain
