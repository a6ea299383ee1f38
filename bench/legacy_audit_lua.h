// The audit part of the write script BEFORE issue #8, kept only so that
// write_path_bench can measure the previous design in the same run as the
// new one. Verbatim from common/audit/audit.cc at commit 035ab9d: SHA-256
// written in Lua over Redis' `bit` library, and ks_audit_append hashing the
// 2-block chain link inside the script. Production code no longer has it.
#ifndef KS_BENCH_LEGACY_AUDIT_LUA_H_
#define KS_BENCH_LEGACY_AUDIT_LUA_H_

#include "absl/strings/string_view.h"

namespace ks::bench {

// f (9 values): principal_id role agency method resource_name time peer
// request_id content_digest; KEYS: log stream, head hash {seq, hash}.
inline constexpr absl::string_view kLegacyAuditLua = R"lua(
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

}  // namespace ks::bench

#endif  // KS_BENCH_LEGACY_AUDIT_LUA_H_
