// The lifecycle of a case: every command of the cases domain, one header per
// job. command.h holds the transition table, the context and the
// Transition every command returns, and the error conventions.
//
// Thread safety: all functions are pure and thread-safe.
#ifndef KS_SERVICES_CASES_DOMAIN_LIFECYCLE_H_
#define KS_SERVICES_CASES_DOMAIN_LIFECYCLE_H_

#include "services/cases/domain/breach.h"      // IWYU pragma: export
#include "services/cases/domain/command.h"     // IWYU pragma: export
#include "services/cases/domain/payment.h"     // IWYU pragma: export
#include "services/cases/domain/transfer.h"    // IWYU pragma: export
#include "services/cases/domain/transition.h"  // IWYU pragma: export
#include "services/cases/domain/update.h"      // IWYU pragma: export

#endif  // KS_SERVICES_CASES_DOMAIN_LIFECYCLE_H_
