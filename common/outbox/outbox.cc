#include "common/outbox/outbox.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/crypto/sha256.h"
#include "common/status/rich_status.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace ks::outbox {
namespace {

// KEYS: 1 idempotency, 2 stream, 3 audit log, 4 audit sequence counter,
//       4+1..4+nr records, 4+nr+1..4+nr+no index-op keys,
//       4+nr+no+1..4+nr+no+nv reservation keys.
// ARGV: 1 use idempotency ('1'/'0'), 2 fingerprint, 3 response, 4 ttl (s),
//       5 nr, 6 no, 7 ne, 8 use audit ('1'/'0'), 9..16 audit fields,
//       then per record: expected version, data;
//       then per op: command, argument count, arguments...;
//       then per event: serialized Event;
//       then nv, and per reservation: field, delta, limit.
// Returns {'committed'|'replayed', response, versions "1,2", cursors
// "id,id", audit sequence ""|"17"}.
constexpr absl::string_view kScriptBody = R"lua(
local function ktype(k) return redis.call('TYPE', k)['ok'] end
local use_idem = ARGV[1] == '1'
local fp, response, ttl = ARGV[2], ARGV[3], ARGV[4]
local nr, no, ne = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local use_audit = ARGV[8] == '1'
local audit_fields = {}
for i = 1, $AUDIT_ARGS do audit_fields[i] = ARGV[8 + i] end
local a = 9 + $AUDIT_ARGS

-- 1. Idempotency: a retry returns the first result and writes nothing.
if use_idem then
  local t = ktype(KEYS[1])
  if t == 'hash' then
    local s = redis.call('HMGET', KEYS[1], 'f', 'r', 'v', 'c', 'a')
    if s[1] ~= fp then
      return redis.error_reply('ALREADY_EXISTS: ks-request-reused')
    end
    return {'replayed', s[2] or '', s[3] or '', s[4] or '', s[5] or ''}
  elseif t ~= 'none' then
    return redis.error_reply('INTERNAL: idempotency key ' .. KEYS[1] ..
                             ' holds a ' .. t)
  end
end

-- 2. Every check before the first write. `types` predicts each key's type
-- as the writes below will leave it, so a later op is checked against what
-- an earlier op of this same script makes.
local types = {}
local function current_type(k)
  if types[k] == nil then types[k] = ktype(k) end
  return types[k]
end
local function need(k, want, what)
  local t = current_type(k)
  if t ~= 'none' and t ~= want then
    return 'INTERNAL: ' .. what .. ' ' .. k .. ' holds a ' .. t ..
           ', not a ' .. want
  end
  return nil
end
local err = need(KEYS[2], 'stream', 'feed stream')
if err then return redis.error_reply(err) end
types[KEYS[2]] = 'stream'
if use_audit then
  err = ks_audit_check(KEYS[3], KEYS[4])
  if err then return redis.error_reply(err) end
end

local versions, datas = {}, {}
for i = 1, nr do
  local key = KEYS[4 + i]
  local expected = tonumber(ARGV[a])
  datas[i] = ARGV[a + 1]
  a = a + 2
  err = need(key, 'hash', 'record')
  if err then return redis.error_reply(err) end
  local current = 0
  if current_type(key) == 'hash' then
    current = tonumber(redis.call('HGET', key, 'v')) or 0
  end
  -- Typed conflicts ("ks-record <i> <current version>"): the writer maps
  -- them to client-safe errors; no key leaves the script.
  local conflict = nil
  if expected == 0 and current ~= 0 then conflict = 'ALREADY_EXISTS'
  elseif expected ~= 0 and current == 0 then conflict = 'NOT_FOUND'
  elseif expected ~= current then conflict = 'ABORTED' end
  if conflict then
    return redis.error_reply(conflict .. ': ks-record ' .. i .. ' ' ..
                             string.format('%d', current))
  end
  versions[i] = string.format('%d', current + 1)
  types[key] = 'hash'
end

local OPS = {  -- command -> {argument count, type needed, type after}
  SET = {1, nil, 'string'}, DEL = {0, nil, 'none'},
  ZADD = {2, 'zset', 'zset'}, ZREM = {1, 'zset', nil},
  SADD = {1, 'set', 'set'}, SREM = {1, 'set', nil},
  HSET = {2, 'hash', 'hash'}, HDEL = {1, 'hash', nil},
  HINCRBY = {2, 'hash', 'hash'} }
local ops = {}
for i = 1, no do
  local cmd, n = ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  local key = KEYS[4 + nr + i]
  local spec = OPS[cmd]
  if spec == nil or spec[1] ~= n then
    return redis.error_reply('INVALID_ARGUMENT: bad index op ' .. tostring(cmd))
  end
  local args = {}
  for j = 1, n do args[j] = ARGV[a]; a = a + 1 end
  if spec[2] then
    err = need(key, spec[2], 'index key')
    if err then return redis.error_reply(err) end
  end
  if cmd == 'ZADD' and tonumber(args[1]) == nil then
    return redis.error_reply('INVALID_ARGUMENT: ZADD score ' .. args[1])
  end
  if cmd == 'HINCRBY' then
    if not string.match(args[2], '^%-?%d+$') then
      return redis.error_reply('INVALID_ARGUMENT: HINCRBY delta ' .. args[2])
    end
    if current_type(key) == 'hash' then
      local v = redis.call('HGET', key, args[1])
      if v and not string.match(v, '^%-?%d+$') then
        return redis.error_reply('INTERNAL: index key ' .. key .. ' field ' ..
                                 args[1] .. ' is not an integer')
      end
    end
  end
  if spec[3] then types[key] = spec[3] end
  ops[i] = {cmd, key, args}
end

-- Reservations: bounded counters, checked in order against the value the
-- earlier ones leave ("ks-full <i>" when one would exceed its limit).
local r = a + ne
local nv = tonumber(ARGV[r]) or 0
r = r + 1
local counts, holds = {}, {}
for i = 1, nv do
  local key = KEYS[4 + nr + no + i]
  local field, delta, limit = ARGV[r], tonumber(ARGV[r + 1]),
                              tonumber(ARGV[r + 2])
  r = r + 3
  err = need(key, 'hash', 'capacity key')
  if err then return redis.error_reply(err) end
  local slot = key .. '\0' .. field
  local current = counts[slot]
  if current == nil then
    current = 0
    if current_type(key) == 'hash' then
      local v = redis.call('HGET', key, field)
      if v then
        if not string.match(v, '^%-?%d+$') then
          return redis.error_reply('INTERNAL: capacity key ' .. key ..
                                   ' field ' .. field .. ' is not an integer')
        end
        current = tonumber(v)
      end
    end
  end
  local after = current + delta
  if delta > 0 and after > limit then
    return redis.error_reply('FAILED_PRECONDITION: ks-full ' .. i)
  end
  if after < 0 then after = 0 end
  counts[slot] = after
  holds[i] = {key, field, slot}
  types[key] = 'hash'
end

-- 3. Writes: nothing below can fail on data, but the audit entry's XADD
-- on a tampered log, which therefore goes first (common/audit).
local seq = ''
if use_audit then seq = ks_audit_append(KEYS[3], KEYS[4], audit_fields) end
for i = 1, nr do
  redis.call('HSET', KEYS[4 + i], 'd', datas[i], 'v', versions[i])
end
for i = 1, no do
  local op = ops[i]
  redis.call(op[1], op[2], unpack(op[3]))
end
for i = 1, nv do
  local h = holds[i]
  redis.call('HSET', h[1], h[2], string.format('%d', counts[h[3]]))
end
local cursors = {}
for i = 1, ne do
  cursors[i] = redis.call('XADD', KEYS[2], '*', 'event', ARGV[a])
  a = a + 1
end
local vs, cs = table.concat(versions, ','), table.concat(cursors, ',')
if use_idem then
  redis.call('HSET', KEYS[1], 'f', fp, 'r', response, 'v', vs, 'c', cs,
             'a', seq)
  redis.call('EXPIRE', KEYS[1], ttl)
end
return {'committed', response, vs, cs, seq}
)lua";

