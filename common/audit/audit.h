// The audit trail of a service deployment: append-only and hash-chained, so
// that changing, removing or inserting an entry is detected by Verify().
//
// Entries are appended INSIDE the Lua script that makes the change
// (common/outbox), so an entry exists exactly when its change does. The
// script computes the chain link itself — Redis' Lua has no SHA-256, so
// LuaLibrary() carries one, written over Redis' `bit` library — and Verify()
// recomputes every hash with OpenSSL: two independent implementations of the
// same function, checked against each other by the tests.
//
// Privacy (UU 27/2022): an entry holds ids and method names only — principal
// id, role, agency, gRPC method, resource name, time, peer address, request
// id. Never a name, NIK, address or any other content of the request.
//
// Keys (under the deployment's key prefix, e.g. "ks:{cases}:"):
//   <prefix>audit:log   Stream; one entry per AuditEntry, fields
//                       seq principal_id role agency method resource_name
//                       time peer request_id previous_hash hash
//   <prefix>audit:head  Hash {seq, hash} of the last entry (detects removal
//                       of entries at the end of the log)
//
// What is hashed, in two steps:
//   content_digest = SHA-256 of fields 2-9 of kerjasosial.common.v1.AuditEntry
//     in field-number order, each a netstring "<byte length>:<bytes>,":
//       2 principal_id, 3 role, 4 agency, 5 method, 6 resource_name,
//       7 time ("<unix seconds>.<nanos as exactly 9 digits>"), 8 peer,
//       9 request_id
//   hash = lowercase hex SHA-256 of the link input:
//       previous_hash as 32 bytes (all zero for sequence 1)
//     ‖ content_digest as 32 bytes
//     ‖ sequence in decimal, no sign, no leading zeros ("17")
// The caller computes content_digest with OpenSSL (RecordArgs); the script
// hashes only the 2-block link. SHA-256 in interpreted Lua costs about 50 µs
// a block, and the whole entry is ~6 blocks: hashing it all in Lua made the
// audit entry 3.7x the cost of the rest of a write (bench/). Verify()
// recomputes both steps from the stored fields, so tampering with any field,
// the order or the sequence still breaks the chain at that entry. The length
// prefixes and fixed-size hashes make both inputs unambiguous.
//
// Thread-safe: all functions are.
#ifndef KS_COMMON_AUDIT_AUDIT_H_
#define KS_COMMON_AUDIT_AUDIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/client.h"
#include "kerjasosial/common/v1/audit.pb.h"

namespace ks::audit {

// What the caller knows about a change; the sequence and the hashes are
// assigned inside the script.
struct Record {
  std::string principal_id;
  std::string role;
  std::string agency;
  std::string method;         // e.g. "/kerjasosial.cases.v1.Cases/CreateCase"
  std::string resource_name;  // e.g. "regencies/64.01/cases/01hq..."
  absl::Time time;            // commit time (the service's clock)
  std::string peer;
  std::string request_id;
};

std::string LogKey(absl::string_view key_prefix);
std::string HeadKey(absl::string_view key_prefix);

// The time field of the canonical encoding: "<unix seconds>.<9-digit nanos>".
std::string EncodeTime(absl::Time time);

// The link input of `entry` (see above): its hash is SHA-256 of this.
std::string CanonicalEncoding(const kerjasosial::common::v1::AuditEntry& entry);
// Lowercase hex SHA-256 (OpenSSL) of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

// Lua source to put in front of a script that appends to the trail. Defines
// the locals:
//   ks_sha256(s)                 -> lowercase hex SHA-256 of the string s
//   ks_audit_check(log, head)    -> nil, or an error text if either key holds
//                                   the wrong type (call before any write)
//   ks_audit_append(log, head, f) -> sequence (string), hash; f is the table
//                                   of RecordArgs() values, in that order
absl::string_view LuaLibrary();
// The 9 script arguments of `record`, in the order ks_audit_append takes
// them: principal_id role agency method resource_name time peer request_id
// content_digest.
std::vector<std::string> RecordArgs(const Record& record);
inline constexpr int kRecordArgCount = 9;

// Appends one entry on its own (for events that change no record, e.g. a
// denied call worth recording). Changes are audited by common/outbox instead,
// in their own atomic step.
absl::StatusOr<kerjasosial::common::v1::AuditEntry> Append(
    redis::Pool& pool, absl::string_view key_prefix, const Record& record);

// Entries with sequence > after_sequence, in order, at most `limit`.
absl::StatusOr<std::vector<kerjasosial::common::v1::AuditEntry>> List(
    redis::Pool& pool, absl::string_view key_prefix, int64_t after_sequence,
    int limit);

struct VerifyReport {
  int64_t entries_checked = 0;
  // 0 if the chain is intact; else the sequence of the first entry that is
  // altered, missing or out of place.
  int64_t first_broken_sequence = 0;
  std::string reason;  // empty if intact
};

// Reads the whole trail and recomputes every link with OpenSSL. A broken
// chain is an OK status with first_broken_sequence set; an error status
// means the trail could not be read (UNAVAILABLE, ...).
absl::StatusOr<VerifyReport> Verify(redis::Pool& pool,
                                    absl::string_view key_prefix);

}  // namespace ks::audit

#endif  // KS_COMMON_AUDIT_AUDIT_H_
