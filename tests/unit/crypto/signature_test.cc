#include "danhba/crypto/signature.h"

#include <gtest/gtest.h>

#include <chrono>

#include "danhba/crypto/certificate.h"
#include "support/test_certificates.h"

namespace danhba::crypto {
namespace {

using testing::TestCertificate;

const base::TimePoint kNow = base::TimePoint(std::chrono::seconds(1795000000));
const std::string kBase = "1795000000\nPOST\n/api/v1/events\n{\"id\":\"hr-1\"}";

class VerifyDetachedSignatureTest : public ::testing::Test {
 protected:
  TestCertificate sender_ = TestCertificate::ValidFor("hr@snv.dongnai.gov.vn", kNow);
  TestCertificate other_ = TestCertificate::ValidFor("hr@snv.dongnai.gov.vn", kNow);
};

TEST_F(VerifyDetachedSignatureTest, AcceptsTheSendersSignatureOverTheSameBytes) {
  const std::string signature = sender_.SignDetached(kBase);
  Status s = VerifyDetachedSignature(signature, kBase, sender_.pem());
  EXPECT_TRUE(s.ok()) << s.error().detail;
  // The trusted certificate may be stored as base64 DER too.
  EXPECT_TRUE(VerifyDetachedSignature(signature, kBase, Base64Encode(sender_.der())).ok());
}

TEST_F(VerifyDetachedSignatureTest, RefusesOtherContent) {
  const std::string signature = sender_.SignDetached(kBase);
  Status s = VerifyDetachedSignature(signature, kBase + " ", sender_.pem());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().detail.find("does not verify"), std::string::npos) << s.error().detail;
}

TEST_F(VerifyDetachedSignatureTest, RefusesAnotherSigner) {
  // Same subject and address, another key: still not the registered certificate.
  const std::string signature = other_.SignDetached(kBase);
  Status s = VerifyDetachedSignature(signature, kBase, sender_.pem());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().detail.find("does not verify"), std::string::npos) << s.error().detail;
}

TEST_F(VerifyDetachedSignatureTest, RefusesGarbageAndBadCertificates) {
  Status garbage = VerifyDetachedSignature("not a signature", kBase, sender_.pem());
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.error().detail.find("not a DER CMS signature"), std::string::npos);

  std::string signature = sender_.SignDetached(kBase);
  signature[signature.size() - 5] = static_cast<char>(signature[signature.size() - 5] ^ 0x55);
  EXPECT_FALSE(VerifyDetachedSignature(signature, kBase, sender_.pem()).ok());

  Status bad_cert = VerifyDetachedSignature(sender_.SignDetached(kBase), kBase, "nonsense");
  ASSERT_FALSE(bad_cert.ok());
  EXPECT_NE(bad_cert.error().detail.find("signer certificate"), std::string::npos);
}

}  // namespace
}  // namespace danhba::crypto
