#include "services/reporting/domain/figures.h"

#include <cmath>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "kerjasosial/cases/v1/resources.pb.h"
#include "services/reporting/domain/effects.h"

namespace ks::reporting::domain {
namespace {

namespace cv1 = ::kerjasosial::cases::v1;
namespace rv1 = ::kerjasosial::reporting::v1;

}  // namespace

int64_t Sum(const Counters& c, const std::string& figure,
            std::optional<int> kind) {
  int64_t total = 0;
  for (int k : kKinds) {
    if (kind && *kind != k) continue;
    auto it = c.find(Field(figure, k));
    if (it != c.end()) total += it->second;
  }
  return total;
}

rv1::Figures FiguresOf(const Counters& all, std::optional<int> kind) {
  rv1::Figures f;
  f.set_cases_registered(Sum(all, fig::kRegistered, kind));
  f.set_cases_active(Sum(all, fig::kActive, kind));
  f.set_cases_completed(Sum(all, fig::kCompleted, kind));
  f.set_breaches_recorded(Sum(all, fig::kBreached, kind));
  f.set_cases_converted(Sum(all, fig::kConverted, kind));
  f.set_sentenced_hours(Sum(all, fig::kSentencedHours, kind));
  f.set_credited_minutes(Sum(all, fig::kCreditedMinutes, kind));
  const int64_t decided = f.cases_completed() + f.cases_converted();
  f.set_completion_rate(
      decided == 0 ? 0.0 : static_cast<double>(f.cases_completed()) / decided);
  f.set_prison_days_averted(Sum(all, fig::kPrisonDays, kind));
  f.set_fines_replaced_rupiah(Sum(all, fig::kFines, kind));
  f.set_fines_replaced_cases(Sum(all, fig::kFinedCompleted, kind));
  f.set_pk_assignments_active(Sum(all, fig::kPkAssignments, kind));
  f.set_guidance_sessions(Sum(all, fig::kGuidance, kind));
  f.set_referrals_made(Sum(all, fig::kReferralsMade, kind));
  f.set_referrals_completed(Sum(all, fig::kReferralsCompleted, kind));
  f.set_litmas_submitted(Sum(all, fig::kLitmas, kind));
  f.set_warnings_issued(Sum(all, fig::kWarnings, kind));
  f.set_sessions_recorded(Sum(all, fig::kSessions, kind));
  f.set_violations_recorded(Sum(all, fig::kViolations, kind));
  for (int b = 0; b < kDaysBuckets; ++b) {
    rv1::HistogramBucket* h = f.add_days_to_complete();
    h->set_lower(int64_t{b} * kDaysBucketWidth);
    h->set_upper(b + 1 == kDaysBuckets ? 0 : int64_t{b + 1} * kDaysBucketWidth);
    h->set_count(Sum(all, DaysFigure(b), kind));
  }
  return f;
}

void FillSummary(const Counters& all, int64_t at_risk, int64_t overdue,
                 rv1::Summary* out, int64_t integrasi_clients) {
  *out->mutable_totals() = FiguresOf(all, std::nullopt);
  out->mutable_totals()->set_cases_at_risk(at_risk);
  out->mutable_totals()->set_cases_overdue(overdue);
  out->mutable_totals()->set_integrasi_clients(integrasi_clients);
  rv1::SiteFigures* sites = out->mutable_sites();
  sites->set_sites_active(Sum(all, fig::kSitesActive, std::nullopt));
  sites->set_sites_suspended(Sum(all, fig::kSitesSuspended, std::nullopt));
  sites->set_capacity(Sum(all, fig::kCapacity, std::nullopt));
  sites->set_active_placements(Sum(all, fig::kActivePlacements, std::nullopt));
  sites->set_utilisation(sites->capacity() == 0
                             ? 0.0
                             : static_cast<double>(sites->active_placements()) /
                                   sites->capacity());
  sites->set_agreements_in_force(
      Sum(all, fig::kAgreementsInForce, std::nullopt));
  sites->set_periodic_reports_submitted(
      Sum(all, fig::kPeriodicReports, std::nullopt));
  for (int kind : {1, 2}) {
    rv1::KindFigures* k = out->add_by_kind();
    k->set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kind));
    *k->mutable_figures() = FiguresOf(all, kind);
  }
  for (int kind : {1, 2}) {
    for (int s = cv1::CaseState_MIN; s <= cv1::CaseState_MAX; ++s) {
      if (!cv1::CaseState_IsValid(s) || s == cv1::CASE_STATE_UNSPECIFIED) {
        continue;
      }
      const int64_t n = Sum(all, StateFigure(s), kind);
      if (n == 0) continue;
      rv1::CaseCount* c = out->add_cases_by_state();
      c->set_state(static_cast<cv1::CaseState>(s));
      c->set_kind(static_cast<kerjasosial::common::v1::SentenceKind>(kind));
      c->set_count(n);
    }
    for (int o = cv1::BreachOutcomeKind_MIN; o <= cv1::BreachOutcomeKind_MAX;
         ++o) {
      for (int x = cv1::OutcomeExtent_MIN; x <= cv1::OutcomeExtent_MAX; ++x) {
        const int64_t n = Sum(all, OutcomeFigure(o, x), kind);
        if (n == 0) continue;
        rv1::BreachOutcomeCount* c = out->add_breaches_by_outcome();
        c->set_kind(static_cast<cv1::BreachOutcomeKind>(o));
        c->set_extent(static_cast<cv1::OutcomeExtent>(x));
        c->set_sentence_kind(
            static_cast<kerjasosial::common::v1::SentenceKind>(kind));
        c->set_count(n);
      }
    }
  }
}

