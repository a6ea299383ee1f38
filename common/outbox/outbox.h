// The atomic write with outbox: one Lua script that writes a change — its
// record(s), their secondary indexes, the idempotency entry, the audit entry
// and the feed event(s) — all or nothing (DESIGN §4, Foundation item 2).
//
// All or nothing. Redis runs a script atomically but does not roll back a
// script that fails half way, so the script checks EVERYTHING that could fail
// before its first write: the idempotency entry, every record's expected
// version, the type of every key it touches (tracking the types its own
// earlier index operations will leave), arities and numbers. Only then does it
// write; the writes that follow cannot fail on data (an OOM is refused before
// the script starts, since it is declared with `#!lua`). Hence: no event
// without its change, no change without its event and audit entry.
//
// Idempotency. A transaction with a request_id stores {fingerprint, response,
// versions, cursors, audit sequence} under the request id for
// Options.idempotency_ttl. A retry with the same fingerprint returns that
// stored result (replayed = true) and writes nothing; the same request id
// with another fingerprint is ALREADY_EXISTS and writes nothing.
//
// Versions and etags. A record's version starts at 1 and grows by one per
// committed change; Etag(version) is "v<version>" (opaque to clients), and
// VersionFromEtag() reverses it. expected_version 0 means "must not exist".
//
// Key layout. Every key of one deployment starts with Options.key_prefix,
// which holds ONE hash tag for the whole deployment, e.g. "ks:{cases}:", so
// every key of an atomic step is in one Redis Cluster slot:
//   <prefix><record key>        Hash {d: record bytes, v: version}
//   <prefix><index key>         whatever the index ops make (zset, set, ...)
//   <prefix>idem:<request_id>   Hash {f, r, v, c, a}, expires after the TTL
//   <prefix><stream_key>        Stream of the feed, entry fields
//                               {event: serialized kerjasosial.common.v1.Event
//                               without its cursor}; the entry id is the
//                               event's cursor
//   <prefix>audit:seq, <prefix>audit:log    the audit entry (common/audit;
//                               the service's sealer hashes it later)
// This deliberately deviates from DESIGN §5's per-regency hash tag: the feed
// stream and the audit chain are single sequences per deployment, and each
// write appends to both; with one tag per regency they would have to be split
// into 514 streams and 514 chains (one per slot), losing the single total
// order that feed cursors and the chain rely on. A national instance that
// outgrows one node shards by deployment (one deployment per group of
// regencies), each with its own tag.
//
// Personal data: records may hold it (encrypted at rest is a deployment
// concern); events and audit entries must not (see event.proto, common/audit).
//
// Thread-safe: a Writer may be shared by all handlers; the pool serializes
// nothing, Redis orders the scripts.
#ifndef KS_COMMON_OUTBOX_OUTBOX_H_
#define KS_COMMON_OUTBOX_OUTBOX_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/audit/audit.h"
#include "common/redis/client.h"
#include "google/protobuf/message.h"
#include "kerjasosial/common/v1/event.pb.h"

