#include "services/reporting/domain/effects.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/policy/reporting_periods.h"
#include "common/regions/regions.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "kerjasosial/supervision/v1/events.pb.h"
#include "services/reporting/domain/privacy.h"

namespace ks::reporting::domain {
namespace {

namespace cv1 = ::kerjasosial::cases::v1;
namespace sv1 = ::kerjasosial::supervision::v1;
namespace pv1 = ::kerjasosial::placements::v1;
using ::kerjasosial::common::v1::Event;
using ::kerjasosial::reporting::v1::Granularity;
using ::kerjasosial::reporting::v1::UpstreamKind;

absl::CivilDay FromDate(const google::type::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

bool IsSet(const google::type::Date& d) { return d.year() != 0; }

// Collects the ops of one event for the scopes of its regency.
class Builder {
 public:
  Builder(std::vector<std::string> scopes, absl::CivilDay event_day)
      : scopes_(std::move(scopes)), event_day_(event_day) {}

  // A flow: all time, and the month and week of `day`.
  void Flow(absl::string_view figure, int kind, int64_t amount,
            absl::CivilDay day) {
    for (const std::string& scope : scopes_) {
      FlowIn(scope, figure, kind, amount, day);
    }
  }
  // A stock change in one scope only (a figure whose change differs between
  // the scopes of one event, e.g. distinct PKs).
  void StockIn(const std::string& scope, absl::string_view figure, int kind,
               int64_t amount) {
    FlowIn(scope, figure, kind, amount, event_day_);
  }
  // HINCRBY of a memory hash (not per scope, not bucketed).
  void Count(const std::string& key, const std::string& field, int64_t amount) {
    Incr(key, field, amount);
  }
  const std::vector<std::string>& scopes() const { return scopes_; }
  void Flow(absl::string_view figure, int kind, int64_t amount) {
    Flow(figure, kind, amount, event_day_);
  }
  // A stock change: all time (the value now) and, as a delta, the buckets
  // of the event's day.
  void Stock(absl::string_view figure, int kind, int64_t amount) {
    Flow(figure, kind, amount, event_day_);
  }
  // Stores `value` at `key`/`field` once (not per scope).
  void Remember(const std::string& key, const std::string& field,
                int64_t value) {
    ops_.push_back(Op{Op::Kind::kHashSet, key, field, value});
  }
  void Member(bool add, std::string (*key)(absl::string_view),
              const std::string& member) {
    for (const std::string& scope : scopes_) {
      ops_.push_back(Op{add ? Op::Kind::kSetAdd : Op::Kind::kSetRemove,
                        key(scope), member, 0});
    }
  }
  std::vector<Op> Take() { return std::move(ops_); }
  // `date` when the payload states it, else the event's local day.
  absl::CivilDay DayOr(const google::type::Date& date) const {
    return IsSet(date) ? FromDate(date) : event_day_;
  }

 private:
  void FlowIn(const std::string& scope, absl::string_view figure, int kind,
              int64_t amount, absl::CivilDay day) {
    if (amount == 0) return;
    const std::string field = Field(figure, kind);
    Incr(AllTimeKey(scope), field, amount);
    InBuckets(scope, field, amount, day);
  }
  void Incr(std::string key, std::string field, int64_t amount) {
    ops_.push_back(
        Op{Op::Kind::kIncr, std::move(key), std::move(field), amount});
  }
  void InBuckets(const std::string& scope, const std::string& field,
                 int64_t amount, absl::CivilDay day) {
    for (Granularity g : {kerjasosial::reporting::v1::GRANULARITY_MONTH,
                          kerjasosial::reporting::v1::GRANULARITY_WEEK}) {
      const std::string bucket = BucketName(g, day);
      Incr(BucketKey(scope, bucket), field, amount);
      ops_.push_back(Op{Op::Kind::kSetAdd, BucketListKey(scope, g), bucket, 0});
    }
  }

  std::vector<std::string> scopes_;
  absl::CivilDay event_day_;
  std::vector<Op> ops_;
};

absl::Status Invalid(const Event& event, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "event ", event.event_id(), " (", event.event_type(), "): ", why));
}

template <typename T>
absl::StatusOr<T> Unpack(const Event& event) {
  T out;
  if (event.payload().type_url().empty() || !event.payload().UnpackTo(&out)) {
    return Invalid(event, "the payload does not unpack as its event_type");
  }
  return out;
}

// A value reporting stored earlier (0 without a lookup); a failed read is
// transient, so the event is retried rather than counted wrong.
absl::StatusOr<int64_t> ReadPrior(const PriorLookup& prior,
                                  const std::string& key,
                                  const std::string& field,
                                  absl::string_view what) {
  if (!prior) return 0;
  absl::StatusOr<int64_t> read = prior(key, field);
  if (!read.ok()) {
    return absl::UnavailableError(
        absl::StrCat("reading ", what, ": ", read.status().message()));
  }
  return *read;
}

int64_t CaseMemory(int64_t version, int kind, int state) {
  return version * 10000 + kind * 100 + state;
}

// A case leaving `before` (UNSPECIFIED: none) of `before_kind` and entering
// `after` of `kind`: the state and active stocks, and the at-risk/overdue
// sets a terminal state leaves.
void MoveCase(Builder& b, int before_kind, int before, int kind, int after,
              const std::string& name) {
  const bool was_active = IsActiveState(before);
  const bool is_active = IsActiveState(after);
  if (before != cv1::CASE_STATE_UNSPECIFIED) {
    b.Stock(StateFigure(before), before_kind, -1);
  }
  b.Stock(StateFigure(after), kind, 1);
  if (before_kind == kind) {
    if (was_active != is_active) {
      b.Stock(fig::kActive, kind, is_active ? 1 : -1);
    }
  } else {
    if (was_active) b.Stock(fig::kActive, before_kind, -1);
    if (is_active) b.Stock(fig::kActive, kind, 1);
  }
  if (!is_active) {
    b.Member(false, &AtRiskKey, name);
    b.Member(false, &OverdueKey, name);
  }
}

// A case's state from a snapshot replaces the state it counted.
absl::Status CaseSnapshot(const Event& e, Builder& b,
                          const PriorLookup& prior) {
  KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseStateSnapshot>(e));
  const std::string& name = e.aggregate_name();
  KS_ASSIGN_OR_RETURN(
      const int64_t counted,
      ReadPrior(prior, kCaseMemoryKey, name, "the case's counted state"));
  const int64_t counted_version = counted / 10000;
  if (counted != 0 && counted_version >= e.aggregate_version()) {
    return absl::OkStatus();  // we hold this state or a newer one
  }
  const int before_kind = static_cast<int>(counted / 100 % 100);
  const int before = static_cast<int>(counted % 100);
  const int kind = p.kind();
  const int after = p.state();
  if (before != after || before_kind != kind) {
    MoveCase(b, before_kind, before, kind, after, name);
  }
  b.Remember(kCaseMemoryKey, name,
             CaseMemory(e.aggregate_version(), kind, after));
  return absl::OkStatus();
}