int64_t HistogramQuantile(
    const google::protobuf::RepeatedPtrField<rv1::HistogramBucket>& buckets,
    double q) {
  int64_t total = 0;
  for (const auto& b : buckets) total += b.count();
  if (total == 0) return 0;
  // The rank of the value sought, 1-based (nearest rank).
  const int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * total)));
  int64_t seen = 0;
  for (const auto& b : buckets) {
    if (seen + b.count() >= rank) {
      if (b.upper() == 0) return b.lower();
      const double within = static_cast<double>(rank - seen) / b.count();
      return b.lower() +
             static_cast<int64_t>(std::floor(within * (b.upper() - b.lower())));
    }
    seen += b.count();
  }
  return buckets.empty() ? 0 : buckets.rbegin()->lower();
}

int64_t PkCaseloadX100(const Counters& c, std::optional<int> kind) {
  // Per kind, the PKs holding that kind; overall, each PK once (a PK with
  // adult and child cases is one PK, not two).
  const int64_t holders = kind ? Sum(c, fig::kPkHoldersOfKind, kind)
                               : Sum(c, fig::kPkHolders, std::nullopt);
  if (holders <= 0) return 0;
  return Sum(c, fig::kPkAssignments, kind) * 100 / holders;
}

bool IsStock(rv1::Metric m) {
  switch (m) {
    case rv1::METRIC_ACTIVE_CASES:
    case rv1::METRIC_AT_RISK_CASES:
    case rv1::METRIC_ACTIVE_PLACEMENTS:
    case rv1::METRIC_SITE_CAPACITY:
    case rv1::METRIC_OWED_HOURS:
    case rv1::METRIC_PK_CASELOAD_X100:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<std::string> FigureOf(rv1::Metric m) {
  switch (m) {
    case rv1::METRIC_CASES_REGISTERED:
      return std::string(fig::kRegistered);
    case rv1::METRIC_CASES_HANDED_OVER:
      return std::string(fig::kHandedOver);
    case rv1::METRIC_CASES_COMPLETED:
      return std::string(fig::kCompleted);
    case rv1::METRIC_CASES_BREACHED:
      return std::string(fig::kBreached);
    case rv1::METRIC_CASES_CONVERTED:
      return std::string(fig::kConverted);
    case rv1::METRIC_CASES_CANCELLED:
      return std::string(fig::kCancelled);
    case rv1::METRIC_SENTENCED_HOURS:
      return std::string(fig::kSentencedHours);
    case rv1::METRIC_CREDITED_MINUTES:
      return std::string(fig::kCreditedMinutes);
    case rv1::METRIC_SESSIONS_RECORDED:
      return std::string(fig::kSessions);
    case rv1::METRIC_VIOLATIONS_RECORDED:
      return std::string(fig::kViolations);
    case rv1::METRIC_WARNINGS_ISSUED:
      return std::string(fig::kWarnings);
    case rv1::METRIC_PRISON_DAYS_AVERTED:
      return std::string(fig::kPrisonDays);
    case rv1::METRIC_FINES_REPLACED_RUPIAH:
      return std::string(fig::kFines);
    case rv1::METRIC_ACTIVE_CASES:
      return std::string(fig::kActive);
    case rv1::METRIC_ACTIVE_PLACEMENTS:
      return std::string(fig::kActivePlacements);
    case rv1::METRIC_SITE_CAPACITY:
      return std::string(fig::kCapacity);
    case rv1::METRIC_REFERRALS_MADE:
      return std::string(fig::kReferralsMade);
    case rv1::METRIC_REFERRALS_COMPLETED:
      return std::string(fig::kReferralsCompleted);
    case rv1::METRIC_MEDIAN_DAYS_TO_COMPLETE:
      return std::string("dtc");
    case rv1::METRIC_OWED_HOURS:
      return std::string(fig::kOwedMinutes);
    case rv1::METRIC_PK_CASELOAD_X100:
      return std::string(fig::kPkAssignments);
    case rv1::METRIC_EVALUATIONS_DUE:
      return std::string(fig::kEvaluationsDue);
    case rv1::METRIC_PERIODIC_REPORTS_DUE:
      return std::string(fig::kReportsDue);
    case rv1::METRIC_PERIODIC_REPORTS_ON_TIME:
      return std::string(fig::kReportsOnTime);
    default:
      return absl::UnimplementedError(
          absl::StrCat("metric ", rv1::Metric_Name(m),
                       " is not aggregated yet by this reporting build"));
  }
}

int64_t MetricValue(rv1::Metric m, const Counters& c, std::optional<int> kind) {
  if (m == rv1::METRIC_MEDIAN_DAYS_TO_COMPLETE) {
    return HistogramQuantile(FiguresOf(c, kind).days_to_complete(), 0.5);
  }
  if (m == rv1::METRIC_PK_CASELOAD_X100) return PkCaseloadX100(c, kind);
  if (m == rv1::METRIC_OWED_HOURS) {
    // The proto's rule: owed minutes / 60, rounded down.
    return Sum(c, fig::kOwedMinutes, kind) / 60;
  }
  absl::StatusOr<std::string> figure = FigureOf(m);
  return figure.ok() ? Sum(c, *figure, kind) : 0;
}

}  // namespace ks::reporting::domain
