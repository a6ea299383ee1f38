#include "common/csv/csv.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ks::csv {

std::string Field(absl::string_view value) {
  if (value.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(value);
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string Rows(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    absl::StrAppend(&out,
                    absl::StrJoin(row, ",",
                                  [](std::string* o, const std::string& f) {
                                    o->append(Field(f));
                                  }),
                    "\r\n");
  }
  return out;
}

absl::StatusOr<std::vector<std::vector<std::string>>> Parse(
    absl::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    if (text[i] == '"') {
      if (!field.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("quote inside an unquoted field at offset ", i));
      }
      ++i;
      while (true) {
        if (i >= n) {
          return absl::InvalidArgumentError("unterminated quoted field");
        }
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      continue;
    }
    if (text[i] == ',') {
      row.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (text[i] == '\r' || text[i] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
      ++i;
    } else {
      field += text[i++];
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace ks::csv
