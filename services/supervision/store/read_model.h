// Supervision's local read model of the cases and placements it works
// with, fed by feed::Consumer from the two upstream feeds (DESIGN §4), so
// that RecordWorkSession is served while cases and placements are down.
//
// Exactly once: the effects returned by Apply*Event() are run by the
// consumer's script together with its cursor, so a redelivered event has no
// effect. Each aggregate's hash also stores the aggregate_version of the
// event it reflects, and an event not newer than it yields no effect (a
// replay from an older cursor, or a snapshot of a state already held).
//
// What is kept (no personal data: the feeds carry none):
//   a case   its CaseFacts (kind, hours, state) and, once handed over, the
//            CaseHandedOver payload (Bapas office, span start, deadline,
//            constraints, Litmas reference, sentence minutes);
//   a placement  its PlacementFacts (case, site, period, schedule, zone,
//            cap, state) and the intervals in which it was ACTIVE. The first
//            ACTIVE interval starts at the start of the placement's period
//            (the work was planned from then; StartPlacement is often
//            clicked later that day), a resumption at its event time; a
//            suspension, end or cancellation closes the open interval at its
//            event time. "ACTIVE at the session's time" is judged on them;
//   a site   its zone and its staff's principal ids (SITE_STAFF relation).
//
// Thread-safe: the reads use the pool; Apply*Event() is called from one
// consumer thread per feed (the only writer of its keys).
#ifndef KS_SERVICES_SUPERVISION_STORE_READ_MODEL_H_
#define KS_SERVICES_SUPERVISION_STORE_READ_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/feed/consumer.h"
#include "common/outbox/outbox.h"
#include "common/redis/client.h"
#include "kerjasosial/cases/v1/events.pb.h"
#include "kerjasosial/common/v1/event.pb.h"
#include "kerjasosial/placements/v1/events.pb.h"
#include "services/supervision/domain/session_rules.h"

namespace ks::supervision::store {

struct CaseView {
  std::string name;
  int64_t version = 0;
  kerjasosial::cases::v1::CaseFacts facts;
  std::optional<kerjasosial::cases::v1::CaseHandedOver> handover;
};

struct PlacementView {
  std::string name;
  std::string regency_code;  // the site's regency
  int64_t version = 0;
  kerjasosial::placements::v1::PlacementFacts facts;
  std::vector<domain::ActiveInterval> active;
};

struct SiteView {
  std::string name;
  int64_t version = 0;
  std::string time_zone;
  std::vector<std::string> staff_principal_ids;
};

class ReadModel {
 public:
  // `pool` and `writer` (for the key prefix) must outlive the read model.
  ReadModel(redis::Pool& pool, outbox::Writer& writer)
      : pool_(pool), writer_(writer) {}
  ReadModel(const ReadModel&) = delete;
  ReadModel& operator=(const ReadModel&) = delete;

  // The effect of one cases event: the case's facts (every payload with a
  // CaseFacts `facts` field) and its handover. No ops for other types, or
  // for an event not newer than the one held. INVALID_ARGUMENT for a
  // payload that does not parse (the consumer dead-letters it).
  absl::StatusOr<feed::RedisOps> ApplyCasesEvent(
      const kerjasosial::common::v1::Event& event);

  // The effect of one placements event: PlacementFacts payloads and
  // SiteChanged. Otherwise as ApplyCasesEvent.
  absl::StatusOr<feed::RedisOps> ApplyPlacementsEvent(
      const kerjasosial::common::v1::Event& event);

  // NOT_FOUND when the feed has not told of it (yet).
  absl::StatusOr<CaseView> GetCase(absl::string_view case_name);
  absl::StatusOr<PlacementView> GetPlacement(absl::string_view placement);
  absl::StatusOr<SiteView> GetSite(absl::string_view site);
  // The names of the placements placements' feed told of at `site` (any
  // state), sorted.
  absl::StatusOr<std::vector<std::string>> PlacementsAt(absl::string_view site);

 private:
  // The stored hash at `key` (relative) as field -> value; empty if absent.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadHash(
      const std::string& key);

  redis::Pool& pool_;
  outbox::Writer& writer_;
};

// "from:until;..." (Unix seconds, "-" for an open end) and back; the
// encoding of PlacementView.active in its hash.
std::string EncodeIntervals(const std::vector<domain::ActiveInterval>& v);
std::vector<domain::ActiveInterval> DecodeIntervals(absl::string_view s);

}  // namespace ks::supervision::store

#endif  // KS_SERVICES_SUPERVISION_STORE_READ_MODEL_H_
