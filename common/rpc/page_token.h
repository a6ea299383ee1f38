// Page tokens bound to the query that made them (AIP-158).
//
// A token is opaque to clients: base64url("<kind>|<query hash>|<position>").
// The hash binds it to the query (parent, filter, order...), so a token
// replayed with another query is INVALID_ARGUMENT on `page_token` instead of
// a wrong page; `kind` keeps a token of one list out of another.
//
// Example:
//   const std::string hash = rpc::QueryHash({req.parent(), req.filter()});
//   KS_ASSIGN_OR_RETURN(std::string after,
//                       rpc::DecodePageToken(req.page_token(), "c", hash));
//   ...
//   resp->set_next_page_token(rpc::EncodePageToken("c", hash, last));
//
// Thread-safe: pure functions.
#ifndef KS_COMMON_RPC_PAGE_TOKEN_H_
#define KS_COMMON_RPC_PAGE_TOKEN_H_

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ks::rpc {

// A short digest of the query's parts (order matters).
std::string QueryHash(std::initializer_list<absl::string_view> parts);

std::string EncodePageToken(absl::string_view kind, absl::string_view hash,
                            absl::string_view position);

// The position inside `token`. "" for an empty token (the first page).
// INVALID_ARGUMENT on `page_token` when it is not a token of this API, of
// another list, or of another query.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view kind,
                                            absl::string_view hash);

// DecodePageToken for lists positioned by a non-negative integer; 0 for an
// empty token.
absl::StatusOr<int64_t> DecodeIntPageToken(absl::string_view token,
                                           absl::string_view kind,
                                           absl::string_view hash);

}  // namespace ks::rpc

#endif  // KS_COMMON_RPC_PAGE_TOKEN_H_
