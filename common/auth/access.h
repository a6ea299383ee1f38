// Access rules from the contract: the `(kerjasosial.common.v1.access)` method
// option every rpc carries (proto/kerjasosial/common/v1/access.proto),
// enforced generically from the method descriptor and the request message,
// so no handler writes its own role or regency check.
//
//   const auto* method =
//   auth::FindMethod("/kerjasosial.cases.v1.Cases/GetCase");
//   absl::StatusOr<auth::AccessDecision> d =
//       auth::Authorize(*method, request, principal);
//   ... load the case ...
//   KS_RETURN_IF_ERROR(auth::CheckRelations(principal, *d, facts));
//
// Authorize() checks the role of every grant (ROLE_ADMIN passes every role
// check and stays held to its regency scope) and, per the grant's scope, the
// regency inside the resource name the grant names:
//   RESOURCE_REGENCY  the regency of `name` (or the grant's dotted `field`,
//                     e.g. "case_data.name") must be in the caller's scope;
//   PARENT_REGENCY    the same for `parent`; "regencies/-" is the caller's
//                     own scope (the handler returns nothing outside it);
//   DEPLOYMENT        the role only;
//   CALLER            the role only (the handler answers within the scope);
//   RELATION          the role only; the relation is left for the handler,
//                     which checks it with CheckRelations() once it has
//                     loaded the resource.
// A caller admitted by a non-relation grant has no relation left to check.
//
// Errors (PERMISSION_DENIED, the shapes of auth::Require):
//   ROLE_REQUIRED          no grant admits the caller's role;
//   REGENCY_OUT_OF_SCOPE   a grant admits the role, but the regency is
//                          outside the caller's scope;
//   a relation's reason    (CheckRelations) e.g. BAPAS_OFFICE_REQUIRED.
// INTERNAL when the method carries no rule or names a field the request
// lacks: a contract bug, never an open door.
//
// Thread-safe: pure functions over immutable descriptors.
#ifndef KS_COMMON_AUTH_ACCESS_H_
#define KS_COMMON_AUTH_ACCESS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/principal.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "kerjasosial/common/v1/access.pb.h"
#include "kerjasosial/common/v1/common.pb.h"

namespace ks::auth {

inline constexpr absl::string_view kReasonRelationRequired =
    "RELATION_REQUIRED";
inline constexpr absl::string_view kReasonBapasOfficeRequired =
    "BAPAS_OFFICE_REQUIRED";

// The contract's Role of a principal's role (ROLE_JAKSA for Role::JAKSA).
kerjasosial::common::v1::Role ProtoRole(Role role);

// The method of a full gRPC path ("/pkg.Service/Method") or a full name
// ("pkg.Service.Method") in the generated pool; null if unknown.
const google::protobuf::MethodDescriptor* FindMethod(absl::string_view path);

// The rule of `method`; nullopt when it carries none.
std::optional<kerjasosial::common::v1::AccessRule> RuleOf(
    const google::protobuf::MethodDescriptor& method);

// The request field a grant's regency check reads: the grant's `field`, or
// "name" / "parent" by scope; "" for scopes that read none.
std::string GrantField(const kerjasosial::common::v1::AccessGrant& grant);

// The string at a dotted `path` of `message` ("case_data.name");
// NOT_FOUND if a step is not a singular message/string field.
absl::StatusOr<std::string> StringAtPath(
    const google::protobuf::Message& message, absl::string_view path);

// The regency of a resource name "regencies/{regency}/...": "64.01"; "-"
// for the wildcard parent; "" when `name` has no regency segment.
std::string RegencyOf(absl::string_view name);

// What Authorize() leaves to the handler.
struct AccessDecision {
  // Empty: the caller is admitted. Otherwise the caller is admitted only if
  // one of these relations holds for the resource (CheckRelations).
  std::vector<kerjasosial::common::v1::AccessRelation> relations;
  // The regency the call addresses ("" for none, "-" for "my scope").
  std::string regency;

  bool needs_relation() const { return !relations.empty(); }
};

// Evaluates the access rule of `method` for `principal` calling it with
// `request` (whose type is the method's input type). See the file comment.
absl::StatusOr<AccessDecision> Authorize(
    const google::protobuf::MethodDescriptor& method,
    const google::protobuf::Message& request, const Principal& principal);

// The stored facts a relation is checked against; a handler fills what its
// resource has (unset: the relation cannot hold).
struct RelationFacts {
  // HANDOVER_OFFICE: the Bapas office the case was handed over to.
  std::optional<std::string> handover_office;
  // ASSIGNED_PK: the principal id of the PK assigned to the case.
  std::optional<std::string> assigned_pk;
  // SITE_STAFF: principal ids of the site's accompanying staff.
  std::vector<std::string> site_staff;
  // PLACEMENT_REGENCY: regency of the site where the person is placed.
  std::optional<std::string> placement_regency;
  // CASE_PROSECUTOR: the regency of the case.
  std::optional<std::string> case_regency;
};

// True if `relation` holds between `principal` and a resource with `facts`.
bool RelationHolds(const Principal& principal,
                   kerjasosial::common::v1::AccessRelation relation,
                   const RelationFacts& facts);

// OK if `decision` needs no relation or one of its relations holds;
// PERMISSION_DENIED otherwise (BAPAS_OFFICE_REQUIRED for the handover
// office, RELATION_REQUIRED naming the relations otherwise).
absl::Status CheckRelations(const Principal& principal,
                            const AccessDecision& decision,
                            const RelationFacts& facts);

}  // namespace ks::auth

#endif  // KS_COMMON_AUTH_ACCESS_H_
