// The span of R7 (KUHP Pasal 85(5): all hours within 6 "Bulan"; a child's
// by analogy, R11) as supervision needs it when the span starts at the first
// session (SPAN_START_FIRST_SESSION), which only supervision sees. When the
// span starts at the decision or the execution order, cases computes the
// deadline and supervision takes it from cases' feed.
//
// Reading: the span starts on the local day of its start (the site's zone,
// R14) and ends at the start of the local day after its last day, i.e.
//   SPAN_UNIT_DAYS:            start day + N days;
//   SPAN_UNIT_CALENDAR_MONTHS: the same day of the month N months later, or
//                              that month's last day (31 Aug + 6 months =
//                              28/29 Feb), whichever is earlier.
// The same reading as cases' deadline, so the two services agree.
//
// Thread-safe (no shared state).
#ifndef KS_SERVICES_SUPERVISION_DOMAIN_SPAN_H_
#define KS_SERVICES_SUPERVISION_DOMAIN_SPAN_H_

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kerjasosial/common/v1/policy.pb.h"

namespace ks::supervision::domain {

// The first local day after a span of `days` days or `months` calendar
// months (per `unit`) starting on `start`.
absl::CivilDay SpanEndDay(absl::CivilDay start,
                          ::kerjasosial::common::v1::SpanUnit unit, int days,
                          int months);

// The deadline instant of a span starting at `start`: local midnight in
// `zone` of SpanEndDay(local day of `start`). `child` picks the policy's
// child span, else the adult span.
absl::Time SpanDeadline(absl::Time start, absl::TimeZone zone,
                        const ::kerjasosial::common::v1::PolicyVersion& policy,
                        bool child);

}  // namespace ks::supervision::domain

#endif  // KS_SERVICES_SUPERVISION_DOMAIN_SPAN_H_
