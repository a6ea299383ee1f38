#include "common/auth/client.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/token_file.h"

namespace ks::auth {

void AttachToken(grpc::ClientContext* context, absl::string_view token) {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  absl::StatusOr<std::string> contents = internal::ReadWholeFile(path);
  if (!contents.ok()) return contents.status();
  absl::string_view token = absl::StripAsciiWhitespace(*contents);
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("token file ", path, " is empty"));
  }
  std::vector<absl::string_view> words =
      absl::StrSplit(token, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  if (words.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "token file ", path, " must hold exactly one token, found ",
        words.size(), " words"));
  }
  return std::string(token);
}

}  // namespace ks::auth
