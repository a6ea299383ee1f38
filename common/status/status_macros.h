// Early-return helpers for absl::Status / absl::StatusOr, which Debian's
// Abseil 20220623 does not ship.
//
// Example:
//   absl::StatusOr<Case> LoadCase(...) {
//     KS_ASSIGN_OR_RETURN(std::string bytes, store.Get(key));
//     KS_RETURN_IF_ERROR(Validate(bytes));
//     ...
//   }
#ifndef KS_COMMON_STATUS_STATUS_MACROS_H_
#define KS_COMMON_STATUS_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KS_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status ks_status_ = (expr);      \
    if (!ks_status_.ok()) return ks_status_; \
  } while (0)

#define KS_STATUS_CONCAT_INNER_(a, b) a##b
#define KS_STATUS_CONCAT_(a, b) KS_STATUS_CONCAT_INNER_(a, b)

// Declares `lhs` from a StatusOr expression, or returns its error.
#define KS_ASSIGN_OR_RETURN(lhs, expr)                                      \
  KS_ASSIGN_OR_RETURN_IMPL_(KS_STATUS_CONCAT_(ks_statusor_, __LINE__), lhs, \
                            expr)

#define KS_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)     \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // KS_COMMON_STATUS_STATUS_MACROS_H_
