// The conduct records of supervision part 1 in Redis: violations, warnings
// and group sessions (keys below), read here and written only through the
// outbox transactions the handlers commit (conduct_handlers.cc).
//
// The records and their regency / all-regency newest-first indexes use
// programs' Table (programs/store/table.h), the one implementation of that
// layout in this service; their kinds are "vio", "wrn" and "grp", so the
// keys are pg:vio:<regency>:<id> etc. and do not collide with part 2's.
// Part 1 adds, per case:
//   cd:<case name>        the case's conduct guard: an outbox record (its
//                         data the case name) whose version every violation
//                         or warning change of the case bumps in the same
//                         step. A change computed from the case's
//                         violations and warnings (a count, the next ladder
//                         level) commits conditional on it, so two
//                         concurrent changes cannot both count from the
//                         same state (the loser is ABORTED and recomputes).
//   ix:vio:<case name>    sorted set, score 0, "<id>:<regency>": the case's
//                         violations
//   ix:wrn:<case name>    the same for warnings
//
// Thread-safe as the pool and the writer are.
#ifndef KS_SERVICES_SUPERVISION_STORE_CONDUCT_STORE_H_
#define KS_SERVICES_SUPERVISION_STORE_CONDUCT_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "kerjasosial/supervision/v1/resources.pb.h"
#include "services/supervision/programs/store/table.h"

namespace ks::supervision::store {

using ::kerjasosial::supervision::v1::GroupSession;
using ::kerjasosial::supervision::v1::Violation;
using ::kerjasosial::supervision::v1::Warning;
using TableKey = ::ks::supervision::programs::store::Key;
template <typename R>
using Table = ::ks::supervision::programs::store::Table<R>;

class ConductStore {
 public:
  // `pool` and `writer` must outlive the store.
  ConductStore(redis::Pool& pool, outbox::Writer& writer);
  ConductStore(const ConductStore&) = delete;
  ConductStore& operator=(const ConductStore&) = delete;

  const Table<Violation>& violations() const { return violations_; }
  const Table<Warning>& warnings() const { return warnings_; }
  const Table<GroupSession>& groups() const { return groups_; }

  // The current version of `case_name`'s conduct guard (0: none yet).
  absl::StatusOr<int64_t> GuardVersion(absl::string_view case_name) const;
  // Adds to `txn` the guard's write conditional on `expected_version`. A
  // stale version is ABORTED; when the guard is created (0) and a racing
  // change created it first, ALREADY_EXISTS CONCURRENT_CONDUCT_CHANGE
  // (IsGuardRace): both mean "recompute and retry".
  static void AddGuard(outbox::Transaction& txn, absl::string_view case_name,
                       int64_t expected_version);
  // True for the ALREADY_EXISTS of a guard created by a racing change.
  static bool IsGuardRace(const absl::Status& status);

  // Every violation / warning of the case, oldest first, etags set.
  absl::StatusOr<std::vector<Violation>> ViolationsOf(
      absl::string_view case_name) const;
  absl::StatusOr<std::vector<Warning>> WarningsOf(
      absl::string_view case_name) const;

  // Adds to `txn` the case index entry of a new violation / warning.
  static void IndexViolation(outbox::Transaction& txn,
                             absl::string_view case_name, const TableKey& key);
  static void IndexWarning(outbox::Transaction& txn,
                           absl::string_view case_name, const TableKey& key);

 private:
  template <typename R>
  absl::StatusOr<std::vector<R>> OfCase(const std::string& index,
                                        const Table<R>& table) const;

  redis::Pool& pool_;
  outbox::Writer& writer_;
  Table<Violation> violations_;
  Table<Warning> warnings_;
  Table<GroupSession> groups_;
};

}  // namespace ks::supervision::store

#endif  // KS_SERVICES_SUPERVISION_STORE_CONDUCT_STORE_H_
