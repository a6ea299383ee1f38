#include "common/rpc/filter.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/quote.h"
#include "common/status/rich_status.h"

namespace ks::rpc::filter {
namespace {

// Quoted input is cut to this many code points in messages: a filter word
// is short, and the message must stay short whatever the filter holds.
constexpr size_t kQuoteLimit = 40;

std::string Quote(absl::string_view text) {
  return QuoteValue(text, kQuoteLimit);
}

struct Token {
  enum Kind { kWord, kOp, kString } kind;
  std::string text;
};

bool WordChar(char ch, bool first) {
  const bool base = absl::ascii_isalnum(static_cast<unsigned char>(ch)) ||
                    ch == '_' || ch == '.';
  return first ? base : base || ch == '-' || ch == ':';
}

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
    } else if (WordChar(ch, /*first=*/true)) {
      size_t end = i;
      while (end < s.size() && WordChar(s[end], /*first=*/false)) ++end;
      out.push_back({Token::kWord, std::string(s.substr(i, end - i))});
      i = end;
    } else {
      return Bad(absl::StrCat("unexpected character at byte ", i));
    }
  }
  return out;
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

}  // namespace

absl::Status Bad(absl::string_view why) {
  return InvalidArgumentError({{"filter", std::string(why)}});
}

bool IsOrdered(Op op) { return op != Op::kEq && op != Op::kNe; }

absl::Status RequireEquality(const Comparison& c) {
  if (IsOrdered(c.op)) {
    return Bad(absl::StrCat(c.field, " allows only = and !="));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Comparison>> Parse(absl::string_view filter) {
  absl::StatusOr<std::vector<Token>> tokens = Lex(filter);
  if (!tokens.ok()) return tokens.status();
  std::vector<Comparison> out;
  const std::vector<Token>& t = *tokens;
  size_t i = 0;
  while (i < t.size()) {
    if (t.size() - i < 3) {
      return Bad("incomplete comparison: expected <field> <op> <value>");
    }
    if (t[i].kind != Token::kWord) {
      return Bad(absl::StrCat("expected a field name, got ", Quote(t[i].text)));
    }
    const std::optional<Op> op =
        t[i + 1].kind == Token::kOp ? OpOf(t[i + 1].text) : std::nullopt;
    if (!op.has_value()) {
      return Bad(absl::StrCat("expected an operator after ", Quote(t[i].text)));
    }
    if (t[i + 2].kind == Token::kOp) {
      return Bad(absl::StrCat("expected a value after ", Quote(t[i].text), " ",
                              t[i + 1].text));
    }
    out.push_back({t[i].text, *op,
                   Value{t[i + 2].kind == Token::kString, t[i + 2].text}});
    i += 3;
    if (i == t.size()) break;
    if (t[i].kind != Token::kWord || t[i].text != "AND") {
      return Bad(absl::StrCat("expected AND, got ", Quote(t[i].text),
                              " (only AND is supported)"));
    }
    ++i;
    if (i == t.size()) return Bad("dangling AND");
  }
  return out;
}

absl::StatusOr<bool> BoolValue(const Comparison& c) {
  if (c.value.quoted || (c.value.text != "true" && c.value.text != "false")) {
    return Bad(absl::StrCat(c.field, " compares to true or false"));
  }
  return c.value.text == "true";
}

absl::StatusOr<absl::Time> TimeValue(const Comparison& c) {
  absl::Time out;
  std::string err;
  if (!c.value.quoted ||
      !absl::ParseTime(absl::RFC3339_full, c.value.text, &out, &err)) {
    return Bad(absl::StrCat(c.field,
                            " compares to a quoted RFC 3339 time, e.g. "
                            "\"2026-06-01T00:00:00Z\""));
  }
  return out;
}

absl::StatusOr<int> EnumValue(const Comparison& c,
                              const google::protobuf::EnumDescriptor& type,
                              absl::string_view prefix) {
  const std::string name = absl::AsciiStrToUpper(c.value.text);
  const google::protobuf::EnumValueDescriptor* v = type.FindValueByName(name);
  if (v == nullptr) v = type.FindValueByName(absl::StrCat(prefix, name));
  if (v == nullptr || v->number() == 0) {
    return Bad(absl::StrCat("unknown ", c.field, " ", Quote(c.value.text)));
  }
  return v->number();
}

}  // namespace ks::rpc::filter
