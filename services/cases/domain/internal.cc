#include "services/cases/domain/internal.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/time/calendar.h"
#include "common/time/clock.h"
#include "kerjasosial/cases/v1/events.pb.h"

namespace ks::cases::domain::internal {
namespace {
namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;
constexpr size_t kMaxCodeLength = 64;
}  // namespace

absl::CivilDay Day(const google::type::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

bool IsTaxonomyCode(absl::string_view code) {
  if (code.empty() || code.size() > kMaxCodeLength) return false;
  if (!absl::ascii_islower(static_cast<unsigned char>(code[0]))) return false;
  return std::all_of(code.begin(), code.end(), [](char ch) {
    const auto u = static_cast<unsigned char>(ch);
    return absl::ascii_islower(u) || absl::ascii_isdigit(u) || ch == '_';
  });
}

std::string CategoryName(cv1::FineCategory category) {
  static constexpr const char* kNames[] = {"?", "I",  "II",  "III", "IV",
                                           "V", "VI", "VII", "VIII"};
  const int i = static_cast<int>(category);
  return (i >= 1 && i <= 8) ? kNames[i] : "?";
}

const v1::RepeatOutcome* LatestRepeat(const v1::Case& c) {
  for (int i = c.breaches_size() - 1; i >= 0; --i) {
    const v1::BreachOutcome& o = c.breaches(i).outcome();
    if (o.kind() == v1::BREACH_OUTCOME_KIND_REPEAT && o.has_repeat()) {
      return &o.repeat();
    }
  }
  return nullptr;
}

Transition Begin(const v1::Case& before, absl::string_view cause,
                 absl::string_view request_id, const cv1::Actor* actor,
                 absl::Time now) {
  Transition t;
  t.after = before;
  t.after.set_version(before.version() + 1);
  *t.after.mutable_update_time() = ToProto(now);
  t.after.clear_etag();
  t.history.set_version(t.after.version());
  t.history.set_from_state(before.state());
  t.history.set_to_state(before.state());
  t.history.set_cause(std::string(cause));
  t.history.set_request_id(std::string(request_id));
  if (actor != nullptr) *t.history.mutable_actor() = *actor;
  *t.history.mutable_time() = ToProto(now);
  return t;
}

void SetState(Transition& t, v1::CaseState to) {
  t.after.set_state(to);
  t.history.set_to_state(to);
}

void AddEvent(Transition& t, const google::protobuf::Message& payload,
              absl::Time now) {
  cv1::Event e;
  e.set_aggregate_type(kCaseAggregateType);
  e.set_aggregate_name(t.after.name());
  e.set_aggregate_version(t.after.version());
  e.set_regency_code(t.after.regency_code());
  *e.mutable_event_time() = ToProto(now);
  e.set_event_type(payload.GetDescriptor()->full_name());
  e.mutable_payload()->PackFrom(payload);
  t.events.push_back(std::move(e));
}

absl::Time SpanDeadline(const v1::Case& c, absl::CivilDay start,
                        const cv1::PolicyVersion& policy, absl::TimeZone zone) {
  const v1::ScheduleConstraints& k = c.sentence().constraints();
  absl::CivilDay end;  // first day after the span
  if (k.span_days() > 0) {
    end = start + k.span_days();
  } else if (k.span_months() > 0) {
    end = AddCalendarMonths(start, k.span_months());
  } else if (policy.adult().span_unit() == cv1::SPAN_UNIT_CALENDAR_MONTHS) {
    end = AddCalendarMonths(start, policy.adult().span_months());
  } else {
    end = start + policy.adult().span_days();
  }
  return StartOfDay(end, zone);
}

SpanDays SpanOf(const v1::Case& c, const cv1::PolicyVersion& policy,
                absl::TimeZone zone) {
  SpanDays out;
  for (int i = c.breaches_size() - 1; i >= 0 && !out.start; --i) {
    const v1::BreachOutcome& o = c.breaches(i).outcome();
    if (o.kind() == v1::BREACH_OUTCOME_KIND_REPEAT &&
        IsValidDate(o.decided_date())) {
      out.start = Day(o.decided_date());
    }
  }
  if (!out.start) {
    switch (policy.adult().span_starts_at()) {
      case cv1::SPAN_START_DECISION_FINAL:
        if (IsValidDate(c.decision().final_date())) {
          out.start = Day(c.decision().final_date());
        }
        break;
      case cv1::SPAN_START_EXECUTION_ORDER:
        if (IsValidDate(c.execution_order().issued_date())) {
          out.start = Day(c.execution_order().issued_date());
        }
        break;
      case cv1::SPAN_START_FIRST_SESSION:
        if (c.progress().has_first_session_time()) {
          out.start =
              LocalDay(FromProto(c.progress().first_session_time()), zone);
        }
        break;
      default:
        break;
    }
  }
  if (c.progress().has_deadline_time()) {
    out.last = LocalDay(FromProto(c.progress().deadline_time()), zone) - 1;
  }
  return out;
}

std::optional<absl::CivilDay> CheckDate(Validator& v, absl::string_view field,
                                        bool present,
                                        const google::type::Date& d) {
  if (!v.Required(field, present)) return std::nullopt;
  if (!v.Date(field, d)) return std::nullopt;
  return internal::Day(d);
}

absl::CivilDay Today(const CommandContext& ctx) {
  return LocalDay(ctx.now, ctx.zone);
}

std::string CaseId(const kerjasosial::cases::v1::Case& c) {
  const size_t slash = c.name().rfind('/');
  return slash == std::string::npos ? c.name() : c.name().substr(slash + 1);
}

Transition BeginCommand(const kerjasosial::cases::v1::Case& c,
                        absl::string_view method, const CommandContext& ctx) {
  return Begin(c, absl::StrCat(kMethodPrefix, method), ctx.request_id,
               &ctx.actor, ctx.now);
}

kerjasosial::cases::v1::Breach* OpenBreach(kerjasosial::cases::v1::Case& c) {
  if (c.breaches_size() == 0) return nullptr;
  kerjasosial::cases::v1::Breach* b = c.mutable_breaches(c.breaches_size() - 1);
  return b->has_outcome() ? nullptr : b;
}

int64_t OutcomePaid(const kerjasosial::cases::v1::Case& c) {
  int64_t total = 0;
  for (const kerjasosial::cases::v1::FinePayment& p : c.fine_payments())
    total += p.amount_rupiah();
  return total - c.fine_substitution().paid_rupiah();
}

const kerjasosial::cases::v1::BreachOutcome* LatestOutcome(
    const kerjasosial::cases::v1::Case& c) {
  for (int i = c.breaches_size() - 1; i >= 0; --i) {
    if (c.breaches(i).has_outcome()) return &c.breaches(i).outcome();
  }
  return nullptr;
}

}  // namespace ks::cases::domain::internal
