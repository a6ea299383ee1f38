#include "services/supervision/domain/adjustment.h"

#include <algorithm>

#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/time/proto_time.h"
#include "google/protobuf/util/time_util.h"
#include "services/supervision/domain/span.h"

namespace ks::supervision::domain {
namespace {

namespace cv1 = ::kerjasosial::common::v1;
namespace sv1 = ::kerjasosial::supervision::v1;

using ::ks::ToProto;

bool Carries(sv1::AdjustmentKind kind) {
  return kind == sv1::ADJUSTMENT_KIND_REPEAT_ORDERED ||
         kind == sv1::ADJUSTMENT_KIND_TRANSFER_IN;
}

}  // namespace

int64_t CarriedMinutes(const HoursLedger& ledger) {
  int64_t carried = 0;
  for (const sv1::LedgerAdjustment& a : ledger.adjustments()) {
    if (a.kind() == sv1::ADJUSTMENT_KIND_REPEAT_ORDERED) carried = 0;
    if (Carries(a.kind())) carried += a.carried_minutes();
  }
  return std::clamp<int64_t>(carried, 0, ledger.target_minutes());
}

int64_t SessionTarget(const HoursLedger& ledger) {
  return std::max<int64_t>(ledger.target_minutes() - CarriedMinutes(ledger), 0);
}

bool Applied(const HoursLedger& ledger, absl::string_view source_id) {
  for (const sv1::LedgerAdjustment& a : ledger.adjustments()) {
    if (a.source_id() == source_id) return true;
  }
  return false;
}

void CheckAdjustment(const AdjustHoursLedgerRequest& req, Validator& v) {
  const sv1::AdjustmentKind kind = req.kind();
  if (kind == sv1::ADJUSTMENT_KIND_UNSPECIFIED ||
      kind == sv1::ADJUSTMENT_KIND_INITIAL) {
    v.AddViolation("kind",
                   "is required and cannot be INITIAL (the target the "
                   "assignment opened the ledger with)");
  }
  if (req.target_minutes() < 0) {
    v.AddViolation("target_minutes", "must be 0 or more");
  } else if (kind == sv1::ADJUSTMENT_KIND_CASE_CLOSED &&
             req.target_minutes() != 0) {
    v.AddViolation("target_minutes", "must be 0 with CASE_CLOSED");
  }
  if (req.carried_minutes() != 0 && !Carries(kind)) {
    v.AddViolation("carried_minutes",
                   "applies only to REPEAT_ORDERED and TRANSFER_IN");
  } else if (req.carried_minutes() < 0 ||
             (req.target_minutes() >= 0 &&
              req.carried_minutes() > req.target_minutes())) {
    v.AddViolation("carried_minutes", "must be between 0 and target_minutes");
  }
  const bool repeat = kind == sv1::ADJUSTMENT_KIND_REPEAT_ORDERED;
  if (repeat) {
    if (v.Required("span_start_date", req.has_span_start_date())) {
      v.Date("span_start_date", req.span_start_date());
    }
  } else if (req.has_span_start_date()) {
    v.AddViolation("span_start_date", "applies only to REPEAT_ORDERED");
  }
  if (req.span_days() < 0) {
    v.AddViolation("span_days", "must be 0 (the policy's span) or more");
  } else if (req.span_days() > 0 && !repeat) {
    v.AddViolation("span_days", "applies only to REPEAT_ORDERED");
  }
  v.RequiredString("source_id", req.source_id());
}

absl::StatusOr<HoursLedger> Apply(const HoursLedger& ledger,
                                  const AdjustHoursLedgerRequest& req,
                                  absl::Time now, absl::TimeZone zone,
                                  const cv1::PolicyVersion& policy) {
  if (ledger.state() == sv1::LEDGER_STATE_CLOSED) {
    return FailedPreconditionError(
        "the ledger is CLOSED: the case left community work", "LEDGER_STATE",
        ledger.name(), "LEDGER_CLOSED");
  }
  HoursLedger next = ledger;
  next.set_target_minutes(req.target_minutes());
  sv1::LedgerAdjustment* a = next.add_adjustments();
  a->set_kind(req.kind());
  a->set_target_minutes(req.target_minutes());
  a->set_carried_minutes(req.carried_minutes());
  a->set_source_id(req.source_id());
  *a->mutable_time() = ToProto(now);
  if (req.kind() == sv1::ADJUSTMENT_KIND_REPEAT_ORDERED) {
    KS_ASSIGN_OR_RETURN(absl::CivilDay first,
                        CivilDayFromDate(req.span_start_date()));
    const absl::Time start = StartOfDay(first, zone);
    const bool child =
        ledger.kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
    const absl::Time deadline = req.span_days() > 0
                                    ? StartOfDay(first + req.span_days(), zone)
                                    : SpanDeadline(start, zone, policy, child);
    *next.mutable_span_start_time() = ToProto(start);
    *next.mutable_deadline_time() = ToProto(deadline);
    *a->mutable_deadline_time() = next.deadline_time();
    // The new span has not been missed yet; Recompute() re-decides it.
    next.set_overdue(false);
  }
  if (req.kind() == sv1::ADJUSTMENT_KIND_CASE_CLOSED) {
    // Frozen as it stands: nothing is owed any more, and no completion is
    // announced or withdrawn (the handler does not re-allocate it).
    next.set_state(sv1::LEDGER_STATE_CLOSED);
    next.set_owed_minutes(0);
    next.set_at_risk(false);
    next.set_overdue(false);
  }
  return next;
}

}  // namespace ks::supervision::domain
