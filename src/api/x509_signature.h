// Senders that sign with an X.509 key (R17): their trusted certificate in the
// senders file, and the check of their requests' CMS signatures. Private to
// src/api.
#pragma once

#include <string>
#include <string_view>

#include "danhba/base/result.h"

namespace danhba::api {

// The certificate in `text` (PEM or base64 DER) as PEM, the form the senders
// file keeps; an invalid-input error phrased to follow "the certificate".
Result<std::string> X509CertificatePem(std::string_view text);

// Checks an X-Danhba-Signature value "cms=<base64 of a detached DER CMS
// signature>" over `signed_base` (SignatureBase of the request) against the
// sender's certificate. The error says what is wrong, for the 401 answer.
Status VerifyX509Signature(std::string_view header_value, std::string_view signed_base,
                           std::string_view certificate_pem);

}  // namespace danhba::api
