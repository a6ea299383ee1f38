#include "services/supervision/domain/ledger.h"

#include <algorithm>

namespace ks::supervision::domain {

LedgerTotals Summarize(int64_t target,
                       const std::vector<SessionCredit>& sessions,
                       int64_t carried) {
  LedgerTotals out;
  out.target = target;
  out.credited = carried;
  for (const SessionCredit& s : sessions) {
    out.credited += s.credited;
    out.excess += s.excess;
    if (s.credited > 0) ++out.sessions;
    for (const DayPart& part : s.days) {
      LedgerDayTotals& day = out.days[part.day];
      day.credited += part.credited;
      day.excess += part.worked - part.credited;
      ++day.sessions;
      for (const auto& [reason, minutes] : part.excess) {
        day.excess_by_reason[reason] += minutes;
      }
    }
  }
  out.owed = std::max<int64_t>(target - out.credited, 0);
  return out;
}

CompletionStep CompletionFor(bool announced, const LedgerTotals& totals) {
  const bool complete = totals.target > 0 && totals.credited >= totals.target;
  if (complete && !announced) return CompletionStep::kReached;
  if (!complete && announced) return CompletionStep::kWithdrawn;
  return CompletionStep::kNone;
}

bool IsOverdue(const LedgerTotals& totals, absl::Time deadline,
               absl::Time now) {
  return totals.owed > 0 && now >= deadline;
}

}  // namespace ks::supervision::domain
