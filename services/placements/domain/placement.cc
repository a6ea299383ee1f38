#include "services/placements/domain/placement.h"

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"
#include "services/placements/domain/activity.h"
#include "services/placements/domain/agreement.h"
#include "services/placements/domain/schedule.h"
#include "services/placements/domain/site.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;
namespace casev1 = ::kerjasosial::cases::v1;

constexpr char kCasePattern[] = "regencies/{regency}/cases/{case}";
constexpr char kSitePattern[] = "regencies/{regency}/sites/{site}";
constexpr char kActivityPattern[] =
    "regencies/{regency}/activityTypes/{activity_type}";

absl::Status StateError(const Placement& p, absl::string_view what) {
  return FailedPreconditionError(
      absl::StrCat("placement is ", pv1::PlacementState_Name(p.state()), ": ",
                   what),
      "STATE", p.name(), kReasonInvalidState);
}

absl::CivilDay DayOf(const google::type::Date& d) {
  absl::StatusOr<absl::CivilDay> day = CivilDayFromDate(d, "date");
  return day.ok() ? *day : absl::CivilDay(1970, 1, 1);
}

// The checks of the period, schedule and cap against the site and the case.
void CheckFit(Validator& v, absl::string_view field, const Placement& p,
              const PlacementInputs& in, cv1::SentenceKind kind,
              const Context& ctx) {
  const std::string period = absl::StrCat(field, ".period");
  if (v.Date(absl::StrCat(period, ".start_date"), p.period().start_date()) &&
      p.period().has_end_date() &&
      v.Date(absl::StrCat(period, ".end_date"), p.period().end_date())) {
    if (DayOf(p.period().end_date()) < DayOf(p.period().start_date())) {
      v.AddViolation(absl::StrCat(period, ".end_date"),
                     "must not precede start_date");
    }
  }
  if (in.case_view != nullptr && v.ok()) {
    const casev1::CaseForExecution& c = *in.case_view;
    if (c.has_span_start_date() &&
        DayOf(p.period().start_date()) < DayOf(c.span_start_date())) {
      v.AddViolation(
          absl::StrCat(period, ".start_date"),
          absl::StrCat("before the case's span starts (", cite::kR7, ")"));
    }
    if (c.has_deadline_date()) {
      const absl::CivilDay deadline = DayOf(c.deadline_date());
      if (DayOf(p.period().start_date()) > deadline ||
          (p.period().has_end_date() &&
           DayOf(p.period().end_date()) > deadline)) {
        v.AddViolation(absl::StrCat(period, ".end_date"),
                       absl::StrCat("after the case's deadline ",
                                    absl::FormatCivilTime(deadline), " (",
                                    cite::kR7, ")"));
      }
    }
  }
  const std::string schedule = absl::StrCat(field, ".schedule");
  CheckScheduleShape(v, schedule, p.schedule(), in.site->time_zone());
  if (v.ok()) CheckWithinSite(v, schedule, p.schedule(), in.site->schedule());
  CheckConstraints(v, schedule, p.schedule(), p.max_minutes_per_day(),
                   absl::StrCat(field, ".max_minutes_per_day"),
                   in.case_view != nullptr ? in.case_view->constraints()
                                           : casev1::ScheduleConstraints(),
                   kind, *ctx.policy);
}

}  // namespace

bool HoldsSlot(PlacementState state) {
  return state == pv1::PLACEMENT_STATE_ACCEPTED ||
         state == pv1::PLACEMENT_STATE_PLANNED ||
         state == pv1::PLACEMENT_STATE_ACTIVE ||
         state == pv1::PLACEMENT_STATE_SUSPENDED;
}

absl::Status CheckPlacementInput(const Placement& in, absl::string_view field,
                                 bool need_case) {
  Validator v;
  if (need_case) {
    v.ResourceName(absl::StrCat(field, ".case_name"), in.case_name(),
                   kCasePattern);
  }
  v.ResourceName(absl::StrCat(field, ".site"), in.site(), kSitePattern);
  v.ResourceName(absl::StrCat(field, ".activity_type"), in.activity_type(),
                 kActivityPattern);
  v.Required(absl::StrCat(field, ".period"), in.has_period());
  v.Required(absl::StrCat(field, ".schedule"), in.has_schedule());
  return v.Finish();
}