// The state change every case event states (facts.previous_state ->
// facts.state), and the at-risk/overdue sets a terminal state leaves; the
// state is remembered for a later snapshot.
void CaseState(Builder& b, const cv1::CaseFacts& f, const std::string& name,
               int64_t version) {
  const int kind = f.kind();
  const int before = f.previous_state();
  const int after = f.state();
  b.Remember(kCaseMemoryKey, name, CaseMemory(version, kind, after));
  if (before != after) MoveCase(b, kind, before, kind, after, name);
}

// Business day of a case event whose payload names no date: the local day
// of its commit in the regency's zone.
absl::Status CaseEffect(const Event& e, Builder& b, const PriorLookup& prior) {
  const std::string& type = e.event_type();
  const std::string& name = e.aggregate_name();
  const int64_t version = e.aggregate_version();
  if (type == "kerjasosial.cases.v1.CaseStateSnapshot") {
    return CaseSnapshot(e, b, prior);
  }
  if (type == "kerjasosial.cases.v1.CaseRegistered") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseRegistered>(e));
    const cv1::CaseFacts& f = p.facts();
    CaseState(b, f, name, version);
    // The receiving side of a transfer is the same sentence: counted once,
    // where it was first registered.
    if (p.transferred_from().empty()) {
      // A new sentence counts on its decision's (final) date.
      const absl::CivilDay day = b.DayOr(p.final_date());
      b.Flow(fig::kRegistered, f.kind(), 1, day);
      b.Flow(fig::kSentencedHours, f.kind(), f.sentence_hours(), day);
    }
  } else if (type == "kerjasosial.cases.v1.CaseHandedOver") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseHandedOver>(e));
    CaseState(b, p.facts(), name, version);
    b.Flow(fig::kHandedOver, p.facts().kind(), 1, b.DayOr(p.handover_date()));
  } else if (type == "kerjasosial.cases.v1.CaseCompleted") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseCompleted>(e));
    const cv1::CaseFacts& f = p.facts();
    CaseState(b, f, name, version);
    b.Flow(fig::kCompleted, f.kind(), 1);
    b.Flow(fig::kPrisonDays, f.kind(), f.replaced_prison_days());
    b.Flow(fig::kFines, f.kind(), f.replaced_fine_rupiah());
    if (f.replaced_fine_rupiah() > 0) b.Flow(fig::kFinedCompleted, f.kind(), 1);
    b.Flow(DaysFigure(DaysBucket(p.days_to_complete())), f.kind(), 1);
  } else if (type == "kerjasosial.cases.v1.CaseBreached") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseBreached>(e));
    CaseState(b, p.facts(), name, version);
    b.Flow(fig::kBreached, p.facts().kind(), 1);
  } else if (type == "kerjasosial.cases.v1.BreachOutcomeDecided") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::BreachOutcomeDecided>(e));
    const cv1::CaseFacts& f = p.facts();
    CaseState(b, f, name, version);
    const cv1::BreachOutcome& o = p.outcome();
    // A decision counts on the decision's date.
    const absl::CivilDay day = b.DayOr(o.decided_date());
    b.Flow(OutcomeFigure(o.kind(), o.extent()), f.kind(), 1, day);
    if (f.state() == cv1::CASE_STATE_CONVERTED) {
      b.Flow(fig::kConverted, f.kind(), 1, day);
    }
  } else if (type == "kerjasosial.cases.v1.CaseCancelled") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseCancelled>(e));
    CaseState(b, p.facts(), name, version);
    b.Flow(fig::kCancelled, p.facts().kind(), 1);
  } else if (type == "kerjasosial.cases.v1.CaseProgressChanged") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseProgressChanged>(e));
    CaseState(b, p.facts(), name, version);
    if (IsActiveState(p.facts().state())) {
      b.Member(p.at_risk(), &AtRiskKey, name);
      b.Member(p.overdue(), &OverdueKey, name);
    }
  } else if (type == "kerjasosial.cases.v1.CaseCorrected") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseCorrected>(e));
    CaseState(b, p.facts(), name, version);
  } else if (type == "kerjasosial.cases.v1.ExecutionOrderIssued") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::ExecutionOrderIssued>(e));
    CaseState(b, p.facts(), name, version);
  } else if (type == "kerjasosial.cases.v1.CaseStarted") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseStarted>(e));
    CaseState(b, p.facts(), name, version);
  } else if (type == "kerjasosial.cases.v1.CaseCompletionPending") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseCompletionPending>(e));
    CaseState(b, p.facts(), name, version);
  } else if (type == "kerjasosial.cases.v1.FinePaymentRecorded") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::FinePaymentRecorded>(e));
    CaseState(b, p.facts(), name, version);
  } else if (type == "kerjasosial.cases.v1.CaseTransferred") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<cv1::CaseTransferred>(e));
    CaseState(b, p.facts(), name, version);
  } else if (!absl::StartsWith(type, "kerjasosial.cases.v1.") &&
             !absl::StartsWith(type, "kerjasosial.common.v1.")) {
    return Invalid(e, "not an event type of a cases feed");
  }
  return absl::OkStatus();
}