const redis::Script& CommitScript() {
  // The audit fields' count comes from common/audit, which owns them.
  static const redis::Script* script = new redis::Script(absl::StrCat(
      "#!lua\n", audit::LuaLibrary(),
      absl::StrReplaceAll(
          kScriptBody,
          {{"$AUDIT_ARGS", absl::StrCat(audit::kRecordArgCount)}})));
  return *script;
}

bool HasOneHashTag(absl::string_view prefix) {
  size_t open = prefix.find('{');
  if (open == absl::string_view::npos) return false;
  size_t close = prefix.find('}', open);
  return close != absl::string_view::npos && close > open + 1;
}

}  // namespace

IndexOp IndexOp::Set(std::string key, std::string value) {
  return {"SET", std::move(key), {std::move(value)}};
}
IndexOp IndexOp::Del(std::string key) { return {"DEL", std::move(key), {}}; }
IndexOp IndexOp::ZAdd(std::string key, double score, std::string member) {
  return {"ZADD",
          std::move(key),
          {absl::StrFormat("%.17g", score), std::move(member)}};
}
IndexOp IndexOp::ZRem(std::string key, std::string member) {
  return {"ZREM", std::move(key), {std::move(member)}};
}
IndexOp IndexOp::SAdd(std::string key, std::string member) {
  return {"SADD", std::move(key), {std::move(member)}};
}
IndexOp IndexOp::SRem(std::string key, std::string member) {
  return {"SREM", std::move(key), {std::move(member)}};
}
IndexOp IndexOp::HSet(std::string key, std::string field, std::string value) {
  return {"HSET", std::move(key), {std::move(field), std::move(value)}};
}
IndexOp IndexOp::HDel(std::string key, std::string field) {
  return {"HDEL", std::move(key), {std::move(field)}};
}
IndexOp IndexOp::HIncrBy(std::string key, std::string field, int64_t delta) {
  return {"HINCRBY", std::move(key), {std::move(field), absl::StrCat(delta)}};
}

