#include "common/auth/access.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/auth/authenticator.h"
#include "common/status/rich_status.h"
#include "google/protobuf/descriptor.pb.h"

namespace ks::auth {
namespace {

namespace cv1 = ::kerjasosial::common::v1;
using ::google::protobuf::FieldDescriptor;

bool Admits(const cv1::AccessGrant& grant, Role role) {
  if (role == Role::ADMIN) return true;
  const cv1::Role want = ProtoRole(role);
  return std::any_of(grant.roles().begin(), grant.roles().end(),
                     [want](int r) { return r == want; });
}

std::string RelationName(cv1::AccessRelation relation) {
  return std::string(absl::StripPrefix(cv1::AccessRelation_Name(relation),
                                       "ACCESS_RELATION_"));
}

}  // namespace

cv1::Role ProtoRole(Role role) {
  cv1::Role out = cv1::ROLE_UNSPECIFIED;
  cv1::Role_Parse(absl::StrCat("ROLE_", RoleName(role)), &out);
  return out;
}

const google::protobuf::MethodDescriptor* FindMethod(absl::string_view path) {
  std::string full(absl::StripPrefix(path, "/"));
  std::replace(full.begin(), full.end(), '/', '.');
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
      full);
}

std::optional<cv1::AccessRule> RuleOf(
    const google::protobuf::MethodDescriptor& method) {
  if (!method.options().HasExtension(cv1::access)) return std::nullopt;
  return method.options().GetExtension(cv1::access);
}

std::string GrantField(const cv1::AccessGrant& grant) {
  if (!grant.field().empty()) return grant.field();
  switch (grant.scope()) {
    case cv1::ACCESS_SCOPE_RESOURCE_REGENCY:
      return "name";
    case cv1::ACCESS_SCOPE_PARENT_REGENCY:
      return "parent";
    default:
      return "";
  }
}

absl::StatusOr<std::string> StringAtPath(
    const google::protobuf::Message& message, absl::string_view path) {
  const google::protobuf::Message* at = &message;
  std::vector<absl::string_view> steps = absl::StrSplit(path, '.');
  for (size_t i = 0; i < steps.size(); ++i) {
    const FieldDescriptor* f =
        at->GetDescriptor()->FindFieldByName(std::string(steps[i]));
    if (f == nullptr || f->is_repeated()) break;
    const bool last = i + 1 == steps.size();
    if (last && f->type() == FieldDescriptor::TYPE_STRING) {
      return at->GetReflection()->GetString(*at, f);
    }
    if (last || f->type() != FieldDescriptor::TYPE_MESSAGE) break;
    at = &at->GetReflection()->GetMessage(*at, f);
  }
  return absl::NotFoundError(absl::StrCat(message.GetDescriptor()->full_name(),
                                          " has no string field ", path));
}

std::string RegencyOf(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, "regencies/")) return "";
  return std::string(name.substr(0, name.find('/')));
}

absl::StatusOr<AccessDecision> Authorize(
    const google::protobuf::MethodDescriptor& method,
    const google::protobuf::Message& request, const Principal& principal) {
  std::optional<cv1::AccessRule> rule = RuleOf(method);
  if (!rule || rule->grants().empty()) {
    return absl::InternalError(
        absl::StrCat(method.full_name(), " declares no access rule"));
  }
  std::vector<Role> roles;  // every role some grant admits, for the error
  absl::Status out_of_scope;
  AccessDecision relation_only;
  for (const cv1::AccessGrant& grant : rule->grants()) {
    for (int r : grant.roles()) {
      absl::StatusOr<Role> role = ParseRole(std::string(absl::StripPrefix(
          cv1::Role_Name(static_cast<cv1::Role>(r)), "ROLE_")));
      if (role.ok() &&
          std::find(roles.begin(), roles.end(), *role) == roles.end()) {
        roles.push_back(*role);
      }
    }
    if (!Admits(grant, principal.role)) continue;
    const bool relation = grant.scope() == cv1::ACCESS_SCOPE_RELATION;
    // ADMIN is never listed on a relation grant; it enters it only through
    // the regency of the resource the request names.
    const bool admin_by_relation = relation && principal.role == Role::ADMIN;
    if (relation && !admin_by_relation) {
      relation_only.relations.push_back(grant.relation());
      continue;
    }
    std::string field = GrantField(grant);
    if (admin_by_relation) {
      field =
          request.GetDescriptor()->FindFieldByName("name") ? "name" : "parent";
    }
    AccessDecision decision;
    if (!field.empty()) {
      absl::StatusOr<std::string> name = StringAtPath(request, field);
      if (!name.ok()) return absl::InternalError(name.status().message());
      decision.regency = RegencyOf(*name);
      if (decision.regency.empty()) {
        return InvalidArgumentError(
            {{field, "must name a resource under regencies/{regency}"}});
      }
      if (decision.regency != "-") {
        absl::Status s =
            Require(principal, std::vector<Role>{}, decision.regency);
        if (!s.ok()) {
          if (out_of_scope.ok()) out_of_scope = s;
          continue;
        }
      }
    }
    return decision;
  }
  if (!relation_only.relations.empty()) return relation_only;
  if (!out_of_scope.ok()) return out_of_scope;
  if (roles.empty()) roles.push_back(Role::ADMIN);
  return Require(principal, roles);
}

bool RelationHolds(const Principal& principal, cv1::AccessRelation relation,
                   const RelationFacts& facts) {
  switch (relation) {
    case cv1::ACCESS_RELATION_HANDOVER_OFFICE:
      return facts.handover_office && !facts.handover_office->empty() &&
             *facts.handover_office == principal.agency;
    case cv1::ACCESS_RELATION_ASSIGNED_PK:
      return facts.assigned_pk && *facts.assigned_pk == principal.id;
    case cv1::ACCESS_RELATION_SITE_STAFF:
      return std::find(facts.site_staff.begin(), facts.site_staff.end(),
                       principal.id) != facts.site_staff.end();
    case cv1::ACCESS_RELATION_PLACEMENT_REGENCY:
      return facts.placement_regency &&
             principal.MayActIn(*facts.placement_regency);
    case cv1::ACCESS_RELATION_CASE_PROSECUTOR:
      return facts.case_regency && principal.MayActIn(*facts.case_regency);
    default:
      return false;
  }
}

absl::Status CheckRelations(const Principal& principal,
                            const AccessDecision& decision,
                            const RelationFacts& facts) {
  if (!decision.needs_relation()) return absl::OkStatus();
  for (cv1::AccessRelation r : decision.relations) {
    if (RelationHolds(principal, r, facts)) return absl::OkStatus();
  }
  if (decision.relations.size() == 1 &&
      decision.relations[0] == cv1::ACCESS_RELATION_HANDOVER_OFFICE) {
    return WithErrorInfo(
        absl::PermissionDeniedError(absl::StrCat(
            "principal ", principal.id, " (", RoleName(principal.role), " of ",
            principal.agency,
            ") may act only on cases handed over to its Bapas office")),
        kReasonBapasOfficeRequired,
        {{"principal", principal.id}, {"agency", principal.agency}});
  }
  std::vector<std::string> names;
  for (cv1::AccessRelation r : decision.relations) {
    names.push_back(RelationName(r));
  }
  const std::string joined = absl::StrJoin(names, " or ");
  return WithErrorInfo(
      absl::PermissionDeniedError(absl::StrCat("principal ", principal.id,
                                               " has no ", joined,
                                               " relation to the resource")),
      kReasonRelationRequired,
      {{"principal", principal.id}, {"relations", absl::StrJoin(names, ",")}});
}

}  // namespace ks::auth
