// The prosecutor's supervision visits (*pengawasan*, KUHP Pasal 85(8):
// direct, structured and continuous): the rule a new visit must satisfy and
// the AIP-160 filter of ListSupervisionVisits.
//
// When supervision happens. A visit is recorded only while the person is
// being supervised in the community: HANDED_OVER (the Bapas has the case,
// work may not have started: the prosecutor checks the plan) or IN_PROGRESS,
// as the rpc's contract says. Before the handover there is nothing to
// supervise; COMPLETION_PENDING and BREACHED are for the confirmation and
// the breach decision, which are their own commands; terminal states are
// closed.
//
// Visit findings and follow-up are free text in the contract (no taxonomy
// option), so there is no policy code to check; events.proto declares no
// visit event, so a visit publishes none.
//
// Thread safety: pure functions; VisitFilter is immutable after parsing.
#ifndef KS_SERVICES_CASES_DOMAIN_VISIT_H_
#define KS_SERVICES_CASES_DOMAIN_VISIT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/rpc/filter.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "services/cases/domain/command.h"

namespace ks::cases::domain {

// How far a client's clock may run ahead of ours: a visit dated "today" by
// a client just past local midnight is not refused as future.
inline constexpr absl::Duration kVisitClockSkew = absl::Minutes(5);

// Longest findings / follow-up text, in code points.
inline constexpr size_t kMaxVisitText = 2000;

// The visit `input` on case `c`, as stored: name = `name`, recorded_by =
// the caller, create_time = now. FAILED_PRECONDITION
// (CASE_NOT_UNDER_SUPERVISION) unless `c` is HANDED_OVER or IN_PROGRESS;
// INVALID_ARGUMENT naming each bad field under "visit.": visit_date missing,
// invalid, after today (the case regency's local day at now + skew) or
// before the execution order's issued date; mode unset; site set for
// another mode than SITE_VISIT or not `regencies/{regency}/sites/{site}`;
// findings empty or longer than 2000 code points; follow_up longer;
// next_visit_date invalid or not after visit_date.
absl::StatusOr<kerjasosial::cases::v1::SupervisionVisit> NewSupervisionVisit(
    const Case& c, const kerjasosial::cases::v1::SupervisionVisit& input,
    absl::string_view name, const CommandContext& ctx);

// ListSupervisionVisits' filter: a conjunction over `visit_date` (ordered
// comparisons with a quoted "YYYY-MM-DD") and `mode` (= / != an enum name,
// "SITE_VISIT" or "SUPERVISION_VISIT_MODE_SITE_VISIT").
class VisitFilter {
 public:
  // INVALID_ARGUMENT on "filter" for an unknown field or a bad value.
  static absl::StatusOr<VisitFilter> Parse(absl::string_view filter);
  bool Matches(const kerjasosial::cases::v1::SupervisionVisit& v) const;
  bool empty() const { return terms_.empty(); }

 private:
  struct Term {
    bool is_date = false;
    rpc::filter::Op op = rpc::filter::Op::kEq;
    absl::CivilDay day;
    int mode = 0;
  };
  std::vector<Term> terms_;
};

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_VISIT_H_
