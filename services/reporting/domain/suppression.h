// Public figures with small cells suppressed (the *sosialisasi* page, issue
// #12): builds the PublicSummary of the nation, of every province and of
// every regency given, from their Summaries.
//
// What is guaranteed:
//   - Primary suppression: no cell whose figure rests on fewer people than
//     the policy's `public_figures.min_cell_size` is published; it is marked
//     `suppressed` with value 0. A cell resting on nobody (0) is published:
//     it identifies no one.
//   - Complementary suppression: the public cells are linked by sums (the
//     nation is the sum of its provinces, a province the sum of its
//     regencies, per measure). In every such sum the number of suppressed
//     cells, counting the total, is never exactly one, so no suppressed value
//     can be recovered by subtracting the published cells from a total —
//     neither directly nor by chaining subtractions across levels (the rule
//     holds at a fixed point over all sums at once). Complements are the
//     smallest positive published cell of the sum (the least information
//     lost; a zero complement would leave the primary's value readable as
//     the sum of the two), or the total when no such cell is left.
//   - The six measures of a row are different quantities (cases, hours,
//     days, sites, rupiah) that add up to nothing, so the rule applies per
//     measure.
//
// Which people each cell rests on (its "contributors"):
//   cases_completed / cases_in_progress: the cases themselves;
//   credited_hours: cases in progress plus completed (those who worked);
//   prison_days_averted: completed cases (the days are their sentences);
//   fines_replaced_rupiah: completed cases that replaced a fine (a fine
//   resting on one person is that person's fine, however many cases
//   completed without one);
//   active_sites: sites are not people, never suppressed on their own, only
//   as a complement.
//
// Deterministic: the same input always gives the same suppression, so two
// requests cannot be combined to learn more than one. Pure; thread-safe.
#ifndef KS_SERVICES_REPORTING_DOMAIN_SUPPRESSION_H_
#define KS_SERVICES_REPORTING_DOMAIN_SUPPRESSION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kerjasosial/reporting/v1/resources.pb.h"

namespace ks::reporting {

using ::kerjasosial::reporting::v1::PublicSummary;
using ::kerjasosial::reporting::v1::Summary;

// The Summaries the public figures are computed from. Give every province,
// and for each province either none of its regencies or all those with any
// figure (a regency left out counts as zero, which is what an omitted row of
// the aggregates means).
struct PublicInput {
  Summary nation;
  std::vector<Summary> provinces;
  std::vector<Summary> regencies;
};

// The public figures, in the order of the input.
struct PublicFigures {
  PublicSummary nation;
  std::vector<PublicSummary> provinces;
  std::vector<PublicSummary> regencies;

  // The summary named `name` (e.g. "provinces/64/publicSummary"), or nullptr.
  const PublicSummary* Find(absl::string_view name) const;
};

// Builds the public figures with `min_cell_size` (>= 1) from the policy;
// `now` is their `as_of_time`. INVALID_ARGUMENT for a min_cell_size below 1,
// a Summary of the wrong scope or without its region code, a duplicate
// province or regency, or a regency whose province is not given.
absl::StatusOr<PublicFigures> BuildPublicFigures(const PublicInput& input,
                                                 int min_cell_size,
                                                 absl::Time now);

// "nation/publicSummary", "provinces/64/publicSummary",
// "regencies/64.01/publicSummary" for the scope of `summary`.
std::string PublicSummaryName(const Summary& summary);

}  // namespace ks::reporting

#endif  // KS_SERVICES_REPORTING_DOMAIN_SUPPRESSION_H_