absl::StatusOr<Placement> NewPlacement(
    const Placement& in, const std::string& name, absl::string_view field,
    PlacementState state, const PlacementInputs& inputs, const Context& ctx) {
  const casev1::CaseForExecution& c = *inputs.case_view;
  const pv1::Site& site = *inputs.site;
  if (c.state() != casev1::CASE_STATE_HANDED_OVER &&
      c.state() != casev1::CASE_STATE_IN_PROGRESS) {
    return FailedPreconditionError(
        absl::StrCat("case ", c.name(), " is ",
                     casev1::CaseState_Name(c.state()),
                     "; only a HANDED_OVER or IN_PROGRESS case is placed"),
        "CASE", c.name(), kReasonCaseNotPlaceable);
  }
  Validator v;
  CheckFit(v, field, in, inputs, c.kind(), ctx);
  KS_RETURN_IF_ERROR(v.Finish());
  KS_RETURN_IF_ERROR(CheckReceives(site));
  KS_RETURN_IF_ERROR(
      CheckInForce(*inputs.agreement, site.regency_code(), ctx.today));
  KS_RETURN_IF_ERROR(CheckUsable(*inputs.activity, *ctx.policy));
  if (!OffersAttested(site, in.activity_type())) {
    return FailedPreconditionError(
        absl::StrCat("site ", site.name(), " does not offer ",
                     in.activity_type(),
                     " with its non-commercial and non-degrading attestation (",
                     cite::kR4, ")"),
        "ACTIVITY", in.activity_type(), kReasonActivityNotAttested);
  }
  if (c.kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT &&
      (!site.accepts_children() || !inputs.activity->suitable_for_children())) {
    return FailedPreconditionError(
        absl::StrCat("a child is placed only at a site that accepts children "
                     "in an activity suitable for them (",
                     "R11, UU SPPA Pasal 76(1))"),
        "SITE", site.name(), kReasonChildNotAccepted);
  }
  Placement p;
  p.set_name(name);
  p.set_regency_code(site.regency_code());
  p.set_case_name(in.case_name());
  p.set_site(in.site());
  p.set_activity_type(in.activity_type());
  *p.mutable_period() = in.period();
  *p.mutable_schedule() = in.schedule();
  p.mutable_schedule()->set_time_zone(site.time_zone());
  p.set_max_minutes_per_day(in.max_minutes_per_day());
  p.set_kind(c.kind());
  p.set_owed_minutes_at_start(c.sentence_minutes());
  p.set_state(state);
  if (state == pv1::PLACEMENT_STATE_PROPOSED) {
    *p.mutable_proposal()->mutable_proposed_by() = ctx.actor;
    *p.mutable_proposal()->mutable_propose_time() = ToProto(ctx.now);
  }
  *p.mutable_create_time() = ToProto(ctx.now);
  *p.mutable_update_time() = ToProto(ctx.now);
  return p;
}

