// X.509 certificates as plain values: a person's S/MIME certificate sent in an
// event (person.certificate) and a sender's trusted signing certificate.
//
// Parsing and checks use OpenSSL inside src/crypto; nothing here exposes its
// types. All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/clock.h"
#include "danhba/base/result.h"

namespace danhba::crypto {

struct Certificate {
  std::string der;                  // the certificate as DER bytes
  std::string subject;              // the subject DN, RFC 2253 ("CN=...,O=...")
  std::vector<std::string> emails;  // subjectAltName rfc822Names, else the
                                    // subject's emailAddress values
  base::TimePoint not_before{};
  base::TimePoint not_after{};
};

// One certificate from PEM text ("-----BEGIN CERTIFICATE-----" ...) or from
// the base64 of its DER (whitespace ignored). Anything else, or trailing data
// after the certificate, is an invalid-input error saying what is wrong.
Result<Certificate> ParseCertificate(std::string_view text);

// Ok when `certificate` is valid at `now` (not_before <= now <= not_after) and
// names `email` (compared case-insensitively); otherwise an invalid-input error
// that says why ("expired on 2026-01-01T00:00:00Z", "is for a@x, not b@y").
Status CheckCertificateFor(const Certificate& certificate, std::string_view email,
                           base::TimePoint now);

// Standard base64 (RFC 4648, with padding), on one line.
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64; whitespace (line breaks) is ignored. Invalid input
// is an error.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace danhba::crypto
