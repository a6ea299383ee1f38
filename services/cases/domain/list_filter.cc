#include "services/cases/domain/list_filter.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"
#include "services/cases/domain/internal.h"

namespace ks::cases::domain {
namespace {

namespace v1 = ::kerjasosial::cases::v1;
namespace cv1 = ::kerjasosial::common::v1;
using Field = ListFilter::Field;
using Op = ListFilter::Op;

absl::Status Bad(absl::string_view why) {
  return InvalidArgumentError({{"filter", std::string(why)}});
}

// Tokens: identifiers (letters, digits, '_', '.'), operators, quoted strings.
struct Token {
  enum Kind { kWord, kOp, kString } kind;
  std::string text;
};

absl::StatusOr<std::vector<Token>> Lex(absl::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char ch = s[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(ch))) {
      ++i;
    } else if (ch == '"') {
      const size_t end = s.find('"', i + 1);
      if (end == absl::string_view::npos) {
        return Bad("unterminated quoted string");
      }
      out.push_back(
          {Token::kString, std::string(s.substr(i + 1, end - i - 1))});
      i = end + 1;
    } else if (ch == '=' || ch == '<' || ch == '>' || ch == '!') {
      std::string op(1, ch);
      if (i + 1 < s.size() && s[i + 1] == '=') op += '=';
      if (op == "!") return Bad("\"!\" must be \"!=\"");
      out.push_back({Token::kOp, op});
      i += op.size();
    } else if (absl::ascii_isalnum(static_cast<unsigned char>(ch)) ||
               ch == '_' || ch == '.') {
      size_t end = i;
      while (end < s.size() &&
             (absl::ascii_isalnum(static_cast<unsigned char>(s[end])) ||
              s[end] == '_' || s[end] == '.' || s[end] == '-' ||
              s[end] == ':')) {
        ++end;
      }
      out.push_back({Token::kWord, std::string(s.substr(i, end - i))});
      i = end;
    } else {
      return Bad(
          absl::StrCat("unexpected character '", std::string(1, ch), "'"));
    }
  }
  return out;
}

std::optional<Field> FieldOf(absl::string_view name) {
  if (name == "state") return Field::kState;
  if (name == "kind" || name == "sentence.kind") return Field::kKind;
  if (name == "regency_code") return Field::kRegencyCode;
  if (name == "offence.category") return Field::kOffenceCategory;
  if (name == "progress.at_risk") return Field::kAtRisk;
  if (name == "progress.overdue") return Field::kOverdue;
  if (name == "progress.deadline_time") return Field::kDeadlineTime;
  if (name == "create_time") return Field::kCreateTime;
  return std::nullopt;
}

std::optional<Op> OpOf(absl::string_view op) {
  if (op == "=") return Op::kEq;
  if (op == "!=") return Op::kNe;
  if (op == "<") return Op::kLt;
  if (op == "<=") return Op::kLe;
  if (op == ">") return Op::kGt;
  if (op == ">=") return Op::kGe;
  return std::nullopt;
}

template <typename T>
bool Compare(const T& a, Op op, const T& b) {
  switch (op) {
    case Op::kEq:
      return a == b;
    case Op::kNe:
      return !(a == b);
    case Op::kLt:
      return a < b;
    case Op::kLe:
      return !(b < a);
    case Op::kGt:
      return b < a;
    case Op::kGe:
      return !(a < b);
  }
  return false;
}

