// What both benchmarks add to a case-registration-shaped outbox transaction:
// the audit entry (optional) and the CaseRegistered feed event. One copy, so
// the two benchmarks measure the same write.
#ifndef KS_BENCH_REGISTRATION_H_
#define KS_BENCH_REGISTRATION_H_

#include <cstddef>
#include <string>

#include "absl/time/clock.h"
#include "common/audit/audit.h"
#include "common/outbox/outbox.h"
#include "kerjasosial/common/v1/event.pb.h"

namespace ks::bench {

// Adds to `txn` (whose request_id is set) the audit entry of a JAKSA's
// CreateCase of `regencies/64.01/cases/<id>` when `with_audit`, and its
// CaseRegistered event with a payload of `payload_bytes`.
inline void AddRegistrationAuditAndEvent(outbox::Transaction& txn,
                                         const std::string& id,
                                         size_t payload_bytes,
                                         bool with_audit) {
  const std::string name = "regencies/64.01/cases/" + id;
  if (with_audit) {
    txn.audit = audit::Record{"jaksa-6401-01",
                              "JAKSA",
                              "kejari-64.01",
                              "/kerjasosial.cases.v1.Cases/CreateCase",
                              name,
                              absl::Now(),
                              "ipv4:127.0.0.1:40000",
                              txn.request_id};
  }
  kerjasosial::common::v1::Event event;
  event.set_event_id(id);
  event.set_aggregate_type("kerjasosial.cases.v1.Case");
  event.set_aggregate_name(name);
  event.set_aggregate_version(1);
  event.set_regency_code("64.01");
  event.set_event_type("kerjasosial.cases.v1.CaseRegistered");
  event.mutable_payload()->set_value(std::string(payload_bytes, 'p'));
  txn.events.push_back(std::move(event));
}

}  // namespace ks::bench

#endif  // KS_BENCH_REGISTRATION_H_
