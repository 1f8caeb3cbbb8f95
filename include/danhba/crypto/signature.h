// Signatures made with X.509 keys: detached CMS (PKCS#7) signatures, as
// `openssl cms -sign -binary -outform DER` makes them. Used by the ingest API
// for senders that sign with a certificate instead of an HMAC secret.
#pragma once

#include <string_view>

#include "danhba/base/result.h"

namespace danhba::crypto {

// Ok when `cms_der` is a CMS SignedData over `content` (detached: the
// signature does not carry the content) whose every signer is exactly
// `signer_certificate` (PEM or base64 DER, see ParseCertificate), and at least
// one signer. No chain is built and the certificate's dates are not looked at:
// the certificate is trusted because the operator registered it. Otherwise an
// invalid-input error saying what failed.
Status VerifyDetachedSignature(std::string_view cms_der, std::string_view content,
                               std::string_view signer_certificate);

}  // namespace danhba::crypto
