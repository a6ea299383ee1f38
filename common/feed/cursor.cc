#include "common/feed/cursor.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/rich_status.h"

namespace ks::feed {

absl::StatusOr<StreamId> ParseStreamId(absl::string_view text,
                                       absl::string_view field) {
  auto invalid = [&]() {
    return ks::InvalidArgumentError(
        {{std::string(field),
          absl::StrCat("must be a feed cursor \"<milliseconds>-<sequence>\" "
                       "as returned in Event.cursor, got \"",
                       text.substr(0, 64), "\"")}});
  };
  size_t dash = text.find('-');
  if (dash == absl::string_view::npos || dash == 0 || dash + 1 == text.size()) {
    return invalid();
  }
  absl::string_view ms = text.substr(0, dash);
  absl::string_view seq = text.substr(dash + 1);
  // SimpleAtoi accepts signs and spaces; a cursor is digits only.
  for (absl::string_view part : {ms, seq}) {
    if (part.size() > 20) return invalid();
    for (char c : part) {
      if (c < '0' || c > '9') return invalid();
    }
  }
  StreamId id;
  if (!absl::SimpleAtoi(ms, &id.ms) || !absl::SimpleAtoi(seq, &id.seq)) {
    return invalid();
  }
  return id;
}

std::string FormatStreamId(const StreamId& id) {
  return absl::StrCat(id.ms, "-", id.seq);
}

}  // namespace ks::feed
