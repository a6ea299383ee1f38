// Transfers between regencies: the sending side, and the receiving side when
// both regencies are served by one deployment.
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_CASES_DOMAIN_TRANSFER_H_
#define KS_SERVICES_CASES_DOMAIN_TRANSFER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/cases/v1/cases_service.pb.h"
#include "services/cases/domain/command.h"

namespace ks::cases::domain {

// Any non-terminal state → TRANSFERRED_OUT. destination_regency_code must be
// an existing regency (R15) different from the case's; reason_code required
// (`[a-z][a-z0-9_]*`). `destination_case` is recorded if non-empty; so are
// the credited minutes and the transfer id (the request id when unset).
// Publishes CaseTransferred with both and the reason code.
absl::StatusOr<Transition> TransferCase(
    const Case& c, const kerjasosial::cases::v1::TransferCaseRequest& req,
    absl::string_view destination_case, const CommandContext& ctx);

// The receiving side of a transfer inside one deployment: a new case `name`
// in `regency_code` carrying the source's registration data, execution
// order, breaches, payments and credited progress (history is kept; the
// person must be handed over again), state REGISTERED if the source had no
// execution order else EXECUTION_ORDERED, `transferred_from` = source name.
// Publishes CaseRegistered with transferred_from.
absl::StatusOr<Transition> ReceiveTransferredCase(
    const Case& source, absl::string_view name, absl::string_view regency_code,
    const CommandContext& ctx);

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_TRANSFER_H_
