#include "common/testing/tls_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace ks::testing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

std::string ToPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, len);
  BIO_free(bio);
  return out;
}

std::string ToPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, len);
  BIO_free(bio);
  return out;
}

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return true;
}

// A certificate for `key` named `cn`, signed by (issuer, issuer_key); a
// self-signed CA when issuer is null.
Cert MakeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
              bool is_ca, const char* san, long serial) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1,
                             0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = AddExtension(cert.get(), signer, NID_basic_constraints,
                         is_ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (is_ca) {
    ok = ok && AddExtension(cert.get(), signer, NID_key_usage,
                            "critical,keyCertSign,cRLSign");
  }
  if (san != nullptr) {
    ok = ok && AddExtension(cert.get(), signer, NID_subject_alt_name, san);
  }
  if (!ok || X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key,
                       EVP_sha256()) == 0) {
    return nullptr;
  }
  return cert;
}

}  // namespace

absl::StatusOr<TestPki> MakeTestPki() {
  Pkey ca_key(EVP_EC_gen("P-256"));
  Pkey server_key(EVP_EC_gen("P-256"));
  Pkey client_key(EVP_EC_gen("P-256"));
  if (!ca_key || !server_key || !client_key) {
    return absl::InternalError("cannot generate P-256 keys");
  }
  Cert ca = MakeCert(ca_key.get(), "kerjasosial test CA", nullptr, nullptr,
                     /*is_ca=*/true, nullptr, 1);
  if (!ca) return absl::InternalError("cannot make the CA certificate");
  Cert server = MakeCert(server_key.get(), "localhost", ca.get(), ca_key.get(),
                         false, "DNS:localhost,IP:127.0.0.1", 2);
  Cert client = MakeCert(client_key.get(), "test-client", ca.get(),
                         ca_key.get(), false, nullptr, 3);
  if (!server || !client) {
    return absl::InternalError("cannot sign the test certificates");
  }
  TestPki pki;
  pki.ca = {ToPem(ca.get()), ToPem(ca_key.get())};
  pki.server = {ToPem(server.get()), ToPem(server_key.get())};
  pki.client = {ToPem(client.get()), ToPem(client_key.get())};
  return pki;
}

}  // namespace ks::testing
