// Quoting client-supplied values in error messages and logs, and the UTF-8
// primitives that length limits count with.
//
// Why: an error message that echoes its input grows with the input. A 1 MB
// case id made a 1 MB NOT_FOUND message, and a 3 MB filter 6 MB of trailers
// (issue #8), which a default client refuses as RESOURCE_EXHAUSTED. Every
// place that puts a caller's value into a message uses QuoteValue(), which
// keeps a short, printable, valid-UTF-8 prefix and says how long the value
// was.
//
// Example:
//   absl::NotFoundError(absl::StrCat("case ", QuoteValue(name), " not found"))
//   -> case "regencies/64.01/cases/aaaaaaaa…(1048576 bytes)" not found
//
// Thread safety: pure functions.
#ifndef KS_COMMON_STATUS_QUOTE_H_
#define KS_COMMON_STATUS_QUOTE_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace ks {

// Code points QuoteValue keeps by default.
inline constexpr size_t kQuotedPrefixCodePoints = 64;

// True if `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// The number of Unicode code points of `text`; each byte of an ill-formed
// sequence counts as one.
size_t CodePointCount(absl::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not
// cut a UTF-8 sequence in two.
absl::string_view Utf8Prefix(absl::string_view text, size_t max_bytes);

// `value` in double quotes, safe to embed in a message or a log line: at
// most `max_code_points` code points, control characters, quotes and
// backslashes escaped (\n, \", \\, \xNN), each byte of invalid UTF-8 shown
// as U+FFFD. A longer value ends in "…(N bytes)" after the closing quote.
std::string QuoteValue(absl::string_view value,
                       size_t max_code_points = kQuotedPrefixCodePoints);

}  // namespace ks

#endif  // KS_COMMON_STATUS_QUOTE_H_
