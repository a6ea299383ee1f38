// CSV as the agencies' spreadsheets read it (reports for joint evaluations):
// UTF-8, RFC 4180 — comma separator, CRLF line ends, a field holding a
// comma, quote, CR or LF quoted, quotes doubled. Parse reads that form back
// (clients and tests).
//
// Pure functions; thread-safe.
#ifndef KS_COMMON_CSV_CSV_H_
#define KS_COMMON_CSV_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ks::csv {

// One field, quoted when RFC 4180 requires it.
std::string Field(absl::string_view value);

// Rows joined with commas and CRLF (each row ends with CRLF).
std::string Rows(const std::vector<std::vector<std::string>>& rows);

// The rows of an RFC 4180 text (CRLF or LF line ends; a final line end is
// optional). INVALID_ARGUMENT for an unterminated quoted field or a quote
// inside an unquoted one.
absl::StatusOr<std::vector<std::vector<std::string>>> Parse(
    absl::string_view text);

}  // namespace ks::csv

#endif  // KS_COMMON_CSV_CSV_H_
