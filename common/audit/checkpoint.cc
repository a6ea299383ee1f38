#include "common/audit/checkpoint.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/audit/audit.h"

namespace ks::audit {
namespace {

using kerjasosial::common::v1::AuditCheckpoint;

constexpr absl::string_view kDomain = "kerjasosial.audit.checkpoint.v1";

struct FileCloser {
  void operator()(FILE* f) const { fclose(f); }
};

// Reads a PEM key with `read` (PEM_read_PrivateKey or PEM_read_PUBKEY) and
// checks it is Ed25519.
template <typename ReadFn>
absl::StatusOr<EVP_PKEY*> ReadEd25519(const std::string& path, ReadFn read,
                                      absl::string_view what) {
  std::unique_ptr<FILE, FileCloser> f(fopen(path.c_str(), "r"));
  if (f == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", what, " '", path, "'"));
  }
  EVP_PKEY* key = read(f.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a PEM ", what));
  }
  if (EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError(
        absl::StrCat("'", path,
                     "' is not an Ed25519 key (make one with `openssl genpkey "
                     "-algorithm ed25519`)"));
  }
  return key;
}

// First 16 hex digits of SHA-256 of the raw public key.
std::string KeyId(EVP_PKEY* key) {
  unsigned char raw[32];
  size_t len = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1) return "";
  return Sha256Hex(absl::string_view(reinterpret_cast<char*>(raw), len))
      .substr(0, 16);
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

std::string CheckpointSignedBytes(const AuditCheckpoint& checkpoint) {
  const std::string sequence = absl::StrCat(checkpoint.sequence());
  const std::string time = absl::StrFormat(
      "%d.%09d", checkpoint.time().seconds(), checkpoint.time().nanos());
  std::string out;
  for (absl::string_view field :
       {kDomain, absl::string_view(checkpoint.trail()),
        absl::string_view(sequence), absl::string_view(checkpoint.head_hash()),
        absl::string_view(time), absl::string_view(checkpoint.key_id())}) {
    absl::StrAppend(&out, field.size(), ":", field, ",");
  }
  return out;
}

absl::StatusOr<std::unique_ptr<CheckpointSigner>> CheckpointSigner::FromPemFile(
    const std::string& path) {
  absl::StatusOr<EVP_PKEY*> key =
      ReadEd25519(path, PEM_read_PrivateKey, "private key");
  if (!key.ok()) return key.status();
  return std::unique_ptr<CheckpointSigner>(
      new CheckpointSigner(*key, KeyId(*key)));
}

CheckpointSigner::CheckpointSigner(EVP_PKEY* key, std::string key_id)
    : key_(key), key_id_(std::move(key_id)) {}

CheckpointSigner::~CheckpointSigner() { EVP_PKEY_free(key_); }

absl::StatusOr<AuditCheckpoint> CheckpointSigner::Sign(
    absl::string_view trail, int64_t sequence, absl::string_view head_hash,
    absl::Time time) const {
  AuditCheckpoint cp;
  cp.set_trail(std::string(trail));
  cp.set_sequence(sequence);
  cp.set_head_hash(std::string(head_hash));
  const int64_t s = absl::ToUnixSeconds(time);
  cp.mutable_time()->set_seconds(s);
  cp.mutable_time()->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(s))));
  cp.set_key_id(key_id_);
  const std::string bytes = CheckpointSignedBytes(cp);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  // Ed25519 hashes internally: no digest is named (nullptr).
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &sig_len,
                     reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size()) != 1) {
    return absl::InternalError("audit: OpenSSL could not sign a checkpoint");
  }
  cp.set_signature(std::string(reinterpret_cast<char*>(sig), sig_len));
  return cp;
}

absl::StatusOr<std::unique_ptr<CheckpointVerifier>>
CheckpointVerifier::FromPemFile(const std::string& path) {
  absl::StatusOr<EVP_PKEY*> key =
      ReadEd25519(path, PEM_read_PUBKEY, "public key");
  if (!key.ok()) return key.status();
  return std::unique_ptr<CheckpointVerifier>(
      new CheckpointVerifier(*key, KeyId(*key)));
}

CheckpointVerifier::CheckpointVerifier(EVP_PKEY* key, std::string key_id)
    : key_(key), key_id_(std::move(key_id)) {}

CheckpointVerifier::~CheckpointVerifier() { EVP_PKEY_free(key_); }

bool CheckpointVerifier::Verify(const AuditCheckpoint& checkpoint) const {
  if (checkpoint.key_id() != key_id_) return false;
  const std::string bytes = CheckpointSignedBytes(checkpoint);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  return ctx != nullptr &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_) ==
             1 &&
         EVP_DigestVerify(ctx.get(),
                          reinterpret_cast<const unsigned char*>(
                              checkpoint.signature().data()),
                          checkpoint.signature().size(),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          bytes.size()) == 1;
}

}  // namespace ks::audit
