// Small helpers every part-1 handler file of SupervisionService shares
// (supervision_service.cc, ledger_handlers.cc, litmas_handlers.cc): the
// resource-name patterns, timestamp conversion, the feed event envelope and
// the recording actor. Kept once here so the handler files do not copy them.
//
// Thread-safe (pure functions).
#ifndef KS_SERVICES_SUPERVISION_HANDLER_SUPPORT_H_
#define KS_SERVICES_SUPERVISION_HANDLER_SUPPORT_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/access.h"
#include "common/outbox/outbox.h"
#include "common/rpc/pipeline.h"
#include "common/validation/validator.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "kerjasosial/common/v1/event.pb.h"

namespace ks::supervision::support {

inline constexpr char kParent[] = "regencies/{regency}";
inline constexpr char kCasePattern[] = "regencies/{regency}/cases/{case}";
inline constexpr char kPlacementPattern[] =
    "regencies/{regency}/placements/{placement}";
inline constexpr char kSitePattern[] = "regencies/{regency}/sites/{site}";
inline constexpr char kAssignmentPattern[] =
    "regencies/{regency}/pkAssignments/{pk_assignment}";
inline constexpr char kLedgerPattern[] = "regencies/{regency}/ledgers/{ledger}";
inline constexpr char kSessionPattern[] =
    "regencies/{regency}/workSessions/{work_session}";
inline constexpr char kLitmasPattern[] =
    "regencies/{regency}/litmasReports/{litmas_report}";

inline absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixNanos(
      google::protobuf::util::TimeUtil::TimestampToNanoseconds(t));
}
inline google::protobuf::Timestamp ToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}

// A feed event of `payload` about aggregate `name` at `version`.
inline kerjasosial::common::v1::Event EventOf(
    absl::string_view type, absl::string_view name, int64_t version,
    absl::string_view regency, absl::Time now,
    const google::protobuf::Message& payload) {
  kerjasosial::common::v1::Event e;
  e.set_aggregate_type(std::string(type));
  e.set_aggregate_name(std::string(name));
  e.set_aggregate_version(version);
  e.set_regency_code(std::string(regency));
  *e.mutable_event_time() = ToProto(now);
  e.set_event_type(payload.GetDescriptor()->full_name());
  e.mutable_payload()->PackFrom(payload);
  return e;
}

// The stored version behind an etag (0 when it does not parse).
inline int64_t VersionOfEtag(const std::string& etag) {
  absl::StatusOr<int64_t> v = outbox::VersionFromEtag(etag);
  return v.ok() ? *v : 0;
}

inline kerjasosial::common::v1::Actor ActorOf(const rpc::Call& call) {
  kerjasosial::common::v1::Actor a;
  a.set_principal_id(call.principal.id);
  a.set_role(auth::ProtoRole(call.principal.role));
  a.set_agency_code(call.principal.agency);
  return a;
}

// The regency variable of a resource name ("" when it does not parse).
inline std::string RegencyOf(absl::string_view name,
                             absl::string_view pattern) {
  absl::StatusOr<std::map<std::string, std::string>> vars =
      ParseResourceName(name, pattern);
  return vars.ok() ? vars->at("regency") : "";
}

}  // namespace ks::supervision::support

#endif  // KS_SERVICES_SUPERVISION_HANDLER_SUPPORT_H_
