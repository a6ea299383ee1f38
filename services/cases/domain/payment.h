// Fine payments: toward a Pasal 82 fine substitute (R10) or toward a PAY_FINE
// breach outcome (R8(c)).
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_CASES_DOMAIN_PAYMENT_H_
#define KS_SERVICES_CASES_DOMAIN_PAYMENT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/cases/v1/cases_service.pb.h"
#include "services/cases/domain/command.h"

namespace ks::cases::domain {

// Records a fine payment (id "p0001", ...). Two uses:
//  * a fine-substitute case (R10, KUHP Pasal 82) in REGISTERED …
//    IN_PROGRESS or BREACHED: adds to fine_substitution.paid_rupiah and
//    reduces remaining_minutes proportionally (RemainingMinutesAfterPayment);
//    paid in full → COMPLETION_PENDING with completion basis FINE_PAID (and
//    CaseCompletionPending is published too);
//  * a CONVERTED case whose breach outcome is PAY_FINE: settles that amount.
// FAILED_PRECONDITION (reason FINE_PAYMENT_NOT_APPLICABLE) for any other
// case, or when nothing is unpaid; INVALID_ARGUMENT for amount ≤ 0 or above
// what is unpaid (`payment.amount_rupiah`), missing receipt or bad date.
// Publishes FinePaymentRecorded.
absl::StatusOr<Transition> RecordFinePayment(
    const Case& c, const kerjasosial::cases::v1::RecordFinePaymentRequest& req,
    const PolicyVersion& policy, const CommandContext& ctx);

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_PAYMENT_H_
