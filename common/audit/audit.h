// The audit trail of a service deployment: append-only, hash-chained by the
// service and anchored by signed checkpoints, so that changing, removing or
// inserting an entry is detected by Verify() — also when the editor had write
// access to Redis and recomputed every hash after the edit.
//
// Who does what, and when:
//   1. The write script (common/outbox) appends the entry INSIDE the atomic
//      step of the change: it takes the next sequence from a counter and
//      stores the entry's fields, nothing else. An entry exists exactly when
//      its change does, and the script does no hashing: SHA-256 in Redis' Lua
//      cost ~270 µs of Redis' single thread per write (bench/README.md).
//   2. The service's sealer (Seal(), run by audit::Sealer in the Runtime)
//      reads the unsealed entries in sequence order, computes their link
//      hashes with OpenSSL and stores them with the new sealed head, in one
//      small script that refuses if the head moved (two sealers never fork
//      the chain). A crash between 1 and 2 loses nothing: the next Seal()
//      starts at the stored sealed head, and Verify() hashes unsealed
//      entries too.
//   3. Every N entries or T seconds the sealer signs a checkpoint {trail,
//      sequence, head hash, time, key id} with an Ed25519 key that Redis
//      never sees (checkpoint.h), stores it and publishes it on the feed.
//   4. Verify() recomputes every hash from the entries and compares it with
//      the stored link hashes (catches a naive edit at the edited entry) and
//      with every checkpoint whose signature is valid (catches an edit whose
//      later hashes were all recomputed: the signed head no longer matches).
//
// Privacy (UU 27/2022): an entry holds ids and method names only — principal
// id, role, agency, gRPC method, resource name, time, peer address, request
// id. Never a name, NIK, address or any other content of the request.
//
// Keys (under the deployment's key prefix, e.g. "ks:{cases}:"):
//   <prefix>audit:seq          String: the last sequence assigned.
//                              Also witnesses entries removed from the end.
//   <prefix>audit:log          Stream; entry id "<seq>-0", fields
//                              seq principal_id role agency method
//                              resource_name time peer request_id
//   <prefix>audit:chain        Stream; entry id "<seq>-0", field hash: the
//                              link hash of entry seq (written by the sealer)
//   <prefix>audit:sealed       Hash {seq, hash}: the last sealed entry
//   <prefix>audit:checkpoints  Sorted set: member = serialized
//                              AuditCheckpoint, score = its sequence
//
// The chain, exactly:
//   content_digest(n) = SHA-256 of fields 2-9 of entry n
//     (kerjasosial.common.v1.AuditEntry) in field-number order, each a
//     netstring "<byte length>:<bytes>,":
//       2 principal_id, 3 role, 4 agency, 5 method, 6 resource_name,
//       7 time ("<unix seconds>.<nanos as exactly 9 digits>"), 8 peer,
//       9 request_id
//   hash(n) = lowercase hex SHA-256 of
//       hash(n-1) as 32 bytes (hash(0) = 32 zero bytes)
//     ‖ content_digest(n) as 32 bytes
//     ‖ n in decimal, no sign, no leading zeros ("17")
// The length prefixes and fixed-size hashes make both inputs unambiguous;
// the sequence inside the link makes a reordering break it.
//
// What this does not catch: an edit made before the entry is sealed (the
// sealer polls every few hundred ms), and a rewrite of entries after the
// last checkpoint together with the removal of later checkpoints from Redis,
// unless Verify() is given the copies that feed consumers hold
// (VerifyOptions::copies).
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

class CheckpointVerifier;

// What the caller knows about a change; the sequence is assigned inside the
// script, the hashes by the sealer.
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

std::string SequenceKey(absl::string_view key_prefix);
std::string LogKey(absl::string_view key_prefix);
std::string ChainKey(absl::string_view key_prefix);
std::string SealedKey(absl::string_view key_prefix);
std::string CheckpointsKey(absl::string_view key_prefix);

// The time field of the canonical encoding: "<unix seconds>.<9-digit nanos>".
std::string EncodeTime(absl::Time time);

