// AdjustHoursLedger's rules (issue #10): transfer-in credit and the changes
// a court or cases orders (resources.proto AdjustmentKind). Pure.
//
// The ledger is the sum of its entries: the credit of its live sessions
// (credit.h) plus the minutes carried by adjustments. What is carried is
// read from the adjustment list, never kept as a running total:
//   - TRANSFER_IN carries the minutes credited at the sending deployment;
//   - REPEAT_ORDERED (KUHP Pasal 85(7)(a)) restarts the count: it carries
//     `carried_minutes` of the old credit (0 for a repeat of all) and opens a
//     new span, so sessions before it fall OUTSIDE_SPAN in the allocation and
//     stop counting; anything carried before it is replaced;
//   - FINE_PAYMENT and SENTENCE_CORRECTED change the target only;
//   - CASE_CLOSED sets the target to 0 and closes the ledger (frozen).
// Sessions can therefore credit at most target − carried minutes
// (SessionTarget), which is what the allocation and the planner count to.
//
// Applied once per source id: Apply() on a ledger that already lists the
// source id changes nothing (Applied()).
//
// Thread-safe (no shared state).
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_ADJUSTMENT_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_ADJUSTMENT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/validation/validator.h"
#include "kerjasosial/common/v1/policy.pb.h"
#include "kerjasosial/supervision/v1/resources.pb.h"
#include "kerjasosial/supervision/v1/supervision_service.pb.h"

namespace ks::supervision::domain {

using ::kerjasosial::supervision::v1::AdjustHoursLedgerRequest;
using ::kerjasosial::supervision::v1::HoursLedger;

// Minutes carried into the count by the ledger's adjustments (those since
// the last REPEAT_ORDERED, which replaces earlier ones), at most the target.
int64_t CarriedMinutes(const HoursLedger& ledger);

// Minutes the sessions may still credit: target − carried, never negative.
int64_t SessionTarget(const HoursLedger& ledger);

// Whether an adjustment with `source_id` was already applied.
bool Applied(const HoursLedger& ledger, absl::string_view source_id);

// Adds to `v` a violation naming each field the request's kind does not
// allow: kind (set, not INITIAL), target_minutes ≥ 0 (0 with CASE_CLOSED),
// carried_minutes 0..target_minutes (only REPEAT_ORDERED and TRANSFER_IN),
// span_start_date a valid date, required with REPEAT_ORDERED and only with
// it, span_days ≥ 0 (only REPEAT_ORDERED), source_id required.
void CheckAdjustment(const AdjustHoursLedgerRequest& req, Validator& v);

// `ledger` with the adjustment applied and listed (not yet recomputed:
// Recompute() then re-allocates the sessions against the new target and
// span). `zone` reads span_start_date; the policy gives a REPEAT's default
// span. FAILED_PRECONDITION LEDGER_CLOSED for a CLOSED ledger.
absl::StatusOr<HoursLedger> Apply(
    const HoursLedger& ledger, const AdjustHoursLedgerRequest& req,
    absl::Time now, absl::TimeZone zone,
    const ::kerjasosial::common::v1::PolicyVersion& policy);

}  // namespace ks::supervision::domain

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_ADJUSTMENT_H_
