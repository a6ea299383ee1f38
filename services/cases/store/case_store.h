// CaseStore: the cases service's Redis layout, on top of common/outbox.
//
// Every change of a case is ONE outbox transaction: the case record, the
// secondary indexes it enters and leaves, its history entries, the
// court+decision uniqueness claim, the audit entry, the feed events and the
// idempotency entry of the request — all or nothing (see outbox.h). A stale
// expected version is ABORTED and nothing is written.
//
// Keys (relative to the deployment's prefix, e.g. "ks:{cases}:"):
//   case:<regency>:<id>            the record: serialized Case (with the
//                                  person: personal data is stored here
//                                  once, and nowhere else)
//   decision:<sha256(court|number)> uniqueness claim of a court decision;
//                                  its data is the case's resource name
//   transfer:<sha256(source|id)>   claim of a transfer received from
//                                  another deployment, on the source case
//                                  and the transfer id; its data is the
//                                  received case's resource name
//   hist:<regency>:<id>            sorted set, score = case version, member
//                                  = serialized CaseHistoryEntry
//   idx:<scope>:created            every case
//   idx:<scope>:state:<n>          by CaseState number
//   idx:<scope>:kind:<n>           by SentenceKind number
//   idx:<scope>:at_risk            cases flagged at risk
//   idx:<scope>:overdue            cases flagged overdue
//   idx:<scope>:deadline           cases with a deadline, ordered by it
//   idx:<scope>:updated            every case, ordered by update_time
// where <scope> is "g" (the whole deployment, for `regencies/-`) or
// "r:<regency>". Index sorted sets have score 0 and are ordered by member
// (ZRANGEBYLEX): "<id>:<regency>" (ids are time-sortable, so this is
// creation order), and "<16-digit ms>:<id>:<regency>" for the deadline and
// updated indexes. Index members hold ids only, never personal data.
//
// Thread-safe: the store holds no mutable state; Redis orders the scripts.
#ifndef KS_SERVICES_CASES_STORE_CASE_STORE_H_
#define KS_SERVICES_CASES_STORE_CASE_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/audit/audit.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/common/v1/event.pb.h"

namespace ks::cases::store {

// "regencies/{regency}/cases/{case}" split in its parts.
struct CaseName {
  std::string regency;
  std::string id;
  std::string Name() const;
};

// INVALID_ARGUMENT naming `field` unless `name` is
// regencies/{regency}/cases/{case} with an existing regency.
absl::StatusOr<CaseName> ParseCaseName(absl::string_view name,
                                       absl::string_view field = "name");

// One case written by a transaction.
struct CaseWrite {
  // The case after the change. `name` must be set; `version`, `etag` are
  // filled by Commit (expected_version + 1).
  kerjasosial::cases::v1::Case after;
  // The stored case before the change; unset for a new case. Its index
  // memberships are removed when the new ones differ.
  std::optional<kerjasosial::cases::v1::Case> before;
  // 0: the case must not exist; else the version the change is based on.
  int64_t expected_version = 0;
  // Claim court + decision number (new registrations): a second case with
  // the same pair is ALREADY_EXISTS DECISION_ALREADY_REGISTERED. A change
  // whose `before` has another pair moves the claim without this flag.
  bool claim_decision = false;
  // History entries this change produced; `version` is filled by Commit.
  std::vector<kerjasosial::cases::v1::CaseHistoryEntry> history;
  // Feed events of this change; aggregate name/type/version/regency are
  // filled by Commit. No personal data (the caller builds them from facts).
  std::vector<kerjasosial::common::v1::Event> events;
};

struct Change {
  std::vector<CaseWrite> cases;
  // Idempotency (see outbox.h); empty request_id: none.
  std::string request_id;
  std::string fingerprint;
  std::optional<audit::Record> audit;
  // Extra records / index operations committed in the same step (e.g. the
  // supervision feed's applied cursor).
  std::vector<outbox::RecordWrite> extra_records;
  std::vector<outbox::IndexOp> extra_ops;
};

struct Committed {
  // The cases as committed (version/etag set), in the order of
  // Change.cases; on a replay, the first commit's response case only.
  std::vector<kerjasosial::cases::v1::Case> cases;
  bool replayed = false;
};

// A page of a list.
struct Page {
  std::vector<kerjasosial::cases::v1::Case> cases;
  // Index member of the last case returned; "" when there is no next page.
  std::string next_after;
  // Cases matching the query over all pages (AIP-158). Exact when no
  // residual predicate applies (the index's cardinality, one ZCARD) or when
  // this page scanned the whole index; otherwise an ESTIMATE: the index's
  // cardinality times the share of scanned records that matched, never less
  // than what is known to exist. Counting exactly would re-read every record
  // of the index on every page (O(N) per page at national scale).
  int64_t total_size = 0;
  bool total_size_exact = false;
};

struct ListQuery {
  // Relative index key, e.g. IndexKey("r:64.01", "created").
  std::string index;
  bool descending = false;
  // Exclusive start member (from a page token); "" = from the start.
  std::string after;
  int page_size = 50;
  // Optional residual filter; null admits every case.
  std::function<bool(const kerjasosial::cases::v1::Case&)> predicate;
};

class CaseStore {
 public:
  // `pool` and `writer` must outlive the store; the writer's key prefix is
  // the deployment's. Every read and write goes through the writer, which
  // owns the record layout.
  CaseStore(redis::Pool& pool, outbox::Writer& writer);
  CaseStore(const CaseStore&) = delete;
  CaseStore& operator=(const CaseStore&) = delete;

