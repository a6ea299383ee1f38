#include "services/placements/domain/records.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;

void CheckNotFuture(Validator& v, const std::string& field,
                    const google::type::Date& d, const Context& ctx) {
  if (!v.Date(field, d)) return;
  absl::StatusOr<absl::CivilDay> day = CivilDayFromDate(d, field);
  if (day.ok() && *day > ctx.today) {
    v.AddViolation(field, "must not be in the future");
  }
}

void CheckFollowUps(
    Validator& v, const std::string& prefix,
    const google::protobuf::RepeatedPtrField<pv1::FollowUp>& follow_ups) {
  for (int i = 0; i < follow_ups.size(); ++i) {
    const std::string f = absl::StrCat(prefix, ".follow_ups[", i, "]");
    v.Text(absl::StrCat(f, ".action"), follow_ups[i].action(), 500, true);
    if (follow_ups[i].owner() == cv1::AGENCY_UNSPECIFIED) {
      v.AddViolation(absl::StrCat(f, ".owner"), "required");
    }
    if (follow_ups[i].has_due_date()) {
      v.Date(absl::StrCat(f, ".due_date"), follow_ups[i].due_date());
    }
  }
}

void CheckOutreach(Validator& v, const pv1::OutreachEvent& e,
                   const Context& ctx) {
  v.Name("outreach_event.title", e.title(), 200, true);
  CheckNotFuture(v, "outreach_event.date", e.date(), ctx);
  v.Text("outreach_event.venue", e.venue(), 200, true);
  v.Text("outreach_event.audience", e.audience(), 500, false);
  v.InRange("outreach_event.participants", e.participants(), 0, 100000,
            "participants");
}

void CheckJoint(Validator& v, const pv1::JointEvaluation& e,
                const Context& ctx) {
  CheckNotFuture(v, "joint_evaluation.date", e.date(), ctx);
  if (v.Date("joint_evaluation.period.start_date", e.period().start_date()) &&
      v.Date("joint_evaluation.period.end_date", e.period().end_date())) {
    if (*CivilDayFromDate(e.period().end_date(), "") <
        *CivilDayFromDate(e.period().start_date(), "")) {
      v.AddViolation("joint_evaluation.period.end_date",
                     "must not precede start_date");
    }
  }
  if (e.participant_office_codes_size() == 0) {
    v.AddViolation("joint_evaluation.participant_office_codes",
                   "at least one office");
  }
  for (int i = 0; i < e.participant_office_codes_size(); ++i) {
    v.Name(absl::StrCat("joint_evaluation.participant_office_codes[", i, "]"),
           e.participant_office_codes(i), 100, true);
  }
  v.Text("joint_evaluation.findings", e.findings(), 4000, true);
  CheckFollowUps(v, "joint_evaluation", e.follow_ups());
}

}  // namespace

absl::StatusOr<pv1::OutreachEvent> NewOutreachEvent(
    const pv1::OutreachEvent& in, const std::string& name, const Context& ctx) {
  Validator v;
  CheckOutreach(v, in, ctx);
  KS_RETURN_IF_ERROR(v.Finish());
  pv1::OutreachEvent e = in;
  e.set_name(name);
  e.clear_etag();
  *e.mutable_create_time() = ToProto(ctx.now);
  *e.mutable_update_time() = ToProto(ctx.now);
  return e;
}

absl::StatusOr<pv1::OutreachEvent> UpdateOutreachEvent(
    const pv1::OutreachEvent& current, const pv1::OutreachEvent& patch,
    const google::protobuf::FieldMask& mask, const Context& ctx) {
  Validator v;
  pv1::OutreachEvent e = current;
  for (const std::string& path : mask.paths()) {
    if (path == "title") {
      e.set_title(patch.title());
    } else if (path == "date") {
      *e.mutable_date() = patch.date();
    } else if (path == "venue") {
      e.set_venue(patch.venue());
    } else if (path == "audience") {
      e.set_audience(patch.audience());
    } else if (path == "participants") {
      e.set_participants(patch.participants());
    } else if (path == "agencies") {
      *e.mutable_agencies() = patch.agencies();
    } else if (path == "document") {
      *e.mutable_document() = patch.document();
    } else {
      v.AddViolation("update_mask",
                     absl::StrCat("\"", path, "\" cannot be updated"));
    }
  }
  if (mask.paths_size() == 0) v.AddViolation("update_mask", "required");
  KS_RETURN_IF_ERROR(v.Finish());
  CheckOutreach(v, e, ctx);
  KS_RETURN_IF_ERROR(v.Finish());
  *e.mutable_update_time() = ToProto(ctx.now);
  return e;
}

absl::StatusOr<pv1::JointEvaluation> NewJointEvaluation(
    const pv1::JointEvaluation& in, const std::string& name,
    pv1::ReportFigures figures, const Context& ctx) {
  Validator v;
  CheckJoint(v, in, ctx);
  KS_RETURN_IF_ERROR(v.Finish());
  pv1::JointEvaluation e = in;
  e.set_name(name);
  e.clear_etag();
  *e.mutable_figures_snapshot() = std::move(figures);
  *e.mutable_create_time() = ToProto(ctx.now);
  *e.mutable_update_time() = ToProto(ctx.now);
  return e;
}

absl::StatusOr<pv1::JointEvaluation> UpdateJointEvaluation(
    const pv1::JointEvaluation& current, const pv1::JointEvaluation& patch,
    const google::protobuf::FieldMask& mask, const Context& ctx) {
  Validator v;
  pv1::JointEvaluation e = current;
  for (const std::string& path : mask.paths()) {
    if (path == "date") {
      *e.mutable_date() = patch.date();
    } else if (path == "participant_office_codes") {
      *e.mutable_participant_office_codes() = patch.participant_office_codes();
    } else if (path == "findings") {
      e.set_findings(patch.findings());
    } else if (path == "follow_ups") {
      *e.mutable_follow_ups() = patch.follow_ups();
    } else if (path == "document") {
      *e.mutable_document() = patch.document();
    } else {
      // period and figures_snapshot are frozen at creation.
      v.AddViolation("update_mask",
                     absl::StrCat("\"", path, "\" cannot be updated"));
    }
  }
  if (mask.paths_size() == 0) v.AddViolation("update_mask", "required");
  KS_RETURN_IF_ERROR(v.Finish());
  CheckJoint(v, e, ctx);
  KS_RETURN_IF_ERROR(v.Finish());
  *e.mutable_update_time() = ToProto(ctx.now);
  return e;
}

absl::StatusOr<pv1::MonitoringVisit> NewMonitoringVisit(
    const pv1::MonitoringVisit& in, const std::string& name,
    const Context& ctx) {
  Validator v;
  CheckNotFuture(v, "monitoring_visit.visit_date", in.visit_date(), ctx);
  v.Text("monitoring_visit.findings", in.findings(), 2000, true);
  CheckFollowUps(v, "monitoring_visit", in.follow_ups());
  KS_RETURN_IF_ERROR(v.Finish());
  pv1::MonitoringVisit e = in;
  e.set_name(name);
  e.clear_etag();
  *e.mutable_recorded_by() = ctx.actor;
  *e.mutable_create_time() = ToProto(ctx.now);
  return e;
}

}  // namespace ks::placements::domain