// `pk` takes (+1) or gives up (-1) one ACTIVE assignment of `kind`: its
// per-scope load moves, and a scope's distinct-PK stocks move where the
// load leaves or reaches 0. The load before is read back (PriorLookup): the
// event states the PK, not how many cases it holds.
absl::Status MovePkLoad(Builder& b, const PriorLookup& prior,
                        const std::string& pk, int kind, int delta) {
  if (pk.empty() || delta == 0) return absl::OkStatus();
  for (const std::string& scope : b.scopes()) {
    const std::string key = PkLoadKey(scope);
    struct Load {
      std::string field;
      const char* figure;
      int figure_kind;
    };
    for (const Load& load :
         {Load{pk, fig::kPkHolders, 0},
          Load{absl::StrCat(pk, "|", kind), fig::kPkHoldersOfKind, kind}}) {
      KS_ASSIGN_OR_RETURN(
          const int64_t before,
          ReadPrior(prior, key, load.field, "the PK's counted load"));
      const int64_t after = std::max<int64_t>(before + delta, 0);
      if (after == before) continue;  // an end we never counted the start of
      b.Count(key, load.field, after - before);
      if (before == 0) b.StockIn(scope, load.figure, load.figure_kind, 1);
      if (after == 0) b.StockIn(scope, load.figure, load.figure_kind, -1);
    }
  }
  return absl::OkStatus();
}

// The owed-hours stock from a ledger snapshot. Source: supervision's ledger,
// not the cases feed's sentence hours less credited minutes, because only
// the ledger is exact: it includes target adjustments (repeat orders,
// carried minutes), caps credit at the target (excess is not owed back),
// withdraws voided sessions, and drops to 0 when the case leaves community
// work (CLOSED), while sessions on the feed name no case to subtract from.
//
// With `flags` (AtRiskChanged, LedgerOverdue: supervision decides these
// flags; the cases feed only mirrors them) the case's at-risk and overdue
// memberships are set from the snapshot too. They are the same per-scope
// sets the cases mirror writes, keyed by case name, so a case counts once
// whichever feed said it last; a ledger no longer OPEN leaves both.
absl::Status ApplyLedger(const sv1::LedgerSnapshot& l, Builder& b,
                         const PriorLookup& prior, bool flags = false) {
  if (l.ledger().empty()) return absl::OkStatus();
  KS_ASSIGN_OR_RETURN(const int64_t held_version,
                      ReadPrior(prior, kOwedMemoryKey, l.ledger() + "|v",
                                "the ledger's counted version"));
  if (held_version > l.version()) return absl::OkStatus();
  KS_ASSIGN_OR_RETURN(const int64_t before,
                      ReadPrior(prior, kOwedMemoryKey, l.ledger(),
                                "the ledger's counted owed minutes"));
  const int64_t now = l.state() == sv1::LEDGER_STATE_OPEN
                          ? std::max<int64_t>(l.owed_minutes(), 0)
                          : 0;
  b.Stock(fig::kOwedMinutes, l.kind(), now - before);
  b.Remember(kOwedMemoryKey, l.ledger(), now);
  b.Remember(kOwedMemoryKey, l.ledger() + "|v", l.version());
  if (flags && !l.case_name().empty()) {
    const bool open = l.state() == sv1::LEDGER_STATE_OPEN;
    b.Member(open && l.at_risk(), &AtRiskKey, l.case_name());
    b.Member(open && l.overdue(), &OverdueKey, l.case_name());
  }
  return absl::OkStatus();
}

