#include "common/ids/id.h"

#include <openssl/rand.h>

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/crypto/sha256.h"

namespace ks::ids {
namespace {

constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr uint64_t kMaxMs = (uint64_t{1} << 48) - 1;

// Value of a base32 digit, or -1.
int DigitValue(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

void RandomBytes(unsigned char* out, int n) {
  if (RAND_bytes(out, n) == 1) return;
  // RAND_bytes fails only when the OS entropy source is unusable; the kernel
  // source behind std::random_device is the remaining proper seed.
  std::random_device rd;
  for (int i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(rd());
}

std::string Encode(uint64_t ms, uint16_t hi, uint64_t lo) {
  // 128 bits = 2 (pad) + 48 + 80, read as 26 groups of 5 from the top.
  std::string out(kIdLength, '0');
  // Low 64 bits and high 64 bits of the 128-bit value.
  const uint64_t high = (ms << 16) | hi;
  const uint64_t low = lo;
  for (int i = 0; i < kIdLength; ++i) {
    const int shift = (kIdLength - 1 - i) * 5;  // bit offset of this digit
    uint64_t v;
    if (shift >= 64) {
      v = high >> (shift - 64);
    } else if (shift + 5 <= 64) {
      v = low >> shift;
    } else {  // straddles the two halves (shift = 60)
      v = (low >> shift) | (high << (64 - shift));
    }
    out[i] = kAlphabet[v & 31];
  }
  return out;
}

}  // namespace

std::string DerivedId(absl::Time time, absl::string_view seed) {
  const int64_t ms_signed = absl::ToUnixMillis(time);
  const uint64_t ms =
      ms_signed < 0
          ? 0
          : std::min<uint64_t>(static_cast<uint64_t>(ms_signed), kMaxMs);
  // 80 bits = the first 20 hex digits of the digest.
  const std::string hex = crypto::Sha256Hex(seed);
  uint16_t hi = 0;
  uint64_t lo = 0;
  for (int i = 0; i < 20; ++i) {
    const char c = hex[i];
    const uint64_t nibble = c <= '9' ? c - '0' : c - 'a' + 10;
    if (i < 4) {
      hi = static_cast<uint16_t>((hi << 4) | nibble);
    } else {
      lo = (lo << 4) | nibble;
    }
  }
  return Encode(ms, hi, lo);
}

std::string IdGenerator::Next() {
  const absl::Time now = clock_->Now();
  const int64_t now_ms_signed = absl::ToUnixMillis(now);
  const uint64_t now_ms =
      now_ms_signed < 0
          ? 0
          : std::min<uint64_t>(static_cast<uint64_t>(now_ms_signed), kMaxMs);
  absl::MutexLock lock(&mu_);
  if (has_last_ && now_ms <= last_ms_) {
    // Same millisecond or the clock stepped back: keep the previous time and
    // count up, so the order of ids is the order of Next() calls.
    if (++last_lo_ == 0 && ++last_hi_ == 0) {
      // 2^80 ids in one millisecond: borrow the next millisecond.
      ++last_ms_;
    }
  } else {
    unsigned char bytes[10];
    RandomBytes(bytes, sizeof(bytes));
    last_ms_ = now_ms;
    last_hi_ = static_cast<uint16_t>((bytes[0] << 8) | bytes[1]);
    last_lo_ = 0;
    for (int i = 2; i < 10; ++i) last_lo_ = (last_lo_ << 8) | bytes[i];
    has_last_ = true;
  }
  return Encode(last_ms_, last_hi_, last_lo_);
}

std::string NewId() {
  // Never destroyed: ids may be made during static destruction.
  static IdGenerator* const generator = new IdGenerator();
  return generator->Next();
}

bool IsValidId(absl::string_view id) {
  if (id.size() != static_cast<size_t>(kIdLength)) return false;
  for (char c : id) {
    if (DigitValue(c) < 0) return false;
  }
  // The first digit holds only the top 3 bits of 128.
  return DigitValue(id[0]) <= 7;
}

absl::StatusOr<absl::Time> IdTime(absl::string_view id) {
  if (!IsValidId(id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a kerjasosial id (26 lowercase Crockford base32 "
                     "characters): \"",
                     id.substr(0, 40), "\""));
  }
  // The first 10 digits carry 50 bits: 2 zero pad bits and the 48-bit time.
  uint64_t ms = 0;
  for (int i = 0; i < 10; ++i) ms = (ms << 5) | DigitValue(id[i]);
  return absl::FromUnixMillis(static_cast<int64_t>(ms));
}

}  // namespace ks::ids
