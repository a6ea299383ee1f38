// The figures of an agreement for a period (ReportFigures), computed from
// its sites and their placements: what a joint evaluation freezes and what
// a periodic report will show. Sessions and credited minutes come from
// supervision's feed, which this branch does not consume yet: they stay 0.
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_REPORT_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_REPORT_H_

#include <vector>

#include "absl/time/time.h"
#include "kerjasosial/common/v1/common.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"

namespace ks::placements::domain {

// `sites` are the agreement's sites, `placements` theirs; days of `period`
// are local days of `zone`. "At the end of the period" counts read the
// current state.
kerjasosial::placements::v1::ReportFigures FiguresOf(
    const std::vector<kerjasosial::placements::v1::Site>& sites,
    const std::vector<kerjasosial::placements::v1::Placement>& placements,
    const kerjasosial::common::v1::DateRange& period, absl::TimeZone zone);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_REPORT_H_
