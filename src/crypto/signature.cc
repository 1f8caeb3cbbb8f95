#include "danhba/crypto/signature.h"

#include <string>

#include "crypto/openssl_ptr.h"
#include "crypto/x509_util.h"

namespace danhba::crypto {

using internal::BioPtr;
using internal::CmsPtr;
using internal::TakeErrors;
using internal::X509StackPtr;
using internal::X509StorePtr;

Status VerifyDetachedSignature(std::string_view cms_der, std::string_view content,
                               std::string_view signer_certificate) {
  auto trusted = internal::ReadX509(signer_certificate);
  if (!trusted.ok()) return InvalidInput("the signer certificate " + trusted.error().detail);
  ERR_clear_error();
  const auto* p = reinterpret_cast<const unsigned char*>(cms_der.data());
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_der.size())));
  if (!cms) return InvalidInput("not a DER CMS signature: " + TakeErrors("cannot be parsed"));
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    return InvalidInput("the CMS message is not SignedData");
  }
  if (!CMS_is_detached(cms.get())) {
    return InvalidInput("the CMS signature carries its content: sign detached");
  }
  X509StackPtr certs(sk_X509_new_null());
  X509StorePtr store(X509_STORE_new());
  if (!certs || !store || sk_X509_push(certs.get(), trusted->get()) <= 0) {
    return Internal("out of memory");
  }
  BioPtr data = internal::MemoryBio(content);
  // NOINTERN: signers are looked up only in `certs`, i.e. the one trusted
  // certificate, never in certificates the message carries; no chain is built
  // (NO_SIGNER_CERT_VERIFY). CMS_verify checks every signer.
  const unsigned flags = CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY;
  if (CMS_verify(cms.get(), certs.get(), store.get(), data.get(), nullptr, flags) != 1) {
    return InvalidInput("the signature does not verify with the sender's certificate: " +
                        TakeErrors("verification failed"));
  }
  return Ok();
}

}  // namespace danhba::crypto
