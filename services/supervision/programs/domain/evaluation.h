// Evaluations (periodic and final) of a case: the PK's assessment and
// recommendation over a period, feeding the joint evaluations the
// cooperation agreements promise.
//
// Versioning. A DRAFT evaluation may be updated; SubmitEvaluation makes it
// SUBMITTED, and a SUBMITTED evaluation is never changed again
// (FAILED_PRECONDITION EVALUATION_SUBMITTED). A correction is a new
// evaluation whose `corrects` names the submitted one: same case and kind,
// revision + 1. The store lets each evaluation be corrected once (a claim in
// the same commit), so the revisions of one evaluation form a single chain,
// and lets a case have one FINAL evaluation besides its corrections.
//
// Thread safety: pure functions.
#ifndef KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_EVALUATION_H_
#define KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_EVALUATION_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/supervision/v1/supervision_service.pb.h"
#include "services/supervision/programs/domain/common.h"

namespace ks::supervision::programs::domain {

inline constexpr absl::string_view kEvaluationAggregate = "Evaluation";

// A new DRAFT evaluation `name`. `corrected` is the evaluation
// `input.corrects` names (null when it names none); it must be SUBMITTED,
// of the same case and kind. `subject` is the case's (an ACTIVE assignment
// is required for a first evaluation; a correction may follow the end of
// the assignment).
absl::StatusOr<Outcome<kerjasosial::supervision::v1::Evaluation>>
CreateEvaluation(const kerjasosial::supervision::v1::Evaluation& input,
                 const kerjasosial::supervision::v1::Evaluation* corrected,
                 const Subject& subject, absl::string_view name,
                 absl::string_view regency, const Context& ctx);

// A DRAFT evaluation after update_mask (period, assessment, recommendation,
// document).
absl::StatusOr<Outcome<kerjasosial::supervision::v1::Evaluation>>
UpdateEvaluation(
    const kerjasosial::supervision::v1::Evaluation& current,
    const kerjasosial::supervision::v1::UpdateEvaluationRequest& request,
    const Context& ctx);

// The attendance figures of `period` (inclusive local dates, each session
// dated by its start in its site's zone) from the case's work sessions:
// RECORDED sessions by outcome, their credited minutes, and those that
// created a violation. VOIDED sessions do not count.
kerjasosial::supervision::v1::AttendanceSummary SummarizeAttendance(
    const std::vector<kerjasosial::supervision::v1::WorkSession>& sessions,
    const kerjasosial::common::v1::DateRange& period);

// What a reader who is not the PK sees: everything but the reference to the
// evaluation document (kept in the Bapas's document system, personal).
kerjasosial::supervision::v1::Evaluation RedactEvaluation(
    kerjasosial::supervision::v1::Evaluation evaluation);

// DRAFT -> SUBMITTED; publishes EvaluationSubmitted.
absl::StatusOr<Outcome<kerjasosial::supervision::v1::Evaluation>>
SubmitEvaluation(const kerjasosial::supervision::v1::Evaluation& current,
                 int64_t version, absl::string_view regency,
                 const Context& ctx);

}  // namespace ks::supervision::programs::domain

#endif  // KS_SERVICES_SUPERVISION_PROGRAMS_DOMAIN_EVALUATION_H_
