// Certificates and CMS signatures made at test time with OpenSSL, valid
// relative to a time the test chooses (its injected clock), so that no test
// depends on today's date and no certificate file with a fixed expiry is
// checked in.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "danhba/base/clock.h"

namespace danhba::testing {

struct CertificateSpec {
  std::string common_name = "Nguyen Van An";
  std::string san_email;      // subjectAltName email:..., when not empty
  std::string subject_email;  // emailAddress in the subject DN, when not empty
  base::TimePoint not_before{};
  base::TimePoint not_after{};
};

// A self-signed certificate (EC P-256 key, SHA-256) and its private key.
class TestCertificate {
 public:
  static TestCertificate Make(const CertificateSpec& spec);
  // Valid from `now` - 1 day to `now` + 365 days, for `email` in subjectAltName.
  static TestCertificate ValidFor(std::string_view email, base::TimePoint now);

  const std::string& pem() const { return pem_; }
  const std::string& der() const { return der_; }
  const std::string& key_pem() const { return key_pem_; }

  // A detached CMS signature (DER) over `content`, as
  // `openssl cms -sign -binary -outform DER` makes it.
  std::string SignDetached(std::string_view content) const;

 private:
  std::string pem_;
  std::string der_;
  std::string key_pem_;
};

}  // namespace danhba::testing
