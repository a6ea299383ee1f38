#include "services/placements/domain/site.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "common/validation/validator.h"
#include "services/placements/domain/activity.h"
#include "services/placements/domain/agreement.h"
#include "services/placements/domain/schedule.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;

constexpr char kActivityPattern[] =
    "regencies/{regency}/activityTypes/{activity_type}";

absl::Status StateError(const Site& s, absl::string_view what) {
  return FailedPreconditionError(
      absl::StrCat("site is ", pv1::SiteState_Name(s.state()), ": ", what),
      "STATE", s.name(), kReasonInvalidState);
}

// Checks every client field of `s` (its zone already set).
absl::Status CheckFields(
    const Site& s, const std::map<std::string, pv1::ActivityType>& activities,
    const Context& ctx) {
  Validator v;
  v.Name("site.display_name", s.display_name(), 200, true);
  if (s.host_kind() == pv1::HOST_KIND_UNSPECIFIED) {
    v.AddViolation("site.host_kind", "required");
  }
  v.Name("site.host_name", s.host_name(), 200, false);
  v.Text("site.address", s.address(), 500, true);
  v.Coordinates("site.latitude", s.latitude(), "site.longitude", s.longitude());
  v.InRange("site.capacity", s.capacity(), 1, 1000, "persons at once");
  if (s.activities_size() == 0) {
    v.AddViolation("site.activities", "at least one activity");
  }
  std::set<std::string> seen;
  for (int i = 0; i < s.activities_size(); ++i) {
    const pv1::SiteActivity& a = s.activities(i);
    const std::string f = absl::StrCat("site.activities[", i, "]");
    if (!v.ResourceName(absl::StrCat(f, ".activity_type"), a.activity_type(),
                        kActivityPattern)) {
      continue;
    }
    if (!seen.insert(a.activity_type()).second) {
      v.AddViolation(absl::StrCat(f, ".activity_type"), "listed twice");
    }
    if (!a.non_commercial_attested()) {
      v.AddViolation(absl::StrCat(f, ".non_commercial_attested"),
                     absl::StrCat("must be true: the site may not profit "
                                  "from the work (",
                                  cite::kR4, ")"));
    }
    if (!a.non_degrading_attested()) {
      v.AddViolation(absl::StrCat(f, ".non_degrading_attested"),
                     absl::StrCat("must be true: the work may not degrade "
                                  "the person (",
                                  cite::kR4, ")"));
    }
  }
  CheckScheduleShape(v, "site.schedule", s.schedule(), s.time_zone());
  for (int i = 0; i < s.staff_size(); ++i) {
    v.RequiredString(absl::StrCat("site.staff[", i, "].principal_id"),
                     s.staff(i).principal_id());
    v.Name(absl::StrCat("site.staff[", i, "].position"), s.staff(i).position(),
           200, false);
  }
  KS_RETURN_IF_ERROR(v.Finish());
  for (const pv1::SiteActivity& a : s.activities()) {
    auto it = activities.find(a.activity_type());
    if (it == activities.end()) {
      return absl::NotFoundError(
          absl::StrCat("activity type ", a.activity_type(), " not found"));
    }
    KS_RETURN_IF_ERROR(CheckUsable(it->second, *ctx.policy));
  }
  return absl::OkStatus();
}

void Stamp(Site& s, const Context& ctx) {
  for (pv1::SiteActivity& a : *s.mutable_activities()) {
    if (!a.has_attested_by()) {
      *a.mutable_attested_by() = ctx.actor;
      *a.mutable_attest_time() = ToProto(ctx.now);
    }
  }
  s.mutable_schedule()->set_time_zone(s.time_zone());
  *s.mutable_update_time() = ToProto(ctx.now);
}

absl::Status CheckReason(const std::string& code, const Context& ctx) {
  // The pipeline checks the request's taxonomy fields generically; this
  // keeps the domain safe when called from elsewhere (tests, sweeps).
  return policy::PolicySet::CheckTaxonomyCode(*ctx.policy, "site_state_reason",
                                              code);
}

}  // namespace

absl::StatusOr<Site> NewSite(
    const Site& in, const std::string& name, const std::string& regency,
    const std::string& zone, const pv1::CooperationAgreement& agreement,
    const std::map<std::string, pv1::ActivityType>& activities,
    const Context& ctx) {
  Site s;
  s.set_name(name);
  s.set_regency_code(regency);
  s.set_display_name(in.display_name());
  s.set_agreement(in.agreement());
  s.set_host_kind(in.host_kind());
  s.set_host_name(in.host_name());
  s.set_address(in.address());
  s.set_latitude(in.latitude());
  s.set_longitude(in.longitude());
  s.set_time_zone(zone);
  for (const pv1::SiteActivity& a : in.activities()) {
    pv1::SiteActivity* out = s.add_activities();
    out->set_activity_type(a.activity_type());
    out->set_non_commercial_attested(a.non_commercial_attested());
    out->set_non_degrading_attested(a.non_degrading_attested());
  }
  s.set_capacity(in.capacity());
  *s.mutable_schedule() = in.schedule();
  *s.mutable_staff() = in.staff();
  s.set_accepts_children(in.accepts_children());
  KS_RETURN_IF_ERROR(CheckFields(s, activities, ctx));
  KS_RETURN_IF_ERROR(CheckInForce(agreement, regency, ctx.today));
  s.set_state(pv1::SITE_STATE_ACTIVE);
  *s.mutable_create_time() = ToProto(ctx.now);
  Stamp(s, ctx);
  return s;
}

