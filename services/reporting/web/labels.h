// Every word reporting's web side shows — CSV column names, table headers,
// metric and state names, the dashboard's own text — in Bahasa Indonesia and
// English, in one table. The CSV renderer reads it here and the dashboard
// fetches it as JSON (/api/v1/labels), so no label is written twice.
//
// Keys are the proto field or enum value names the JSON gateway emits
// (`cases_completed`, `METRIC_CASES_REGISTERED`, `UPSTREAM_STATE_LIVE`) or a
// `ui.` name for page text. Thread safety: immutable static data.
#ifndef KS_SERVICES_REPORTING_WEB_LABELS_H_
#define KS_SERVICES_REPORTING_WEB_LABELS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ks::reporting::web {

enum class Language { kIndonesian, kEnglish };

// "id" (also "" — Indonesian is the default) or "en"; nullopt otherwise.
std::optional<Language> ParseLanguage(absl::string_view code);

struct Label {
  const char* key;
  const char* id;
  const char* en;
};

// The whole table, in a fixed order.
const std::vector<Label>& Labels();

// The label of `key` in `lang`; the key itself if it has none (a new enum
// value shows up as its name rather than as nothing).
std::string Text(absl::string_view key, Language lang);

// {"key": {"id": "...", "en": "..."}, ...} for the dashboard.
std::string LabelsJson();

}  // namespace ks::reporting::web

#endif  // KS_SERVICES_REPORTING_WEB_LABELS_H_
