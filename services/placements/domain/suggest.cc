#include "services/placements/domain/suggest.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/time/clock.h"
#include "services/placements/domain/activity.h"
#include "services/placements/domain/schedule.h"
#include "services/placements/domain/site.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace cv1 = ::kerjasosial::common::v1;

// Weekday number (1 = Monday … 7 = Sunday) of a civil day.
int WeekdayOf(absl::CivilDay d) {
  switch (absl::GetWeekday(d)) {
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
    case absl::Weekday::sunday:
      return 7;
  }
  return 0;
}

// Minutes of [start, end) outside [cut_start, cut_end).
int OutsideOf(int start, int end, int cut_start, int cut_end) {
  const int overlap =
      std::max(0, std::min(end, cut_end) - std::max(start, cut_start));
  return (end - start) - overlap;
}

std::string Hours(int64_t minutes) {
  return minutes % 60 == 0
             ? absl::StrCat(minutes / 60, " h")
             : absl::StrCat(minutes / 60, " h ", minutes % 60, " min");
}

pv1::SuggestionFactor Factor(const std::string& name, int points,
                             std::string why) {
  pv1::SuggestionFactor f;
  f.set_factor(name);
  f.set_points(points);
  f.set_explanation(std::move(why));
  return f;
}

}  // namespace

int64_t AvailableMinutes(const pv1::Site& site,
                         const kerjasosial::cases::v1::CaseForExecution& c,
                         absl::CivilDay from, absl::CivilDay deadline,
                         const PolicyVersion& policy) {
  const bool child = c.kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
  int64_t cap = PolicyDailyCapMinutes(c.kind(), policy);
  if (c.constraints().max_hours_per_day() > 0) {
    cap = std::min<int64_t>(cap, c.constraints().max_hours_per_day() * 60);
  }
  const std::set<int> allowed(c.constraints().allowed_weekdays().begin(),
                              c.constraints().allowed_weekdays().end());
  const bool outside_school =
      child && (c.constraints().has_outside_school_hours()
                    ? c.constraints().outside_school_hours()
                    : policy.child().outside_school_hours_only());
  const std::set<int> working(policy.child().working_days().begin(),
                              policy.child().working_days().end());
  const int max_days = c.constraints().max_days_per_week();
  int64_t total = 0;
  int days_this_week = 0;
  for (absl::CivilDay d = from; d <= deadline; ++d) {
    const int wd = WeekdayOf(d);
    if (wd == 1) days_this_week = 0;
    if (!allowed.empty() && !allowed.count(wd)) continue;
    if (child && policy.child().working_days_only() && !working.count(wd)) {
      continue;
    }
    int64_t day = 0;
    for (const cv1::ScheduleSlot& s : site.schedule().slots()) {
      if (s.weekday() != wd) continue;
      day += outside_school && working.count(wd)
                 ? OutsideOf(s.start_minute(), s.end_minute(),
                             policy.child().school_hours().start_minute(),
                             policy.child().school_hours().end_minute())
                 : s.end_minute() - s.start_minute();
    }
    day = std::min(day, cap);
    if (day <= 0) continue;
    if (max_days > 0 && days_this_week >= max_days) continue;
    ++days_this_week;
    total += day;
  }
  return total;
}

int64_t DistanceMeters(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRadius = 6371008.8;  // mean Earth radius, metres
  constexpr double kRad = M_PI / 180.0;
  const double dlat = (lat2 - lat1) * kRad;
  const double dlon = (lon2 - lon1) * kRad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * kRad) * std::cos(lat2 * kRad) *
                       std::sin(dlon / 2) * std::sin(dlon / 2);
  return static_cast<int64_t>(
      std::llround(2 * kRadius * std::asin(std::min(1.0, std::sqrt(a)))));
}