absl::StatusOr<Placement> Accept(const Placement& p, const Context& ctx) {
  if (p.state() != pv1::PLACEMENT_STATE_PROPOSED) {
    return StateError(p, "only a PROPOSED placement is accepted");
  }
  Placement out = p;
  out.set_state(pv1::PLACEMENT_STATE_ACCEPTED);
  *out.mutable_proposal()->mutable_answered_by() = ctx.actor;
  *out.mutable_proposal()->mutable_answer_time() = ToProto(ctx.now);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<Placement> Decline(const Placement& p, const std::string& note,
                                  const Context& ctx) {
  Validator v;
  v.Text("decline_note", note, 500, false);
  KS_RETURN_IF_ERROR(v.Finish());
  if (p.state() != pv1::PLACEMENT_STATE_PROPOSED) {
    return StateError(p, "only a PROPOSED placement is declined");
  }
  Placement out = p;
  out.set_state(pv1::PLACEMENT_STATE_DECLINED);
  *out.mutable_proposal()->mutable_answered_by() = ctx.actor;
  *out.mutable_proposal()->mutable_answer_time() = ToProto(ctx.now);
  out.mutable_proposal()->set_decline_note(note);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<Placement> Start(const Placement& p, const pv1::Site& site,
                                const Context& ctx) {
  if (p.state() != pv1::PLACEMENT_STATE_PLANNED &&
      p.state() != pv1::PLACEMENT_STATE_ACCEPTED &&
      p.state() != pv1::PLACEMENT_STATE_SUSPENDED) {
    return StateError(p,
                      "only a PLANNED, ACCEPTED or SUSPENDED placement "
                      "starts");
  }
  KS_RETURN_IF_ERROR(CheckReceives(site));
  Placement out = p;
  out.set_state(pv1::PLACEMENT_STATE_ACTIVE);
  out.clear_state_reason_code();
  if (!out.has_start_time()) *out.mutable_start_time() = ToProto(ctx.now);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<Placement> SuspendPlacement(const Placement& p,
                                           const std::string& reason_code,
                                           const Context& ctx) {
  if (p.state() != pv1::PLACEMENT_STATE_ACTIVE) {
    return StateError(p, "only an ACTIVE placement is suspended");
  }
  Placement out = p;
  out.set_state(pv1::PLACEMENT_STATE_SUSPENDED);
  out.set_state_reason_code(reason_code);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<Placement> End(const Placement& p,
                              pv1::PlacementEndReason reason,
                              const Context& ctx) {
  if (reason == pv1::PLACEMENT_END_REASON_UNSPECIFIED) {
    Validator v;
    v.AddViolation("end_reason", "required");
    return v.Finish();
  }
  if (p.state() != pv1::PLACEMENT_STATE_ACTIVE &&
      p.state() != pv1::PLACEMENT_STATE_SUSPENDED) {
    return StateError(p, "only an ACTIVE or SUSPENDED placement ends");
  }
  Placement out = p;
  out.set_state(pv1::PLACEMENT_STATE_ENDED);
  out.set_end_reason(reason);
  out.clear_state_reason_code();
  *out.mutable_end_time() = ToProto(ctx.now);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<Placement> Cancel(const Placement& p, const Context& ctx) {
  if (p.state() != pv1::PLACEMENT_STATE_PLANNED &&
      p.state() != pv1::PLACEMENT_STATE_ACCEPTED) {
    return StateError(p, "only a PLANNED or ACCEPTED placement is cancelled");
  }
  Placement out = p;
  out.set_state(pv1::PLACEMENT_STATE_CANCELLED);
  *out.mutable_end_time() = ToProto(ctx.now);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<Placement> UpdatePlacement(
    const Placement& current, const Placement& patch,
    const google::protobuf::FieldMask& mask, const PlacementInputs& inputs,
    const Context& ctx) {
  const PlacementState s = current.state();
  if (s != pv1::PLACEMENT_STATE_PLANNED && s != pv1::PLACEMENT_STATE_ACTIVE &&
      s != pv1::PLACEMENT_STATE_SUSPENDED &&
      s != pv1::PLACEMENT_STATE_ACCEPTED &&
      s != pv1::PLACEMENT_STATE_PROPOSED) {
    return StateError(current, "a terminal placement cannot change");
  }
  Validator v;
  Placement out = current;
  for (const std::string& path : mask.paths()) {
    if (path == "period") {
      *out.mutable_period() = patch.period();
    } else if (path == "schedule") {
      *out.mutable_schedule() = patch.schedule();
      out.mutable_schedule()->set_time_zone(inputs.site->time_zone());
    } else if (path == "max_minutes_per_day") {
      out.set_max_minutes_per_day(patch.max_minutes_per_day());
    } else if (path == "activity_type") {
      out.set_activity_type(patch.activity_type());
    } else {
      v.AddViolation("update_mask",
                     absl::StrCat("\"", path, "\" cannot be updated"));
    }
  }
  if (mask.paths_size() == 0) v.AddViolation("update_mask", "required");
  KS_RETURN_IF_ERROR(v.Finish());
  CheckFit(v, "placement", out, inputs, out.kind(), ctx);
  KS_RETURN_IF_ERROR(v.Finish());
  if (out.activity_type() != current.activity_type()) {
    KS_RETURN_IF_ERROR(CheckUsable(*inputs.activity, *ctx.policy));
    if (!OffersAttested(*inputs.site, out.activity_type())) {
      return FailedPreconditionError(
          absl::StrCat("the site does not offer ", out.activity_type(),
                       " with both attestations (", cite::kR4, ")"),
          "ACTIVITY", out.activity_type(), kReasonActivityNotAttested);
    }
  }
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

pv1::PlacementFacts FactsOf(const Placement& p, PlacementState previous,
                            pv1::ActivityCategory category) {
  pv1::PlacementFacts f;
  f.set_case_name(p.case_name());
  f.set_site(p.site());
  f.set_activity_type(p.activity_type());
  f.set_activity_category(category);
  f.set_kind(p.kind());
  *f.mutable_period() = p.period();
  *f.mutable_schedule() = p.schedule();
  f.set_max_minutes_per_day(p.max_minutes_per_day());
  f.set_state(p.state());
  f.set_previous_state(previous);
  return f;
}

}  // namespace ks::placements::domain
