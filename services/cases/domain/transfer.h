// Transfers between regencies: the sending side, the receiving side (inside
// one deployment, or received from another cases deployment), the transfer
// id both deployments are idempotent on, and the routing table from regency
// to the cases deployment serving it.
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_CASES_DOMAIN_TRANSFER_H_
#define KS_SERVICES_CASES_DOMAIN_TRANSFER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/validation/validator.h"
#include "kerjasosial/cases/v1/cases_service.pb.h"
#include "services/cases/domain/command.h"

namespace ks::cases::domain {

// Any non-terminal state → TRANSFERRED_OUT. destination_regency_code must be
// an existing regency (R15) different from the case's; reason_code required
// (`[a-z][a-z0-9_]*`); transfer_id, when set, 1-64 characters of
// [A-Za-z0-9_-]. `destination_case` is recorded if non-empty; so are the
// credited minutes and the transfer id (the request id when unset).
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

// The id a transfer is known by on both deployments: the client's
// `transfer.transfer_id` when given, else "t" + 32 hex digits of
// SHA-256(source case name | request_id). Deterministic, so a retry of the
// same request reuses it even when it carries a fresh etag (the retry after
// a stale etag is a new fingerprint, never a new transfer).
std::string TransferIdFor(
    absl::string_view source_case,
    const kerjasosial::cases::v1::TransferCaseRequest& req);

// The destination's ReceiveTransferredCase request for `source` (the case as
// stored here, with its personal data: the destination keeps the person
// from now on): the transfer as requested with `transfer_id` and the
// credited minutes of the source's progress; request_id = transfer_id, so
// the destination's own idempotency entry and its transfer claim agree.
kerjasosial::cases::v1::ReceiveTransferredCaseRequest TransferPayload(
    const Case& source, const kerjasosial::cases::v1::TransferCaseRequest& req,
    absl::string_view transfer_id);

// The receiving side of a transfer from another deployment: checks the
// payload (INVALID_ARGUMENT naming each bad field: case_data with a case
// name of another regency and a non-terminal state, transfer with a
// well-formed transfer_id, destination = `regency_code`, credited_minutes
// within 0..sentence hours) and builds the case `name` as
// ReceiveTransferredCase does, with the credited minutes the transfer
// carries.
absl::StatusOr<Transition> ReceiveRemoteTransfer(
    const kerjasosial::cases::v1::ReceiveTransferredCaseRequest& req,
    absl::string_view name, absl::string_view regency_code,
    const CommandContext& ctx);

// Adds a violation on `field` unless `id` is 1-64 characters of
// [A-Za-z0-9_-]; returns whether it is.
bool CheckTransferId(Validator& v, absl::string_view field,
                     absl::string_view id);

// The routing table of cross-deployment transfers: regency code ("64.01")
// or province code ("64") -> gRPC address of the cases deployment serving
// it. An immutable value.
class TransferRoutes {
 public:
  TransferRoutes() = default;
  // Parses "64.01=host:port,71=host:port" (white space around entries
  // ignored; empty: no routes). INVALID_ARGUMENT naming the bad entry: a key
  // that is not a well-formed regency or province code, an address without
  // a port, a key given twice.
  static absl::StatusOr<TransferRoutes> Parse(absl::string_view spec);
  // The same, one entry a line; `#` starts a comment.
  static absl::StatusOr<TransferRoutes> ParseFile(absl::string_view text);
  // The address serving `regency`: its own entry, else its province's.
  std::optional<std::string> Find(absl::string_view regency) const;
  bool empty() const { return routes_.empty(); }

 private:
  std::map<std::string, std::string> routes_;
};

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_TRANSFER_H_
