// The client side of authentication: service-to-service calls present a
// bearer token of role SERVICE, read from a file (--service_token_file) so it
// never appears on a command line or in the process list.
//
// Thread-safe: functions share no state.
#ifndef KS_COMMON_AUTH_CLIENT_H_
#define KS_COMMON_AUTH_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/client_context.h"

namespace ks::auth {

// Adds `authorization: Bearer <token>` to the call's metadata.
void AttachToken(grpc::ClientContext* context, absl::string_view token);

// Reads the plaintext token a client presents from `path` (the file holds the
// token alone; surrounding whitespace and a trailing newline are ignored).
// Not the hashed token file of token_file.h. INVALID_ARGUMENT if the file is
// empty or holds more than one word; the message never contains the token.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace ks::auth

#endif  // KS_COMMON_AUTH_CLIENT_H_
