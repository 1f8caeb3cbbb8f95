// Shared by the certificate and signature code: reading one X509 from the text
// forms ParseCertificate accepts. Private to src/crypto.
#pragma once

#include <string_view>

#include "crypto/openssl_ptr.h"
#include "danhba/base/result.h"

namespace danhba::crypto::internal {

// The certificate in PEM or base64 DER; errors are phrased to follow the name
// of what was read ("person.certificate: is not a valid PEM certificate: ...").
Result<X509Ptr> ReadX509(std::string_view text);

}  // namespace danhba::crypto::internal
