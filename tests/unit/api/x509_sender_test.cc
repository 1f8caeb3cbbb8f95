// Senders that sign with an X.509 key: the certificate in the senders file,
// and the check of a request's cms= signature.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "api/x509_signature.h"
#include "danhba/api/ingest.h"
#include "danhba/api/senders.h"
#include "danhba/crypto/certificate.h"
#include "support/test_certificates.h"
#include "unit/api/test_util.h"

namespace danhba::api {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using danhba::testing::TestCertificate;

const base::TimePoint kNow = base::TimePoint(std::chrono::seconds(1795000000));

class X509SenderTest : public ::testing::Test {
 protected:
  TempDir dir_;
  TestCertificate cert_ = TestCertificate::ValidFor("hr@snv.dongnai.gov.vn", kNow);
};

TEST_F(X509SenderTest, AddStoresTheCertificateAsPemAndTheSenderMustSign) {
  SenderStore store(dir_.path() / "senders.json");
  // Given as base64 DER, kept as PEM.
  auto added = store.Add("hr-pki", {}, false, crypto::Base64Encode(cert_.der()));
  ASSERT_TRUE(added.ok()) << added.error().detail;
  EXPECT_FALSE(added->hmac_secret.has_value());
  auto loaded = store.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().detail;
  const Sender* sender = loaded->Find("hr-pki");
  ASSERT_NE(sender, nullptr);
  EXPECT_TRUE(sender->must_sign());
  EXPECT_TRUE(sender->hmac_secret.empty());
  EXPECT_EQ(sender->x509_certificate, cert_.pem());
}

TEST_F(X509SenderTest, AddRefusesABadCertificateOrBothKindsAndChangesNothing) {
  SenderStore store(dir_.path() / "senders.json");
  auto bad = store.Add("hr-pki", {}, false, "not a certificate");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(bad.error().detail, HasSubstr("the certificate is neither PEM"));
  auto both = store.Add("hr-pki", {}, true, cert_.pem());
  ASSERT_FALSE(both.ok());
  EXPECT_THAT(both.error().detail, HasSubstr("not both"));
  EXPECT_FALSE(std::filesystem::exists(store.path()));
}

TEST_F(X509SenderTest, TheFileIsCheckedOnLoad) {
  auto list = SenderList::FromJson(
      R"({"version":1,"senders":[{"name":"a","token_sha256":")" + std::string(64, 'a') +
      R"(","x509_certificate":"garbage"}]})");
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.error().detail, HasSubstr("x509_certificate is neither PEM"));
}

TEST_F(X509SenderTest, VerifyX509SignatureWantsCmsOverTheSignedBase) {
  const std::string base = SignatureBase("1795000000", "POST", "/api/v1/events", "{}");
  const std::string good = "cms=" + crypto::Base64Encode(cert_.SignDetached(base));
  EXPECT_TRUE(VerifyX509Signature(good, base, cert_.pem()).ok());

  Status hmac = VerifyX509Signature("sha256=" + std::string(64, 'a'), base, cert_.pem());
  ASSERT_FALSE(hmac.ok());
  EXPECT_THAT(hmac.error().detail, HasSubstr("must be cms="));
  Status not_b64 = VerifyX509Signature("cms=***", base, cert_.pem());
  ASSERT_FALSE(not_b64.ok());
  EXPECT_THAT(not_b64.error().detail, HasSubstr("not base64"));
  Status other = VerifyX509Signature(good, base + "x", cert_.pem());
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.error().detail, HasSubstr("does not match"));
  const auto impostor = TestCertificate::ValidFor("hr@snv.dongnai.gov.vn", kNow);
  Status wrong = VerifyX509Signature(
      "cms=" + crypto::Base64Encode(impostor.SignDetached(base)), base, cert_.pem());
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.error().detail, HasSubstr("does not match"));
}

}  // namespace
}  // namespace danhba::api