// The link input of `entry` (see above) given entry.previous_hash(): its
// hash is SHA-256 of this.
std::string CanonicalEncoding(const kerjasosial::common::v1::AuditEntry& entry);
// Lowercase hex SHA-256 (OpenSSL) of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

// Lua source to put in front of a script that appends to the trail. Defines
// the locals:
//   ks_audit_check(log, seq)     -> nil, or an error text if either key holds
//                                   the wrong type (call before any write)
//   ks_audit_append(log, seq, f) -> sequence (string); f is the table of
//                                   RecordArgs() values, in that order. Call
//                                   it before the script's other writes: it
//                                   fails (writing nothing) if the log was
//                                   tampered to be ahead of the counter.
absl::string_view LuaLibrary();
// The script arguments of `record`, in the order ks_audit_append takes
// them: principal_id role agency method resource_name time peer request_id.
std::vector<std::string> RecordArgs(const Record& record);
inline constexpr int kRecordArgCount = 8;

// Appends one entry on its own (for events that change no record, e.g. a
// denied call worth recording). Changes are audited by common/outbox instead,
// in their own atomic step. The returned entry is not sealed yet.
absl::StatusOr<kerjasosial::common::v1::AuditEntry> Append(
    redis::Pool& pool, absl::string_view key_prefix, const Record& record);

// Entries with sequence > after_sequence, in order, at most `limit`.
// previous_hash and hash are set on sealed entries, empty on the others.
absl::StatusOr<std::vector<kerjasosial::common::v1::AuditEntry>> List(
    redis::Pool& pool, absl::string_view key_prefix, int64_t after_sequence,
    int limit);

struct SealResult {
  int64_t sealed_sequence = 0;  // the sealed head after this call
  std::string head_hash;        // its hash (64 zeros if nothing is sealed)
  int64_t newly_sealed = 0;     // entries sealed by this call
};

// Seals at most `max_entries` unsealed entries, in sequence order. Errors:
//   DATA_LOSS     the entry after the sealed head is missing or malformed
//                 while later ones exist (tampering): nothing past it is
//                 sealed, so Verify() reports it;
//   ABORTED       another sealer moved the head meanwhile (call again);
//   INTERNAL      a key holds the wrong type;
//   UNAVAILABLE / DEADLINE_EXCEEDED  Redis.
absl::StatusOr<SealResult> Seal(redis::Pool& pool, absl::string_view key_prefix,
                                int max_entries);

struct VerifyOptions {
  // Keys whose checkpoints are trusted. Empty: checkpoints are compared with
  // the chain but their signatures are not checked, so a consistent rewrite
  // (hashes, head and checkpoints) is NOT detected; the report says so.
  std::vector<const CheckpointVerifier*> keys;
  // Checkpoints held outside this Redis, e.g. the copies a feed consumer
  // kept. Checked like the stored ones; they still anchor the trail after
  // someone deleted the stored checkpoints (and their feed events).
  std::vector<kerjasosial::common::v1::AuditCheckpoint> copies;
};

struct VerifyReport {
  int64_t entries_checked = 0;
  int64_t sealed_sequence = 0;  // entries after it are hashed but unsealed
  int64_t checkpoints_verified = 0;
  // The highest checkpoint that matched: the trail up to it is anchored.
  int64_t last_checkpoint_sequence = 0;
  bool signatures_checked = false;
  // 0 if intact; else the first sequence whose integrity is not
  // established: the altered, missing or misplaced entry, or — when only a
  // signed checkpoint disagrees (every hash was recomputed) — the first
  // entry after the last checkpoint that still matched.
  int64_t first_broken_sequence = 0;
  std::string reason;  // empty if intact
};

// Reads the whole trail and its checkpoints and recomputes every link with
// OpenSSL. A broken trail is an OK status with first_broken_sequence set; an
// error status means the trail could not be read (UNAVAILABLE, ...).
absl::StatusOr<VerifyReport> Verify(redis::Pool& pool,
                                    absl::string_view key_prefix,
                                    const VerifyOptions& options = {});

}  // namespace ks::audit

#endif  // KS_COMMON_AUDIT_AUDIT_H_
