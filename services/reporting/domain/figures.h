// Turning stored counters (effects.h's fields) into the API's figures: pure,
// unit-tested without Redis (figures_test.cc).
#ifndef KS_SERVICES_REPORTING_DOMAIN_FIGURES_H_
#define KS_SERVICES_REPORTING_DOMAIN_FIGURES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kerjasosial/reporting/v1/resources.pb.h"

namespace ks::reporting::domain {

// The fields of one aggregate hash (field -> value).
using Counters = absl::flat_hash_map<std::string, int64_t>;

// The sentence kinds a figure may be split by (0: not stated by the feed,
// counted in the totals only).
inline constexpr int kKinds[] = {0, 1, 2};

// Sum of `figure` over `kind`, or over every kind when nullopt.
int64_t Sum(const Counters& c, const std::string& figure,
            std::optional<int> kind);

// Figures of one kind (or all) from the all-time counters. `at_risk` and
// `overdue` are set by the caller for the totals (they are kept per scope,
// not per kind).
kerjasosial::reporting::v1::Figures FiguresOf(const Counters& all,
                                              std::optional<int> kind);

// Fills totals, by_kind, cases_by_state, breaches_by_outcome and sites of
// `out`; `integrasi_clients` is counted for the totals only.
void FillSummary(const Counters& all, int64_t at_risk, int64_t overdue,
                 kerjasosial::reporting::v1::Summary* out,
                 int64_t integrasi_clients = 0);

// The value of quantile q (0..1) of a days histogram: linear within the
// bucket that holds it; the open last bucket answers its lower bound. 0 for
// an empty histogram.
int64_t HistogramQuantile(
    const google::protobuf::RepeatedPtrField<
        kerjasosial::reporting::v1::HistogramBucket>& buckets,
    double q);

// Whether `metric` is a stock (value at the bucket's end) rather than a flow.
bool IsStock(kerjasosial::reporting::v1::Metric metric);

// The counter a metric reads, for the metrics that are kept: the figure name
// (effects.h); UNIMPLEMENTED naming the metric for those that are not kept
// (evaluations due, periodic reports due / on time: no feed states their
// due dates, docs/operators/reporting.md).
absl::StatusOr<std::string> FigureOf(kerjasosial::reporting::v1::Metric metric);

// Mean ACTIVE assignments per PK holding one, x100, rounded down (0 when no
// PK holds one): of `kind` when set, else over both kinds.
int64_t PkCaseloadX100(const Counters& counters, std::optional<int> kind);

// The metric's value from a bucket's counters (flows) or a stock value
// (stocks: the caller passes the counters as of the bucket's end).
int64_t MetricValue(kerjasosial::reporting::v1::Metric metric,
                    const Counters& counters, std::optional<int> kind);

}  // namespace ks::reporting::domain

#endif  // KS_SERVICES_REPORTING_DOMAIN_FIGURES_H_
