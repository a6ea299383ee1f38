// The Litmas (penelitian kemasyarakatan) rules (issue #10; DESIGN R11, R12;
// UU SPPA Pasal 60(3)-(4): a child's decision without the PK's Litmas is
// void; UU 22/2022: for adults as the policy says). Pure.
//
// Lifecycle: IN_PROGRESS (created; updated by field mask) → SUBMITTED
// (terminal: its number, recommendation and date are what the court or the
// prosecutor relied on, so it is immutable from then on).
//
// Where the requirement is enforced. Supervision can enforce it only at
// its own door: CreatePkAssignment refuses a case whose kind needs a Litmas
// (RequireLitmas) unless the case's decision carries a Litmas reference from
// cases — a Litmas written outside kerjasosial, or one made here that is
// SUBMITTED. RecordWorkSession needs a ledger, which only an assignment
// opens, so no session is credited without it. cases must refuse a child's
// decision without a Litmas reference (its R11 check) and placements must
// not start a child's placement before the case is handed over; neither
// reads this service's Litmas.
//
// Thread-safe (no shared state).
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_LITMAS_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_LITMAS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/validation/validator.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/type/date.pb.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "kerjasosial/common/v1/common.pb.h"
#include "kerjasosial/common/v1/policy.pb.h"
#include "kerjasosial/supervision/v1/resources.pb.h"

namespace ks::supervision::domain {

using ::kerjasosial::supervision::v1::LitmasReport;

// Violations of a Litmas's client-set fields, each named `prefix` + field:
// purpose and requested_by set, request_date a date, pk_principal_id,
// proceedings_reference at most 100 characters on one line, case_name a
// case's name when set, number at most 100 characters.
void CheckLitmasFields(const LitmasReport& in, absl::string_view prefix,
                       Validator& v);

// A new IN_PROGRESS Litmas named `name` from the client's fields.
LitmasReport NewLitmas(const LitmasReport& in, absl::string_view name,
                       absl::Time now);

// `current` with the mask's paths taken from `in`. INVALID_ARGUMENT on
// `update_mask` for an empty mask or a path that is not a client-set field
// (or on a field the new value violates); FAILED_PRECONDITION
// LITMAS_NOT_IN_PROGRESS once submitted or withdrawn.
absl::StatusOr<LitmasReport> UpdateLitmas(
    const LitmasReport& current, const LitmasReport& in,
    const google::protobuf::FieldMask& mask, absl::Time now);

// IN_PROGRESS → SUBMITTED on `date`. INVALID_ARGUMENT naming
// `litmas_report.number` / `litmas_report.recommendation` when the report
// lacks them; FAILED_PRECONDITION LITMAS_NOT_IN_PROGRESS otherwise.
absl::StatusOr<LitmasReport> SubmitLitmas(const LitmasReport& current,
                                          const google::type::Date& date,
                                          absl::Time now);

// Whether a case of `kind` needs a Litmas under `policy` (child:
// child.litmas_required; adult: adult.litmas_required).
bool LitmasRequired(::kerjasosial::common::v1::SentenceKind kind,
                    const ::kerjasosial::common::v1::PolicyVersion& policy);

// OK when the case needs no Litmas, or its decision's reference `ref` names
// one: a Litmas written outside kerjasosial (number, no resource), or this
// service's `local` (the resource `ref.litmas` names; null when absent),
// which must be SUBMITTED. Otherwise FAILED_PRECONDITION LITMAS_REQUIRED
// (none) or LITMAS_NOT_SUBMITTED, subject `case_name`.
absl::Status RequireLitmas(
    ::kerjasosial::common::v1::SentenceKind kind,
    const ::kerjasosial::common::v1::PolicyVersion& policy,
    const ::kerjasosial::cases::v1::LitmasRef& ref, const LitmasReport* local,
    absl::string_view case_name);

}  // namespace ks::supervision::domain

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_LITMAS_H_