  // The case with version and etag set. NOT_FOUND naming the case.
  absl::StatusOr<kerjasosial::cases::v1::Case> Get(const CaseName& name);

  // The resource name of the case holding court + decision number, or
  // NOT_FOUND.
  absl::StatusOr<std::string> FindDecision(absl::string_view court_name,
                                           absl::string_view decision_number);

  // The outbox transaction of `change`; sets regency, version and etag of
  // every write's `after` and moves its history and events out. Records, the
  // decision claim (a lost claim is ALREADY_EXISTS
  // DECISION_ALREADY_REGISTERED {case: holder}, mapped by the outbox), index
  // moves, history, events; response = the first case as committed. The one
  // place a Change becomes a transaction.
  absl::StatusOr<outbox::Transaction> Plan(Change& change) const;

  // Commits `change` atomically (Plan, then the outbox). The stored response
  // (replayed to a retry) is the first case of the change. Errors as
  // outbox::Writer::Commit.
  absl::StatusOr<Committed> Commit(Change change);

  // The claim a transfer received from another deployment takes in the
  // step that creates `received_case`: a second receipt of (source case,
  // transfer id) is ALREADY_EXISTS TRANSFER_ALREADY_RECEIVED {case: holder},
  // so the destination creates one case per transfer however often it is
  // retried.
  static outbox::RecordWrite TransferClaim(absl::string_view source_case,
                                           absl::string_view transfer_id,
                                           absl::string_view received_case);

  // The case created by the transfer (source case, transfer id), or
  // NOT_FOUND.
  absl::StatusOr<std::string> FindTransfer(absl::string_view source_case,
                                           absl::string_view transfer_id);

  // One page of `query`, loading the records of the index members.
  absl::StatusOr<Page> List(const ListQuery& query);

  // History entries of a case with version > after_version, oldest first,
  // at most `limit` (+1 to know whether more exist: *more is set).
  absl::StatusOr<std::vector<kerjasosial::cases::v1::CaseHistoryEntry>> History(
      const CaseName& name, int64_t after_version, int limit, bool* more);

  // Relative keys (exposed for tests and for the service's index choice).
  static std::string RecordKey(const CaseName& name);
  static std::string HistoryKey(const CaseName& name);
  static std::string DecisionKey(absl::string_view court_name,
                                 absl::string_view decision_number);
  // `scope` is "g" or "r:<regency>"; `index` e.g. "created", "state:4".
  static std::string IndexKey(absl::string_view scope, absl::string_view index);
  static std::string TransferKey(absl::string_view source_case,
                                 absl::string_view transfer_id);

 private:
  redis::Pool& pool_;  // index and history reads only
  outbox::Writer& writer_;
};

// ErrorInfo reason of a second registration of one court decision.
inline constexpr absl::string_view kReasonDecisionAlreadyRegistered =
    "DECISION_ALREADY_REGISTERED";

// ErrorInfo reason of a transfer received twice (the ReceiveTransferredCase
// handler answers the first case instead).
inline constexpr absl::string_view kReasonTransferAlreadyReceived =
    "TRANSFER_ALREADY_RECEIVED";

// Aggregate type of case events.
inline constexpr absl::string_view kCaseAggregateType =
    "kerjasosial.cases.v1.Case";

}  // namespace ks::cases::store

#endif  // KS_SERVICES_CASES_STORE_CASE_STORE_H_