absl::StatusOr<Site> UpdateSite(
    const Site& current, const Site& patch,
    const google::protobuf::FieldMask& mask, int64_t held,
    const std::map<std::string, pv1::ActivityType>& activities,
    const Context& ctx) {
  if (current.state() == pv1::SITE_STATE_CLOSED) {
    return StateError(current, "a closed site cannot change");
  }
  Validator v;
  Site s = current;
  for (const std::string& path : mask.paths()) {
    if (path == "display_name") {
      s.set_display_name(patch.display_name());
    } else if (path == "host_kind") {
      s.set_host_kind(patch.host_kind());
    } else if (path == "host_name") {
      s.set_host_name(patch.host_name());
    } else if (path == "address") {
      s.set_address(patch.address());
    } else if (path == "latitude") {
      s.set_latitude(patch.latitude());
    } else if (path == "longitude") {
      s.set_longitude(patch.longitude());
    } else if (path == "activities") {
      s.clear_activities();
      for (const pv1::SiteActivity& a : patch.activities()) {
        pv1::SiteActivity* out = s.add_activities();
        out->set_activity_type(a.activity_type());
        out->set_non_commercial_attested(a.non_commercial_attested());
        out->set_non_degrading_attested(a.non_degrading_attested());
      }
    } else if (path == "capacity") {
      s.set_capacity(patch.capacity());
    } else if (path == "schedule") {
      *s.mutable_schedule() = patch.schedule();
    } else if (path == "staff") {
      *s.mutable_staff() = patch.staff();
    } else if (path == "accepts_children") {
      s.set_accepts_children(patch.accepts_children());
    } else {
      v.AddViolation("update_mask",
                     absl::StrCat("\"", path, "\" cannot be updated"));
    }
  }
  if (mask.paths_size() == 0) v.AddViolation("update_mask", "required");
  KS_RETURN_IF_ERROR(v.Finish());
  KS_RETURN_IF_ERROR(CheckFields(s, activities, ctx));
  if (s.capacity() < held) {
    return FailedPreconditionError(
        absl::StrCat("capacity ", s.capacity(), " is below the ", held,
                     " placements holding a slot"),
        "CAPACITY", s.name(), "CAPACITY_BELOW_PLACEMENTS");
  }
  Stamp(s, ctx);
  return s;
}

absl::StatusOr<Site> Suspend(const Site& s, const std::string& reason_code,
                             const Context& ctx) {
  KS_RETURN_IF_ERROR(CheckReason(reason_code, ctx));
  if (s.state() != pv1::SITE_STATE_ACTIVE) {
    return StateError(s, "only an ACTIVE site is suspended");
  }
  Site out = s;
  out.set_state(pv1::SITE_STATE_SUSPENDED);
  out.set_state_reason_code(reason_code);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<Site> Reinstate(const Site& s, const Context& ctx) {
  if (s.state() != pv1::SITE_STATE_SUSPENDED) {
    return StateError(s, "only a SUSPENDED site is reinstated");
  }
  Site out = s;
  out.set_state(pv1::SITE_STATE_ACTIVE);
  out.clear_state_reason_code();
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::StatusOr<Site> Close(const Site& s, const std::string& reason_code,
                           const Context& ctx) {
  KS_RETURN_IF_ERROR(CheckReason(reason_code, ctx));
  if (s.state() == pv1::SITE_STATE_CLOSED) {
    return StateError(s, "already closed");
  }
  Site out = s;
  out.set_state(pv1::SITE_STATE_CLOSED);
  out.set_state_reason_code(reason_code);
  *out.mutable_update_time() = ToProto(ctx.now);
  return out;
}

absl::Status CheckReceives(const Site& s) {
  if (s.state() != pv1::SITE_STATE_ACTIVE) {
    return FailedPreconditionError(
        absl::StrCat("site ", s.name(), " is ", pv1::SiteState_Name(s.state())),
        "SITE", s.name(), kReasonSiteNotActive);
  }
  return absl::OkStatus();
}

bool OffersAttested(const Site& s, const std::string& activity_type) {
  for (const pv1::SiteActivity& a : s.activities()) {
    if (a.activity_type() == activity_type) {
      return a.non_commercial_attested() && a.non_degrading_attested();
    }
  }
  return false;
}

pv1::SiteChanged ChangedEvent(const Site& s, pv1::SiteState previous) {
  pv1::SiteChanged e;
  e.set_agreement(s.agreement());
  e.set_host_kind(s.host_kind());
  e.set_state(s.state());
  e.set_previous_state(previous);
  e.set_capacity(s.capacity());
  e.set_time_zone(s.time_zone());
  *e.mutable_schedule() = s.schedule();
  for (const pv1::SiteActivity& a : s.activities()) {
    if (a.non_commercial_attested() && a.non_degrading_attested()) {
      e.add_attested_activity_types(a.activity_type());
    }
  }
  e.set_accepts_children(s.accepts_children());
  e.set_state_reason_code(s.state_reason_code());
  for (const pv1::AccompanyingStaff& st : s.staff()) {
    e.add_staff_principal_ids(st.principal_id());
  }
  return e;
}

}  // namespace ks::placements::domain
