#include "common/audit/audit.h"

#include <openssl/sha.h>

#include <map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sha256.h"

namespace ks::audit {
namespace {

using kerjasosial::common::v1::AuditEntry;

constexpr absl::string_view kZeroHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// SHA-256 (FIPS 180-4) over Redis' LuaBitOp `bit` library. Every bit.*
// result is a signed 32-bit number; sums of a few of them stay exact in a
// Lua double, and bit.tobit reduces them modulo 2^32.
constexpr absl::string_view kLuaLibrary = R"lua(
local ks_band, ks_bor, ks_bxor, ks_bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local ks_rshift, ks_lshift, ks_ror = bit.rshift, bit.lshift, bit.ror
local ks_tobit, ks_tohex = bit.tobit, bit.tohex
local KS_SHA256_K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
  0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2 }

local function ks_be32(x)
  return string.char(math.floor(x / 16777216) % 256, math.floor(x / 65536) % 256,
                     math.floor(x / 256) % 256, x % 256)
end

local function ks_sha256(msg)
  local len = string.len(msg)
  local bits = len * 8
  msg = msg .. '\128' .. string.rep('\0', (55 - len) % 64) ..
        ks_be32(math.floor(bits / 4294967296)) .. ks_be32(bits % 4294967296)
  local h0, h1, h2, h3 = 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a
  local h4, h5, h6, h7 = 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  local w = {}
  for chunk = 1, string.len(msg), 64 do
    for j = 0, 15 do
      local p = chunk + 4 * j
      local b1, b2, b3, b4 = string.byte(msg, p, p + 3)
      w[j] = ks_bor(ks_lshift(b1, 24), ks_lshift(b2, 16), ks_lshift(b3, 8), b4)
    end
    for j = 16, 63 do
      local x, y = w[j - 15], w[j - 2]
      local s0 = ks_bxor(ks_ror(x, 7), ks_ror(x, 18), ks_rshift(x, 3))
      local s1 = ks_bxor(ks_ror(y, 17), ks_ror(y, 19), ks_rshift(y, 10))
      w[j] = ks_tobit(w[j - 16] + s0 + w[j - 7] + s1)
    end
    local a, b, c, d, e, f, g, h = h0, h1, h2, h3, h4, h5, h6, h7
    for j = 0, 63 do
      local S1 = ks_bxor(ks_ror(e, 6), ks_ror(e, 11), ks_ror(e, 25))
      local ch = ks_bxor(ks_band(e, f), ks_band(ks_bnot(e), g))
      local t1 = h + S1 + ch + KS_SHA256_K[j + 1] + w[j]
      local S0 = ks_bxor(ks_ror(a, 2), ks_ror(a, 13), ks_ror(a, 22))
      local maj = ks_bxor(ks_band(a, b), ks_band(a, c), ks_band(b, c))
      h = g; g = f; f = e; e = ks_tobit(d + t1)
      d = c; c = b; b = a; a = ks_tobit(t1 + S0 + maj)
    end
    h0 = ks_tobit(h0 + a); h1 = ks_tobit(h1 + b)
    h2 = ks_tobit(h2 + c); h3 = ks_tobit(h3 + d)
    h4 = ks_tobit(h4 + e); h5 = ks_tobit(h5 + f)
    h6 = ks_tobit(h6 + g); h7 = ks_tobit(h7 + h)
  end
  return ks_tohex(h0, 8) .. ks_tohex(h1, 8) .. ks_tohex(h2, 8) ..
         ks_tohex(h3, 8) .. ks_tohex(h4, 8) .. ks_tohex(h5, 8) ..
         ks_tohex(h6, 8) .. ks_tohex(h7, 8)
end

local function ks_audit_check(log_key, head_key)
  local t = redis.call('TYPE', log_key)['ok']
  if t ~= 'none' and t ~= 'stream' then
    return 'INTERNAL: audit log ' .. log_key .. ' holds a ' .. t
  end
  t = redis.call('TYPE', head_key)['ok']
  if t ~= 'none' and t ~= 'hash' then
    return 'INTERNAL: audit head ' .. head_key .. ' holds a ' .. t
  end
  return nil
end

local function ks_netstring(s)
  return string.len(s) .. ':' .. s .. ','
end

local function ks_hex2bin(h)
  return (string.gsub(h, '..', function(x)
    return string.char(tonumber(x, 16))
  end))
end

-- f: principal_id role agency method resource_name time peer request_id
--    content_digest (hex SHA-256 of fields 2-9, computed by the caller)
local function ks_audit_append(log_key, head_key, f)
  local head = redis.call('HMGET', head_key, 'seq', 'hash')
  local seq = string.format('%d', (tonumber(head[1]) or 0) + 1)
  local prev = head[2] or string.rep('0', 64)
  -- Only the 2-block link is hashed here (SHA-256 in interpreted Lua costs
  -- about 50 us a block); the caller hashed the content with OpenSSL.
  local hash = ks_sha256(ks_hex2bin(prev) .. ks_hex2bin(f[9]) .. seq)
  -- The stream id is "<seq>-0": List() and Verify() seek by sequence.
  redis.call('XADD', log_key, seq .. '-0', 'seq', seq, 'principal_id', f[1],
             'role', f[2], 'agency', f[3], 'method', f[4],
             'resource_name', f[5], 'time', f[6], 'peer', f[7],
             'request_id', f[8], 'previous_hash', prev, 'hash', hash)
  redis.call('HSET', head_key, 'seq', seq, 'hash', hash)
  return seq, hash
end
)lua";