bool IsConflict(const absl::Status& status) {
  if (absl::IsAborted(status)) return true;
  if (!absl::IsAlreadyExists(status)) return false;
  const google::rpc::Status rpc = ToRpcStatus(status);
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info) && info.reason() == kReasonRequestIdReused) {
      return false;
    }
  }
  return true;
}

absl::Status RequestIdReusedError(absl::string_view request_id) {
  return WithErrorInfo(
      absl::AlreadyExistsError("request_id was already used with a different "
                               "request"),
      kReasonRequestIdReused, {{"request_id", std::string(request_id)}});
}

std::string Etag(int64_t version) { return absl::StrCat("v", version); }

absl::StatusOr<int64_t> VersionFromEtag(absl::string_view etag) {
  int64_t version = 0;
  if (etag.size() < 2 || etag[0] != 'v' ||
      !absl::SimpleAtoi(etag.substr(1), &version) || version < 1 ||
      absl::StrCat(version) != etag.substr(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("etag: \"", etag, "\" is not an etag of this service"));
  }
  return version;
}

std::string Fingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&out);
  }
  return crypto::Sha256Hex(bytes);
}

Writer::Writer(redis::Pool& pool, Options options)
    : pool_(pool), options_(std::move(options)) {}

std::string Writer::Key(absl::string_view relative) const {
  return absl::StrCat(options_.key_prefix, relative);
}

