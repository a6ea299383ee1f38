// The ListUpstreams filter (AIP-160 subset over `kind`, `state` and
// `lag_seconds`, e.g. `state != LIVE AND lag_seconds > 300`), on
// common/rpc/filter's parser. Pure.
#ifndef KS_SERVICES_REPORTING_DOMAIN_UPSTREAM_FILTER_H_
#define KS_SERVICES_REPORTING_DOMAIN_UPSTREAM_FILTER_H_

#include <functional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/reporting/v1/resources.pb.h"

namespace ks::reporting::domain {

using UpstreamPredicate =
    std::function<bool(const kerjasosial::reporting::v1::Upstream&)>;

// INVALID_ARGUMENT on `filter` for an unknown field, a bad value, or an
// ordering operator on `kind`/`state`. An empty filter matches everything.
absl::StatusOr<UpstreamPredicate> ParseUpstreamFilter(absl::string_view filter);

}  // namespace ks::reporting::domain

#endif  // KS_SERVICES_REPORTING_DOMAIN_UPSTREAM_FILTER_H_
