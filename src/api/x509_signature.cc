#include "api/x509_signature.h"

#include "danhba/crypto/certificate.h"
#include "danhba/crypto/signature.h"

namespace danhba::api {

Result<std::string> X509CertificatePem(std::string_view text) {
  auto certificate = crypto::ParseCertificate(text);
  if (!certificate.ok()) return certificate.take_error();
  const std::string b64 = crypto::Base64Encode(certificate->der);
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) pem.append(b64.substr(i, 64)).append("\n");
  pem.append("-----END CERTIFICATE-----\n");
  return pem;
}

Status VerifyX509Signature(std::string_view header_value, std::string_view signed_base,
                           std::string_view certificate_pem) {
  constexpr std::string_view kPrefix = "cms=";
  if (!header_value.starts_with(kPrefix)) {
    return InvalidInput(
        "this sender signs with its certificate: the signature must be cms=<base64 of a detached "
        "DER CMS signature>");
  }
  auto der = crypto::Base64Decode(header_value.substr(kPrefix.size()));
  if (!der.ok()) return InvalidInput("the cms= signature is not base64: " + der.error().detail);
  Status verified = crypto::VerifyDetachedSignature(*der, signed_base, certificate_pem);
  if (!verified.ok()) return InvalidInput("the request signature does not match: " +
                                          verified.error().detail);
  return Ok();
}

}  // namespace danhba::api
