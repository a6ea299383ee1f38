#include "common/log/log.h"

#include <atomic>
#include <cstdio>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ks::log {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

struct Sink {
  absl::Mutex mu;
  std::function<void(const std::string&)> fn ABSL_GUARDED_BY(mu);
};

Sink& GetSink() {
  static Sink* sink = new Sink;
  return *sink;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarning:
      return "WARNING";
    case Level::kError:
      return "ERROR";
  }
  return "INFO";
}

// A NIK is 16 digits; no legitimate value we log (ids are base32, counts are
// small) has 16 consecutive digits, so masking them costs nothing and keeps a
// careless caller from leaking one.
std::string MaskNikLikeRuns(absl::string_view text) {
  std::string out(text);
  size_t run_start = 0, run = 0;
  for (size_t i = 0; i <= out.size(); ++i) {
    if (i < out.size() && absl::ascii_isdigit(out[i])) {
      if (run == 0) run_start = i;
      ++run;
      continue;
    }
    if (run >= 16) {
      for (size_t j = run_start; j < run_start + run; ++j) out[j] = '*';
    }
    run = 0;
  }
  return out;
}

}  // namespace

std::string JsonEscape(absl::string_view raw) {
  std::string text = MaskNikLikeRuns(raw);
  std::string out;
  out.reserve(text.size() + 2);
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

Field::Field(absl::string_view key, absl::string_view value)
    : key_(key), json_(absl::StrCat("\"", JsonEscape(value), "\"")) {}
Field::Field(absl::string_view key, const char* value)
    : Field(key, absl::string_view(value)) {}
Field::Field(absl::string_view key, const std::string& value)
    : Field(key, absl::string_view(value)) {}
Field::Field(absl::string_view key, int64_t value)
    : key_(key), json_(absl::StrCat(value)) {}
Field::Field(absl::string_view key, int value)
    : key_(key), json_(absl::StrCat(value)) {}
Field::Field(absl::string_view key, double value)
    : key_(key), json_(absl::StrFormat("%.6g", value)) {}
Field::Field(absl::string_view key, bool value)
    : key_(key), json_(value ? "true" : "false") {}

void SetMinLevel(Level level) { g_min_level = static_cast<int>(level); }

bool ParseLevel(absl::string_view text, Level* level) {
  std::string t = absl::AsciiStrToLower(text);
  if (t == "debug")
    *level = Level::kDebug;
  else if (t == "info")
    *level = Level::kInfo;
  else if (t == "warning" || t == "warn")
    *level = Level::kWarning;
  else if (t == "error")
    *level = Level::kError;
  else
    return false;
  return true;
}

void SetSinkForTesting(std::function<void(const std::string&)> sink) {
  Sink& s = GetSink();
  absl::MutexLock lock(&s.mu);
  s.fn = std::move(sink);
}

void Write(Level level, absl::string_view event,
           std::initializer_list<Field> fields) {
  if (static_cast<int>(level) < g_min_level) return;
  std::string line =
      absl::StrCat("{\"ts\":\"",
                   absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                    absl::UTCTimeZone()),
                   "\",\"level\":\"", LevelName(level), "\",\"event\":\"",
                   JsonEscape(event), "\"");
  for (const Field& f : fields) {
    absl::StrAppend(&line, ",\"", JsonEscape(f.key()), "\":", f.json());
  }
  line += "}";
  Sink& s = GetSink();
  absl::MutexLock lock(&s.mu);
  if (s.fn) {
    s.fn(line);
  } else {
    line += "\n";
    fwrite(line.data(), 1, line.size(), stderr);
  }
}

}  // namespace ks::log
