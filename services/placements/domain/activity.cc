#include "services/placements/domain/activity.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/validation/validator.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;

void CheckFields(Validator& v, const ActivityType& a,
                 const PolicyVersion& policy) {
  v.Name("activity_type.display_name", a.display_name(), 200, true);
  v.Text("activity_type.description", a.description(), 2000, false);
  v.Text("activity_type.safety_notes", a.safety_notes(), 2000, false);
  if (a.category() == pv1::ACTIVITY_CATEGORY_UNSPECIFIED) {
    v.AddViolation("activity_type.category", "required");
  }
  // Pasal 85(3) is not a policy choice; the policy can only add the
  // educational attestation (ActivityRequirements).
  if (!a.non_commercial_attested()) {
    v.AddViolation("activity_type.non_commercial_attested",
                   absl::StrCat("must be true: the work may not be "
                                "commercialised (",
                                cite::kR4, ")"));
  }
  if (!a.non_degrading_attested()) {
    v.AddViolation("activity_type.non_degrading_attested",
                   absl::StrCat("must be true: the work may not degrade "
                                "human dignity (",
                                cite::kR4, ")"));
  }
  if (policy.activity().educational_attestation_required() &&
      !a.educational_attested()) {
    v.AddViolation("activity_type.educational_attested",
                   "must be true: the policy requires an educational "
                   "attestation (activity.educational_attestation_required)");
  }
}

}  // namespace

absl::StatusOr<ActivityType> NewActivityType(const ActivityType& in,
                                             const std::string& name,
                                             const Context& ctx) {
  Validator v;
  CheckFields(v, in, *ctx.policy);
  KS_RETURN_IF_ERROR(v.Finish());
  ActivityType a;
  a.set_name(name);
  a.set_display_name(in.display_name());
  a.set_description(in.description());
  a.set_category(in.category());
  a.set_non_commercial_attested(true);
  a.set_non_degrading_attested(true);
  a.set_educational_attested(in.educational_attested());
  *a.mutable_attested_by() = ctx.actor;
  *a.mutable_attest_time() = ToProto(ctx.now);
  a.set_suitable_for_children(in.suitable_for_children());
  a.set_safety_notes(in.safety_notes());
  a.set_state(pv1::ACTIVITY_TYPE_STATE_ACTIVE);
  *a.mutable_create_time() = ToProto(ctx.now);
  *a.mutable_update_time() = ToProto(ctx.now);
  return a;
}

absl::StatusOr<ActivityType> UpdateActivityType(
    const ActivityType& current, const ActivityType& patch,
    const google::protobuf::FieldMask& mask, const Context& ctx) {
  if (current.state() != pv1::ACTIVITY_TYPE_STATE_ACTIVE) {
    return FailedPreconditionError("a retired activity type cannot change",
                                   "STATE", current.name(),
                                   kReasonActivityRetired);
  }
  Validator v;
  ActivityType a = current;
  bool attested = false;
  for (const std::string& path : mask.paths()) {
    if (path == "display_name") {
      a.set_display_name(patch.display_name());
    } else if (path == "description") {
      a.set_description(patch.description());
    } else if (path == "category") {
      a.set_category(patch.category());
    } else if (path == "safety_notes") {
      a.set_safety_notes(patch.safety_notes());
    } else if (path == "suitable_for_children") {
      a.set_suitable_for_children(patch.suitable_for_children());
    } else if (path == "non_commercial_attested") {
      a.set_non_commercial_attested(patch.non_commercial_attested());
      attested = true;
    } else if (path == "non_degrading_attested") {
      a.set_non_degrading_attested(patch.non_degrading_attested());
      attested = true;
    } else if (path == "educational_attested") {
      a.set_educational_attested(patch.educational_attested());
      attested = true;
    } else {
      v.AddViolation("update_mask",
                     absl::StrCat("\"", path, "\" cannot be updated"));
    }
  }
  if (mask.paths_size() == 0) v.AddViolation("update_mask", "required");
  KS_RETURN_IF_ERROR(v.Finish());
  CheckFields(v, a, *ctx.policy);
  KS_RETURN_IF_ERROR(v.Finish());
  if (attested) {
    *a.mutable_attested_by() = ctx.actor;
    *a.mutable_attest_time() = ToProto(ctx.now);
  }
  *a.mutable_update_time() = ToProto(ctx.now);
  return a;
}

absl::StatusOr<ActivityType> Retire(const ActivityType& a, const Context& ctx) {
  if (a.state() != pv1::ACTIVITY_TYPE_STATE_ACTIVE) {
    return FailedPreconditionError("the activity type is already retired",
                                   "STATE", a.name(), kReasonInvalidState);
  }
  ActivityType out = a;
  out.set_state(pv1::ACTIVITY_TYPE_STATE_RETIRED);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::Status CheckUsable(const ActivityType& a, const PolicyVersion& policy) {
  if (a.state() != pv1::ACTIVITY_TYPE_STATE_ACTIVE) {
    return FailedPreconditionError(
        absl::StrCat("activity type ", a.name(), " is retired"), "ACTIVITY",
        a.name(), kReasonActivityRetired);
  }
  if (!a.non_commercial_attested() || !a.non_degrading_attested() ||
      (policy.activity().educational_attestation_required() &&
       !a.educational_attested())) {
    return FailedPreconditionError(
        absl::StrCat("activity type ", a.name(),
                     " lacks its non-commercial / non-degrading attestation (",
                     cite::kR4, ")"),
        "ACTIVITY", a.name(), kReasonActivityNotAttested);
  }
  return absl::OkStatus();
}

pv1::ActivityTypeChanged ChangedEvent(const ActivityType& a) {
  pv1::ActivityTypeChanged e;
  e.set_category(a.category());
  e.set_state(a.state());
  e.set_non_commercial_attested(a.non_commercial_attested());
  e.set_non_degrading_attested(a.non_degrading_attested());
  e.set_suitable_for_children(a.suitable_for_children());
  return e;
}

}  // namespace ks::placements::domain
