// The pure rules of the cases service (no Redis, no gRPC server, no I/O):
// eligibility (R1-R13), the lifecycle, progress from supervision's feed,
// privacy of what leaves the service, and the ListCases filter. One include
// for handlers; each part has its own header.
#ifndef KS_SERVICES_CASES_DOMAIN_CASE_RULES_H_
#define KS_SERVICES_CASES_DOMAIN_CASE_RULES_H_

#include "services/cases/domain/eligibility.h"  // IWYU pragma: export
#include "services/cases/domain/lifecycle.h"    // IWYU pragma: export
#include "services/cases/domain/list_filter.h"  // IWYU pragma: export
#include "services/cases/domain/privacy.h"      // IWYU pragma: export
#include "services/cases/domain/progress.h"     // IWYU pragma: export

#endif  // KS_SERVICES_CASES_DOMAIN_CASE_RULES_H_
