#include "services/cases/domain/progress.h"

#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/feed/cursor.h"
#include "common/status/rich_status.h"
#include "common/time/clock.h"
#include "kerjasosial/supervision/v1/events.pb.h"
#include "services/cases/domain/internal.h"
#include "services/cases/domain/privacy.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;
namespace sv1 = ::kerjasosial::supervision::v1;

// The supervision payload of an event, parsed, with what it says about a case.
struct Parsed {
  std::string type;  // short name, e.g. "SessionRecorded"
  std::string case_name;
  bool has_ledger = false;
  sv1::LedgerSnapshot ledger;  // copy: Parsed is returned by value
  sv1::SessionRecorded session;
  sv1::SessionVoided voided;
  sv1::FirstSessionCredited first;
  sv1::CompletionReached reached;
  sv1::LedgerAdjusted adjusted;
  sv1::AtRiskChanged at_risk;
  sv1::LedgerOverdue overdue;
  sv1::PkAssigned pk;
  sv1::ViolationRecorded violation;
  sv1::ViolationStateChanged violation_state;
  sv1::WarningIssued warning;
};

absl::Status Bad(absl::string_view why) {
  return InvalidArgumentError({{"event.payload", std::string(why)}});
}

template <typename T>
absl::Status Unpack(const Event& e, T* out) {
  if (!e.payload().UnpackTo(out)) {
    return Bad(
        absl::StrCat("does not parse as ", T::descriptor()->full_name()));
  }
  return absl::OkStatus();
}

// NOT_FOUND for types that do not concern a case's progress.
absl::StatusOr<Parsed> Parse(const Event& e) {
  constexpr absl::string_view kPackage = "kerjasosial.supervision.v1.";
  std::string full = e.event_type();
  if (full.empty()) {
    const std::string& url = e.payload().type_url();
    full = url.substr(url.rfind('/') + 1);
  }
  if (!absl::StartsWith(full, kPackage)) {
    return absl::NotFoundError(
        absl::StrCat("not a supervision progress event: ", full));
  }
  Parsed p;
  p.type = full.substr(kPackage.size());
  absl::Status st;
  if (p.type == "SessionRecorded") {
    st = Unpack(e, &p.session);
    p.ledger = p.session.ledger();
    p.has_ledger = p.session.has_ledger();
  } else if (p.type == "SessionVoided") {
    st = Unpack(e, &p.voided);
    p.ledger = p.voided.ledger();
    p.has_ledger = p.voided.has_ledger();
  } else if (p.type == "FirstSessionCredited") {
    st = Unpack(e, &p.first);
    p.ledger = p.first.ledger();
    p.has_ledger = p.first.has_ledger();
  } else if (p.type == "CompletionReached") {
    st = Unpack(e, &p.reached);
    p.ledger = p.reached.ledger();
    p.has_ledger = p.reached.has_ledger();
  } else if (p.type == "LedgerAdjusted") {
    st = Unpack(e, &p.adjusted);
    p.ledger = p.adjusted.ledger();
    p.has_ledger = p.adjusted.has_ledger();
  } else if (p.type == "AtRiskChanged") {
    st = Unpack(e, &p.at_risk);
    p.ledger = p.at_risk.ledger();
    p.has_ledger = p.at_risk.has_ledger();
  } else if (p.type == "LedgerOverdue") {
    st = Unpack(e, &p.overdue);
    p.ledger = p.overdue.ledger();
    p.has_ledger = p.overdue.has_ledger();
  } else if (p.type == "PkAssigned") {
    st = Unpack(e, &p.pk);
    p.ledger = p.pk.ledger();
    p.has_ledger = p.pk.has_ledger();
    p.case_name = p.pk.case_name();
  } else if (p.type == "ViolationRecorded") {
    st = Unpack(e, &p.violation);
    p.case_name = p.violation.case_name();
  } else if (p.type == "ViolationStateChanged") {
    st = Unpack(e, &p.violation_state);
    p.case_name = p.violation_state.case_name();
  } else if (p.type == "WarningIssued") {
    st = Unpack(e, &p.warning);
    p.case_name = p.warning.case_name();
  } else {
    return absl::NotFoundError(
        absl::StrCat("not a supervision progress event: ", full));
  }
  if (!st.ok()) return st;
  if (p.case_name.empty() && p.has_ledger) {
    p.case_name = p.ledger.case_name();
  }
  if (p.case_name.empty()) return Bad("names no case");
  return p;
}

void MirrorLedger(const sv1::LedgerSnapshot& l, v1::Progress* p) {
  p->set_credited_minutes(l.credited_minutes());
  p->set_excess_minutes(l.excess_minutes());
  p->set_owed_minutes(l.owed_minutes());
  p->set_sessions_count(l.sessions_count());
  if (l.has_deadline_time()) *p->mutable_deadline_time() = l.deadline_time();
  if (!l.time_zone().empty()) p->set_time_zone(l.time_zone());
  p->set_at_risk(l.at_risk());
  p->set_overdue(l.overdue());
}

}  // namespace

absl::StatusOr<std::string> SupervisionEventCaseName(const Event& event) {
  absl::StatusOr<Parsed> p = Parse(event);
  if (!p.ok()) return p.status();
  return p->case_name;
}

