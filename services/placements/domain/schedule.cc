#include "services/placements/domain/schedule.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/placements/domain/context.h"

namespace ks::placements::domain {
namespace {

namespace cv1 = ::kerjasosial::common::v1;

constexpr const char* kDays[] = {"?",   "Mon", "Tue", "Wed",
                                 "Thu", "Fri", "Sat", "Sun"};

std::string Hhmm(int minute) {
  return absl::StrFormat("%02d:%02d", minute / 60, minute % 60);
}

// Minutes of `schedule` per weekday number.
std::map<int, int64_t> MinutesPerDay(const WeeklySchedule& schedule) {
  std::map<int, int64_t> out;
  for (const cv1::ScheduleSlot& s : schedule.slots()) {
    out[s.weekday()] += std::max(0, s.end_minute() - s.start_minute());
  }
  return out;
}

}  // namespace

std::string DescribeSlot(const cv1::ScheduleSlot& slot) {
  const int d = slot.weekday() >= 1 && slot.weekday() <= 7 ? slot.weekday() : 0;
  return absl::StrCat(kDays[d], " ", Hhmm(slot.start_minute()), "-",
                      Hhmm(slot.end_minute()));
}

void CheckScheduleShape(Validator& v, absl::string_view field,
                        const WeeklySchedule& schedule,
                        absl::string_view zone) {
  if (!schedule.time_zone().empty() && schedule.time_zone() != zone) {
    v.AddViolation(
        absl::StrCat(field, ".time_zone"),
        absl::StrCat("must be the site's zone ", zone, " (", cite::kR14, ")"));
  }
  if (schedule.slots_size() == 0) {
    v.AddViolation(absl::StrCat(field, ".slots"), "at least one window");
    return;
  }
  std::map<int, std::vector<std::pair<int, int>>> by_day;
  for (int i = 0; i < schedule.slots_size(); ++i) {
    const cv1::ScheduleSlot& s = schedule.slots(i);
    const std::string f = absl::StrCat(field, ".slots[", i, "]");
    bool ok = true;
    if (s.weekday() < cv1::WEEKDAY_MONDAY || s.weekday() > 7) {
      v.AddViolation(absl::StrCat(f, ".weekday"), "required");
      ok = false;
    }
    if (s.start_minute() < 0 || s.start_minute() > 1439) {
      v.AddViolation(absl::StrCat(f, ".start_minute"), "must be 0-1439");
      ok = false;
    }
    if (s.end_minute() <= s.start_minute() || s.end_minute() > 1440) {
      v.AddViolation(absl::StrCat(f, ".end_minute"),
                     "must be after start_minute and at most 1440");
      ok = false;
    }
    if (ok) by_day[s.weekday()].push_back({s.start_minute(), s.end_minute()});
  }
  for (auto& [day, windows] : by_day) {
    std::sort(windows.begin(), windows.end());
    for (size_t i = 1; i < windows.size(); ++i) {
      if (windows[i].first < windows[i - 1].second) {
        v.AddViolation(absl::StrCat(field, ".slots"),
                       absl::StrCat("windows of ", kDays[day], " overlap"));
      }
    }
  }
}

void CheckWithinSite(Validator& v, absl::string_view field,
                     const WeeklySchedule& placement,
                     const WeeklySchedule& site) {
  for (int i = 0; i < placement.slots_size(); ++i) {
    const cv1::ScheduleSlot& p = placement.slots(i);
    bool inside = false;
    std::vector<std::string> same_day;
    for (const cv1::ScheduleSlot& w : site.slots()) {
      if (w.weekday() != p.weekday()) continue;
      same_day.push_back(DescribeSlot(w));
      if (w.start_minute() <= p.start_minute() &&
          p.end_minute() <= w.end_minute()) {
        inside = true;
      }
    }
    if (inside) continue;
    v.AddViolation(
        absl::StrCat(field, ".slots[", i, "]"),
        absl::StrCat(DescribeSlot(p), " is outside the site's windows (",
                     same_day.empty() ? std::string("none that day")
                                      : absl::StrJoin(same_day, ", "),
                     ")"));
  }
}

int64_t PolicyDailyCapMinutes(cv1::SentenceKind kind,
                              const cv1::PolicyVersion& p) {
  if (kind == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT) {
    return int64_t{p.child().max_hours_per_day()} * 60;
  }
  return int64_t{p.adult().max_hours_per_day()} * 60;
}

void CheckConstraints(Validator& v, absl::string_view field,
                      const WeeklySchedule& schedule,
                      int64_t max_minutes_per_day, absl::string_view cap_field,
                      const kerjasosial::cases::v1::ScheduleConstraints& c,
                      cv1::SentenceKind kind, const cv1::PolicyVersion& p) {
  const bool child = kind == cv1::SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT;
  int64_t cap = PolicyDailyCapMinutes(kind, p);
  const char* cap_rule = child ? cite::kR11DailyCap : cite::kR6;
  if (max_minutes_per_day < 0 || max_minutes_per_day > cap) {
    v.AddViolation(cap_field, absl::StrCat("must be 0-", cap, " minutes (",
                                           cap_rule, ")"));
  }
  if (c.max_hours_per_day() > 0) {
    cap = std::min<int64_t>(cap, int64_t{c.max_hours_per_day()} * 60);
    if (max_minutes_per_day > cap) {
      v.AddViolation(cap_field,
                     absl::StrCat("at most ", cap,
                                  " minutes: the decision's hours per day (",
                                  cite::kR7, ")"));
    }
  }
  const std::map<int, int64_t> per_day = MinutesPerDay(schedule);
  if (c.max_days_per_week() > 0 &&
      static_cast<int>(per_day.size()) > c.max_days_per_week()) {
    v.AddViolation(absl::StrCat(field, ".slots"),
                   absl::StrCat("works on ", per_day.size(),
                                " days a week; the decision allows ",
                                c.max_days_per_week(), " (", cite::kR7, ")"));
  }
  if (c.allowed_weekdays_size() > 0) {
    std::set<int> allowed(c.allowed_weekdays().begin(),
                          c.allowed_weekdays().end());
    for (int i = 0; i < schedule.slots_size(); ++i) {
      if (!allowed.count(schedule.slots(i).weekday())) {
        v.AddViolation(absl::StrCat(field, ".slots[", i, "]"),
                       absl::StrCat(DescribeSlot(schedule.slots(i)),
                                    " is on a weekday the decision does not "
                                    "allow (",
                                    cite::kR7, ")"));
      }
    }
  }
  if (child) {
    const bool outside_school = c.has_outside_school_hours()
                                    ? c.outside_school_hours()
                                    : p.child().outside_school_hours_only();
    const auto& school = p.child().school_hours();
    std::set<int> working(p.child().working_days().begin(),
                          p.child().working_days().end());
    for (int i = 0; i < schedule.slots_size(); ++i) {
      const cv1::ScheduleSlot& s = schedule.slots(i);
      if (p.child().working_days_only() && !working.count(s.weekday())) {
        v.AddViolation(
            absl::StrCat(field, ".slots[", i, "]"),
            absl::StrCat(DescribeSlot(s), " is not a child's working day (",
                         cite::kR11DailyCap, ")"));
      }
      if (outside_school && working.count(s.weekday()) &&
          s.start_minute() < school.end_minute() &&
          school.start_minute() < s.end_minute()) {
        v.AddViolation(absl::StrCat(field, ".slots[", i, "]"),
                       absl::StrCat(DescribeSlot(s), " overlaps school hours ",
                                    Hhmm(school.start_minute()), "-",
                                    Hhmm(school.end_minute()), " (",
                                    cite::kR11School, ")"));
      }
    }
  }
}

int64_t WeeklyMinutes(const WeeklySchedule& schedule,
                      int64_t daily_cap_minutes) {
  int64_t total = 0;
  for (const auto& [day, minutes] : MinutesPerDay(schedule)) {
    total +=
        daily_cap_minutes > 0 ? std::min(minutes, daily_cap_minutes) : minutes;
  }
  return total;
}

}  // namespace ks::placements::domain
