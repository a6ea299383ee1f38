// The plain steps of a case's life: registration, execution order, handover
// to the Bapas, completion and cancellation (command.h for the table and the
// error conventions).
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_CASES_DOMAIN_TRANSITION_H_
#define KS_SERVICES_CASES_DOMAIN_TRANSITION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/cases/v1/cases_service.pb.h"
#include "services/cases/domain/command.h"

namespace ks::cases::domain {

// CreateCase: validates `input` (ValidateNewCase; warnings appended to
// `warnings`, may be null), clears its Output-only fields, sets name,
// regency_code, state REGISTERED, version 1, create/update time and the
// derived fields, and publishes CaseRegistered. `name` is the new resource
// name `regencies/{regency_code}/cases/{id}` chosen by the caller.
absl::StatusOr<Transition> RegisterCase(const Case& input,
                                        absl::string_view name,
                                        absl::string_view regency_code,
                                        const PolicyVersion& policy,
                                        const CommandContext& ctx,
                                        std::vector<std::string>* warnings);

// REGISTERED → EXECUTION_ORDERED. Requires order_number, issued_date (not
// before the decision's final date, not after today), kejari_code. Sets the
// span deadline (progress.deadline_time) when the policy's span starts at
// the decision or the order (R7): span = the decision's fixed span if any,
// else the policy's (`span_unit`: span_days or span_months); the deadline is
// the start of the local day after the last day of the span. Publishes
// ExecutionOrderIssued.
absl::StatusOr<Transition> IssueExecutionOrder(
    const Case& c,
    const kerjasosial::cases::v1::IssueExecutionOrderRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx);

// EXECUTION_ORDERED → HANDED_OVER. Requires bapas_office_code and
// handover_date (not before the order's date, not after today). Publishes
// CaseHandedOver with what supervision opens the ledger from without
// calling back: the span start and last day (local days of `ctx.zone`, when
// the span has started under `policy`'s R7 rule), the constraints, the
// Litmas reference and the minutes owed.
absl::StatusOr<Transition> HandOverToBapas(
    const Case& c, const kerjasosial::cases::v1::HandOverToBapasRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx);

// COMPLETION_PENDING → COMPLETED. The certificate number is
// `req.certificate.number` if given, else CertificateNumber(c). Publishes
// CaseCompleted (days_to_complete from the final date to today).
absl::StatusOr<Transition> ConfirmCompletion(
    const Case& c, const kerjasosial::cases::v1::ConfirmCompletionRequest& req,
    const CommandContext& ctx);

// The default certificate number of a case: "KS/<regency>/<case id>".
std::string CertificateNumber(const Case& c);

// Any non-terminal state → CANCELLED. `reason` required; OTHER needs
// `reason_code`. Publishes CaseCancelled.
absl::StatusOr<Transition> CancelCase(
    const Case& c, const kerjasosial::cases::v1::CancelCaseRequest& req,
    const CommandContext& ctx);

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_TRANSITION_H_
