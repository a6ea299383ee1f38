// CSV rendering of reporting's tables and time series, for the agencies'
// joint evaluations: UTF-8, one header row, RFC 4180 (comma separator,
// CRLF line ends, fields with a comma, quote, CR or LF quoted, quotes
// doubled). Column names in Bahasa Indonesia or English (labels.h). Numbers
// are plain integers or decimals with a dot, dates YYYY-MM-DD, times RFC 3339
// UTC, so a spreadsheet or Python's csv module reads them without guessing.
//
// A suppressed public cell is an empty field plus a "<column> disembunyikan"
// / "<column> suppressed" marker column, never a 0 that reads as a count.
//
// The RFC 4180 quoting itself is common/csv (ks::csv), shared with the
// other services' reports and ksctl.
//
// Pure functions of their input; thread-safe.
#ifndef KS_SERVICES_REPORTING_WEB_CSV_H_
#define KS_SERVICES_REPORTING_WEB_CSV_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kerjasosial/reporting/v1/reporting_service.pb.h"
#include "services/reporting/web/labels.h"

namespace ks::reporting::web {

namespace rv1 = ::kerjasosial::reporting::v1;

// One row per bucket: start date, end date, then one column per series (in
// the response's order; all series of one response share their buckets).
std::string TimeSeriesCsv(const rv1::GetTimeSeriesResponse& response,
                          Language lang);

// Two scopes side by side: start, end, then "<scope> — <metric>" columns,
// scope A's series first.
std::string CompareCsv(const rv1::CompareScopesResponse& response,
                       absl::string_view scope_a, absl::string_view scope_b,
                       Language lang);

// One row per summary (nation, province or regency): code, name, every
// Figures total, the site figures, as_of_time and stale.
std::string SummariesCsv(const std::vector<rv1::Summary>& summaries,
                         Language lang);

// A ranking: rank, region code and name, value, last event time.
std::string RankingCsv(const rv1::RankScopesResponse& response,
                       rv1::Metric metric, Language lang);

// Upstreams: name, label, kind, state, events applied/rejected, last event
// time, lag, last error.
std::string UpstreamsCsv(const std::vector<rv1::Upstream>& upstreams,
                         Language lang);

// Public figures: region code and name, then each cell and its marker.
std::string PublicCsv(const std::vector<rv1::PublicSummary>& summaries,
                      Language lang);

}  // namespace ks::reporting::web

#endif  // KS_SERVICES_REPORTING_WEB_CSV_H_
