#include "services/supervision/programs/domain/integration_client.h"

#include <utility>

#include "absl/strings/match.h"
#include "common/time/clock.h"

namespace ks::supervision::programs::domain {
namespace {

namespace v1 = ::kerjasosial::supervision::v1;

void CheckFields(Validator& v, const v1::IntegrationClient& c) {
  const std::string p = "integration_client.";
  v.Name(p + "bapas_office_code", c.bapas_office_code(), 100, true);
  v.Name(p + "pk_principal_id", c.pk_principal_id(), 128, true);
  if (c.kind() == v1::INTEGRATION_KIND_UNSPECIFIED) {
    v.AddViolation(p + "kind", "is required");
  }
  v.Name(p + "decree_reference", c.decree_reference(), 100, true);
  CheckDateRange(v, p + "period", c.period(), /*required=*/true);
  if (v.Required(p + "person", c.has_person())) {
    v.Name(p + "person.full_name", c.person().full_name(), 200, true);
  }
}

kerjasosial::common::v1::Event Changed(const v1::IntegrationClient& c,
                                       int64_t version,
                                       absl::string_view regency,
                                       const Context& ctx) {
  v1::IntegrationClientChanged e;
  e.set_client(c.name());
  e.set_bapas_office_code(c.bapas_office_code());
  e.set_kind(c.kind());
  *e.mutable_period() = c.period();
  e.set_open(ClientSubject(c, ctx).active);
  return MakeEvent(kClientAggregate, c.name(), version, regency, e, ctx.now);
}

}  // namespace

absl::StatusOr<Outcome<v1::IntegrationClient>> OpenClient(
    const v1::IntegrationClient& input, absl::string_view name,
    absl::string_view regency, const Context& ctx) {
  Validator v;
  CheckFields(v, input);
  KS_RETURN_IF_ERROR(v.Finish());
  Outcome<v1::IntegrationClient> out;
  out.after = input;
  out.after.set_name(std::string(name));
  *out.after.mutable_create_time() = ToProto(ctx.now);
  *out.after.mutable_update_time() = ToProto(ctx.now);
  out.after.clear_etag();
  out.events.push_back(Changed(out.after, 1, regency, ctx));
  return out;
}

absl::StatusOr<Outcome<v1::IntegrationClient>> UpdateClient(
    const v1::IntegrationClient& current, int64_t version,
    const v1::UpdateIntegrationClientRequest& request,
    absl::string_view regency, const Context& ctx) {
  Validator v;
  CheckMask(
      v, request.update_mask(),
      {"pk_principal_id", "kind", "decree_reference", "period", "person"});
  KS_RETURN_IF_ERROR(v.Finish());
  Outcome<v1::IntegrationClient> out;
  out.after = current;
  ApplyMask(request.update_mask(), request.integration_client(), out.after);
  CheckFields(v, out.after);
  KS_RETURN_IF_ERROR(v.Finish());
  *out.after.mutable_update_time() = ToProto(ctx.now);
  out.after.clear_etag();
  out.events.push_back(Changed(out.after, version + 1, regency, ctx));
  return out;
}

Subject ClientSubject(const v1::IntegrationClient& client, const Context& ctx) {
  Subject s;
  s.client = client.name();
  const google::type::Date end = client.period().end_date();
  const google::type::Date today = DateFromCivilDay(ctx.today);
  s.active = DateKey(today) <= DateKey(end);
  s.child = client.kind() == v1::INTEGRATION_KIND_CHILD_MEASURE;
  return s;
}

absl::Status CheckNoHours(absl::string_view subject_name) {
  if (absl::StrContains(subject_name, "/integrationClients/")) {
    return Precondition(
        "a program-integrasi client has guidance and referrals only, never "
        "hours or work sessions",
        "SUBJECT", subject_name, kReasonNoHoursForIntegrationClient);
  }
  return absl::OkStatus();
}

}  // namespace ks::supervision::programs::domain