namespace {

// Keeps `progress.referred_violations` = the violations currently referred
// to the prosecutor: a violation enters on REFERRED_TO_PROSECUTOR and leaves
// on any other state (RESOLVED or WITHDRAWN: no longer a breach candidate).
void SetReferred(const sv1::ViolationStateChanged& change,
                 v1::Progress* progress) {
  if (change.violation().empty()) return;
  auto* referred = progress->mutable_referred_violations();
  auto it = std::find(referred->begin(), referred->end(), change.violation());
  const bool referred_now =
      change.state() == sv1::VIOLATION_STATE_REFERRED_TO_PROSECUTOR;
  if (referred_now && it == referred->end()) {
    progress->add_referred_violations(change.violation());
  } else if (!referred_now && it != referred->end()) {
    referred->erase(it);
  }
}

}  // namespace

absl::StatusOr<std::optional<Transition>> ApplySupervisionEvent(
    const Case& c, const Event& event, const PolicyVersion& policy,
    absl::TimeZone zone) {
  absl::StatusOr<feed::StreamId> cursor =
      feed::ParseStreamId(event.cursor(), "event.cursor");
  if (!cursor.ok()) return cursor.status();
  absl::StatusOr<Parsed> parsed = Parse(event);
  if (absl::IsNotFound(parsed.status())) return std::nullopt;
  if (!parsed.ok()) return parsed.status();
  const Parsed& p = *parsed;
  if (p.case_name != c.name()) {
    return InvalidArgumentError(
        {{"event.payload",
          absl::StrCat("names case ", p.case_name, ", not ", c.name())}});
  }
  if (!c.progress().source_cursor().empty()) {
    absl::StatusOr<feed::StreamId> last =
        feed::ParseStreamId(c.progress().source_cursor(), "source_cursor");
    // An unreadable stored cursor is our own data: treat every event as new
    // rather than wedge the case.
    if (last.ok() && *cursor <= *last) return std::nullopt;  // applied
  }
  if (IsTerminal(c.state())) return std::nullopt;

  const absl::Time now = event.has_event_time()
                             ? internal::FromProto(event.event_time())
                             : absl::UnixEpoch();
  Transition t =
      internal::Begin(c, absl::StrCat("kerjasosial.supervision.v1.", p.type),
                      event.event_id(), nullptr, now);
  v1::Progress* progress = t.after.mutable_progress();
  if (p.has_ledger) MirrorLedger(p.ledger, progress);
  progress->set_source_cursor(event.cursor());
  if (event.has_event_time()) {
    *progress->mutable_source_event_time() = event.event_time();
  }
  t.history.add_changed_fields("progress");

  bool moved = false;
  if (p.type == "SessionRecorded") {
    if (!p.session.placement().empty()) {
      progress->set_placement(p.session.placement());
    }
    if (p.session.has_end_time() &&
        (!progress->has_last_session_time() ||
         internal::FromProto(p.session.end_time()) >
             internal::FromProto(progress->last_session_time()))) {
      *progress->mutable_last_session_time() = p.session.end_time();
    }
  } else if (p.type == "PkAssigned") {
    progress->set_pk_assignment(event.aggregate_name());
  } else if (p.type == "ViolationRecorded") {
    progress->set_violations_count(p.violation.violations_count());
  } else if (p.type == "ViolationStateChanged") {
    progress->set_violations_count(p.violation_state.violations_count());
    SetReferred(p.violation_state, progress);
  } else if (p.type == "WarningIssued") {
    progress->set_warning_level(
        std::max(progress->warning_level(), p.warning.level()));
  } else if (p.type == "FirstSessionCredited") {
    *progress->mutable_first_session_time() = p.first.start_time();
    if (policy.adult().span_starts_at() == cv1::SPAN_START_FIRST_SESSION &&
        !p.first.ledger().has_deadline_time() && p.first.has_start_time()) {
      *progress->mutable_deadline_time() =
          internal::ToProto(internal::SpanDeadline(
              c, LocalDay(internal::FromProto(p.first.start_time()), zone),
              policy, zone));
    }
    if (CheckTransition(c.state(), Action::kFirstSessionCredited).ok()) {
      internal::SetState(t, v1::CASE_STATE_IN_PROGRESS);
      v1::CaseStarted ev;
      *ev.mutable_facts() = Facts(t.after, c.state());
      internal::AddEvent(t, ev, now);
      moved = true;
    }
  } else if (p.type == "CompletionReached") {
    if (CheckTransition(c.state(), Action::kCompletionReached).ok()) {
      internal::SetState(t, v1::CASE_STATE_COMPLETION_PENDING);
      v1::Completion* done = t.after.mutable_completion();
      done->set_basis(v1::COMPLETION_BASIS_HOURS_SERVED);
      *done->mutable_reached_time() = p.reached.reached_time();
      done->set_credited_minutes(p.reached.ledger().credited_minutes());
      t.history.add_changed_fields("completion");
      v1::CaseCompletionPending ev;
      *ev.mutable_facts() = Facts(t.after, c.state());
      ev.set_basis(v1::COMPLETION_BASIS_HOURS_SERVED);
      ev.set_credited_minutes(done->credited_minutes());
      internal::AddEvent(t, ev, now);
      moved = true;
    }
  }
  if (!moved) {
    v1::CaseProgressChanged ev;
    *ev.mutable_facts() = Facts(t.after, c.state());
    ev.set_credited_minutes(progress->credited_minutes());
    ev.set_owed_minutes(progress->owed_minutes());
    ev.set_at_risk(progress->at_risk());
    ev.set_overdue(progress->overdue());
    ev.set_violations_count(progress->violations_count());
    internal::AddEvent(t, ev, now);
  }
  return std::optional<Transition>(std::move(t));
}

}  // namespace ks::cases::domain