namespace ks::outbox {

// Field of a feed stream entry that holds the serialized Event.
inline constexpr absl::string_view kEventField = "event";

struct Options {
  // Required. Prefix of every key, with exactly one hash tag: "ks:{cases}:".
  std::string key_prefix = "ks:{default}:";
  // The feed stream, relative to key_prefix.
  std::string stream_key = "events";
  // How long a request id is remembered.
  absl::Duration idempotency_ttl = absl::Hours(24 * 30);
  // Optional. Written to Event.source when an event leaves it empty.
  std::string source;
};

// ErrorInfo reasons of the conflicts Commit() reports (domain
// ks::kErrorDomain). Messages never carry a Redis key.
inline constexpr absl::string_view kReasonRequestIdReused = "REQUEST_ID_REUSED";
inline constexpr absl::string_view kReasonStaleEtag = "STALE_ETAG";
inline constexpr absl::string_view kReasonResourceExists = "RESOURCE_EXISTS";
inline constexpr absl::string_view kReasonResourceNotFound =
    "RESOURCE_NOT_FOUND";
inline constexpr absl::string_view kReasonCapacityExhausted =
    "CAPACITY_EXHAUSTED";

// What a client is told when a record that must not exist does (a unique
// claim taken by someone else). The default is RESOURCE_EXISTS.
struct Conflict {
  std::string reason;   // ErrorInfo reason, e.g. DECISION_ALREADY_REGISTERED
  std::string message;  // client-safe: no key, no personal data
  std::map<std::string, std::string> metadata;
  // Optional. ErrorInfo metadata key under which the existing record's data
  // is reported (only for records whose data is a resource name, such as a
  // uniqueness claim naming its holder).
  std::string existing_data_as;
};

// One record to write. `key` is relative to the key prefix.
struct RecordWrite {
  RecordWrite() = default;
  RecordWrite(std::string key, int64_t expected_version, std::string data,
              std::optional<Conflict> on_exists = std::nullopt)
      : key(std::move(key)),
        expected_version(expected_version),
        data(std::move(data)),
        on_exists(std::move(on_exists)) {}

  std::string key;
  int64_t expected_version = 0;       // 0: must not exist; else must be current
  std::string data;                   // serialized record
  std::optional<Conflict> on_exists;  // see Conflict
};

// One secondary-index operation; `key` is relative to the key prefix. Build
// with the factory functions, which fix the arity.
struct IndexOp {
  std::string command;  // SET DEL ZADD ZREM SADD SREM HSET HDEL HINCRBY
  std::string key;
  std::vector<std::string> args;

  static IndexOp Set(std::string key, std::string value);
  static IndexOp Del(std::string key);
  static IndexOp ZAdd(std::string key, double score, std::string member);
  static IndexOp ZRem(std::string key, std::string member);
  static IndexOp SAdd(std::string key, std::string member);
  static IndexOp SRem(std::string key, std::string member);
  static IndexOp HSet(std::string key, std::string field, std::string value);
  static IndexOp HDel(std::string key, std::string field);
  static IndexOp HIncrBy(std::string key, std::string field, int64_t delta);
};

// A bounded counter held in the same atomic step as the records that use
// it: a site's or a program's capacity. Checking the slot in the commit
// script, rather than reading it first, is what makes 50 concurrent requests
// for one free slot produce exactly one winner without a retry loop.
// `key` is relative to the key prefix and holds a hash; its `field` is an
// integer (absent = 0). Reservations of one transaction apply in order, so a
// move (-1 on one field, +1 on another, or both on the same one) is checked
// against the value the earlier ones leave. A reservation's key must not
// also be the target of an index op of the same transaction.
struct Reservation {
  std::string key;
  std::string field;
  // > 0 takes slots and is refused when the count would exceed `limit`;
  // < 0 releases them and never takes the count below 0.
  int64_t delta = 0;
  int64_t limit = 0;
  // What a client is told when the slots are taken (FAILED_PRECONDITION;
  // the reason defaults to CAPACITY_EXHAUSTED). Metadata gains "limit".
  Conflict on_full;
};

struct Transaction {
  // Optional (every RPC mutation has one). Empty: no idempotency entry.
  std::string request_id;
  // Required with request_id: e.g. Fingerprint(request).
  std::string request_fingerprint;
  // Bytes returned to a retry of the same request (e.g. serialized response).
  std::string response;
  std::vector<RecordWrite> records;
  std::vector<IndexOp> index_ops;
  // Optional. The audit entry of the change (no personal data).
  std::optional<audit::Record> audit;
  // Events to append to the feed, in order; `cursor` must be empty (the
  // stream assigns it). event_time defaults to now, source to Options.source.
  std::vector<kerjasosial::common::v1::Event> events;
  // Capacity held atomically with the records (see Reservation).
  std::vector<Reservation> reservations;
};

struct CommitResult {
  bool replayed = false;          // true: a retry; nothing was written now
  std::string response;           // the stored response of the first commit
  std::vector<int64_t> versions;  // new version per record, in order
  std::vector<std::string> event_cursors;  // stream id per event, in order
  int64_t audit_sequence = 0;              // 0 if no audit entry
};

struct StoredRecord {
  std::string data;
  int64_t version = 0;
};

// True for the errors a concurrent twin of the same request can cause
// (ALREADY_EXISTS other than REQUEST_ID_REUSED, ABORTED): after one, a caller
// re-reads the request's idempotency entry before answering.
bool IsConflict(const absl::Status& status);

// ALREADY_EXISTS REQUEST_ID_REUSED {request_id}.
absl::Status RequestIdReusedError(absl::string_view request_id);

std::string Etag(int64_t version);
// INVALID_ARGUMENT unless `etag` is what Etag() makes.
absl::StatusOr<int64_t> VersionFromEtag(absl::string_view etag);
// Lowercase hex SHA-256 of the deterministic serialization of `request`.
std::string Fingerprint(const google::protobuf::Message& request);

// The arguments of one EVALSHA of the commit script.
struct ScriptCall {
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

class Writer {
 public:
  // `pool` must outlive the writer.
  Writer(redis::Pool& pool, Options options);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Commits `txn` atomically. Errors, each with nothing written, each with
  // an ErrorInfo and a client-safe message (no Redis key):
  //   INVALID_ARGUMENT  malformed transaction (no fingerprint with a request
  //                     id, a record key twice, bad arity, cursor set, ...)
  //   ALREADY_EXISTS    REQUEST_ID_REUSED: request id reused with a different
  //                     fingerprint; or a record with expected_version 0
  //                     exists: the record's Conflict (RESOURCE_EXISTS by
  //                     default)
  //   NOT_FOUND         RESOURCE_NOT_FOUND: a record with expected_version > 0
  //                     does not exist
  //   ABORTED           STALE_ETAG {current_etag}: stale version
  //   FAILED_PRECONDITION  a Reservation would exceed its limit: its
  //                     Conflict (CAPACITY_EXHAUSTED by default) {limit}
  //   INTERNAL          a key holds the wrong type (data corruption)
  //   UNAVAILABLE / DEADLINE_EXCEEDED   Redis unreachable / slow: the write
  //                     may have happened; retry with the same request id.
  absl::StatusOr<CommitResult> Commit(const Transaction& txn);

