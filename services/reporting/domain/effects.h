// The effect of one upstream event on reporting's aggregates, as a list of
// counter operations: pure (no Redis, no clock), so every figure's rule is
// unit-tested on its own (effects_test.cc).
//
// Aggregates. Every figure is kept per scope — the nation ("N"), a province
// ("P:64") and a regency ("R:64.01") — in three kinds of hash:
//   agg:<scope>              all time: flows since the start, stocks now;
//   agg:<scope>:M:<YYYY-MM>  one calendar month;
//   agg:<scope>:W:<YYYY-MM-DD of the ISO week's Monday>  one ISO week.
// A field is "<figure>|<kind>", kind being the SentenceKind number ("0" when
// the feed does not say, e.g. a work session). Flows (registered, credited
// minutes...) add to the bucket of their business date: a decision on the
// decision's date, a session on the session's local date, the rest on the
// local date of the event's time in its regency's zone, so a late entry
// lands in its own month. Stocks (cases by state, active cases) change in
// the all-time hash and, as a delta, in the bucket of the change; a stock's
// value at a bucket's end is then the all-time value less the deltas of the
// buckets after it (aggregate_store.h). The buckets a scope has are listed
// in agg:<scope>:months / :weeks, so that sum costs one read per bucket,
// never one per case.
//
// Snapshots (a cases upstream trimmed past our cursor, so its feed restarts
// from each case's current state, CaseStateSnapshot): the case's state and
// kind replace what it counted (kCaseMemoryKey), so stocks (cases by state,
// active cases) come out exact and applying a snapshot twice changes
// nothing. The snapshot names no business dates, prison days or fines, so
// the flows of trimmed events cannot be recovered from it.
//
// At-risk and overdue cases are flags a feed states absolutely (the case's
// progress event says "at risk", not "one more at risk"), so they are kept
// as sets of case resource names per scope (SADD/SREM are idempotent) and
// counted with SCARD. Case names are opaque ids, not personal data.
//
// Errors: INVALID_ARGUMENT for an event reporting cannot trust (a payload
// that does not unpack, a regency that does not exist, a type foreign to the
// upstream's kind); the consumer counts it as rejected and skips it.
#ifndef KS_SERVICES_REPORTING_DOMAIN_EFFECTS_H_
#define KS_SERVICES_REPORTING_DOMAIN_EFFECTS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "kerjasosial/common/v1/event.pb.h"
#include "kerjasosial/reporting/v1/resources.pb.h"