const redis::Script& AppendScript() {
  static const redis::Script* script =
      new redis::Script(absl::StrCat("#!lua\n", kLuaLibrary, R"lua(
local err = ks_audit_check(KEYS[1], KEYS[2])
if err then return redis.error_reply(err) end
local seq, hash = ks_audit_append(KEYS[1], KEYS[2], ARGV)
return {seq, hash}
)lua"));
  return *script;
}

absl::StatusOr<absl::Time> DecodeTime(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  int64_t seconds = 0, nanos = 0;
  if (parts.size() != 2 || parts[1].size() != 9 ||
      !absl::SimpleAtoi(parts[0], &seconds) ||
      !absl::SimpleAtoi(parts[1], &nanos)) {
    return absl::DataLossError(absl::StrCat("bad audit time \"", text, "\""));
  }
  return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
}

// Decodes one XRANGE element [id, [field, value, ...]]. The time field is
// kept verbatim in `raw_time` so a hash is recomputed over the stored bytes.
struct StoredEntry {
  AuditEntry entry;
  std::string raw_seq;
  std::string raw_time;
  std::string id;
};

StoredEntry Decode(const redis::Reply& element) {
  StoredEntry out;
  if (element.elements.size() != 2) return out;
  out.id = element.elements[0].str;
  std::map<std::string, std::string> f;
  const auto& kv = element.elements[1].elements;
  for (size_t i = 0; i + 1 < kv.size(); i += 2) f[kv[i].str] = kv[i + 1].str;
  AuditEntry& e = out.entry;
  out.raw_seq = f["seq"];
  int64_t seq = 0;
  if (absl::SimpleAtoi(out.raw_seq, &seq)) e.set_sequence(seq);
  e.set_principal_id(f["principal_id"]);
  e.set_role(f["role"]);
  e.set_agency(f["agency"]);
  e.set_method(f["method"]);
  e.set_resource_name(f["resource_name"]);
  out.raw_time = f["time"];
  absl::StatusOr<absl::Time> t = DecodeTime(out.raw_time);
  if (t.ok()) {
    const int64_t s = absl::ToUnixSeconds(*t);
    e.mutable_time()->set_seconds(s);
    e.mutable_time()->set_nanos(static_cast<int32_t>(
        absl::ToInt64Nanoseconds(*t - absl::FromUnixSeconds(s))));
  }
  e.set_peer(f["peer"]);
  e.set_request_id(f["request_id"]);
  e.set_previous_hash(f["previous_hash"]);
  e.set_hash(f["hash"]);
  return out;
}

void AppendNetstring(std::string& out, absl::string_view s) {
  absl::StrAppend(&out, s.size(), ":", s, ",");
}

// Netstrings of fields 2-9: what ContentDigest hashes.
std::string EncodeContent(absl::string_view principal_id,
                          absl::string_view role, absl::string_view agency,
                          absl::string_view method,
                          absl::string_view resource_name,
                          absl::string_view time, absl::string_view peer,
                          absl::string_view request_id) {
  std::string out;
  for (absl::string_view field : {principal_id, role, agency, method,
                                  resource_name, time, peer, request_id}) {
    AppendNetstring(out, field);
  }
  return out;
}

// The link: binary previous hash (32 bytes), binary content digest (32
// bytes), then the sequence in decimal. Both hashes have a fixed length, so
// the concatenation is unambiguous. A previous hash that is not 64 hex
// digits (tampering) yields an input that matches no stored hash.
std::string LinkInput(absl::string_view raw_seq,
                      absl::string_view previous_hash_hex,
                      absl::string_view content_digest_hex) {
  return absl::StrCat(absl::HexStringToBytes(previous_hash_hex),
                      absl::HexStringToBytes(content_digest_hex), raw_seq);
}

// The link input over the stored text of seq and time (so that a value that
// does not parse still yields a hash mismatch, not a crash).
std::string EncodeStored(const StoredEntry& s) {
  const AuditEntry& e = s.entry;
  return LinkInput(
      s.raw_seq, e.previous_hash(),
      Sha256Hex(EncodeContent(e.principal_id(), e.role(), e.agency(),
                              e.method(), e.resource_name(), s.raw_time,
                              e.peer(), e.request_id())));
}

}  // namespace

