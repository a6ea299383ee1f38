// Small helpers every part-1 handler file of SupervisionService shares
// (supervision_service.cc, ledger_handlers.cc, litmas_handlers.cc): the
// resource-name patterns, timestamp conversion, the feed event envelope and
// the recording actor. Kept once here so the handler files do not copy them.
//
// Thread-safe (pure functions).
#ifndef KS_SERVICES_SUPERVISION_HANDLER_SUPPORT_H_
#define KS_SERVICES_SUPERVISION_HANDLER_SUPPORT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/access.h"
#include "common/outbox/outbox.h"
#include "common/rpc/page_token.h"
#include "common/rpc/pipeline.h"
#include "common/status/status_macros.h"
#include "common/time/proto_time.h"
#include "common/validation/validator.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "kerjasosial/common/v1/event.pb.h"
#include "services/supervision/domain/hours.h"
#include "services/supervision/programs/domain/list_filter.h"
#include "services/supervision/store/keys.h"

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

using ::ks::FromProto;
using ::ks::ToProto;

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

// Adds to `txn` the records of the sessions whose allocation moved.
inline absl::Status AddSessionWrites(const domain::HoursResult& r,
                                     outbox::Transaction& txn) {
  for (const domain::SessionWrite& w : r.sessions) {
    KS_ASSIGN_OR_RETURN(auto vars,
                        ParseResourceName(w.session.name(), kSessionPattern));
    txn.records.emplace_back(
        store::SessionKey(vars.at("regency"), vars.at("work_session")),
        w.expected_version, w.session.SerializeAsString());
  }
  return absl::OkStatus();
}

// What a List rpc of part 1 established before reading its index: the
// call, the page size, the position from the page token (bound to the query
// by `hash`), and the predicate admitting a record: the filter over the
// listed resource's `fields` (programs' reflective FieldFilter), the
// caller's regencies on a `regencies/-` list, and, for a relation grant, the
// relation against `facts` of each record.
template <typename R>
struct ListQuery {
  rpc::Call call;
  int page_size = 0;
  std::string after;
  std::string hash;
  std::function<bool(const R&)> predicate;
};

template <typename R>
absl::StatusOr<ListQuery<R>> BeginList(
    const rpc::Pipeline& pipeline, const grpc::ServerContextBase& ctx,
    absl::string_view method, const google::protobuf::Message& req,
    absl::string_view parent, absl::string_view filter_text,
    absl::string_view order_by, absl::string_view page_token, int32_t page_size,
    const std::vector<std::string>& fields, int default_size, int max_size,
    std::function<auth::RelationFacts(const R&)> facts) {
  ListQuery<R> q;
  q.page_size = default_size;
  absl::StatusOr<programs::domain::FieldFilter> filter =
      programs::domain::FieldFilter::Parse(filter_text, *R::descriptor(),
                                           fields);
  KS_ASSIGN_OR_RETURN(
      q.call,
      pipeline.Begin(ctx, method, req,
                     rpc::Envelope("parent", kParent,
                                   /*allow_wildcard=*/true, [&](Validator& v) {
                                     const int size = v.PageSize(
                                         "page_size", page_size, max_size);
                                     if (page_size != 0) {
                                       q.page_size = size;
                                     }
                                   })));
  KS_RETURN_IF_ERROR(filter.status());
  q.hash = rpc::QueryHash({method, parent, filter_text, order_by});
  KS_ASSIGN_OR_RETURN(q.after, rpc::DecodePageToken(page_token, "s1", q.hash));
  const auth::Principal who = q.call.principal;
  const auth::AccessDecision access = q.call.access;
  const bool national = who.regencies.size() == 1 && who.regencies[0] == "*";
  const bool by_relation = access.needs_relation();
  const bool scope_check =
      q.call.vars.at("regency") == "-" && !national && !by_relation;
  q.predicate = [f = *std::move(filter), who, access, by_relation, scope_check,
                 facts = std::move(facts)](const R& r) {
    if (!f.Matches(r)) return false;
    if (scope_check && !who.MayActIn(auth::RegencyOf(r.name()))) return false;
    return !by_relation || auth::CheckRelations(who, access, facts(r)).ok();
  };
  return q;
}

// The page token of a list whose page ended at index member `next_after`.
inline std::string NextPageToken(absl::string_view hash,
                                 absl::string_view next_after) {
  return next_after.empty() ? "" : rpc::EncodePageToken("s1", hash, next_after);
}

}  // namespace ks::supervision::support

#endif  // KS_SERVICES_SUPERVISION_HANDLER_SUPPORT_H_