absl::Status SupervisionEffect(const Event& e, Builder& b,
                               const absl::TimeZone& zone,
                               const PriorLookup& prior) {
  const std::string& type = e.event_type();
  constexpr int kNoKind = 0;  // the session events do not name the kind
  if (type == "kerjasosial.supervision.v1.SessionRecorded") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::SessionRecorded>(e));
    const absl::CivilDay day =
        IsSet(p.local_date())
            ? FromDate(p.local_date())
            : absl::ToCivilDay(absl::FromUnixSeconds(p.start_time().seconds()),
                               zone);
    b.Flow(fig::kSessions, kNoKind, 1, day);
    b.Flow(fig::kCreditedMinutes, kNoKind, p.credited_minutes(), day);
    KS_RETURN_IF_ERROR(ApplyLedger(p.ledger(), b, prior));
  } else if (type == "kerjasosial.supervision.v1.SessionVoided") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::SessionVoided>(e));
    // Withdrawn from the day the session counted on.
    const absl::CivilDay day = b.DayOr(p.local_date());
    b.Flow(fig::kSessions, kNoKind, -1, day);
    b.Flow(fig::kCreditedMinutes, kNoKind, -p.withdrawn_minutes(), day);
    KS_RETURN_IF_ERROR(ApplyLedger(p.ledger(), b, prior));
  } else if (type == "kerjasosial.supervision.v1.ViolationRecorded") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::ViolationRecorded>(e));
    if (p.has_occur_time()) {
      b.Flow(fig::kViolations, kNoKind, 1,
             absl::ToCivilDay(absl::FromUnixSeconds(p.occur_time().seconds()),
                              zone));
    } else {
      b.Flow(fig::kViolations, kNoKind, 1);
    }
  } else if (type == "kerjasosial.supervision.v1.WarningIssued") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::WarningIssued>(e));
    (void)p;
    b.Flow(fig::kWarnings, kNoKind, 1);
  } else if (type == "kerjasosial.supervision.v1.PkAssigned") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::PkAssigned>(e));
    b.Stock(fig::kPkAssignments, p.kind(), 1);
    KS_RETURN_IF_ERROR(MovePkLoad(b, prior, p.pk_principal_id(), p.kind(), 1));
    KS_RETURN_IF_ERROR(ApplyLedger(p.ledger(), b, prior));
  } else if (type == "kerjasosial.supervision.v1.FirstSessionCredited") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::FirstSessionCredited>(e));
    KS_RETURN_IF_ERROR(ApplyLedger(p.ledger(), b, prior));
  } else if (type == "kerjasosial.supervision.v1.CompletionReached") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::CompletionReached>(e));
    KS_RETURN_IF_ERROR(ApplyLedger(p.ledger(), b, prior));
  } else if (type == "kerjasosial.supervision.v1.LedgerAdjusted") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::LedgerAdjusted>(e));
    KS_RETURN_IF_ERROR(ApplyLedger(p.ledger(), b, prior));
  } else if (type == "kerjasosial.supervision.v1.AtRiskChanged") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::AtRiskChanged>(e));
    KS_RETURN_IF_ERROR(ApplyLedger(p.ledger(), b, prior, /*flags=*/true));
  } else if (type == "kerjasosial.supervision.v1.LedgerOverdue") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::LedgerOverdue>(e));
    KS_RETURN_IF_ERROR(ApplyLedger(p.ledger(), b, prior, /*flags=*/true));
  } else if (type == "kerjasosial.supervision.v1.PkReassigned") {
    // The assignment stays ACTIVE: only which PK holds it changes.
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::PkReassigned>(e));
    // Both moves read the load before this event, so a reassignment to the
    // same PK must not be split into -1 and +1.
    if (p.previous_pk_principal_id() == p.pk_principal_id()) {
      return absl::OkStatus();
    }
    KS_RETURN_IF_ERROR(
        MovePkLoad(b, prior, p.previous_pk_principal_id(), p.kind(), -1));
    KS_RETURN_IF_ERROR(MovePkLoad(b, prior, p.pk_principal_id(), p.kind(), 1));
  } else if (type == "kerjasosial.supervision.v1.PkAssignmentEnded") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::PkAssignmentEnded>(e));
    b.Stock(fig::kPkAssignments, p.kind(), -1);
    KS_RETURN_IF_ERROR(MovePkLoad(b, prior, p.pk_principal_id(), p.kind(), -1));
  } else if (type == "kerjasosial.supervision.v1.LitmasSubmitted") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::LitmasSubmitted>(e));
    (void)p;
    b.Flow(fig::kLitmas, kNoKind, 1);
  } else if (type == "kerjasosial.supervision.v1.GuidanceSessionRecorded") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::GuidanceSessionRecorded>(e));
    b.Flow(fig::kGuidance, kNoKind, 1);
    if (!p.client().empty()) b.Member(true, &IntegrasiKey, p.client());
  } else if (type == "kerjasosial.supervision.v1.ReferralChanged") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<sv1::ReferralChanged>(e));
    // A referral is published REFERRED once, when made.
    if (p.state() == sv1::REFERRAL_STATE_REFERRED) {
      b.Flow(fig::kReferralsMade, kNoKind, 1);
    } else if (p.state() == sv1::REFERRAL_STATE_COMPLETED) {
      b.Flow(fig::kReferralsCompleted, kNoKind, 1);
    }
    if (!p.client().empty()) b.Member(true, &IntegrasiKey, p.client());
  } else if (!absl::StartsWith(type, "kerjasosial.supervision.v1.") &&
             !absl::StartsWith(type, "kerjasosial.common.v1.")) {
    return Invalid(e, "not an event type of a supervision feed");
  }
  return absl::OkStatus();
}

