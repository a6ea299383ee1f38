#include "services/cases/domain/list_filter.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/rpc/filter.h"
#include "common/status/quote.h"
#include "common/status/rich_status.h"
#include "common/status/status_macros.h"
#include "services/cases/domain/internal.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;
namespace filter = ::ks::rpc::filter;
using Field = ListFilter::Field;
using Op = ListFilter::Op;

std::optional<Field> FieldOf(absl::string_view name) {
  if (name == "state") return Field::kState;
  if (name == "kind" || name == "sentence.kind") return Field::kKind;
  if (name == "regency_code") return Field::kRegencyCode;
  if (name == "offence.category") return Field::kOffenceCategory;
  if (name == "handover.bapas_office_code") return Field::kHandoverOffice;
  if (name == "progress.at_risk") return Field::kAtRisk;
  if (name == "progress.overdue") return Field::kOverdue;
  if (name == "progress.deadline_time") return Field::kDeadlineTime;
  if (name == "create_time") return Field::kCreateTime;
  return std::nullopt;
}

// What the comparison's value means for its field.
absl::Status ParseValue(const filter::Comparison& c, ListFilter::Term& term) {
  switch (term.field) {
    case Field::kState:
    case Field::kKind: {
      KS_RETURN_IF_ERROR(filter::RequireEquality(c));
      const bool state = term.field == Field::kState;
      KS_ASSIGN_OR_RETURN(
          term.enum_value,
          filter::EnumValue(c,
                            state ? *v1::CaseState_descriptor()
                                  : *cv1::SentenceKind_descriptor(),
                            state ? "CASE_STATE_" : "SENTENCE_KIND_"));
      return absl::OkStatus();
    }
    case Field::kRegencyCode:
    case Field::kOffenceCategory:
    case Field::kHandoverOffice:
      KS_RETURN_IF_ERROR(filter::RequireEquality(c));
      term.text = c.value.text;
      return absl::OkStatus();
    case Field::kAtRisk:
    case Field::kOverdue: {
      KS_RETURN_IF_ERROR(filter::RequireEquality(c));
      KS_ASSIGN_OR_RETURN(term.flag, filter::BoolValue(c));
      return absl::OkStatus();
    }
    case Field::kDeadlineTime:
    case Field::kCreateTime: {
      KS_ASSIGN_OR_RETURN(term.time, filter::TimeValue(c));
      return absl::OkStatus();
    }
  }
  return filter::Bad("unknown field");
}

}  // namespace

absl::StatusOr<ListFilter> ListFilter::Parse(absl::string_view text) {
  KS_ASSIGN_OR_RETURN(std::vector<filter::Comparison> comparisons,
                      filter::Parse(text));
  ListFilter out;
  for (const filter::Comparison& c : comparisons) {
    const std::optional<Field> field = FieldOf(c.field);
    if (!field.has_value()) {
      return filter::Bad(
          absl::StrCat("unknown field ", QuoteValue(c.field, 40)));
    }
    Term term;
    term.field = *field;
    term.op = c.op;
    KS_RETURN_IF_ERROR(ParseValue(c, term));
    out.terms_.push_back(std::move(term));
  }
  return out;
}

bool ListFilter::Matches(const v1::Case& c) const {
  for (const Term& term : terms_) {
    bool ok = false;
    switch (term.field) {
      case Field::kState:
        ok = filter::Compare<int64_t>(c.state(), term.op, term.enum_value);
        break;
      case Field::kKind:
        ok = filter::Compare<int64_t>(c.sentence().kind(), term.op,
                                      term.enum_value);
        break;
      case Field::kRegencyCode:
        ok = filter::Compare(c.regency_code(), term.op, term.text);
        break;
      case Field::kOffenceCategory:
        ok = filter::Compare(c.offence().category(), term.op, term.text);
        break;
      case Field::kHandoverOffice:
        // A case not handed over has no office to compare: like a missing
        // deadline, it matches neither = nor !=.
        ok = c.has_handover() &&
             filter::Compare(c.handover().bapas_office_code(), term.op,
                             term.text);
        break;
      case Field::kAtRisk:
        ok = filter::Compare(c.progress().at_risk(), term.op, term.flag);
        break;
      case Field::kOverdue:
        ok = filter::Compare(c.progress().overdue(), term.op, term.flag);
        break;
      case Field::kDeadlineTime:
        ok = c.progress().has_deadline_time() &&
             filter::Compare(internal::FromProto(c.progress().deadline_time()),
                             term.op, term.time);
        break;
      case Field::kCreateTime:
        ok = filter::Compare(internal::FromProto(c.create_time()), term.op,
                             term.time);
        break;
    }
    if (!ok) return false;
  }
  return true;
}

std::optional<v1::CaseState> ListFilter::StateEquals() const {
  for (const Term& t : terms_) {
    if (t.field == Field::kState && t.op == Op::kEq) {
      return static_cast<v1::CaseState>(t.enum_value);
    }
  }
  return std::nullopt;
}

std::optional<std::string> ListFilter::RegencyEquals() const {
  for (const Term& t : terms_) {
    if (t.field == Field::kRegencyCode && t.op == Op::kEq) return t.text;
  }
  return std::nullopt;
}

}  // namespace ks::cases::domain