absl::Status ParseValue(ListFilter::Term& term, const Token& value,
                        absl::string_view field_name) {
  const bool ordered = term.op != Op::kEq && term.op != Op::kNe;
  switch (term.field) {
    case Field::kState:
    case Field::kKind: {
      if (ordered) {
        return Bad(absl::StrCat(field_name, " allows only = and !="));
      }
      const std::string name = absl::AsciiStrToUpper(value.text);
      if (term.field == Field::kState) {
        v1::CaseState s;
        if ((!v1::CaseState_Parse(name, &s) &&
             !v1::CaseState_Parse("CASE_STATE_" + name, &s)) ||
            s == v1::CASE_STATE_UNSPECIFIED) {
          return Bad(absl::StrCat("unknown state \"", value.text, "\""));
        }
        term.enum_value = s;
      } else {
        cv1::SentenceKind k;
        if ((!cv1::SentenceKind_Parse(name, &k) &&
             !cv1::SentenceKind_Parse("SENTENCE_KIND_" + name, &k)) ||
            k == cv1::SENTENCE_KIND_UNSPECIFIED) {
          return Bad(absl::StrCat("unknown kind \"", value.text, "\""));
        }
        term.enum_value = k;
      }
      return absl::OkStatus();
    }
    case Field::kRegencyCode:
    case Field::kOffenceCategory:
      if (ordered) {
        return Bad(absl::StrCat(field_name, " allows only = and !="));
      }
      term.text = value.text;
      return absl::OkStatus();
    case Field::kAtRisk:
    case Field::kOverdue:
      if (ordered) {
        return Bad(absl::StrCat(field_name, " allows only = and !="));
      }
      if (value.kind != Token::kWord ||
          (value.text != "true" && value.text != "false")) {
        return Bad(absl::StrCat(field_name, " compares to true or false"));
      }
      term.flag = value.text == "true";
      return absl::OkStatus();
    case Field::kDeadlineTime:
    case Field::kCreateTime: {
      std::string err;
      if (value.kind != Token::kString ||
          !absl::ParseTime(absl::RFC3339_full, value.text, &term.time, &err)) {
        return Bad(absl::StrCat(field_name,
                                " compares to a quoted RFC 3339 time, e.g. "
                                "\"2026-06-01T00:00:00Z\""));
      }
      return absl::OkStatus();
    }
  }
  return Bad("unknown field");
}

}  // namespace

absl::StatusOr<ListFilter> ListFilter::Parse(absl::string_view filter) {
  absl::StatusOr<std::vector<Token>> tokens = Lex(filter);
  if (!tokens.ok()) return tokens.status();
  ListFilter out;
  const std::vector<Token>& t = *tokens;
  size_t i = 0;
  while (i < t.size()) {
    if (t.size() - i < 3) {
      return Bad("incomplete comparison: expected <field> <op> <value>");
    }
    if (t[i].kind != Token::kWord) {
      return Bad(
          absl::StrCat("expected a field name, got \"", t[i].text, "\""));
    }
    const std::optional<Field> field = FieldOf(t[i].text);
    if (!field.has_value()) {
      return Bad(absl::StrCat("unknown field \"", t[i].text, "\""));
    }
    const std::optional<Op> op =
        t[i + 1].kind == Token::kOp ? OpOf(t[i + 1].text) : std::nullopt;
    if (!op.has_value()) {
      return Bad(absl::StrCat("expected an operator after ", t[i].text));
    }
    if (t[i + 2].kind == Token::kOp) {
      return Bad(absl::StrCat("expected a value after ", t[i].text, " ",
                              t[i + 1].text));
    }
    Term term;
    term.field = *field;
    term.op = *op;
    absl::Status st = ParseValue(term, t[i + 2], t[i].text);
    if (!st.ok()) return st;
    out.terms_.push_back(std::move(term));
    i += 3;
    if (i == t.size()) break;
    if (t[i].kind != Token::kWord || t[i].text != "AND") {
      return Bad(absl::StrCat("expected AND, got \"", t[i].text,
                              "\" (only AND is supported)"));
    }
    ++i;
    if (i == t.size()) return Bad("dangling AND");
  }
  return out;
}

bool ListFilter::Matches(const v1::Case& c) const {
  for (const Term& term : terms_) {
    bool ok = false;
    switch (term.field) {
      case Field::kState:
        ok = Compare<int64_t>(c.state(), term.op, term.enum_value);
        break;
      case Field::kKind:
        ok = Compare<int64_t>(c.sentence().kind(), term.op, term.enum_value);
        break;
      case Field::kRegencyCode:
        ok = Compare(c.regency_code(), term.op, term.text);
        break;
      case Field::kOffenceCategory:
        ok = Compare(c.offence().category(), term.op, term.text);
        break;
      case Field::kAtRisk:
        ok = Compare(c.progress().at_risk(), term.op, term.flag);
        break;
      case Field::kOverdue:
        ok = Compare(c.progress().overdue(), term.op, term.flag);
        break;
      case Field::kDeadlineTime:
        ok = c.progress().has_deadline_time() &&
             Compare(internal::FromProto(c.progress().deadline_time()), term.op,
                     term.time);
        break;
      case Field::kCreateTime:
        ok = Compare(internal::FromProto(c.create_time()), term.op, term.time);
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
