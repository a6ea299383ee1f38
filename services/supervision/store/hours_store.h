// The records of supervision part 1 in Redis (keys.h): PK assignments, the
// hours ledger of each case and its work sessions. Reads only: every write
// is an outbox::Transaction the service commits through the pipeline (one
// atomic step with its indexes, events, idempotency entry and audit entry).
//
// Versions: a record's etag is outbox's "v<version>"; Get*() set it from the
// stored version so a domain step can compute the next one.
//
// Thread-safe as the pool and the writer are.
#ifndef KS_SERVICES_SUPERVISION_STORE_HOURS_STORE_H_
#define KS_SERVICES_SUPERVISION_STORE_HOURS_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "kerjasosial/supervision/v1/resources.pb.h"

namespace ks::supervision::store {

using ::kerjasosial::supervision::v1::HoursLedger;
using ::kerjasosial::supervision::v1::PkAssignment;
using ::kerjasosial::supervision::v1::WorkSession;

class HoursStore {
 public:
  // `pool` and `writer` must outlive the store.
  HoursStore(redis::Pool& pool, outbox::Writer& writer)
      : pool_(pool), writer_(writer) {}
  HoursStore(const HoursStore&) = delete;
  HoursStore& operator=(const HoursStore&) = delete;

  // NOT_FOUND naming the resource when absent; DATA_LOSS if the stored bytes
  // do not parse.
  absl::StatusOr<PkAssignment> GetAssignment(absl::string_view regency,
                                             absl::string_view id);
  absl::StatusOr<HoursLedger> GetLedger(absl::string_view regency,
                                        absl::string_view case_id);
  absl::StatusOr<WorkSession> GetSession(absl::string_view regency,
                                         absl::string_view id);

  // Every work session of the case (RECORDED and VOIDED), oldest first.
  absl::StatusOr<std::vector<WorkSession>> SessionsOf(
      absl::string_view case_name);

  // Assignments of a case, oldest first.
  absl::StatusOr<std::vector<PkAssignment>> AssignmentsOf(
      absl::string_view case_name);

  // Index members: "<sort key>:<regency>:<id>" (keys.h).
  static std::string SessionMember(const WorkSession& s,
                                   absl::string_view regency,
                                   absl::string_view id);
  static std::string AssignmentMember(const PkAssignment& a,
                                      absl::string_view regency,
                                      absl::string_view id);

 private:
  template <typename T>
  absl::StatusOr<T> Load(const std::string& key, absl::string_view what);
  template <typename T>
  absl::StatusOr<std::vector<T>> LoadIndex(const std::string& index,
                                           absl::string_view record_prefix);

  redis::Pool& pool_;
  outbox::Writer& writer_;
};

}  // namespace ks::supervision::store

#endif  // KS_SERVICES_SUPERVISION_STORE_HOURS_STORE_H_
