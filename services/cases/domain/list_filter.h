// ListCases filter (AIP-160 subset): conjunctions of comparisons over
//   state                      = != (CaseState name, with or without the
//                              CASE_STATE_ prefix)
//   kind | sentence.kind       = != (ADULT_KERJA_SOSIAL,
//                              CHILD_PELAYANAN_MASYARAKAT, or full names)
//   regency_code               = != ("PP.RR", quoted)
//   offence.category           = != (quoted)
//   handover.bapas_office_code = != (quoted; never matches a case not
//                              handed over, whatever the operator)
//   progress.at_risk           = != (true | false)
//   progress.overdue           = != (true | false)
//   progress.deadline_time     = != < <= > >= (RFC 3339, quoted)
//   create_time                = != < <= > >= (RFC 3339, quoted)
// joined by AND, e.g.
//   state = IN_PROGRESS AND progress.deadline_time < "2026-06-01T00:00:00Z"
// A comparison on progress.deadline_time never matches a case without a
// deadline. The syntax, the parser and the error shape are common/rpc's
// filter (AIP-160); this file holds only the cases' fields and values.
//
// Thread safety: ListFilter is an immutable value after parsing.
#ifndef KS_SERVICES_CASES_DOMAIN_LIST_FILTER_H_
#define KS_SERVICES_CASES_DOMAIN_LIST_FILTER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/rpc/filter.h"
#include "kerjasosial/cases/v1/resources.pb.h"

namespace ks::cases::domain {

class ListFilter {
 public:
  enum class Field {
    kState,
    kKind,
    kRegencyCode,
    kOffenceCategory,
    kHandoverOffice,
    kAtRisk,
    kOverdue,
    kDeadlineTime,
    kCreateTime,
  };
  using Op = rpc::filter::Op;
  struct Term {
    Field field;
    Op op;
    int64_t enum_value = 0;  // kState, kKind
    std::string text;        // kRegencyCode, kOffenceCategory, kHandoverOffice
    bool flag = false;       // kAtRisk, kOverdue
    absl::Time time;         // kDeadlineTime, kCreateTime
  };

  // Parses `filter`; empty matches everything. INVALID_ARGUMENT with a
  // BadRequest on field "filter" naming the problem (unknown field, operator
  // not allowed for the field, bad value, dangling AND, unterminated quote).
  static absl::StatusOr<ListFilter> Parse(absl::string_view filter);

  // True if `c` satisfies every term.
  bool Matches(const kerjasosial::cases::v1::Case& c) const;

  // Index hints for the store: the value of an `=` term on the field, if
  // any.
  std::optional<kerjasosial::cases::v1::CaseState> StateEquals() const;
  std::optional<std::string> RegencyEquals() const;

  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::vector<Term> terms_;
};

}  // namespace ks::cases::domain

#endif  // KS_SERVICES_CASES_DOMAIN_LIST_FILTER_H_
