#include "services/reporting/domain/upstream_filter.h"

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/rpc/filter.h"
#include "common/status/status_macros.h"

namespace ks::reporting::domain {
namespace {

namespace rv1 = ::kerjasosial::reporting::v1;
namespace f = ::ks::rpc::filter;

}  // namespace

absl::StatusOr<UpstreamPredicate> ParseUpstreamFilter(
    absl::string_view filter) {
  KS_ASSIGN_OR_RETURN(std::vector<f::Comparison> comparisons, f::Parse(filter));
  std::vector<UpstreamPredicate> terms;
  for (const f::Comparison& c : comparisons) {
    if (c.field == "kind") {
      KS_RETURN_IF_ERROR(f::RequireEquality(c));
      KS_ASSIGN_OR_RETURN(
          int kind,
          f::EnumValue(c, *rv1::UpstreamKind_descriptor(), "UPSTREAM_KIND_"));
      terms.push_back([kind, op = c.op](const rv1::Upstream& u) {
        return f::Compare(static_cast<int>(u.kind()), op, kind);
      });
    } else if (c.field == "state") {
      KS_RETURN_IF_ERROR(f::RequireEquality(c));
      KS_ASSIGN_OR_RETURN(
          int state,
          f::EnumValue(c, *rv1::UpstreamState_descriptor(), "UPSTREAM_STATE_"));
      terms.push_back([state, op = c.op](const rv1::Upstream& u) {
        return f::Compare(static_cast<int>(u.state()), op, state);
      });
    } else if (c.field == "lag_seconds") {
      int64_t lag = 0;
      if (c.value.quoted || !absl::SimpleAtoi(c.value.text, &lag)) {
        return f::Bad("lag_seconds takes a whole number of seconds");
      }
      terms.push_back([lag, op = c.op](const rv1::Upstream& u) {
        return f::Compare(u.lag_seconds(), op, lag);
      });
    } else {
      return f::Bad(absl::StrCat("unknown field `", c.field,
                                 "` (kind, state, lag_seconds)"));
    }
  }
  return UpstreamPredicate([terms = std::move(terms)](const rv1::Upstream& u) {
    for (const UpstreamPredicate& t : terms) {
      if (!t(u)) return false;
    }
    return true;
  });
}

}  // namespace ks::reporting::domain