// A state machine's stock: leaving `before` and entering `after` move the
// counter of each state that has one (`figure_of` gives it, or nullptr).
template <typename State>
void StateStock(Builder& b, State before, State after, int kind,
                const char* (*figure_of)(State)) {
  if (before == after) return;
  if (const char* f = figure_of(before)) b.Stock(f, kind, -1);
  if (const char* f = figure_of(after)) b.Stock(f, kind, 1);
}

const char* SiteFigure(pv1::SiteState s) {
  switch (s) {
    case pv1::SITE_STATE_ACTIVE:
      return fig::kSitesActive;
    case pv1::SITE_STATE_SUSPENDED:
      return fig::kSitesSuspended;
    default:
      return nullptr;
  }
}

const char* PlacementFigure(pv1::PlacementState s) {
  return s == pv1::PLACEMENT_STATE_ACTIVE ? fig::kActivePlacements : nullptr;
}

template <typename T>
absl::Status PlacementState(const Event& e, Builder& b) {
  KS_ASSIGN_OR_RETURN(auto p, Unpack<T>(e));
  const pv1::PlacementFacts& f = p.facts();
  StateStock(b, f.previous_state(), f.state(), f.kind(), &PlacementFigure);
  return absl::OkStatus();
}

// ---- Agreements' dues: reports owed and evaluations ----

constexpr absl::CivilDay kDayZero(1970, 1, 1);
int64_t DayNumber(absl::CivilDay d) { return d - kDayZero; }
absl::CivilDay FromDayNumber(int64_t n) { return kDayZero + n; }

// The schedule an agreement counts as due, remembered per agreement.
struct AgreementDues {
  absl::CivilDay first;                      // first day in force
  absl::CivilDay last;                       // last day in force
  int months = 0;                            // months per reporting period
  int due_days = 0;                          // report due days after a period
  std::optional<absl::CivilDay> evaluation;  // next evaluation counted due
};

std::string AgreementField(const std::string& agreement,
                           absl::string_view what) {
  return absl::StrCat(agreement, "|", what);
}

void RememberDues(Builder& b, const std::string& agreement,
                  const AgreementDues& d) {
  b.Remember(kAgreementMemoryKey, AgreementField(agreement, "first"),
             DayNumber(d.first));
  b.Remember(kAgreementMemoryKey, AgreementField(agreement, "last"),
             DayNumber(d.last));
  b.Remember(kAgreementMemoryKey, AgreementField(agreement, "months"),
             d.months);
  b.Remember(kAgreementMemoryKey, AgreementField(agreement, "due_days"),
             d.due_days);
  b.Remember(kAgreementMemoryKey, AgreementField(agreement, "evaluation"),
             d.evaluation ? DayNumber(*d.evaluation) : 0);
}