  // The KEYS and ARGV Commit() passes to script() for `txn`, after the same
  // checks (INVALID_ARGUMENT for a malformed transaction). Exposed so a
  // benchmark can time the bare EVALSHA against Commit().
  absl::StatusOr<ScriptCall> Encode(const Transaction& txn) const;
  static const redis::Script& script();

  // The record at `key` (relative). NOT_FOUND if absent.
  absl::StatusOr<StoredRecord> Get(absl::string_view key);

  // The records at `keys` (relative), in order, in one round trip; nullopt
  // where a record is absent.
  absl::StatusOr<std::vector<std::optional<StoredRecord>>> GetMany(
      const std::vector<std::string>& keys);

  // The idempotency fast path: the stored response of `request_id` when it
  // was committed with `fingerprint`; nullopt when the id is unknown (or
  // empty); ALREADY_EXISTS REQUEST_ID_REUSED when it was committed with
  // another fingerprint. The commit script makes the same check atomically;
  // this read answers a retry before it is re-validated against a resource
  // that has moved on, and after a conflict that a racing twin caused.
  absl::StatusOr<std::optional<std::string>> LookupRequest(
      absl::string_view request_id, absl::string_view fingerprint);

  // Full key of a relative one.
  std::string Key(absl::string_view relative) const;
  // Full key of the feed stream.
  std::string StreamKey() const { return Key(options_.stream_key); }
  const Options& options() const { return options_; }

 private:
  // The script's typed conflicts ("ks-record <i> <version>",
  // "ks-request-reused") as client-safe rich errors; other errors as they
  // are.
  absl::Status MapConflict(const Transaction& txn, const absl::Status& status);

  redis::Pool& pool_;
  const Options options_;
};

}  // namespace ks::outbox

#endif  // KS_COMMON_OUTBOX_OUTBOX_H_
