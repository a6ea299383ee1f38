// Key layout of the supervision deployment's Redis (relative to the
// deployment's prefix, e.g. "ks:{supervision}:"; outbox.h explains the one
// hash tag). Part 2 (programs/) adds its own keys under "pg:" and must not
// use the prefixes below.
//
// Records (outbox records: {d: bytes, v: version}):
//   asg:<regency>:<id>         PkAssignment
//   led:<regency>:<case id>    HoursLedger of a case (one per case, opened by
//                              the first assignment; its version guards every
//                              credit change of the case)
//   ws:<regency>:<id>          WorkSession
// Indexes (sorted sets, score 0, lexical members):
//   ix:ws:<case name>          "<start unix seconds, 12 digits>:<id>" of the
//                              case's sessions (live and voided)
//   ix:asg:<case name>         "<create unix seconds>:<id>" assignments of a
//                              case (history)
//   ix:asg-pk:<principal>      "<case name>|<id>" assignments of a PK
//                              (caseload: ACTIVE ones only)
// Read model of the upstream feeds (hashes written by feed::Consumer
// effects, never by handlers):
//   rm:case:<case name>        {v, facts, handover} from cases' feed
//   rm:pl:<placement name>     {v, facts, active} from placements' feed
//   rm:site:<site name>        {v, zone, staff} from placements' feed
//   rm:cases-feed:*, rm:placements-feed:*   the consumers' own cursors
#ifndef KS_SERVICES_SUPERVISION_STORE_KEYS_H_
#define KS_SERVICES_SUPERVISION_STORE_KEYS_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ks::supervision::store {

inline std::string AssignmentKey(absl::string_view regency,
                                 absl::string_view id) {
  return absl::StrCat("asg:", regency, ":", id);
}
inline std::string LedgerKey(absl::string_view regency,
                             absl::string_view case_id) {
  return absl::StrCat("led:", regency, ":", case_id);
}
inline std::string SessionKey(absl::string_view regency, absl::string_view id) {
  return absl::StrCat("ws:", regency, ":", id);
}
inline std::string CaseSessionsIndex(absl::string_view case_name) {
  return absl::StrCat("ix:ws:", case_name);
}
inline std::string CaseAssignmentsIndex(absl::string_view case_name) {
  return absl::StrCat("ix:asg:", case_name);
}
inline std::string PkCaseloadIndex(absl::string_view principal) {
  return absl::StrCat("ix:asg-pk:", principal);
}
inline std::string CaseFactsKey(absl::string_view case_name) {
  return absl::StrCat("rm:case:", case_name);
}
inline std::string PlacementFactsKey(absl::string_view placement) {
  return absl::StrCat("rm:pl:", placement);
}
inline std::string SiteFactsKey(absl::string_view site) {
  return absl::StrCat("rm:site:", site);
}
inline constexpr absl::string_view kCasesFeedPrefix = "rm:cases-feed";
inline constexpr absl::string_view kPlacementsFeedPrefix = "rm:placements-feed";

}  // namespace ks::supervision::store

// Part 1's lists (ledger_handlers.cc, store/list_store.h) and Litmas:
//   ix:led:<regency> / ix:led:-     "<create unix seconds, 12
//   digits>:<regency>:
//                                   <case id>" ledgers of a regency / of all
//   ix:asg-r:<regency> / ix:asg-r:- "<create seconds>:<regency>:<id>"
//                                   assignments (history included)
//   ix:ws-r:<regency> / ix:ws-r:-   "<start seconds>:<regency>:<id>" work
//                                   sessions (RecordWorkSession and group
//                                   sessions add them)
//   rm:site-pl:<site name>          set of the placement names at a site (read
//                                   model, from placements' feed)
//   pg:lit:<regency>:<id>, pgx:lit:* Litmas reports, in programs' generic
//                                   Table layout (programs/store/table.h)
namespace ks::supervision::store {

inline std::string RegencyLedgersIndex(absl::string_view regency) {
  return absl::StrCat("ix:led:", regency);
}
inline std::string RegencyAssignmentsIndex(absl::string_view regency) {
  return absl::StrCat("ix:asg-r:", regency);
}
inline std::string RegencySessionsIndex(absl::string_view regency) {
  return absl::StrCat("ix:ws-r:", regency);
}
inline std::string SitePlacementsKey(absl::string_view site) {
  return absl::StrCat("rm:site-pl:", site);
}

}  // namespace ks::supervision::store

#endif  // KS_SERVICES_SUPERVISION_STORE_KEYS_H_