absl::StatusOr<ScriptCall> Writer::Encode(const Transaction& txn) const {
  if (!HasOneHashTag(options_.key_prefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("outbox: key prefix \"", options_.key_prefix,
                     "\" has no hash tag such as {cases}"));
  }
  if (!txn.request_id.empty() && txn.request_fingerprint.empty()) {
    return absl::InvalidArgumentError(
        "outbox: a request_id needs a request_fingerprint");
  }
  std::set<absl::string_view> record_keys;
  for (const RecordWrite& r : txn.records) {
    if (r.key.empty() || r.expected_version < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("outbox: bad record \"", r.key, "\" expected version ",
                       r.expected_version));
    }
    if (!record_keys.insert(r.key).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("outbox: record \"", r.key, "\" written twice"));
    }
  }
  for (const IndexOp& op : txn.index_ops) {
    if (op.key.empty()) {
      return absl::InvalidArgumentError("outbox: index op without a key");
    }
  }
  for (const auto& e : txn.events) {
    if (!e.cursor().empty()) {
      return absl::InvalidArgumentError(
          "outbox: an event's cursor is assigned by the stream");
    }
  }
  for (const Reservation& v : txn.reservations) {
    if (v.key.empty() || v.field.empty() || v.delta == 0 || v.limit < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("outbox: bad reservation \"", v.key, "\" field \"",
                       v.field, "\" delta ", v.delta, " limit ", v.limit));
    }
  }

  const std::string idem_key = Key(absl::StrCat("idem:", txn.request_id));
  std::vector<std::string> keys = {idem_key, StreamKey(),
                                   audit::LogKey(options_.key_prefix),
                                   audit::SequenceKey(options_.key_prefix)};
  std::vector<std::string> args = {
      txn.request_id.empty() ? "0" : "1",
      txn.request_fingerprint,
      txn.response,
      absl::StrCat(
          std::max<int64_t>(1, absl::ToInt64Seconds(options_.idempotency_ttl))),
      absl::StrCat(txn.records.size()),
      absl::StrCat(txn.index_ops.size()),
      absl::StrCat(txn.events.size()),
      txn.audit ? "1" : "0"};
  if (txn.audit) {
    std::vector<std::string> fields = audit::RecordArgs(*txn.audit);
    args.insert(args.end(), fields.begin(), fields.end());
  } else {
    args.resize(args.size() + audit::kRecordArgCount);
  }
  for (const RecordWrite& r : txn.records) {
    keys.push_back(Key(r.key));
    args.push_back(absl::StrCat(r.expected_version));
    args.push_back(r.data);
  }
  for (const IndexOp& op : txn.index_ops) {
    keys.push_back(Key(op.key));
    args.push_back(op.command);
    args.push_back(absl::StrCat(op.args.size()));
    args.insert(args.end(), op.args.begin(), op.args.end());
  }
  const absl::Time now = absl::Now();
  for (const auto& e : txn.events) {
    kerjasosial::common::v1::Event event = e;
    if (!event.has_event_time()) {
      const int64_t s = absl::ToUnixSeconds(now);
      event.mutable_event_time()->set_seconds(s);
      event.mutable_event_time()->set_nanos(static_cast<int32_t>(
          absl::ToInt64Nanoseconds(now - absl::FromUnixSeconds(s))));
    }
    if (event.source().empty()) event.set_source(options_.source);
    args.push_back(event.SerializeAsString());
  }
  args.push_back(absl::StrCat(txn.reservations.size()));
  for (const Reservation& v : txn.reservations) {
    keys.push_back(Key(v.key));
    args.push_back(v.field);
    args.push_back(absl::StrCat(v.delta));
    args.push_back(absl::StrCat(v.limit));
  }
  return ScriptCall{std::move(keys), std::move(args)};
}

const redis::Script& Writer::script() { return CommitScript(); }

absl::StatusOr<CommitResult> Writer::Commit(const Transaction& txn) {
  absl::StatusOr<ScriptCall> call = Encode(txn);
  if (!call.ok()) return call.status();
  absl::StatusOr<redis::Reply> reply =
      pool_.Eval(CommitScript(), call->keys, call->args);
  if (!reply.ok()) return MapConflict(txn, reply.status());
  if (!reply->is_array() || reply->elements.size() != 5) {
    return absl::InternalError("outbox: unexpected script reply " +
                               reply->DebugString());
  }
  CommitResult result;
  result.replayed = reply->elements[0].str == "replayed";
  result.response = reply->elements[1].str;
  for (absl::string_view v :
       absl::StrSplit(reply->elements[2].str, ',', absl::SkipEmpty())) {
    int64_t version = 0;
    if (!absl::SimpleAtoi(v, &version)) {
      return absl::InternalError(absl::StrCat("outbox: bad version ", v));
    }
    result.versions.push_back(version);
  }
  for (absl::string_view c :
       absl::StrSplit(reply->elements[3].str, ',', absl::SkipEmpty())) {
    result.event_cursors.emplace_back(c);
  }
  if (!reply->elements[4].str.empty() &&
      !absl::SimpleAtoi(reply->elements[4].str, &result.audit_sequence)) {
    return absl::InternalError("outbox: bad audit sequence");
  }
  return result;
}