std::string LogKey(absl::string_view key_prefix) {
  return absl::StrCat(key_prefix, "audit:log");
}

std::string HeadKey(absl::string_view key_prefix) {
  return absl::StrCat(key_prefix, "audit:head");
}

std::string EncodeTime(absl::Time time) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  const int64_t nanos =
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds));
  return absl::StrFormat("%d.%09d", seconds, nanos);
}

std::string CanonicalEncoding(const AuditEntry& entry) {
  const std::string time =
      absl::StrFormat("%d.%09d", entry.time().seconds(), entry.time().nanos());
  return LinkInput(
      absl::StrCat(entry.sequence()), entry.previous_hash(),
      Sha256Hex(EncodeContent(
          entry.principal_id(), entry.role(), entry.agency(), entry.method(),
          entry.resource_name(), time, entry.peer(), entry.request_id())));
}

// Forwards to the one SHA-256 helper (common/crypto).
std::string Sha256Hex(absl::string_view bytes) {
  return crypto::Sha256Hex(bytes);
}

absl::string_view LuaLibrary() { return kLuaLibrary; }

std::vector<std::string> RecordArgs(const Record& record) {
  std::vector<std::string> args = {
      record.principal_id, record.role,          record.agency,
      record.method,       record.resource_name, EncodeTime(record.time),
      record.peer,         record.request_id};
  args.push_back(Sha256Hex(EncodeContent(args[0], args[1], args[2], args[3],
                                         args[4], args[5], args[6], args[7])));
  return args;
}