// nullopt when the agreement was never counted (its activation came before
// reporting counted dues, or was not seen).
absl::StatusOr<std::optional<AgreementDues>> RecallDues(
    const PriorLookup& prior, const std::string& agreement) {
  auto read = [&](absl::string_view what) {
    return ReadPrior(prior, kAgreementMemoryKey,
                     AgreementField(agreement, what),
                     "the agreement's counted dues");
  };
  KS_ASSIGN_OR_RETURN(const int64_t months, read("months"));
  if (months <= 0) return std::nullopt;
  AgreementDues d;
  d.months = static_cast<int>(months);
  KS_ASSIGN_OR_RETURN(const int64_t first, read("first"));
  KS_ASSIGN_OR_RETURN(const int64_t last, read("last"));
  KS_ASSIGN_OR_RETURN(const int64_t due_days, read("due_days"));
  KS_ASSIGN_OR_RETURN(const int64_t evaluation, read("evaluation"));
  d.first = FromDayNumber(first);
  d.last = FromDayNumber(last);
  d.due_days = static_cast<int>(due_days);
  if (evaluation != 0) d.evaluation = FromDayNumber(evaluation);
  return d;
}

// Each report owed for the periods overlapping [from, to], at its due day.
void ReportsDue(Builder& b, const AgreementDues& d, absl::CivilDay from,
                absl::CivilDay to, int amount) {
  for (const policy::ReportPeriod& period :
       policy::PeriodsOverlapping(from, to, d.months)) {
    b.Flow(fig::kReportsDue, 0, amount,
           policy::ReportDueDay(period, d.due_days));
  }
}

absl::Status AgreementDuesActivated(const Event& e,
                                    const pv1::CooperationAgreementActivated& p,
                                    Builder& b, const PriorLookup& prior) {
  // A publisher older than the schedule (no dates, period or due days)
  // still counts the agreement in force; it owes nothing reporting knows of.
  if (!IsSet(p.effective_date()) || !IsSet(p.expiry_date())) {
    return absl::OkStatus();
  }
  KS_ASSIGN_OR_RETURN(std::optional<AgreementDues> counted,
                      RecallDues(prior, e.aggregate_name()));
  if (counted) return absl::OkStatus();  // activated once
  AgreementDues d;
  d.first = FromDate(p.effective_date());
  d.last = FromDate(p.expiry_date());
  d.months = policy::MonthsPerPeriod(p.reporting_period());
  d.due_days = p.report_due_days();
  if (d.months == 0 || d.last < d.first) return absl::OkStatus();
  ReportsDue(b, d, d.first, d.last, 1);
  if (IsSet(p.next_evaluation_due_date()) &&
      FromDate(p.next_evaluation_due_date()) <= d.last) {
    d.evaluation = FromDate(p.next_evaluation_due_date());
    b.Flow(fig::kEvaluationsDue, 0, 1, *d.evaluation);
  }
  RememberDues(b, e.aggregate_name(), d);
  return absl::OkStatus();
}

// An evaluation held before the one counted due cancels that due; one held
// on or after it leaves it counted (it fell due). The next is then due.
absl::Status AgreementEvaluated(const Event& e,
                                const pv1::CooperationAgreementEvaluated& p,
                                Builder& b, const PriorLookup& prior) {
  KS_ASSIGN_OR_RETURN(std::optional<AgreementDues> d,
                      RecallDues(prior, e.aggregate_name()));
  if (!d) return absl::OkStatus();
  const absl::CivilDay held = b.DayOr(p.evaluated_date());
  if (d->evaluation && held < *d->evaluation) {
    b.Flow(fig::kEvaluationsDue, 0, -1, *d->evaluation);
  }
  d->evaluation.reset();
  if (IsSet(p.next_evaluation_due_date()) &&
      FromDate(p.next_evaluation_due_date()) <= d->last) {
    d->evaluation = FromDate(p.next_evaluation_due_date());
    b.Flow(fig::kEvaluationsDue, 0, 1, *d->evaluation);
  }
  RememberDues(b, e.aggregate_name(), *d);
  return absl::OkStatus();
}

// Ending before the expiry date takes back the reports of the periods that
// start after the last day in force, and an evaluation not yet due.
absl::Status AgreementEnded(const Event& e,
                            const pv1::CooperationAgreementEnded& p, Builder& b,
                            const PriorLookup& prior) {
  KS_ASSIGN_OR_RETURN(std::optional<AgreementDues> d,
                      RecallDues(prior, e.aggregate_name()));
  if (!d) return absl::OkStatus();
  const absl::CivilDay end = b.DayOr(p.end_date());
  if (end >= d->last) return absl::OkStatus();
  // The period holding the last day in force still owes its report.
  const absl::CivilDay keep_to =
      end < d->first ? d->first - 1
                     : policy::PeriodHolding(end, d->months).last;
  if (keep_to < d->last) {
    ReportsDue(b, *d, std::max(keep_to + 1, d->first), d->last, -1);
  }
  if (d->evaluation && *d->evaluation > end) {
    b.Flow(fig::kEvaluationsDue, 0, -1, *d->evaluation);
    d->evaluation.reset();
  }
  d->last = end;
  RememberDues(b, e.aggregate_name(), *d);
  return absl::OkStatus();
}

