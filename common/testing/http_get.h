// A blocking HTTP/1.0 GET on 127.0.0.1 for tests of the /metrics endpoint.
#ifndef KS_COMMON_TESTING_HTTP_GET_H_
#define KS_COMMON_TESTING_HTTP_GET_H_

#include <string>

namespace ks::testing {

// The whole response (status line, headers, body); "" if nothing answers.
std::string HttpGet(int port, const std::string& path);

}  // namespace ks::testing

#endif  // KS_COMMON_TESTING_HTTP_GET_H_
