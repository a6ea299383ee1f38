#include "services/placements/domain/supervision_counts.h"

#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "common/time/clock.h"
#include "common/validation/validator.h"

namespace ks::placements::domain {
namespace {

namespace pv1 = ::kerjasosial::placements::v1;
namespace sv1 = ::kerjasosial::supervision::v1;

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}
bool IsSet(const google::protobuf::Timestamp& t) {
  return t.seconds() != 0 || t.nanos() != 0;
}

}  // namespace

std::string MonthKey(absl::CivilMonth month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

std::string EncodeMemo(const SessionMemo& memo) {
  // Tab-separated: resource names and outcome names hold no tab.
  return absl::StrCat(memo.site, "\t", MonthKey(memo.month), "\t",
                      memo.activity_type, "\t",
                      sv1::AttendanceOutcome_Name(memo.outcome));
}

std::optional<SessionMemo> DecodeMemo(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, '\t');
  if (parts.size() != 4) return std::nullopt;
  SessionMemo memo;
  memo.site = parts[0];
  std::vector<std::string> ym = absl::StrSplit(parts[1], '-');
  int year = 0, month = 0;
  if (ym.size() != 2 || !absl::SimpleAtoi(ym[0], &year) ||
      !absl::SimpleAtoi(ym[1], &month)) {
    return std::nullopt;
  }
  memo.month = absl::CivilMonth(year, month);
  memo.activity_type = parts[2];
  if (!sv1::AttendanceOutcome_Parse(parts[3], &memo.outcome)) {
    return std::nullopt;
  }
  return memo;
}

std::string OutcomeCounter(sv1::AttendanceOutcome o) {
  if (o == sv1::ATTENDANCE_OUTCOME_UNSPECIFIED) return "";
  std::string name = sv1::AttendanceOutcome_Name(o);
  absl::string_view short_name = name;
  absl::ConsumePrefix(&short_name, "ATTENDANCE_OUTCOME_");
  return absl::StrCat("attendance.", absl::AsciiStrToLower(short_name));
}

absl::StatusOr<SessionMemo> MemoOf(const sv1::SessionRecorded& session) {
  Validator v;
  v.RequiredString("site", session.site());
  absl::StatusOr<absl::CivilDay> day =
      CivilDayFromDate(session.local_date(), "local_date");
  KS_RETURN_IF_ERROR(v.Finish());
  KS_RETURN_IF_ERROR(day.status());
  SessionMemo memo;
  memo.site = session.site();
  memo.month = absl::CivilMonth(*day);
  memo.activity_type = session.activity_type();
  memo.outcome = session.outcome();
  return memo;
}

std::vector<CounterDelta> SessionDeltas(const SessionMemo& memo,
                                        int64_t minutes, int sign) {
  std::vector<CounterDelta> out;
  auto add = [&](absl::string_view counter, int64_t delta) {
    if (delta == 0) return;
    out.push_back(CounterDelta{memo.site, memo.month, memo.activity_type,
                               std::string(counter), delta});
  };
  add(kCounterSessions, sign);
  add(kCounterMinutes, sign * minutes);
  if (const std::string c = OutcomeCounter(memo.outcome); !c.empty()) {
    add(c, sign);
  }
  return out;
}

const pv1::Placement* PlacementAt(const std::vector<pv1::Placement>& placements,
                                  absl::Time t, absl::TimeZone zone) {
  const absl::CivilDay day = LocalDay(t, zone);
  const pv1::Placement* best = nullptr;
  for (const pv1::Placement& p : placements) {
    if (!IsSet(p.start_time()) ||
        LocalDay(TimeOf(p.start_time()), zone) > day) {
      continue;
    }
    if (IsSet(p.end_time()) && LocalDay(TimeOf(p.end_time()), zone) < day) {
      continue;
    }
    if (best == nullptr ||
        TimeOf(p.start_time()) > TimeOf(best->start_time())) {
      best = &p;
    }
  }
  return best;
}

CounterDelta IncidentDelta(const pv1::Placement& placement, absl::Time t,
                           absl::TimeZone zone, absl::string_view counter) {
  return CounterDelta{placement.site(), absl::CivilMonth(LocalDay(t, zone)),
                      placement.activity_type(), std::string(counter), 1};
}

std::string CounterField(absl::string_view activity_type,
                         absl::string_view counter) {
  return absl::StrCat(activity_type, "|", counter);
}

bool AddCounter(absl::string_view field, int64_t value,
                std::map<std::string, pv1::SiteActivityFigures>* rows) {
  const size_t bar = field.rfind('|');
  if (bar == absl::string_view::npos) return false;
  static const std::set<absl::string_view>* const kKnown =
      new std::set<absl::string_view>{kCounterMinutes,
                                      kCounterSessions,
                                      kCounterViolations,
                                      kCounterWarnings,
                                      "attendance.attended_complied",
                                      "attendance.failed_to_comply",
                                      "attendance.sent_home",
                                      "attendance.absent_acceptable",
                                      "attendance.absent_unacceptable"};
  if (kKnown->count(field.substr(bar + 1)) == 0) return false;
  const std::string activity(field.substr(0, bar));
  const absl::string_view counter = field.substr(bar + 1);
  pv1::SiteActivityFigures& row = (*rows)[activity];
  pv1::AttendanceFigures* a = row.mutable_attendance();
  const int32_t v = static_cast<int32_t>(value);
  if (counter == kCounterMinutes) {
    row.set_credited_minutes(row.credited_minutes() + value);
  } else if (counter == kCounterSessions) {
    row.set_sessions_recorded(row.sessions_recorded() + v);
  } else if (counter == kCounterViolations) {
    row.set_violations_recorded(row.violations_recorded() + v);
  } else if (counter == kCounterWarnings) {
    row.set_warnings_issued(row.warnings_issued() + v);
  } else if (counter == "attendance.attended_complied") {
    a->set_attended_complied(a->attended_complied() + v);
  } else if (counter == "attendance.failed_to_comply") {
    a->set_failed_to_comply(a->failed_to_comply() + v);
  } else if (counter == "attendance.sent_home") {
    a->set_sent_home(a->sent_home() + v);
  } else if (counter == "attendance.absent_acceptable") {
    a->set_absent_acceptable(a->absent_acceptable() + v);
  } else if (counter == "attendance.absent_unacceptable") {
    a->set_absent_unacceptable(a->absent_unacceptable() + v);
  }
  row.set_activity_type(activity);
  return true;
}

std::vector<absl::CivilMonth> MonthsOf(
    const kerjasosial::common::v1::DateRange& period) {
  absl::StatusOr<absl::CivilDay> first =
      CivilDayFromDate(period.start_date(), "period.start_date");
  absl::StatusOr<absl::CivilDay> last =
      CivilDayFromDate(period.end_date(), "period.end_date");
  std::vector<absl::CivilMonth> out;
  if (!first.ok() || !last.ok()) return out;
  for (absl::CivilMonth m(*first); m <= absl::CivilMonth(*last); ++m) {
    // Only whole months: a month's counters cannot be split by day.
    if (absl::CivilDay(m) >= *first && absl::CivilDay(m + 1) - 1 <= *last) {
      out.push_back(m);
    }
  }
  return out;
}

}  // namespace ks::placements::domain
