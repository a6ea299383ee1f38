// One change of a case's hours, as records: the ledger and every work
// session whose allocation moved, recomputed from the set of live sessions
// (credit.h) — the step RecordWorkSession, RecordGroupSession and
// VoidWorkSession share. Pure: the store loads the inputs and commits the
// result in one outbox step conditional on the ledger's version, so two
// concurrent changes of one case cannot both credit the same window.
//
// Versions: each record's etag is outbox's "v<version>"; the result's
// records carry the etag they will have once committed (version + 1), and
// `expected_version` of each is the version it was read at.
//
// Thread-safe (no shared state).
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_HOURS_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_HOURS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kerjasosial/common/v1/policy.pb.h"
#include "kerjasosial/supervision/v1/events.pb.h"
#include "kerjasosial/supervision/v1/resources.pb.h"
#include "services/supervision/domain/credit.h"
#include "services/supervision/domain/ledger.h"

namespace ks::supervision::domain {

using ::kerjasosial::supervision::v1::HoursLedger;
using ::kerjasosial::supervision::v1::WorkSession;

struct SessionWrite {
  WorkSession session;  // as it will be stored (etag = next version)
  int64_t expected_version = 0;
};

struct HoursResult {
  HoursLedger ledger;  // etag = next version
  int64_t ledger_expected_version = 0;
  std::vector<SessionWrite> sessions;  // changed or new ones only
  CompletionStep completion = CompletionStep::kNone;
  // The first credited minute of the case appeared with this change.
  bool first_credit = false;
  LedgerTotals totals;
};

struct HoursContext {
  const ::kerjasosial::common::v1::PolicyVersion* policy = nullptr;
  std::function<bool(absl::CivilDay)> child_working_day;
  int32_t decision_hours_per_day = 0;  // 0: not fixed
  absl::Time now;
};

// Whether an outcome credits its time (ATTENDED_COMPLIED; SENT_HOME with
// credit_partial).
bool Creditable(const WorkSession& s);

// The credit computation's view of stored sessions (credit.h); a session
// whose zone is unknown is INVALID_ARGUMENT (a corrupt record).
absl::StatusOr<std::vector<SessionInput>> InputsOf(
    const std::vector<WorkSession>& sessions);

// Recomputes `ledger` over `live` (the case's RECORDED sessions, each with
// its stored etag; a new session with an empty etag). Sessions in `live`
// whose worked/credited/excess/day allocations change are returned, plus
// every session with an empty etag. INVALID_ARGUMENT for a malformed etag
// (a corrupt record).
absl::StatusOr<HoursResult> Recompute(const HoursContext& ctx,
                                      const HoursLedger& ledger,
                                      const std::vector<WorkSession>& live);

// The feed's view of a ledger (events carry it, never personal data).
::kerjasosial::supervision::v1::LedgerSnapshot SnapshotOf(
    const HoursLedger& ledger);

}  // namespace ks::supervision::domain

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_HOURS_H_