absl::StatusOr<AuditEntry> Append(redis::Pool& pool,
                                  absl::string_view key_prefix,
                                  const Record& record) {
  absl::StatusOr<redis::Reply> r =
      pool.Eval(AppendScript(), {LogKey(key_prefix), HeadKey(key_prefix)},
                RecordArgs(record));
  if (!r.ok()) return r.status();
  if (!r->is_array() || r->elements.size() != 2) {
    return absl::InternalError("audit: unexpected script reply " +
                               r->DebugString());
  }
  absl::StatusOr<std::vector<AuditEntry>> listed;
  int64_t seq = 0;
  if (!absl::SimpleAtoi(r->elements[0].str, &seq)) {
    return absl::InternalError("audit: bad sequence " + r->elements[0].str);
  }
  listed = List(pool, key_prefix, seq - 1, 1);
  if (!listed.ok()) return listed.status();
  if (listed->empty()) {
    return absl::InternalError(absl::StrCat("audit: entry ", seq, " vanished"));
  }
  return listed->front();
}

absl::StatusOr<std::vector<AuditEntry>> List(redis::Pool& pool,
                                             absl::string_view key_prefix,
                                             int64_t after_sequence,
                                             int limit) {
  std::vector<AuditEntry> out;
  if (limit <= 0) return out;
  absl::StatusOr<redis::Reply> r = pool.Command(
      {"XRANGE", LogKey(key_prefix), absl::StrCat(after_sequence + 1, "-0"),
       "+", "COUNT", absl::StrCat(limit)});
  if (!r.ok()) return r.status();
  for (const redis::Reply& element : r->elements) {
    out.push_back(Decode(element).entry);
  }
  return out;
}

absl::StatusOr<VerifyReport> Verify(redis::Pool& pool,
                                    absl::string_view key_prefix) {
  VerifyReport report;
  auto broken = [&report](int64_t sequence, std::string reason) {
    report.first_broken_sequence = sequence;
    report.reason = std::move(reason);
    return report;
  };
  const std::string log = LogKey(key_prefix);
  std::string start = "-";
  int64_t expected = 1;
  std::string previous_hash(kZeroHash);
  constexpr int kPage = 512;
  while (true) {
    absl::StatusOr<redis::Reply> r =
        pool.Command({"XRANGE", log, start, "+", "COUNT", absl::StrCat(kPage)});
    if (!r.ok()) return r.status();
    for (const redis::Reply& element : r->elements) {
      StoredEntry s = Decode(element);
      const AuditEntry& e = s.entry;
      if (s.raw_seq != absl::StrCat(expected) ||
          s.id != absl::StrCat(expected, "-0")) {
        return broken(expected,
                      absl::StrCat("entry ", expected, " is missing (found \"",
                                   s.raw_seq, "\" at stream id ", s.id, ")"));
      }
      if (e.previous_hash() != previous_hash) {
        return broken(expected,
                      absl::StrCat("entry ", expected,
                                   " does not link to the previous entry"));
      }
      if (Sha256Hex(EncodeStored(s)) != e.hash()) {
        return broken(expected, absl::StrCat("entry ", expected,
                                             " does not match its hash"));
      }
      previous_hash = e.hash();
      ++expected;
      ++report.entries_checked;
      start = absl::StrCat("(", s.id);
    }
    if (static_cast<int>(r->elements.size()) < kPage) break;
  }
  absl::StatusOr<redis::Reply> head =
      pool.Command({"HMGET", HeadKey(key_prefix), "seq", "hash"});
  if (!head.ok()) return head.status();
  const int64_t last = expected - 1;
  int64_t head_seq = 0;
  if (!head->elements[0].is_nil() &&
      !absl::SimpleAtoi(head->elements[0].str, &head_seq)) {
    return broken(last + 1, "the audit head is unreadable");
  }
  if (head_seq > last) {
    return broken(last + 1, absl::StrCat("entries ", last + 1, "..", head_seq,
                                         " are missing"));
  }
  if (head_seq < last || (last > 0 && head->elements[1].str != previous_hash)) {
    return broken(head_seq + 1 > last ? last : head_seq + 1,
                  "the audit head does not match the last entry");
  }
  return report;
}

}  // namespace ks::audit
