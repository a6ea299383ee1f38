// VisitStore: the Redis layout of the prosecutor's supervision visits, on
// top of common/outbox. A visit is written once (no update rpc), in ONE
// outbox step: its record, its two index entries, the audit entry and the
// idempotency entry of the request. It publishes no event (events.proto
// declares none for visits).
//
// Keys (relative to the deployment's prefix, e.g. "ks:{cases}:"):
//   visit:<regency>:<case>:<visit>   the record: serialized SupervisionVisit
//                                    (no etag: derived from the version)
//   vidx:c:<regency>:<case>          sorted set, score 0, member
//                                    "<YYYYMMDD>:<visit>": one case's visits
//   vidx:r:<regency>                 member "<YYYYMMDD>:<visit>:<case>": the
//                                    regency's visits (`cases/-`)
// Members sort by visit date, then by visit id (time-sortable), so a
// reverse lexical range is "newest first". Members hold ids only.
//
// Thread-safe: the store holds no mutable state; Redis orders the scripts.
#ifndef KS_SERVICES_CASES_STORE_VISIT_STORE_H_
#define KS_SERVICES_CASES_STORE_VISIT_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "kerjasosial/cases/v1/resources.pb.h"

namespace ks::cases::store {

// "regencies/{regency}/cases/{case}/supervisionVisits/{visit}" in parts.
struct VisitName {
  std::string regency;
  std::string case_id;
  std::string id;
  std::string Name() const;
};

// A page of visits, newest first.
struct VisitPage {
  std::vector<kerjasosial::cases::v1::SupervisionVisit> visits;
  // Index member of the last visit returned; "" on the last page.
  std::string next_after;
};

struct VisitQuery {
  std::string regency;
  // A case's visits; "" for every case of the regency.
  std::string case_id;
  // Exclusive start member (from a page token); "" = the newest.
  std::string after;
  int page_size = 50;
  // Optional residual filter; null admits every visit.
  std::function<bool(const kerjasosial::cases::v1::SupervisionVisit&)>
      predicate;
};

class VisitStore {
 public:
  // `pool` and `writer` must outlive the store.
  VisitStore(redis::Pool& pool, outbox::Writer& writer);
  VisitStore(const VisitStore&) = delete;
  VisitStore& operator=(const VisitStore&) = delete;

  // The outbox transaction creating `visit` (name and visit_date set):
  // record (must not exist), both index entries; response = the visit with
  // etag "v1". The pipeline adds request id, fingerprint and audit entry.
  static absl::StatusOr<outbox::Transaction> PlanCreate(
      const kerjasosial::cases::v1::SupervisionVisit& visit);

  // The visit with its etag. NOT_FOUND naming it.
  absl::StatusOr<kerjasosial::cases::v1::SupervisionVisit> Get(
      const VisitName& name);

  // One page of `query`, newest first.
  absl::StatusOr<VisitPage> List(const VisitQuery& query);

  static std::string RecordKey(const VisitName& name);

 private:
  redis::Pool& pool_;  // index reads only
  outbox::Writer& writer_;
};

// INVALID_ARGUMENT naming `field` unless `name` is a visit's resource name.
absl::StatusOr<VisitName> ParseVisitName(absl::string_view name,
                                         absl::string_view field = "name");

}  // namespace ks::cases::store

#endif  // KS_SERVICES_CASES_STORE_VISIT_STORE_H_
