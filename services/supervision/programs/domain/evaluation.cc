#include "services/supervision/programs/domain/evaluation.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/time/clock.h"

namespace ks::supervision::programs::domain {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;

void CheckFields(Validator& v, const v1::Evaluation& e) {
  CheckDateRange(v, "evaluation.period", e.period(), /*required=*/true);
  if (e.has_document()) CheckDocument(v, "evaluation.document", e.document());
}

absl::Status RequireDraft(const v1::Evaluation& e, absl::string_view action) {
  if (e.state() == v1::RECORD_STATE_DRAFT) return absl::OkStatus();
  return Precondition(
      absl::StrCat(action,
                   ": a SUBMITTED evaluation is immutable; correct it with a "
                   "new evaluation whose `corrects` names it"),
      "STATE", e.name(), kReasonEvaluationSubmitted);
}

}  // namespace

absl::StatusOr<Outcome<v1::Evaluation>> CreateEvaluation(
    const v1::Evaluation& input, const v1::Evaluation* corrected,
    const Subject& subject, absl::string_view name, absl::string_view regency,
    const Context& ctx) {
  Validator v;
  CheckSubjectNames(v, "evaluation.", input.case_name(), "", regency);
  if (input.kind() == v1::EVALUATION_KIND_UNSPECIFIED) {
    v.AddViolation("evaluation.kind", "is required");
  }
  CheckFields(v, input);
  if (!input.corrects().empty()) {
    v.ResourceName("evaluation.corrects", input.corrects(),
                   "regencies/{regency}/evaluations/{evaluation}");
  }
  if (corrected != nullptr) {
    if (corrected->case_name() != input.case_name()) {
      v.AddViolation("evaluation.case_name",
                     "must be the case of the corrected evaluation");
    }
    if (corrected->kind() != input.kind()) {
      v.AddViolation("evaluation.kind",
                     "must be the kind of the corrected evaluation");
    }
  }
  KS_RETURN_IF_ERROR(v.Finish());
  if (corrected != nullptr) {
    if (corrected->state() != v1::RECORD_STATE_SUBMITTED) {
      return Precondition(
          "only a SUBMITTED evaluation is corrected; update the DRAFT itself",
          "STATE", corrected->name(), kReasonEvaluationNotSubmitted);
    }
  } else {
    KS_RETURN_IF_ERROR(CheckSubjectActive(subject));
  }
  Outcome<v1::Evaluation> out;
  v1::Evaluation& e = out.after;
  e = input;
  e.set_name(std::string(name));
  e.set_state(v1::RECORD_STATE_DRAFT);
  e.set_pk_principal_id(ctx.actor.principal_id());
  e.set_revision(corrected != nullptr ? corrected->revision() + 1 : 1);
  e.clear_submit_time();
  e.clear_attendance();
  *e.mutable_create_time() = ToProto(ctx.now);
  *e.mutable_update_time() = ToProto(ctx.now);
  e.clear_etag();
  return out;
}

absl::StatusOr<Outcome<v1::Evaluation>> UpdateEvaluation(
    const v1::Evaluation& current, const v1::UpdateEvaluationRequest& request,
    const Context& ctx) {
  Validator v;
  CheckMask(v, request.update_mask(),
            {"period", "assessment", "recommendation", "document"});
  KS_RETURN_IF_ERROR(v.Finish());
  KS_RETURN_IF_ERROR(RequireDraft(current, "UpdateEvaluation"));
  Outcome<v1::Evaluation> out;
  out.after = current;
  ApplyMask(request.update_mask(), request.evaluation(), out.after);
  CheckFields(v, out.after);
  KS_RETURN_IF_ERROR(v.Finish());
  *out.after.mutable_update_time() = ToProto(ctx.now);
  out.after.clear_etag();
  return out;
}

v1::AttendanceSummary SummarizeAttendance(
    const std::vector<v1::WorkSession>& sessions,
    const kerjasosial::common::v1::DateRange& period) {
  v1::AttendanceSummary out;
  const int first = DateKey(period.start_date());
  const int last = DateKey(period.end_date());
  for (const v1::WorkSession& s : sessions) {
    if (s.state() != v1::WORK_SESSION_STATE_RECORDED) continue;
    absl::TimeZone zone = absl::UTCTimeZone();
    absl::LoadTimeZone(s.time_zone(), &zone);  // UTC if unknown
    const int day = DateKey(
        DateFromCivilDay(absl::ToCivilDay(FromProto(s.start_time()), zone)));
    if (day < first || day > last) continue;
    out.set_sessions_recorded(out.sessions_recorded() + 1);
    switch (s.outcome()) {
      case v1::ATTENDANCE_OUTCOME_ATTENDED_COMPLIED:
        out.set_sessions_complied(out.sessions_complied() + 1);
        break;
      case v1::ATTENDANCE_OUTCOME_ABSENT_ACCEPTABLE:
        out.set_absences_acceptable(out.absences_acceptable() + 1);
        break;
      case v1::ATTENDANCE_OUTCOME_ABSENT_UNACCEPTABLE:
        out.set_absences_unacceptable(out.absences_unacceptable() + 1);
        break;
      default:
        break;
    }
    out.set_credited_minutes(out.credited_minutes() + s.credited_minutes());
    if (!s.violation().empty()) out.set_violations(out.violations() + 1);
  }
  return out;
}

v1::Evaluation RedactEvaluation(v1::Evaluation evaluation) {
  evaluation.clear_document();
  return evaluation;
}

absl::StatusOr<Outcome<v1::Evaluation>> SubmitEvaluation(
    const v1::Evaluation& current, int64_t version, absl::string_view regency,
    const Context& ctx) {
  KS_RETURN_IF_ERROR(RequireDraft(current, "SubmitEvaluation"));
  Validator v;
  if (current.assessment() == v1::EVALUATION_ASSESSMENT_UNSPECIFIED) {
    v.AddViolation("evaluation.assessment", "is required on submission");
  }
  if (current.recommendation() == v1::EVALUATION_RECOMMENDATION_UNSPECIFIED) {
    v.AddViolation("evaluation.recommendation", "is required on submission");
  }
  KS_RETURN_IF_ERROR(v.Finish());
  Outcome<v1::Evaluation> out;
  v1::Evaluation& e = out.after;
  e = current;
  e.set_state(v1::RECORD_STATE_SUBMITTED);
  *e.mutable_submit_time() = ToProto(ctx.now);
  *e.mutable_update_time() = ToProto(ctx.now);
  e.clear_etag();
  v1::EvaluationSubmitted ev;
  ev.set_case_name(e.case_name());
  ev.set_kind(e.kind());
  ev.set_assessment(e.assessment());
  ev.set_recommendation(e.recommendation());
  ev.set_revision(e.revision());
  ev.set_corrects(e.corrects());
  out.events.push_back(MakeEvent(kEvaluationAggregate, e.name(), version + 1,
                                 regency, ev, ctx.now));
  return out;
}

}  // namespace ks::supervision::programs::domain
