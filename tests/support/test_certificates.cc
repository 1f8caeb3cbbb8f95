#include "support/test_certificates.h"

#include <openssl/pem.h>

#include <chrono>
#include <stdexcept>

#include "crypto/openssl_ptr.h"

namespace danhba::testing {
namespace {

using crypto::internal::BioPtr;
using crypto::internal::CmsPtr;
using crypto::internal::EvpPkeyPtr;
using crypto::internal::X509Ptr;

void Require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what + ": " +
                                    crypto::internal::TakeErrors("failed"));
}

std::time_t ToTimeT(base::TimePoint t) {
  return static_cast<std::time_t>(
      std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
}

std::string MemText(BIO* bio) { return crypto::internal::BioText(bio); }

EvpPkeyPtr ReadKey(const std::string& pem) {
  BioPtr in = crypto::internal::MemoryBio(pem);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  Require(key != nullptr, "read key");
  return key;
}

X509Ptr ReadCert(const std::string& pem) {
  BioPtr in = crypto::internal::MemoryBio(pem);
  X509Ptr x509(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
  Require(x509 != nullptr, "read certificate");
  return x509;
}

}  // namespace

TestCertificate TestCertificate::Make(const CertificateSpec& spec) {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  Require(key != nullptr, "generate key");
  X509Ptr x509(X509_new());
  Require(x509 != nullptr, "X509_new");
  X509_set_version(x509.get(), 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), serial++);
  Require(ASN1_TIME_set(X509_getm_notBefore(x509.get()), ToTimeT(spec.not_before)) != nullptr,
          "not before");
  Require(ASN1_TIME_set(X509_getm_notAfter(x509.get()), ToTimeT(spec.not_after)) != nullptr,
          "not after");
  X509_NAME* name = X509_get_subject_name(x509.get());
  auto add = [&](const char* field, const std::string& value) {
    Require(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                       -1, 0) == 1,
            field);
  };
  add("CN", spec.common_name);
  if (!spec.subject_email.empty()) add("emailAddress", spec.subject_email);
  Require(X509_set_issuer_name(x509.get(), name) == 1, "issuer");
  Require(X509_set_pubkey(x509.get(), key.get()) == 1, "public key");
  if (!spec.san_email.empty()) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x509.get(), x509.get(), nullptr, nullptr, 0);
    const std::string value = "email:" + spec.san_email;
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, value.c_str());
    Require(ext != nullptr, "subjectAltName");
    X509_add_ext(x509.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  Require(X509_sign(x509.get(), key.get(), EVP_sha256()) > 0, "sign");

  TestCertificate out;
  BioPtr pem(BIO_new(BIO_s_mem()));
  Require(PEM_write_bio_X509(pem.get(), x509.get()) == 1, "write PEM");
  out.pem_ = MemText(pem.get());
  const int size = i2d_X509(x509.get(), nullptr);
  out.der_.resize(static_cast<std::size_t>(size));
  auto* p = reinterpret_cast<unsigned char*>(out.der_.data());
  i2d_X509(x509.get(), &p);
  BioPtr key_pem(BIO_new(BIO_s_mem()));
  Require(PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                   nullptr) == 1,
          "write key");
  out.key_pem_ = MemText(key_pem.get());
  return out;
}

TestCertificate TestCertificate::ValidFor(std::string_view email, base::TimePoint now) {
  CertificateSpec spec;
  spec.san_email = std::string(email);
  spec.not_before = now - std::chrono::hours(24);
  spec.not_after = now + std::chrono::hours(24 * 365);
  return Make(spec);
}

std::string TestCertificate::SignDetached(std::string_view content) const {
  X509Ptr x509 = ReadCert(pem_);
  EvpPkeyPtr key = ReadKey(key_pem_);
  BioPtr data = crypto::internal::MemoryBio(content);
  CmsPtr cms(CMS_sign(x509.get(), key.get(), nullptr, data.get(), CMS_DETACHED | CMS_BINARY));
  Require(cms != nullptr, "CMS_sign");
  BioPtr out(BIO_new(BIO_s_mem()));
  Require(i2d_CMS_bio(out.get(), cms.get()) == 1, "write CMS");
  return MemText(out.get());
}

}  // namespace danhba::testing
