#include "common/rpc/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sha256.h"
#include "common/status/rich_status.h"

namespace ks::rpc {
namespace {

absl::Status NotOurs() {
  return InvalidArgumentError({{"page_token", "is not a token of this API"}});
}

}  // namespace

std::string QueryHash(std::initializer_list<absl::string_view> parts) {
  return crypto::Sha256Hex(absl::StrJoin(parts, "\n")).substr(0, 16);
}

std::string EncodePageToken(absl::string_view kind, absl::string_view hash,
                            absl::string_view position) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kind, "|", hash, "|", position));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view kind,
                                            absl::string_view hash) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return NotOurs();
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits('|', 2));
  if (parts.size() != 3 || parts[0] != kind || parts[2].empty()) {
    return NotOurs();
  }
  if (parts[1] != hash) {
    return InvalidArgumentError(
        {{"page_token", "was issued for another parent, filter or order"}});
  }
  return parts[2];
}

absl::StatusOr<int64_t> DecodeIntPageToken(absl::string_view token,
                                           absl::string_view kind,
                                           absl::string_view hash) {
  absl::StatusOr<std::string> position = DecodePageToken(token, kind, hash);
  if (!position.ok()) return position.status();
  if (position->empty()) return 0;
  int64_t out = 0;
  if (!absl::SimpleAtoi(*position, &out) || out < 0) return NotOurs();
  return out;
}

}  // namespace ks::rpc
