// Signed checkpoints of the audit trail (kerjasosial.common.v1.AuditCheckpoint)
// with Ed25519 keys through OpenSSL.
//
// Why Ed25519 and not HMAC: a consumer (reporting, an auditor, the
// kerjasosial-audit command) verifies with the PUBLIC key only, so holding a
// copy of the checkpoints and checking them never needs the service's secret.
//
// Generating a key pair (PEM, PKCS#8 / SubjectPublicKeyInfo):
//   openssl genpkey -algorithm ed25519 -out audit-key.pem
//   openssl pkey -in audit-key.pem -pubout -out audit-key.pub.pem
// The service reads the private key (--audit_key_file, mode 0600, never in
// Redis); verifiers get the public one.
//
// The signed bytes of a checkpoint, each field a netstring
// "<byte length>:<bytes>,":
//   "kerjasosial.audit.checkpoint.v1", trail, sequence in decimal, head_hash,
//   time ("<unix seconds>.<9-digit nanos>", as audit entries), key_id
// The domain string keeps a checkpoint signature from being valid as any
// other message signed by the same key; the trail keeps one deployment's
// checkpoint from being replayed as another's.
//
// Thread-safe: signers and verifiers are immutable after creation.
#ifndef KS_COMMON_AUDIT_CHECKPOINT_H_
#define KS_COMMON_AUDIT_CHECKPOINT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kerjasosial/common/v1/audit.pb.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace ks::audit {

// The bytes a checkpoint's signature covers (see above).
std::string CheckpointSignedBytes(
    const kerjasosial::common::v1::AuditCheckpoint& checkpoint);

// An Ed25519 private key.
class CheckpointSigner {
 public:
  // Reads a PEM private key. INVALID_ARGUMENT naming the path if it cannot
  // be read, does not parse or is not an Ed25519 key.
  static absl::StatusOr<std::unique_ptr<CheckpointSigner>> FromPemFile(
      const std::string& path);
  ~CheckpointSigner();
  CheckpointSigner(const CheckpointSigner&) = delete;
  CheckpointSigner& operator=(const CheckpointSigner&) = delete;

  const std::string& key_id() const { return key_id_; }

  // A signed checkpoint of `trail` at `sequence` / `head_hash`. INTERNAL if
  // OpenSSL fails to sign.
  absl::StatusOr<kerjasosial::common::v1::AuditCheckpoint> Sign(
      absl::string_view trail, int64_t sequence, absl::string_view head_hash,
      absl::Time time) const;

 private:
  CheckpointSigner(EVP_PKEY* key, std::string key_id);
  EVP_PKEY* key_;
  std::string key_id_;
};

// An Ed25519 public key.
class CheckpointVerifier {
 public:
  // Reads a PEM public key (`openssl pkey -pubout`). INVALID_ARGUMENT naming
  // the path if it cannot be read, does not parse or is not Ed25519.
  static absl::StatusOr<std::unique_ptr<CheckpointVerifier>> FromPemFile(
      const std::string& path);
  ~CheckpointVerifier();
  CheckpointVerifier(const CheckpointVerifier&) = delete;
  CheckpointVerifier& operator=(const CheckpointVerifier&) = delete;

  const std::string& key_id() const { return key_id_; }

  // True iff `checkpoint` names this key and its signature is valid.
  bool Verify(const kerjasosial::common::v1::AuditCheckpoint& checkpoint) const;

 private:
  CheckpointVerifier(EVP_PKEY* key, std::string key_id);
  EVP_PKEY* key_;
  std::string key_id_;
};

}  // namespace ks::audit

#endif  // KS_COMMON_AUDIT_CHECKPOINT_H_
