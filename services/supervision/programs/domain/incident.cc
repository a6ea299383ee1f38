#include "services/supervision/programs/domain/incident.h"

#include <map>
#include <string>
#include <utility>

namespace ks::supervision::programs::domain {

namespace v1 = ::kerjasosial::supervision::v1;

bool IsSevere(v1::IncidentSeverity severity) {
  return severity == v1::INCIDENT_SEVERITY_SERIOUS ||
         severity == v1::INCIDENT_SEVERITY_CRITICAL;
}

v1::SafetyIncident RedactIncident(v1::SafetyIncident incident) {
  incident.clear_description();
  incident.clear_actions_taken();
  return incident;
}

absl::StatusOr<Outcome<v1::SafetyIncident>> RecordIncident(
    const v1::SafetyIncident& input, absl::string_view name,
    absl::string_view regency, const Context& ctx) {
  Validator v;
  std::map<std::string, std::string> vars;
  if (v.ResourceName("safety_incident.site", input.site(),
                     "regencies/{regency}/sites/{site}", &vars) &&
      vars["regency"] != regency) {
    v.AddViolation("safety_incident.site",
                   "must be a site of the parent's regency");
  }
  if (!input.work_session().empty()) {
    v.ResourceName("safety_incident.work_session", input.work_session(),
                   "regencies/{regency}/workSessions/{work_session}");
  }
  if (!input.case_name().empty()) {
    v.ResourceName("safety_incident.case_name", input.case_name(),
                   "regencies/{regency}/cases/{case}");
  }
  if (v.Required("safety_incident.occur_time", input.has_occur_time()) &&
      FromProto(input.occur_time()) > ctx.now + kClockSkew) {
    v.AddViolation("safety_incident.occur_time", "must not be in the future");
  }
  if (input.severity() == v1::INCIDENT_SEVERITY_UNSPECIFIED) {
    v.AddViolation("safety_incident.severity", "is required");
  }
  v.Text("safety_incident.description", input.description(), 2000, true);
  v.Text("safety_incident.actions_taken", input.actions_taken(), 2000, false);
  KS_RETURN_IF_ERROR(v.Finish());

  Outcome<v1::SafetyIncident> out;
  v1::SafetyIncident& s = out.after;
  s = input;
  s.set_name(std::string(name));
  *s.mutable_recorded_by() = ctx.actor;
  *s.mutable_create_time() = ToProto(ctx.now);
  s.clear_etag();

  v1::SafetyIncidentRecorded facts;
  facts.set_safety_incident(s.name());
  facts.set_site(s.site());
  facts.set_case_name(s.case_name());
  facts.set_work_session(s.work_session());
  facts.set_severity(s.severity());
  *facts.mutable_occur_time() = s.occur_time();
  facts.set_raised(IsSevere(s.severity()));
  if (facts.raised()) {
    v1::SafetyIncidentRaised raised;
    *raised.mutable_incident() = std::move(facts);
    out.events.push_back(
        MakeEvent(kIncidentAggregate, s.name(), 1, regency, raised, ctx.now));
  } else {
    out.events.push_back(
        MakeEvent(kIncidentAggregate, s.name(), 1, regency, facts, ctx.now));
  }
  return out;
}

}  // namespace ks::supervision::programs::domain
