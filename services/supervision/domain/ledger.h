// The hours ledger of one case as a pure function of its entries
// (DESIGN §7: "the ledger always equals the sum of its entries"), and the
// completion and at-risk/overdue decisions taken from it.
//
// A ledger is never incremented in place: Summarize() recomputes it from the
// allocation of the live sessions (credit.h) and the adjustments each time
// the case changes, so a void, a late entry or an adjustment cannot leave a
// stale total behind.
//
// Completion (exactly once): the stored ledger state carries whether
// completion was announced. CompletionStep() compares it with the new totals
// and says whether to announce it now (credited reached the target),
// withdraw it (a void took credit back below the target), or nothing. The
// store commits the state and its event in one outbox step, so a retry or a
// crash between the two cannot announce it twice.
//
// Thread-safe (no shared state).
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_LEDGER_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_LEDGER_H_

#include <cstdint>
#include <map>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/supervision/domain/credit.h"

namespace ks::supervision::domain {

struct LedgerDayTotals {
  int64_t credited = 0;
  int64_t excess = 0;
  int32_t sessions = 0;  // sessions with minutes on that day
  std::map<ExcessReason, int64_t> excess_by_reason;
};

struct LedgerTotals {
  int64_t target = 0;
  int64_t credited = 0;
  int64_t excess = 0;
  int64_t owed = 0;      // max(target - credited, 0)
  int32_t sessions = 0;  // sessions with credited minutes
  std::map<absl::CivilDay, LedgerDayTotals> days;
};

// The ledger of `target` minutes over the allocation of its live sessions
// and the minutes `carried` in by adjustments (adjustment.h), which count as
// credit on no day.
LedgerTotals Summarize(int64_t target,
                       const std::vector<SessionCredit>& sessions,
                       int64_t carried = 0);

enum class CompletionStep { kNone, kReached, kWithdrawn };

// What changes about completion when a ledger that had (`announced`) or had
// not announced completion now has `totals`.
CompletionStep CompletionFor(bool announced, const LedgerTotals& totals);

// Overdue: the deadline passed (now >= deadline) with minutes owed.
bool IsOverdue(const LedgerTotals& totals, absl::Time deadline, absl::Time now);

}  // namespace ks::supervision::domain

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_LEDGER_H_