absl::Status PlacementsEffect(const Event& e, Builder& b,
                              const PriorLookup& prior) {
  const std::string& type = e.event_type();
  constexpr int kNoKind = 0;  // sites and agreements serve both kinds
  if (type == "kerjasosial.placements.v1.SiteChanged") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<pv1::SiteChanged>(e));
    StateStock(b, p.previous_state(), p.state(), kNoKind, &SiteFigure);
    // Capacity counts for ACTIVE sites only; the change is against what
    // this site counted before (remembered, the event does not say it).
    const int64_t now =
        p.state() == pv1::SITE_STATE_ACTIVE ? std::max(p.capacity(), 0) : 0;
    KS_ASSIGN_OR_RETURN(const int64_t before,
                        ReadPrior(prior, kSiteCapacityKey, e.aggregate_name(),
                                  "the site's counted capacity"));
    b.Stock(fig::kCapacity, kNoKind, now - before);
    b.Remember(kSiteCapacityKey, e.aggregate_name(), now);
  } else if (type ==
             "kerjasosial.placements.v1.CooperationAgreementActivated") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<pv1::CooperationAgreementActivated>(e));
    b.Stock(fig::kAgreementsInForce, kNoKind, 1);
    KS_RETURN_IF_ERROR(AgreementDuesActivated(e, p, b, prior));
  } else if (type ==
             "kerjasosial.placements.v1.CooperationAgreementEvaluated") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<pv1::CooperationAgreementEvaluated>(e));
    KS_RETURN_IF_ERROR(AgreementEvaluated(e, p, b, prior));
  } else if (type == "kerjasosial.placements.v1.CooperationAgreementEnded") {
    // Only an agreement in force ends (expires or is terminated).
    KS_ASSIGN_OR_RETURN(auto p, Unpack<pv1::CooperationAgreementEnded>(e));
    b.Stock(fig::kAgreementsInForce, kNoKind, -1);
    KS_RETURN_IF_ERROR(AgreementEnded(e, p, b, prior));
  } else if (type == "kerjasosial.placements.v1.PeriodicReportSubmitted") {
    KS_ASSIGN_OR_RETURN(auto p, Unpack<pv1::PeriodicReportSubmitted>(e));
    b.Flow(fig::kPeriodicReports, kNoKind, 1);
    if (p.on_time() && IsSet(p.due_date())) {
      b.Flow(fig::kReportsOnTime, kNoKind, 1, FromDate(p.due_date()));
    }
  } else if (type == "kerjasosial.placements.v1.PlacementCreated") {
    return PlacementState<pv1::PlacementCreated>(e, b);
  } else if (type == "kerjasosial.placements.v1.PlacementChanged") {
    return PlacementState<pv1::PlacementChanged>(e, b);
  } else if (type == "kerjasosial.placements.v1.PlacementStarted") {
    return PlacementState<pv1::PlacementStarted>(e, b);
  } else if (type == "kerjasosial.placements.v1.PlacementSuspended") {
    return PlacementState<pv1::PlacementSuspended>(e, b);
  } else if (type == "kerjasosial.placements.v1.PlacementEnded") {
    return PlacementState<pv1::PlacementEnded>(e, b);
  } else if (type == "kerjasosial.placements.v1.PlacementCancelled") {
    return PlacementState<pv1::PlacementCancelled>(e, b);
  } else if (!absl::StartsWith(type, "kerjasosial.placements.v1.") &&
             !absl::StartsWith(type, "kerjasosial.common.v1.")) {
    return Invalid(e, "not an event type of a placements feed");
  }
  return absl::OkStatus();
}

}  // namespace

int DaysBucket(int64_t days) {
  if (days < 0) days = 0;
  return static_cast<int>(
      std::min<int64_t>(days / kDaysBucketWidth, kDaysBuckets - 1));
}

std::string Field(absl::string_view figure, int kind) {
  return absl::StrCat(figure, "|", kind);
}
std::string StateFigure(int case_state) {
  return absl::StrCat("state:", case_state);
}
std::string OutcomeFigure(int outcome_kind, int extent) {
  return absl::StrCat("outcome:", outcome_kind, ":", extent);
}
std::string DaysFigure(int bucket) { return absl::StrCat("dtc:", bucket); }

std::vector<std::string> ScopesOf(absl::string_view regency_code) {
  return {"N", absl::StrCat("P:", regency_code.substr(0, 2)),
          absl::StrCat("R:", regency_code)};
}

std::string MonthBucket(absl::CivilDay day) {
  return absl::StrFormat("M:%04d-%02d", day.year(), day.month());
}

std::string WeekBucket(absl::CivilDay day) {
  return absl::StrCat("W:", absl::FormatCivilTime(absl::PrevWeekday(
                                day + 1, absl::Weekday::monday)));
}

