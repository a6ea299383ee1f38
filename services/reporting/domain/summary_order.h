// The `order_by` of ListRegencySummaries and ListProvinceSummaries: a
// numeric field of the summary's totals (`totals.cases_active`, or just
// `cases_active`) or sites (`sites.utilisation`), optionally followed by
// ` desc`; or the default key (`regency_code` / `name`). Fields are found
// through the descriptors, so every Figures and SiteFigures number can
// order. Ties keep the default order. Pure.
#ifndef KS_SERVICES_REPORTING_DOMAIN_SUMMARY_ORDER_H_
#define KS_SERVICES_REPORTING_DOMAIN_SUMMARY_ORDER_H_

#include <functional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kerjasosial/reporting/v1/resources.pb.h"

namespace ks::reporting::domain {

// Strict "a before b" over summaries (the default key breaks ties).
using SummaryLess =
    std::function<bool(const kerjasosial::reporting::v1::Summary&,
                       const kerjasosial::reporting::v1::Summary&)>;

// INVALID_ARGUMENT on `order_by` for an unknown or non-numeric field or a
// direction other than ` desc`. `default_key` ("regency_code" or "name") is
// accepted as itself: the default order (by resource name).
absl::StatusOr<SummaryLess> ParseSummaryOrder(absl::string_view order_by,
                                              absl::string_view default_key);

}  // namespace ks::reporting::domain

#endif  // KS_SERVICES_REPORTING_DOMAIN_SUMMARY_ORDER_H_