absl::Status Writer::MapConflict(const Transaction& txn,
                                 const absl::Status& status) {
  absl::string_view text = status.message();
  if (text == "ks-request-reused") return RequestIdReusedError(txn.request_id);
  if (absl::ConsumePrefix(&text, "ks-full ")) {
    size_t index = 0;
    if (!absl::SimpleAtoi(text, &index) || index < 1 ||
        index > txn.reservations.size()) {
      return absl::InternalError("outbox: malformed capacity conflict");
    }
    const Reservation& v = txn.reservations[index - 1];
    std::map<std::string, std::string> metadata = v.on_full.metadata;
    metadata["limit"] = absl::StrCat(v.limit);
    return WithErrorInfo(
        absl::FailedPreconditionError(
            v.on_full.message.empty() ? "no capacity left" : v.on_full.message),
        v.on_full.reason.empty() ? std::string(kReasonCapacityExhausted)
                                 : v.on_full.reason,
        metadata);
  }
  if (!absl::ConsumePrefix(&text, "ks-record ")) return status;
  std::vector<absl::string_view> parts = absl::StrSplit(text, ' ');
  size_t index = 0;
  int64_t current = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &index) ||
      !absl::SimpleAtoi(parts[1], &current) || index < 1 ||
      index > txn.records.size()) {
    return absl::InternalError("outbox: malformed conflict from the script");
  }
  const RecordWrite& record = txn.records[index - 1];
  switch (status.code()) {
    case absl::StatusCode::kAlreadyExists: {
      if (!record.on_exists) {
        return WithErrorInfo(
            absl::AlreadyExistsError("the resource already exists"),
            kReasonResourceExists);
      }
      std::map<std::string, std::string> metadata = record.on_exists->metadata;
      if (!record.on_exists->existing_data_as.empty()) {
        absl::StatusOr<StoredRecord> holder = Get(record.key);
        if (holder.ok()) {
          metadata[record.on_exists->existing_data_as] = holder->data;
        }
      }
      return WithErrorInfo(absl::AlreadyExistsError(record.on_exists->message),
                           record.on_exists->reason, metadata);
    }
    case absl::StatusCode::kNotFound:
      return WithErrorInfo(absl::NotFoundError("the resource does not exist"),
                           kReasonResourceNotFound);
    case absl::StatusCode::kAborted:
      return WithErrorInfo(absl::AbortedError(absl::StrCat(
                               "stale etag: the resource is at ", Etag(current),
                               ", not ", Etag(record.expected_version))),
                           kReasonStaleEtag, {{"current_etag", Etag(current)}});
    default:
      return status;
  }
}

absl::StatusOr<std::vector<std::optional<StoredRecord>>> Writer::GetMany(
    const std::vector<std::string>& keys) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(keys.size());
  for (const std::string& key : keys) {
    commands.push_back({"HMGET", Key(key), "d", "v"});
  }
  absl::StatusOr<std::vector<redis::Reply>> replies = pool_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<std::optional<StoredRecord>> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < replies->size(); ++i) {
    const redis::Reply& r = (*replies)[i];
    if (!r.is_array() || r.elements.size() != 2 || r.elements[1].is_nil()) {
      out.emplace_back();
      continue;
    }
    StoredRecord record;
    record.data = r.elements[0].str;
    if (!absl::SimpleAtoi(r.elements[1].str, &record.version)) {
      return absl::InternalError(
          absl::StrCat("record ", keys[i], " has a malformed version"));
    }
    out.emplace_back(std::move(record));
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> Writer::LookupRequest(
    absl::string_view request_id, absl::string_view fingerprint) {
  if (request_id.empty()) return std::optional<std::string>();
  absl::StatusOr<redis::Reply> reply = pool_.Command(
      {"HMGET", Key(absl::StrCat("idem:", request_id)), "f", "r"});
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->elements.size() != 2 ||
      reply->elements[0].is_nil()) {
    return std::optional<std::string>();
  }
  if (reply->elements[0].str != fingerprint) {
    return RequestIdReusedError(request_id);
  }
  return std::optional<std::string>(reply->elements[1].str);
}

absl::StatusOr<StoredRecord> Writer::Get(absl::string_view key) {
  absl::StatusOr<redis::Reply> r = pool_.Command({"HMGET", Key(key), "d", "v"});
  if (!r.ok()) return r.status();
  if (r->elements.size() != 2 || r->elements[1].is_nil()) {
    return absl::NotFoundError(absl::StrCat("record ", key, " not found"));
  }
  StoredRecord out;
  out.data = r->elements[0].str;
  if (!absl::SimpleAtoi(r->elements[1].str, &out.version)) {
    return absl::InternalError(absl::StrCat("record ", key, " has version \"",
                                            r->elements[1].str, "\""));
  }
  return out;
}

}  // namespace ks::outbox