absl::CivilDay BucketStart(Granularity g, absl::CivilDay day) {
  if (g == kerjasosial::reporting::v1::GRANULARITY_WEEK) {
    return absl::PrevWeekday(day + 1, absl::Weekday::monday);
  }
  return absl::CivilDay(absl::CivilMonth(day));
}

absl::CivilDay BucketEnd(Granularity g, absl::CivilDay day) {
  if (g == kerjasosial::reporting::v1::GRANULARITY_WEEK) {
    return BucketStart(g, day) + 6;
  }
  return absl::CivilDay(absl::CivilMonth(day) + 1) - 1;
}

std::string BucketName(Granularity g, absl::CivilDay day) {
  return g == kerjasosial::reporting::v1::GRANULARITY_WEEK ? WeekBucket(day)
                                                           : MonthBucket(day);
}

std::string AllTimeKey(absl::string_view scope) {
  return absl::StrCat("agg:", scope);
}
std::string BucketKey(absl::string_view scope, absl::string_view bucket) {
  return absl::StrCat("agg:", scope, ":", bucket);
}
std::string BucketListKey(absl::string_view scope, Granularity g) {
  return absl::StrCat(
      "agg:", scope,
      g == kerjasosial::reporting::v1::GRANULARITY_WEEK ? ":weeks" : ":months");
}
std::string AtRiskKey(absl::string_view scope) {
  return absl::StrCat("atrisk:", scope);
}
std::string OverdueKey(absl::string_view scope) {
  return absl::StrCat("overdue:", scope);
}
std::string PkLoadKey(absl::string_view scope) {
  return absl::StrCat("pkload:", scope);
}
std::string IntegrasiKey(absl::string_view scope) {
  return absl::StrCat("integrasi:", scope);
}

bool IsStockField(absl::string_view field) {
  for (const char* stock :
       {fig::kActive, fig::kSitesActive, fig::kSitesSuspended, fig::kCapacity,
        fig::kActivePlacements, fig::kAgreementsInForce, fig::kPkAssignments,
        fig::kPkHolders, fig::kPkHoldersOfKind, fig::kOwedMinutes}) {
    if (absl::StartsWith(field, absl::StrCat(stock, "|"))) return true;
  }
  return absl::StartsWith(field, "state:");
}

bool IsActiveState(int s) {
  return s != cv1::CASE_STATE_UNSPECIFIED && s != cv1::CASE_STATE_COMPLETED &&
         s != cv1::CASE_STATE_CONVERTED &&
         s != cv1::CASE_STATE_TRANSFERRED_OUT && s != cv1::CASE_STATE_CANCELLED;
}

absl::StatusOr<std::vector<Op>> EffectOf(
    const Event& event, UpstreamKind kind,
    const std::vector<std::string>& allowed_regencies,
    const PriorLookup& prior) {
  const std::string& regency = event.regency_code();
  if (regency.empty() && event.payload().type_url().empty()) {
    return std::vector<Op>();
  }
  // Before anything else reads it: a payload that carries personal data is
  // refused whole (its field path is reported, never its content).
  if (absl::Status decoded =
          DecodeWithoutPersonalData(event.payload()).status();
      !decoded.ok()) {
    return Invalid(event, decoded.message());
  }
  const std::string& url = event.payload().type_url();
  if (url.substr(url.rfind('/') + 1) != event.event_type()) {
    return Invalid(event, "event_type differs from the payload's type");
  }
  if (regency.empty()) {
    // Deployment-level events (audit checkpoints, snapshot ends) count in
    // no regency.
    return std::vector<Op>();
  }
  const regions::Regions& regions = regions::Regions::Get();
  absl::StatusOr<absl::TimeZone> zone = regions.TimeZone(regency);
  if (!zone.ok()) return Invalid(event, "regency_code is not a regency");
  if (!allowed_regencies.empty() &&
      std::find(allowed_regencies.begin(), allowed_regencies.end(), regency) ==
          allowed_regencies.end()) {
    return Invalid(event, "regency_code is outside the upstream's regencies");
  }
  if (!event.has_event_time()) return Invalid(event, "event_time is unset");
  const absl::CivilDay event_day = absl::ToCivilDay(
      absl::FromUnixSeconds(event.event_time().seconds()), *zone);
  Builder b(ScopesOf(regency), event_day);
  switch (kind) {
    case kerjasosial::reporting::v1::UPSTREAM_KIND_CASES:
      KS_RETURN_IF_ERROR(CaseEffect(event, b, prior));
      break;
    case kerjasosial::reporting::v1::UPSTREAM_KIND_SUPERVISION:
      KS_RETURN_IF_ERROR(SupervisionEffect(event, b, *zone, prior));
      break;
    case kerjasosial::reporting::v1::UPSTREAM_KIND_PLACEMENTS:
      KS_RETURN_IF_ERROR(PlacementsEffect(event, b, prior));
      break;
    default:
      return Invalid(event, "the upstream's kind is not set");
  }
  return b.Take();
}

}  // namespace ks::reporting::domain
