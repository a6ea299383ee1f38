#include "common/audit/audit.h"

#include <openssl/sha.h>

#include <map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/audit/checkpoint.h"
#include "common/crypto/sha256.h"

namespace ks::audit {
namespace {

using kerjasosial::common::v1::AuditCheckpoint;
using kerjasosial::common::v1::AuditEntry;

constexpr absl::string_view kZeroHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// No hashing here (see the header): the script only numbers and stores.
constexpr absl::string_view kLuaLibrary = R"lua(
local function ks_audit_check(log_key, seq_key)
  local t = redis.call('TYPE', log_key)['ok']
  if t ~= 'none' and t ~= 'stream' then
    return 'INTERNAL: audit log ' .. log_key .. ' holds a ' .. t
  end
  t = redis.call('TYPE', seq_key)['ok']
  if t == 'string' then
    if not string.match(redis.call('GET', seq_key), '^%d+$') then
      return 'INTERNAL: audit sequence ' .. seq_key .. ' is not a number'
    end
  elseif t ~= 'none' then
    return 'INTERNAL: audit sequence ' .. seq_key .. ' holds a ' .. t
  end
  return nil
end

-- f: principal_id role agency method resource_name time peer request_id
-- Call it BEFORE the script's other writes: its XADD is the one write that
-- can still fail on data (a log whose last id is at or past the counter,
-- i.e. tampering), and failing first writes nothing. Checking for that
-- instead would cost a read on every write.
local function ks_audit_append(log_key, seq_key, f)
  local seq = string.format('%d',
                            (tonumber(redis.call('GET', seq_key)) or 0) + 1)
  -- The stream id is "<seq>-0": List(), Seal() and Verify() seek by it.
  redis.call('XADD', log_key, seq .. '-0', 'seq', seq, 'principal_id', f[1],
             'role', f[2], 'agency', f[3], 'method', f[4],
             'resource_name', f[5], 'time', f[6], 'peer', f[7],
             'request_id', f[8])
  redis.call('SET', seq_key, seq)
  return seq
end
)lua";

const redis::Script& AppendScript() {
  static const redis::Script* script =
      new redis::Script(absl::StrCat("#!lua\n", kLuaLibrary, R"lua(
local err = ks_audit_check(KEYS[1], KEYS[2])
if err then return redis.error_reply(err) end
return ks_audit_append(KEYS[1], KEYS[2], ARGV)
)lua"));
  return *script;
}

// KEYS: 1 sealed head, 2 chain. ARGV: 1 expected head seq, 2 expected head
// hash, then (seq, hash) pairs in order. Compare-and-set on the head, so a
// second sealer (another replica) can never fork the chain.
const redis::Script& SealScript() {
  static const redis::Script* script = new redis::Script(R"lua(#!lua
local function ktype(k) return redis.call('TYPE', k)['ok'] end
local t = ktype(KEYS[1])
if t ~= 'none' and t ~= 'hash' then
  return redis.error_reply('INTERNAL: audit head ' .. KEYS[1] .. ' holds a ' .. t)
end
t = ktype(KEYS[2])
if t ~= 'none' and t ~= 'stream' then
  return redis.error_reply('INTERNAL: audit chain ' .. KEYS[2] .. ' holds a ' .. t)
end
local head = redis.call('HMGET', KEYS[1], 'seq', 'hash')
if (head[1] or '0') ~= ARGV[1] or
   (head[2] or string.rep('0', 64)) ~= ARGV[2] then
  return 'moved'
end
if t == 'stream' then
  local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
  if last and tonumber(string.match(last[1], '^(%d+)')) >= tonumber(ARGV[3]) then
    return redis.error_reply('INTERNAL: audit chain ' .. KEYS[2] ..
                             ' is ahead of its head')
  end
end
local n = #ARGV
for i = 3, n, 2 do
  redis.call('XADD', KEYS[2], ARGV[i] .. '-0', 'hash', ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'seq', ARGV[n - 1], 'hash', ARGV[n])
return 'sealed'
)lua");
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

// Decodes one XRANGE element [id, [field, value, ...]]. The sequence and
// time are kept verbatim so a hash is recomputed over the stored bytes.
struct StoredEntry {
  AuditEntry entry;
  std::string raw_seq;
  std::string raw_time;
  std::string id;
};

std::map<std::string, std::string> Fields(const redis::Reply& element) {
  std::map<std::string, std::string> f;
  if (element.elements.size() != 2) return f;
  const auto& kv = element.elements[1].elements;
  for (size_t i = 0; i + 1 < kv.size(); i += 2) f[kv[i].str] = kv[i + 1].str;
  return f;
}

StoredEntry Decode(const redis::Reply& element) {
  StoredEntry out;
  if (element.elements.size() != 2) return out;
  out.id = element.elements[0].str;
  std::map<std::string, std::string> f = Fields(element);
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
  return out;
}

// Netstrings of fields 2-9: what the content digest hashes.
std::string EncodeContent(absl::string_view principal_id,
                          absl::string_view role, absl::string_view agency,
                          absl::string_view method,
                          absl::string_view resource_name,
                          absl::string_view time, absl::string_view peer,
                          absl::string_view request_id) {
  std::string out;
  for (absl::string_view field : {principal_id, role, agency, method,
                                  resource_name, time, peer, request_id}) {
    absl::StrAppend(&out, field.size(), ":", field, ",");
  }
  return out;
}

// The link: binary previous hash (32 bytes), binary content digest (32
// bytes), then the sequence in decimal.
std::string LinkInput(absl::string_view raw_seq,
                      absl::string_view previous_hash_hex,
                      absl::string_view content_digest_hex) {
  return absl::StrCat(absl::HexStringToBytes(previous_hash_hex),
                      absl::HexStringToBytes(content_digest_hex), raw_seq);
}

// hash(n) of a stored entry, over the stored text of seq and time (so a
// value that does not parse yields a mismatch, not a crash). The one
// function both Seal() and Verify() use.
std::string LinkHash(const StoredEntry& s, absl::string_view previous_hash) {
  const AuditEntry& e = s.entry;
  return Sha256Hex(LinkInput(
      s.raw_seq, previous_hash,
      Sha256Hex(EncodeContent(e.principal_id(), e.role(), e.agency(),
                              e.method(), e.resource_name(), s.raw_time,
                              e.peer(), e.request_id()))));
}

// Entries of the log from sequence `from` on, at most `count`.
absl::StatusOr<std::vector<StoredEntry>> ReadLog(redis::Pool& pool,
                                                 absl::string_view key_prefix,
                                                 int64_t from, int count) {
  absl::StatusOr<redis::Reply> r =
      pool.Command({"XRANGE", LogKey(key_prefix), absl::StrCat(from, "-0"), "+",
                    "COUNT", absl::StrCat(count)});
  if (!r.ok()) return r.status();
  std::vector<StoredEntry> out;
  for (const redis::Reply& element : r->elements) {
    out.push_back(Decode(element));
  }
  return out;
}

// Link hashes of sequences first..last, by sequence.
absl::StatusOr<std::map<int64_t, std::string>> ReadChain(
    redis::Pool& pool, absl::string_view key_prefix, int64_t first,
    int64_t last) {
  std::map<int64_t, std::string> out;
  if (last < first) return out;
  absl::StatusOr<redis::Reply> r =
      pool.Command({"XRANGE", ChainKey(key_prefix), absl::StrCat(first, "-0"),
                    absl::StrCat(last, "-0")});
  if (!r.ok()) return r.status();
  for (const redis::Reply& element : r->elements) {
    int64_t seq = 0;
    if (element.elements.size() != 2) continue;
    const std::string& id = element.elements[0].str;
    if (!absl::SimpleAtoi(id.substr(0, id.find('-')), &seq)) continue;
    out[seq] = Fields(element)["hash"];
  }
  return out;
}

struct Head {
  int64_t seq = 0;
  std::string hash{kZeroHash};
};

absl::StatusOr<Head> ReadSealedHead(redis::Pool& pool,
                                    absl::string_view key_prefix) {
  absl::StatusOr<redis::Reply> r =
      pool.Command({"HMGET", SealedKey(key_prefix), "seq", "hash"});
  if (!r.ok()) return r.status();
  Head head;
  if (r->elements.size() != 2 || r->elements[0].is_nil()) return head;
  if (!absl::SimpleAtoi(r->elements[0].str, &head.seq) || head.seq < 0) {
    return absl::DataLossError(absl::StrCat(
        "audit: sealed head seq \"", r->elements[0].str, "\" is not a number"));
  }
  head.hash = r->elements[1].str;
  return head;
}

}  // namespace

std::string SequenceKey(absl::string_view key_prefix) {
  return absl::StrCat(key_prefix, "audit:seq");
}
std::string LogKey(absl::string_view key_prefix) {
  return absl::StrCat(key_prefix, "audit:log");
}
std::string ChainKey(absl::string_view key_prefix) {
  return absl::StrCat(key_prefix, "audit:chain");
}
std::string SealedKey(absl::string_view key_prefix) {
  return absl::StrCat(key_prefix, "audit:sealed");
}
std::string CheckpointsKey(absl::string_view key_prefix) {
  return absl::StrCat(key_prefix, "audit:checkpoints");
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
  return {record.principal_id, record.role,          record.agency,
          record.method,       record.resource_name, EncodeTime(record.time),
          record.peer,         record.request_id};
}

absl::StatusOr<AuditEntry> Append(redis::Pool& pool,
                                  absl::string_view key_prefix,
                                  const Record& record) {
  absl::StatusOr<redis::Reply> r =
      pool.Eval(AppendScript(), {LogKey(key_prefix), SequenceKey(key_prefix)},
                RecordArgs(record));
  if (!r.ok()) return r.status();
  int64_t seq = 0;
  if (!absl::SimpleAtoi(r->str, &seq)) {
    return absl::InternalError("audit: unexpected script reply " +
                               r->DebugString());
  }
  absl::StatusOr<std::vector<AuditEntry>> listed =
      List(pool, key_prefix, seq - 1, 1);
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
  absl::StatusOr<std::vector<StoredEntry>> stored =
      ReadLog(pool, key_prefix, after_sequence + 1, limit);
  if (!stored.ok()) return stored.status();
  if (stored->empty()) return out;
  // hash(after_sequence) is the first entry's previous_hash.
  absl::StatusOr<std::map<int64_t, std::string>> chain =
      ReadChain(pool, key_prefix, std::max<int64_t>(1, after_sequence),
                stored->back().entry.sequence());
  if (!chain.ok()) return chain.status();
  for (StoredEntry& s : *stored) {
    AuditEntry& e = s.entry;
    auto hash = chain->find(e.sequence());
    if (hash != chain->end()) {
      auto previous = chain->find(e.sequence() - 1);
      e.set_previous_hash(e.sequence() == 1          ? std::string(kZeroHash)
                          : previous != chain->end() ? previous->second
                                                     : "");
      e.set_hash(hash->second);
    }
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<SealResult> Seal(redis::Pool& pool, absl::string_view key_prefix,
                                int max_entries) {
  absl::StatusOr<Head> head = ReadSealedHead(pool, key_prefix);
  if (!head.ok()) return head.status();
  SealResult result;
  result.sealed_sequence = head->seq;
  result.head_hash = head->hash;
  if (max_entries <= 0) return result;
  absl::StatusOr<std::vector<StoredEntry>> stored =
      ReadLog(pool, key_prefix, head->seq + 1, max_entries);
  if (!stored.ok()) return stored.status();
  std::vector<std::string> args = {absl::StrCat(head->seq), head->hash};
  std::string previous = head->hash;
  int64_t expected = head->seq + 1;
  for (const StoredEntry& s : *stored) {
    if (s.raw_seq != absl::StrCat(expected) ||
        s.id != absl::StrCat(expected, "-0")) {
      // Never seal over a hole: Verify() must see it where it is.
      if (expected == head->seq + 1) {
        return absl::DataLossError(absl::StrCat(
            "audit: entry ", expected, " is missing (found \"", s.raw_seq,
            "\" at stream id ", s.id, "); not sealing past it"));
      }
      break;
    }
    previous = LinkHash(s, previous);
    args.push_back(s.raw_seq);
    args.push_back(previous);
    ++expected;
  }
  if (args.size() == 2) return result;
  absl::StatusOr<redis::Reply> r = pool.Eval(
      SealScript(), {SealedKey(key_prefix), ChainKey(key_prefix)}, args);
  if (!r.ok()) return r.status();
  if (r->str == "moved") {
    return absl::AbortedError("audit: another sealer moved the sealed head");
  }
  result.newly_sealed = expected - 1 - head->seq;
  result.sealed_sequence = expected - 1;
  result.head_hash = previous;
  return result;
}

absl::StatusOr<VerifyReport> Verify(redis::Pool& pool,
                                    absl::string_view key_prefix,
                                    const VerifyOptions& options) {
  VerifyReport report;
  report.signatures_checked = !options.keys.empty();
  auto broken = [&report](int64_t sequence, std::string reason) {
    report.first_broken_sequence = sequence;
    report.reason = std::move(reason);
    return report;
  };
  // Read in this order, so that a concurrent writer or sealer cannot make
  // an intact trail look broken: every checkpoint read covers entries that
  // already existed, and the counter is not ahead of the log read after it.
  absl::StatusOr<redis::Reply> cps = pool.Command(
      {"ZRANGE", CheckpointsKey(key_prefix), "0", "-1", "WITHSCORES"});
  if (!cps.ok()) return cps.status();
  absl::StatusOr<Head> sealed = ReadSealedHead(pool, key_prefix);
  if (!sealed.ok()) return sealed.status();
  report.sealed_sequence = sealed->seq;
  absl::StatusOr<redis::Reply> counter =
      pool.Command({"GET", SequenceKey(key_prefix)});
  if (!counter.ok()) return counter.status();
  int64_t assigned = 0;
  if (!counter->is_nil() && !absl::SimpleAtoi(counter->str, &assigned)) {
    return broken(1, "the audit sequence counter is not a number");
  }

  // Checkpoints by sequence: the head hash it vouches for, or why it is not
  // to be trusted.
  struct Anchor {
    std::string head_hash;
    std::string problem;
  };
  std::map<int64_t, Anchor> anchors;
  auto add_anchor = [&](const AuditCheckpoint* cp, int64_t sequence) {
    Anchor a;
    if (cp == nullptr || cp->sequence() != sequence || sequence < 1) {
      a.problem = absl::StrCat("checkpoint at ", sequence, " is malformed");
    } else if (cp->trail() != key_prefix) {
      a.problem = absl::StrCat("checkpoint at ", sequence, " belongs to trail ",
                               cp->trail());
    } else if (!options.keys.empty()) {
      const CheckpointVerifier* key = nullptr;
      for (const CheckpointVerifier* k : options.keys) {
        if (k->key_id() == cp->key_id()) key = k;
      }
      if (key == nullptr) {
        a.problem =
            absl::StrCat("checkpoint at ", sequence, " is signed by key ",
                         cp->key_id(), ", which is not trusted");
      } else if (!key->Verify(*cp)) {
        a.problem =
            absl::StrCat("checkpoint at ", sequence, " has a bad signature");
      }
    }
    if (cp != nullptr) a.head_hash = cp->head_hash();
    auto [it, fresh] = anchors.emplace(sequence, a);
    if (fresh) return;
    if (!it->second.problem.empty()) {
      if (a.problem.empty()) it->second = a;  // a good copy beats a bad one
    } else if (a.problem.empty() && a.head_hash != it->second.head_hash) {
      it->second.problem =
          absl::StrCat("two checkpoints at ", sequence, " disagree");
    }
  };
  for (size_t i = 0; i + 1 < cps->elements.size(); i += 2) {
    AuditCheckpoint cp;
    int64_t score = 0;
    absl::SimpleAtoi(cps->elements[i + 1].str, &score);
    add_anchor(cp.ParseFromString(cps->elements[i].str) ? &cp : nullptr, score);
  }
  for (const AuditCheckpoint& copy : options.copies) {
    add_anchor(&copy, copy.sequence());
  }

  int64_t expected = 1;
  std::string previous(kZeroHash);
  std::string sealed_hash_seen;
  constexpr int kPage = 512;
  while (true) {
    absl::StatusOr<std::vector<StoredEntry>> page =
        ReadLog(pool, key_prefix, expected, kPage);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    absl::StatusOr<std::map<int64_t, std::string>> chain =
        ReadChain(pool, key_prefix, expected, expected + kPage - 1);
    if (!chain.ok()) return chain.status();
    for (const StoredEntry& s : *page) {
      if (s.raw_seq != absl::StrCat(expected) ||
          s.id != absl::StrCat(expected, "-0")) {
        return broken(expected,
                      absl::StrCat("entry ", expected, " is missing (found \"",
                                   s.raw_seq, "\" at stream id ", s.id, ")"));
      }
      const std::string hash = LinkHash(s, previous);
      auto link = chain->find(expected);
      if (link != chain->end()) {
        if (link->second != hash) {
          return broken(expected, absl::StrCat("entry ", expected,
                                               " does not match its sealed "
                                               "link hash"));
        }
      } else if (expected <= sealed->seq) {
        return broken(expected, absl::StrCat("entry ", expected,
                                             " is sealed but its link hash "
                                             "is missing"));
      }
      if (expected == sealed->seq) sealed_hash_seen = hash;
      auto anchor = anchors.find(expected);
      if (anchor != anchors.end()) {
        if (!anchor->second.problem.empty()) {
          // A checkpoint that is not to be trusted proves nothing about the
          // entries since the last good one.
          const int64_t from = report.last_checkpoint_sequence + 1;
          return broken(from, absl::StrCat("entries ", from, "..", expected,
                                           " are not anchored: ",
                                           anchor->second.problem));
        }
        if (anchor->second.head_hash != hash) {
          const int64_t from = report.last_checkpoint_sequence + 1;
          return broken(
              from, absl::StrCat("entries ", from, "..", expected,
                                 " do not match the checkpoint at ", expected,
                                 report.signatures_checked
                                     ? " (signed): they were rewritten"
                                     : ""));
        }
        report.last_checkpoint_sequence = expected;
        ++report.checkpoints_verified;
      }
      previous = hash;
      ++expected;
      ++report.entries_checked;
    }
    if (static_cast<int>(page->size()) < kPage) break;
  }
  const int64_t last = expected - 1;
  if (assigned > last) {
    return broken(last + 1, absl::StrCat("entries ", last + 1, "..", assigned,
                                         " are missing"));
  }
  if (sealed->seq > last) {
    return broken(last + 1, absl::StrCat("entries ", last + 1, "..",
                                         sealed->seq, " are missing"));
  }
  if (sealed->seq > 0 && sealed->hash != sealed_hash_seen) {
    return broken(sealed->seq,
                  "the sealed head does not match the entry it names");
  }
  if (!anchors.empty() && anchors.rbegin()->first > last) {
    return broken(last + 1,
                  absl::StrCat("entries ", last + 1, "..",
                               anchors.rbegin()->first, " are missing"));
  }
  return report;
}

}  // namespace ks::audit
