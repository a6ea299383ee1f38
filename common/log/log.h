// Structured logs: one JSON object per line on stderr.
//
// Privacy (UU 27/2022 Pasal 4(2)): callers log ids, codes, methods and
// numbers — never names, NIK, birth dates or addresses. As a safety net the
// logger masks every run of 16 digits (the shape of a NIK) in values.
//
// Example:
//   ks::log::Info("rpc_finished", {{"method", method}, {"code", "OK"},
//                                  {"ms", 3.25}});
//   -> {"ts":"2026-11-23T15:00:00.123Z","level":"INFO","event":"rpc_finished",
//       "method":"/kerjasosial.cases.v1.Cases/GetCase","code":"OK","ms":3.25}
//
// Thread-safe: lines are written whole under a mutex.
#ifndef KS_COMMON_LOG_LOG_H_
#define KS_COMMON_LOG_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"

namespace ks::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// One key/value of a log line. Strings are JSON-escaped; numbers and bools
// are written bare.
class Field {
 public:
  Field(absl::string_view key, absl::string_view value);
  Field(absl::string_view key, const char* value);
  Field(absl::string_view key, const std::string& value);
  Field(absl::string_view key, int64_t value);
  Field(absl::string_view key, int value);
  Field(absl::string_view key, double value);
  Field(absl::string_view key, bool value);

  const std::string& key() const { return key_; }
  // The value as it appears in JSON (quoted and escaped if a string).
  const std::string& json() const { return json_; }

 private:
  std::string key_;
  std::string json_;
};

// Lines below `level` are dropped. Default kInfo.
void SetMinLevel(Level level);
// Parses "debug", "info", "warning", "error".
bool ParseLevel(absl::string_view text, Level* level);
// Redirects lines (tests). Pass nullptr to restore stderr.
void SetSinkForTesting(std::function<void(const std::string& line)> sink);

void Write(Level level, absl::string_view event,
           std::initializer_list<Field> fields);

inline void Debug(absl::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, e, f);
}
inline void Info(absl::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, e, f);
}
inline void Warning(absl::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kWarning, e, f);
}
inline void Error(absl::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kError, e, f);
}

// Escapes `text` for a JSON string body and masks 16-digit runs.
std::string JsonEscape(absl::string_view text);

}  // namespace ks::log

#endif  // KS_COMMON_LOG_LOG_H_
