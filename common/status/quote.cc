#include "common/status/quote.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ks {
namespace {

// Length of the well-formed UTF-8 sequence at text[pos], or 0 if the bytes
// there are not one (RFC 3629 table 3-7). Stores the code point in `*cp`.
size_t DecodeOne(absl::string_view text, size_t pos, uint32_t* cp) {
  const auto b = [&](size_t i) {
    return static_cast<unsigned char>(text[pos + i]);
  };
  const size_t left = text.size() - pos;
  const unsigned char c = b(0);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  const auto cont = [&](size_t i) { return (b(i) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) {
    if (left < 2 || !cont(1)) return 0;
    *cp = ((c & 0x1F) << 6) | (b(1) & 0x3F);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // UTF-16 surrogates
    *cp = ((c & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    *cp = ((c & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) |
          (b(3) & 0x3F);
    return 4;
  }
  return 0;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  uint32_t cp;
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = DecodeOne(text, pos, &cp);
    if (n == 0) return false;
    pos += n;
  }
  return true;
}

size_t CodePointCount(absl::string_view text) {
  size_t count = 0;
  uint32_t cp;
  for (size_t pos = 0; pos < text.size(); ++count) {
    const size_t n = DecodeOne(text, pos, &cp);
    pos += n == 0 ? 1 : n;
  }
  return count;
}

absl::string_view Utf8Prefix(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Step back over continuation bytes to the start of the cut sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return text.substr(0, end);
}

std::string QuoteValue(absl::string_view value, size_t max_code_points) {
  std::string out = "\"";
  size_t pos = 0;
  uint32_t cp;
  for (size_t kept = 0; pos < value.size() && kept < max_code_points; ++kept) {
    const size_t n = DecodeOne(value, pos, &cp);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++pos;
      continue;
    }
    if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || cp == 0x7F) {
      absl::StrAppendFormat(&out, "\\x%02x", cp);
    } else if (cp >= 0x80 && cp < 0xA0) {  // C1 controls
      absl::StrAppendFormat(&out, "\\u%04x", cp);
    } else {
      out.append(value.data() + pos, n);
    }
    pos += n;
  }
  out += '"';
  if (pos < value.size()) {
    absl::StrAppend(&out, "\xE2\x80\xA6(", value.size(), " bytes)");
  }
  return out;
}

}  // namespace ks