namespace ks::reporting::domain {

// One Redis command on a key relative to the service's key prefix.
struct Op {
  // kIncr: HINCRBY key member amount; kHashSet: HSET key member amount.
  enum class Kind { kIncr, kSetAdd, kSetRemove, kHashSet };
  Kind kind;
  std::string key;
  std::string member;  // hash field or set member
  int64_t amount = 0;  // kIncr only
  bool operator==(const Op& o) const {
    return kind == o.kind && key == o.key && member == o.member &&
           amount == o.amount;
  }
};

// Field names of the figures (see the file comment for "<figure>|<kind>").
namespace fig {
inline constexpr char kRegistered[] = "registered";
inline constexpr char kHandedOver[] = "handed_over";
inline constexpr char kCompleted[] = "completed";
inline constexpr char kBreached[] = "breached";
inline constexpr char kConverted[] = "converted";
inline constexpr char kCancelled[] = "cancelled";
inline constexpr char kSentencedHours[] = "sentenced_hours";
inline constexpr char kCreditedMinutes[] = "credited_minutes";
inline constexpr char kSessions[] = "sessions";
inline constexpr char kViolations[] = "violations";
inline constexpr char kWarnings[] = "warnings";
inline constexpr char kPrisonDays[] = "prison_days_averted";
inline constexpr char kFines[] = "fines_replaced";
// Completed cases that replaced a fine (what kFines rests on).
inline constexpr char kFinedCompleted[] = "fined_completed";
inline constexpr char kActive[] = "active";  // stock
// Minutes still owed by open ledgers (stock; METRIC_OWED_HOURS / 60).
inline constexpr char kOwedMinutes[] = "owed_minutes";
// Placements (stocks unless marked).
inline constexpr char kSitesActive[] = "sites_active";
inline constexpr char kSitesSuspended[] = "sites_suspended";
inline constexpr char kCapacity[] = "capacity";  // of ACTIVE sites
inline constexpr char kActivePlacements[] = "active_placements";
inline constexpr char kAgreementsInForce[] = "agreements_in_force";
inline constexpr char kPeriodicReports[] = "periodic_reports";  // flow
// Flows bucketed by the due date (local), future buckets included: the
// reports an agreement owes (one per reporting period overlapping its days
// in force, common/policy/reporting_periods.h), those submitted by their due
// date, and agreement evaluations falling due while in force.
inline constexpr char kReportsDue[] = "periodic_reports_due";
inline constexpr char kReportsOnTime[] = "periodic_reports_on_time";
inline constexpr char kEvaluationsDue[] = "evaluations_due";
// Supervision.
inline constexpr char kPkAssignments[] = "pk_assignments";  // stock
// Distinct PKs holding at least one ACTIVE assignment in the scope (stock,
// kind 0 only: a PK holding adult and child cases counts once), and those
// holding at least one of a kind (stock, kinds 1 and 2). The PK caseload is
// kPkAssignments over these, so it is the true mean per PK, not a sum of
// regencies' means.
inline constexpr char kPkHolders[] = "pk_holders";
inline constexpr char kPkHoldersOfKind[] = "pk_holders_of_kind";
inline constexpr char kGuidance[] = "guidance_sessions";              // flow
inline constexpr char kReferralsMade[] = "referrals_made";            // flow
inline constexpr char kReferralsCompleted[] = "referrals_completed";  // flow
inline constexpr char kLitmas[] = "litmas_submitted";                 // flow
// "state:<CaseState number>" (stock), "outcome:<kind>:<extent>" (flow),
// "dtc:<histogram bucket index>" (flow).
}  // namespace fig

// Days-to-complete histogram: buckets of 15 days up to 180, then one open
// bucket (Figures.days_to_complete).
inline constexpr int kDaysBucketWidth = 15;
inline constexpr int kDaysBuckets = 13;
int DaysBucket(int64_t days);

// "<figure>|<kind>".
std::string Field(absl::string_view figure, int kind);
std::string StateFigure(int case_state);
std::string OutcomeFigure(int outcome_kind, int extent);
std::string DaysFigure(int bucket);

// The scopes a regency's figures count in: {"N", "P:64", "R:64.01"}.
std::vector<std::string> ScopesOf(absl::string_view regency_code);
// "M:2026-11" and "W:2026-11-30" (the Monday of the ISO week of `day`).
std::string MonthBucket(absl::CivilDay day);
std::string WeekBucket(absl::CivilDay day);
// The first and last day of the bucket holding `day`.
absl::CivilDay BucketStart(kerjasosial::reporting::v1::Granularity g,
                           absl::CivilDay day);
absl::CivilDay BucketEnd(kerjasosial::reporting::v1::Granularity g,
                         absl::CivilDay day);
std::string BucketName(kerjasosial::reporting::v1::Granularity g,
                       absl::CivilDay day);
// Keys: "agg:<scope>", "agg:<scope>:<bucket>", "agg:<scope>:months|weeks",
// "atrisk:<scope>", "overdue:<scope>".
std::string AllTimeKey(absl::string_view scope);
std::string BucketKey(absl::string_view scope, absl::string_view bucket);
std::string BucketListKey(absl::string_view scope,
                          kerjasosial::reporting::v1::Granularity g);
std::string AtRiskKey(absl::string_view scope);
std::string OverdueKey(absl::string_view scope);
// Program-integrasi clients seen in the scope's guidance or referrals (a set
// of client resource names, opaque ids like case names), counted with SCARD.
std::string IntegrasiKey(absl::string_view scope);
// The capacity each site counts now (hash: site name -> capacity if ACTIVE,
// else 0). SiteChanged states a site's new capacity, not the one counted
// before, so the change of the capacity figure needs this memory.
inline constexpr char kSiteCapacityKey[] = "sitecap";
// The ACTIVE assignments each PK holds in a scope (hash per scope:
// "<pk principal id>" -> count, and "<pk principal id>|<kind>" -> count of
// that kind), so that kPkHolders moves exactly when a PK's count leaves or
// reaches 0. Principal ids are opaque ids, not personal data.
std::string PkLoadKey(absl::string_view scope);
// The owed minutes each supervision ledger counts now (hash: ledger name ->
// minutes, "<ledger>|v" -> the snapshot version they came from). Every
// ledger event carries the ledger's absolute owed minutes, so the figure
// moves by the difference, and an older snapshot than the one held is
// skipped.
inline constexpr char kOwedMemoryKey[] = "owed";
// What each case counts now in the stocks (hash: case name -> version *
// 10000 + kind * 100 + state), kept by every case event, so that a snapshot
// event (the case's state, not a change) can replace the case's counted
// state idempotently and skip a state older than the one counted.
inline constexpr char kCaseMemoryKey[] = "casestate";
// The schedule each agreement counts as due (hash: "<agreement>|<what>" ->
// day number since 1970-01-01 for first/last day in force and the next
// evaluation, or the period's months and the report due days), so that an
// early end or an evaluation takes back exactly the dues it cancels.
inline constexpr char kAgreementMemoryKey[] = "agreement";
// Every key (or key pattern) of what reporting remembers to count right;
// a rebuild clears them with the aggregates.
inline constexpr const char* kMemoryKeys[] = {kSiteCapacityKey, kOwedMemoryKey,
                                              kCaseMemoryKey,
                                              kAgreementMemoryKey, "pkload:*"};

// Reads a value reporting stored earlier (HGET key field as an integer, 0
// when absent). A failure to read is transient (UNAVAILABLE).
using PriorLookup = std::function<absl::StatusOr<int64_t>(
    const std::string& key, const std::string& field)>;

// Whether a counter field holds a stock (value now) rather than a flow.
bool IsStockField(absl::string_view field);

// Whether a case in `state` is still running (not a terminal state).
bool IsActiveState(int case_state);

// The ops of `event`, received from an upstream of `kind` that may only
// send the regencies in `allowed_regencies` (empty: any). An event type
// reporting does not count (e.g. a warning closed) yields no ops.
// `prior` reads the memory some figures need (kSiteCapacityKey,
// kCaseMemoryKey, kOwedMemoryKey, kAgreementMemoryKey, PkLoadKey); without it
// nothing is remembered (0).
absl::StatusOr<std::vector<Op>> EffectOf(
    const kerjasosial::common::v1::Event& event,
    kerjasosial::reporting::v1::UpstreamKind kind,
    const std::vector<std::string>& allowed_regencies,
    const PriorLookup& prior = nullptr);

}  // namespace ks::reporting::domain

#endif  // KS_SERVICES_REPORTING_DOMAIN_EFFECTS_H_
