// Fills a request message from URL query parameters, by the message's
// descriptor, so every gateway route maps its query the same way and a new
// request field needs no code:
//   - a parameter is a field path in proto names: `page_size`,
//     `range.start_date`;
//   - enums by value name, or by the name without the enum's prefix
//     (`granularity=MONTH` for GRANULARITY_MONTH);
//   - repeated fields by repeating the parameter or by commas
//     (`metrics=CASES_COMPLETED,AT_RISK_CASES`);
//   - google.type.Date as YYYY-MM-DD, google.protobuf.Timestamp as RFC 3339;
//   - bool as true/false, integers and doubles in decimal.
// INVALID_ARGUMENT with a google.rpc.BadRequest naming the parameter for an
// unknown parameter, a bad value, or a parameter naming a field that is not
// a scalar, enum, Date or Timestamp. Pure; thread-safe.
#ifndef KS_SERVICES_REPORTING_WEB_QUERY_H_
#define KS_SERVICES_REPORTING_WEB_QUERY_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace ks::reporting::web {

absl::Status FillFromQuery(const std::multimap<std::string, std::string>& query,
                           google::protobuf::Message* message);

}  // namespace ks::reporting::web

#endif  // KS_SERVICES_REPORTING_WEB_QUERY_H_
