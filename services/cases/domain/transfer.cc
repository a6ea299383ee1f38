#include "services/cases/domain/transfer.h"

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "services/cases/domain/citations.h"
#include "services/cases/domain/eligibility.h"
#include "services/cases/domain/internal.h"
#include "services/cases/domain/privacy.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
using internal::AddEvent;
using internal::Begin;
using internal::BeginCommand;
using internal::kMaxCodeText;
using internal::SetState;

}  // namespace

absl::StatusOr<Transition> TransferCase(const Case& c,
                                        const v1::TransferCaseRequest& req,
                                        absl::string_view destination_case,
                                        const CommandContext& ctx) {
  absl::Status st = CheckTransition(c.state(), Action::kTransfer, c.name());
  if (!st.ok()) return st;
  Validator v;
  const v1::Transfer& tr = req.transfer();
  if (v.Required("transfer", req.has_transfer())) {
    if (v.RegencyCode("transfer.destination_regency_code",
                      tr.destination_regency_code()) &&
        tr.destination_regency_code() == c.regency_code()) {
      v.AddViolation("transfer.destination_regency_code",
                     "must differ from the case's regency");
    }
    if (!internal::IsTaxonomyCode(tr.reason_code())) {
      v.AddViolation("transfer.reason_code",
                     tr.reason_code().empty()
                         ? "is required"
                         : "must match [a-z][a-z0-9_]*, at most 64 characters");
    }
    if (tr.destination_address().size() > kMaxCodeText * 5) {
      v.AddViolation("transfer.destination_address", "is too long");
    }
  }
  st = v.Finish();
  if (!st.ok()) return st;
  Transition t = BeginCommand(c, "TransferCase", ctx);
  SetState(t, v1::CASE_STATE_TRANSFERRED_OUT);
  v1::Transfer* stored = t.after.mutable_transfer();
  *stored = tr;
  stored->set_destination_case(std::string(destination_case));
  *stored->mutable_record_time() = internal::ToProto(ctx.now);
  *stored->mutable_transferred_by() = ctx.actor;
  // The destination's supervision opens its ledger with these minutes; the
  // transfer id defaults to the request's (resources.proto, Transfer).
  stored->set_credited_minutes(c.progress().credited_minutes());
  if (stored->transfer_id().empty()) stored->set_transfer_id(ctx.request_id);
  t.history.add_changed_fields("transfer");
  v1::CaseTransferred ev;
  *ev.mutable_facts() = Facts(t.after, c.state());
  ev.set_destination_regency_code(tr.destination_regency_code());
  ev.set_destination_case(std::string(destination_case));
  ev.set_credited_minutes(stored->credited_minutes());
  ev.set_transfer_id(stored->transfer_id());
  ev.set_reason_code(stored->reason_code());
  AddEvent(t, ev, ctx.now);
  return t;
}

absl::StatusOr<Transition> ReceiveTransferredCase(
    const Case& source, absl::string_view name, absl::string_view regency_code,
    const CommandContext& ctx) {
  Case c = source;
  c.set_name(std::string(name));
  c.set_regency_code(std::string(regency_code));
  c.set_transferred_from(source.name());
  c.clear_transfer();
  c.clear_handover();
  c.clear_cancellation();
  c.clear_completion();
  c.clear_etag();
  // Credited minutes and the deadline stay; the supervision links do not
  // (the person is handed over again in the new regency).
  v1::Progress* p = c.mutable_progress();
  p->clear_placement();
  p->clear_pk_assignment();
  p->clear_source_cursor();
  p->clear_source_event_time();
  p->clear_at_risk();
  c.set_state(v1::CASE_STATE_UNSPECIFIED);
  c.set_version(0);
  *c.mutable_create_time() = internal::ToProto(ctx.now);
  Transition t = Begin(c, absl::StrCat(kMethodPrefix, "TransferCase"),
                       ctx.request_id, &ctx.actor, ctx.now);
  SetState(t, source.has_execution_order() ? v1::CASE_STATE_EXECUTION_ORDERED
                                           : v1::CASE_STATE_REGISTERED);
  v1::CaseRegistered ev;
  *ev.mutable_facts() = Facts(t.after, v1::CASE_STATE_UNSPECIFIED);
  *ev.mutable_final_date() = t.after.decision().final_date();
  ev.set_max_prison_threat_months(t.after.offence().max_prison_threat_months());
  ev.set_transferred_from(source.name());
  AddEvent(t, ev, ctx.now);
  return t;
}

}  // namespace ks::cases::domain
