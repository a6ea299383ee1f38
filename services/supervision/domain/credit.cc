#include "services/supervision/domain/credit.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <tuple>

#include "common/time/clock.h"

namespace ks::supervision::domain {
namespace {

namespace cv1 = ::kerjasosial::common::v1;
namespace sv1 = ::kerjasosial::supervision::v1;

constexpr Minute kDayMinutes = 24 * 60;

// The running state of one case's allocation, shared by its sessions in
// time order.
class Counter {
 public:
  explicit Counter(const CreditRules& rules)
      : rules_(rules),
        first_(rules.span_start ? ToMinute(*rules.span_start)
                                : std::numeric_limits<Minute>::min()),
        end_(rules.deadline ? ToMinute(*rules.deadline)
                            : std::numeric_limits<Minute>::max()) {}

  // Starts local day `day`: the counters Take() uses until the next call.
  void EnterDay(absl::CivilDay day) {
    day_credited_ = &per_day_[day];
    day_allowed_ = !rules_.child || !rules_.working_day || WorkingDay(day);
  }

  // Why minute `m` of the entered day (local minute `local`) is not
  // credited, or UNSPECIFIED when it is (and then counts it).
  ExcessReason Take(Minute m, int local) {
    if (m < first_ || m >= end_) {
      return sv1::EXCESS_REASON_OUTSIDE_SPAN;
    }
    if (rules_.child) {
      if (!day_allowed_) return sv1::EXCESS_REASON_OUTSIDE_ALLOWED_TIME;
      if (rules_.excluded && local >= rules_.excluded->start &&
          local < rules_.excluded->end) {
        return sv1::EXCESS_REASON_OUTSIDE_ALLOWED_TIME;
      }
    }
    if (rules_.day_rule == cv1::DAY_RULE_CALENDAR_DAY) {
      if (*day_credited_ >= rules_.daily_cap_minutes) {
        return sv1::EXCESS_REASON_DAILY_CAP;
      }
    } else {
      while (!window_.empty() && window_.front() <= m - kDayMinutes) {
        window_.pop_front();
      }
      if (static_cast<int64_t>(window_.size()) >= rules_.daily_cap_minutes) {
        return sv1::EXCESS_REASON_DAILY_CAP;
      }
    }
    if (total_ >= rules_.target_minutes) {
      return sv1::EXCESS_REASON_OVER_SENTENCE;
    }
    ++total_;
    ++*day_credited_;
    if (rules_.day_rule != cv1::DAY_RULE_CALENDAR_DAY) window_.push_back(m);
    return sv1::EXCESS_REASON_UNSPECIFIED;
  }

 private:
  bool WorkingDay(absl::CivilDay day) {
    auto it = working_.find(day);
    if (it == working_.end()) {
      it = working_.emplace(day, rules_.working_day(day)).first;
    }
    return it->second;
  }

  const CreditRules& rules_;
  const Minute first_;  // the span in minutes: [first_, end_)
  const Minute end_;
  int64_t total_ = 0;
  std::map<absl::CivilDay, int64_t> per_day_;
  std::deque<Minute> window_;  // credited minutes of the last 24 h
  std::map<absl::CivilDay, bool> working_;
  int64_t* day_credited_ = nullptr;  // into per_day_ (map nodes are stable)
  bool day_allowed_ = true;
};

SessionCredit AllocateOne(const SessionInput& s, Counter& counter) {
  SessionCredit out;
  out.id = s.id;
  if (!s.creditable) return out;
  const Minute start = ToMinute(s.start);
  const Minute end = ToMinute(s.end);
  Minute m = start;
  while (m < end) {
    // One local day of the session at a time: the split at local midnight.
    const absl::CivilDay day = LocalDay(FromMinute(m), s.zone);
    const Minute midnight = ToMinute(StartOfDay(day, s.zone));
    const Minute day_end = std::min(end, ToMinute(StartOfDay(day + 1, s.zone)));
    DayPart part;
    part.day = day;
    counter.EnterDay(day);
    for (; m < day_end; ++m) {
      ++part.worked;
      const ExcessReason why = counter.Take(m, static_cast<int>(m - midnight));
      if (why == sv1::EXCESS_REASON_UNSPECIFIED) {
        ++part.credited;
        if (!out.credited_runs.empty() && out.credited_runs.back().end == m) {
          ++out.credited_runs.back().end;
        } else {
          out.credited_runs.push_back({m, m + 1});
        }
      } else {
        ++part.excess[why];
      }
    }
    out.worked += part.worked;
    out.credited += part.credited;
    out.days.push_back(std::move(part));
  }
  out.excess = out.worked - out.credited;
  return out;
}

}  // namespace

Minute ToMinute(absl::Time t) {
  // ToUnixSeconds rounds toward the past; so does the division below.
  const int64_t seconds = absl::ToUnixSeconds(t);
  return seconds >= 0 ? seconds / 60 : -((-seconds + 59) / 60);
}

absl::Time FromMinute(Minute m) { return absl::FromUnixSeconds(m * 60); }

std::vector<SessionCredit> Allocate(const CreditRules& rules,
                                    std::vector<SessionInput> sessions) {
  std::sort(sessions.begin(), sessions.end(),
            [](const SessionInput& a, const SessionInput& b) {
              return std::tie(a.start, a.id) < std::tie(b.start, b.id);
            });
  Counter counter(rules);
  std::vector<SessionCredit> out;
  out.reserve(sessions.size());
  for (const SessionInput& s : sessions) {
    out.push_back(AllocateOne(s, counter));
  }
  return out;
}

CreditRules RulesFor(const cv1::PolicyVersion& policy, bool child,
                     int64_t target_minutes, int32_t hours_per_day,
                     std::function<bool(absl::CivilDay)> working_day) {
  CreditRules rules;
  // A child's cap is counted by the same day rule as an adult's: under the
  // default ROLLING_24H that is the stricter reading of "per day" for the
  // child too (R6, R11).
  rules.day_rule = policy.adult().day_rule();
  int64_t cap_hours = child ? policy.child().max_hours_per_day()
                            : policy.adult().max_hours_per_day();
  if (hours_per_day > 0 && hours_per_day < cap_hours) cap_hours = hours_per_day;
  rules.daily_cap_minutes = cap_hours * 60;
  rules.target_minutes = target_minutes;
  rules.child = child;
  if (child) {
    if (policy.child().working_days_only()) {
      rules.working_day = std::move(working_day);
    }
    if (policy.child().outside_school_hours_only()) {
      rules.excluded = DayWindow{policy.child().school_hours().start_minute(),
                                 policy.child().school_hours().end_minute()};
    }
  }
  return rules;
}

}  // namespace ks::supervision::domain
