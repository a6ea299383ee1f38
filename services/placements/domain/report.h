// The figures of an agreement for a period (ReportFigures and the rows per
// site and activity type), computed from its sites, their placements and
// the supervision counters of the period (supervision_counts.h): what a
// joint evaluation freezes and what a periodic report shows.
//
// Thread-safe: pure functions.
#ifndef KS_SERVICES_PLACEMENTS_DOMAIN_REPORT_H_
#define KS_SERVICES_PLACEMENTS_DOMAIN_REPORT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "kerjasosial/common/v1/common.pb.h"
#include "kerjasosial/placements/v1/resources.pb.h"

namespace ks::placements::domain {

// Supervision counters of the period: site -> activity type -> its row
// (sessions, minutes, attendance, violations, warnings; summed over the
// period's months).
using SiteCounters = std::map<
    std::string,
    std::map<std::string, kerjasosial::placements::v1::SiteActivityFigures>>;

struct AgreementReport {
  kerjasosial::placements::v1::ReportFigures figures;
  // One row per site and activity type, by site then activity type: every
  // activity an ACTIVE site offers, and any other with supervision figures.
  std::vector<kerjasosial::placements::v1::SiteActivityFigures> rows;
};

// `sites` are the agreement's sites, `placements` theirs; days of `period`
// are local days of `zone`. "At the end of the period" counts read the
// current state.
AgreementReport ReportOf(
    const std::vector<kerjasosial::placements::v1::Site>& sites,
    const std::vector<kerjasosial::placements::v1::Placement>& placements,
    const kerjasosial::common::v1::DateRange& period, absl::TimeZone zone,
    const SiteCounters& counters);

}  // namespace ks::placements::domain

#endif  // KS_SERVICES_PLACEMENTS_DOMAIN_REPORT_H_
