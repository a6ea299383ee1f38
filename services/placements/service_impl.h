// The templates the placements handlers share (one mutation of a stored
// resource, a create, a read, a list), included only by the handler files.
// See placements_service.h for the guarantees.
#ifndef KS_SERVICES_PLACEMENTS_SERVICE_IMPL_H_
#define KS_SERVICES_PLACEMENTS_SERVICE_IMPL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/access.h"
#include "common/ids/id.h"
#include "common/outbox/outbox.h"
#include "common/regions/regions.h"
#include "common/rpc/page_token.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "services/placements/placements_service.h"

namespace ks::placements {

inline constexpr char kService[] = "kerjasosial.placements.v1.Placements";
inline constexpr char kParentPattern[] = "regencies/{regency}";
inline constexpr char kAgreementPattern[] =
    "regencies/{regency}/agreements/{agreement}";
inline constexpr char kActivityPattern[] =
    "regencies/{regency}/activityTypes/{activity_type}";
inline constexpr char kSitePattern[] = "regencies/{regency}/sites/{site}";
inline constexpr char kPlacementPattern[] =
    "regencies/{regency}/placements/{placement}";

// Aggregate types of the feed (the resources' full names).
inline constexpr char kAgreementType[] =
    "kerjasosial.placements.v1.CooperationAgreement";
inline constexpr char kActivityType[] =
    "kerjasosial.placements.v1.ActivityType";
inline constexpr char kSiteType[] = "kerjasosial.placements.v1.Site";
inline constexpr char kPlacementType[] = "kerjasosial.placements.v1.Placement";

// The version a stored resource's etag carries (0 for none).
template <typename R>
int64_t VersionOf(const R& r) {
  absl::StatusOr<int64_t> v = outbox::VersionFromEtag(r.etag());
  return v.ok() ? *v : 0;
}

using store::RegencyOf;

template <typename R>
absl::StatusOr<R> PlacementsService::MutateOne(
    grpc::CallbackServerContext& ctx, absl::string_view method,
    const google::protobuf::Message& request, absl::string_view field,
    absl::string_view pattern, absl::string_view what, Step<R> step,
    std::function<void(Validator&)> checks) {
  rpc::MutationSteps<R> steps;
  const std::string noun(what);
  steps.load = [this, noun](const rpc::Call& call) {
    return store_.Get<R>(call.resource, noun);
  };
  steps.facts = [this](const R& r) { return FactsOf(r); };
  steps.version = [](const R& r) { return VersionOf(r); };
  steps.plan = [&](const rpc::Call& call,
                   const R* current) -> absl::StatusOr<rpc::Plan<R>> {
    store::Batch batch;
    KS_ASSIGN_OR_RETURN(R answer,
                        step(call, *current, ContextFor(call), batch));
    rpc::Plan<R> out;
    out.txn = std::move(batch).Finish(answer);
    return out;
  };
  return pipeline_.Mutate(
      ctx, method, request,
      rpc::Envelope(std::string(field), std::string(pattern), false,
                    std::move(checks)),
      steps);
}

template <typename R>
absl::StatusOr<R> PlacementsService::CreateOne(
    grpc::CallbackServerContext& ctx, absl::string_view method,
    const google::protobuf::Message& request, absl::string_view pattern,
    std::function<absl::StatusOr<R>(const rpc::Call&, const domain::Context&,
                                    store::Batch&)>
        step,
    std::function<void(Validator&)> checks) {
  rpc::MutationSteps<R> steps;
  steps.plan = [&](const rpc::Call& call,
                   const R*) -> absl::StatusOr<rpc::Plan<R>> {
    store::Batch batch;
    KS_ASSIGN_OR_RETURN(R answer, step(call, ContextFor(call), batch));
    rpc::Plan<R> out;
    out.audit_resource = answer.name();
    out.txn = std::move(batch).Finish(answer);
    return out;
  };
  return pipeline_.Mutate(
      ctx, method, request,
      rpc::Envelope("parent", std::string(pattern), false, std::move(checks)),
      steps);
}

template <typename R>
absl::StatusOr<R> PlacementsService::ReadOne(
    grpc::CallbackServerContext& ctx, absl::string_view method,
    const google::protobuf::Message& request, absl::string_view pattern,
    absl::string_view what) {
  KS_ASSIGN_OR_RETURN(
      rpc::Call call,
      pipeline_.Begin(ctx, method, request,
                      rpc::Envelope("name", std::string(pattern))));
  KS_ASSIGN_OR_RETURN(R r, store_.Get<R>(call.resource, what));
  if (call.access.needs_relation()) {
    KS_RETURN_IF_ERROR(
        auth::CheckRelations(call.principal, call.access, FactsOf(r)));
  }
  return r;
}

template <typename R, typename Req>
absl::Status PlacementsService::ListOf(
    grpc::CallbackServerContext& ctx, absl::string_view method, const Req& req,
    absl::string_view collection, std::vector<R>* out,
    std::string* next_page_token, int32_t* total_size,
    std::function<void(R&)> view, const ExtraFields& extra,
    absl::string_view pattern) {
  int page_size = 50;
  KS_ASSIGN_OR_RETURN(
      rpc::Call call,
      pipeline_.Begin(ctx, method, req,
                      rpc::Envelope("parent", std::string(pattern),
                                    /*allow_wildcard=*/true, [&](Validator& v) {
                                      const int size = v.PageSize(
                                          "page_size", req.page_size(), 500);
                                      if (req.page_size() != 0)
                                        page_size = size;
                                    })));
  KS_ASSIGN_OR_RETURN(
      ListFilter filter,
      ListFilter::Compile(req.filter(), *R::descriptor(), extra));
  const std::string regency = call.vars.at("regency");
  // Collections under a regency are indexed per regency; those under a
  // resource (an agreement's evaluations, a site's visits) per parent too.
  const bool under_regency = pattern == kParentPattern;
  const bool wildcard = regency == "-" || absl::EndsWith(req.parent(), "/-");
  const std::string scope = regency == "-" ? "g"
                            : under_regency || wildcard
                                ? absl::StrCat("r:", regency)
                                : absl::StrCat("p:", req.parent());
  const std::string hash = rpc::QueryHash({req.parent(), req.filter()});
  KS_ASSIGN_OR_RETURN(std::string after,
                      rpc::DecodePageToken(req.page_token(), collection, hash));
  const auth::Principal& who = call.principal;
  const bool by_relation = call.access.needs_relation();
  KS_ASSIGN_OR_RETURN(
      outbox::IndexPageInfo page,
      store_.List<R>(
          collection, scope, after, page_size, view,
          [&](const R& r) {
            if (regency == "-" && !by_relation &&
                !who.MayActIn(RegencyOf(r.name()))) {
              return false;
            }
            if (by_relation &&
                !auth::CheckRelations(who, call.access, FactsOf(r)).ok()) {
              return false;
            }
            return filter.Matches(r);
          },
          out));
  if (!page.next_after.empty()) {
    *next_page_token = rpc::EncodePageToken(collection, hash, page.next_after);
  }
  if (total_size != nullptr) {
    *total_size = static_cast<int32_t>(page.total_size);
  }
  return absl::OkStatus();
}

}  // namespace ks::placements

#endif  // KS_SERVICES_PLACEMENTS_SERVICE_IMPL_H_