std::vector<pv1::SiteSuggestion> Suggest(
    const kerjasosial::cases::v1::CaseForExecution& c,
    const std::vector<Candidate>& candidates,
    const std::map<std::string, pv1::ActivityType>& activities,
    const std::optional<HomeLocation>& home, const Context& ctx, int limit) {
  const bool child = c.kind() == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
  absl::CivilDay from = ctx.today;
  if (c.has_span_start_date()) {
    absl::StatusOr<absl::CivilDay> start =
        CivilDayFromDate(c.span_start_date(), "span_start_date");
    if (start.ok()) from = std::max(from, *start);
  }
  std::optional<absl::CivilDay> deadline;
  if (c.has_deadline_date()) {
    absl::StatusOr<absl::CivilDay> d =
        CivilDayFromDate(c.deadline_date(), "deadline_date");
    if (d.ok()) deadline = *d;
  }
  const int64_t owed = c.sentence_minutes();
  const std::string& wanted = c.constraints().activity_type();

  struct Ranked {
    pv1::SiteSuggestion s;
    int64_t distance;
  };
  std::vector<Ranked> ranked;
  for (const Candidate& cand : candidates) {
    const pv1::Site& site = cand.site;
    const int64_t free = site.capacity() - cand.held;
    if (site.state() != pv1::SITE_STATE_ACTIVE || free <= 0 ||
        !cand.agreement_in_force) {
      continue;
    }
    if (child && !site.accepts_children()) continue;
    pv1::SiteSuggestion s;
    s.set_site(site.name());
    s.set_free_slots(static_cast<int32_t>(free));
    for (const pv1::SiteActivity& a : site.activities()) {
      auto it = activities.find(a.activity_type());
      if (it == activities.end() || !OffersAttested(site, a.activity_type()) ||
          !CheckUsable(it->second, *ctx.policy).ok()) {
        continue;
      }
      if (child && !it->second.suitable_for_children()) continue;
      s.add_activity_types(a.activity_type());
    }
    if (s.activity_types_size() == 0) continue;
    std::sort(s.mutable_activity_types()->begin(),
              s.mutable_activity_types()->end());

    const bool names_activity = !wanted.empty();
    const bool offers =
        std::find(s.activity_types().begin(), s.activity_types().end(),
                  wanted) != s.activity_types().end();
    *s.add_factors() =
        !names_activity
            ? Factor("activity_fit", 100,
                     absl::StrCat("the decision names no activity; ",
                                  s.activity_types_size(), " fit"))
        : offers ? Factor("activity_fit", 100,
                          "offers the activity the decision names")
                 : Factor("activity_fit", 40,
                          "does not offer the activity the decision names");
    *s.add_factors() =
        child ? Factor("child_suitability", 100,
                       "accepts children; suitable activity offered")
              : Factor("child_suitability", 100, "adult sentence");
    if (deadline) {
      const int64_t available =
          from > *deadline
              ? 0
              : AvailableMinutes(site, c, from, *deadline, *ctx.policy);
      const int points = owed <= 0 || available >= owed
                             ? 100
                             : static_cast<int>(available * 100 / owed);
      *s.add_factors() =
          Factor("schedule_fit", points,
                 absl::StrCat(available >= owed ? "fits: " : "at risk: ",
                              Hours(available), " available for ", Hours(owed),
                              " owed by ", absl::FormatCivilTime(*deadline)));
    } else {
      *s.add_factors() =
          Factor("schedule_fit", 100, "the case's span has not started");
    }
    int64_t distance = 0;
    if (home) {
      distance = DistanceMeters(home->latitude, home->longitude,
                                site.latitude(), site.longitude());
      s.set_distance_meters(distance);
      const int points =
          static_cast<int>(std::max<int64_t>(0, 100 - 2 * (distance / 1000)));
      *s.add_factors() =
          Factor("distance", points, absl::StrCat(distance / 1000, " km"));
    }
    int score = 0;
    for (const pv1::SuggestionFactor& f : s.factors()) score += f.points();
    s.set_score(score);
    ranked.push_back({std::move(s), distance});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return std::make_tuple(-a.s.score(), a.distance, -a.s.free_slots(),
                           a.s.site()) <
           std::make_tuple(-b.s.score(), b.distance, -b.s.free_slots(),
                           b.s.site());
  });
  std::vector<pv1::SiteSuggestion> out;
  for (Ranked& r : ranked) {
    if (static_cast<int>(out.size()) >= limit) break;
    out.push_back(std::move(r.s));
  }
  return out;
}

}  // namespace ks::placements::domain
