#include "danhba/crypto/certificate.h"

#include <gtest/gtest.h>

#include <chrono>

#include "support/test_certificates.h"

namespace danhba::crypto {
namespace {

using std::chrono::hours;
using testing::CertificateSpec;
using testing::TestCertificate;

// The tests' "now": a fixed instant, never the day they run.
const base::TimePoint kNow = base::TimePoint(std::chrono::seconds(1795000000));

TEST(Base64, RoundTripsAndRejectsGarbage) {
  for (std::string bytes : {std::string(""), std::string("a"), std::string("ab"),
                            std::string("abc"), std::string("\0\xff\x10\x80", 4)}) {
    const std::string encoded = Base64Encode(bytes);
    if (bytes.empty()) continue;
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.error().detail;
    EXPECT_EQ(*decoded, bytes);
  }
  EXPECT_EQ(Base64Encode("abcd"), "YWJjZA==");
  EXPECT_EQ(*Base64Decode("YWJj\nZA=="), "abcd");
  EXPECT_FALSE(Base64Decode("YWJjZA=").ok());
  EXPECT_FALSE(Base64Decode("YW=jZA==").ok());
  EXPECT_FALSE(Base64Decode("YWJj*A==").ok());
  EXPECT_FALSE(Base64Decode("").ok());
}

TEST(ParseCertificate, ReadsPemAndBase64DerAlike) {
  const TestCertificate made = TestCertificate::ValidFor("annv@dongnai.gov.vn", kNow);
  auto from_pem = ParseCertificate(made.pem());
  ASSERT_TRUE(from_pem.ok()) << from_pem.error().detail;
  EXPECT_EQ(from_pem->der, made.der());
  EXPECT_EQ(from_pem->emails, std::vector<std::string>{"annv@dongnai.gov.vn"});
  EXPECT_EQ(from_pem->subject, "CN=Nguyen Van An");
  EXPECT_EQ(from_pem->not_before, kNow - hours(24));
  EXPECT_EQ(from_pem->not_after, kNow + hours(24 * 365));

  // base64 DER, on one line or wrapped.
  std::string b64 = Base64Encode(made.der());
  auto from_der = ParseCertificate(b64);
  ASSERT_TRUE(from_der.ok()) << from_der.error().detail;
  EXPECT_EQ(from_der->der, made.der());
  std::string wrapped;
  for (std::size_t i = 0; i < b64.size(); i += 64) wrapped += b64.substr(i, 64) + "\n";
  auto from_wrapped = ParseCertificate(wrapped);
  ASSERT_TRUE(from_wrapped.ok()) << from_wrapped.error().detail;
  EXPECT_EQ(from_wrapped->der, made.der());
}

TEST(ParseCertificate, RefusesWhatIsNotOneCertificate) {
  const TestCertificate made = TestCertificate::ValidFor("annv@dongnai.gov.vn", kNow);
  struct Case {
    std::string text;
    std::string says;
  };
  std::string truncated_pem = made.pem();
  truncated_pem.erase(truncated_pem.size() / 2, 40);
  const std::string der = made.der();
  const std::vector<Case> cases = {
      {"", "is empty"},
      {"   \n", "is empty"},
      {"hello world", "neither PEM"},
      {"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not a certificate"},
      {truncated_pem, "not a valid PEM certificate"},
      {Base64Encode("not a certificate at all"), "not a DER X.509 certificate"},
      {Base64Encode(der.substr(0, der.size() - 10)), "not a DER X.509 certificate"},
      {Base64Encode(der + "xx"), "data after the certificate"},
      {made.pem() + made.pem(), "data after the certificate"},
      {made.key_pem(), "not a certificate"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseCertificate(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(parsed.error().detail.find(c.says), std::string::npos)
        << c.text << " -> " << parsed.error().detail;
  }
}

TEST(CheckCertificateFor, ValidityIsJudgedAtTheGivenTime) {
  CertificateSpec spec;
  spec.san_email = "annv@dongnai.gov.vn";
  spec.not_before = kNow - hours(1);
  spec.not_after = kNow + hours(1);
  auto cert = ParseCertificate(TestCertificate::Make(spec).pem());
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(CheckCertificateFor(*cert, "annv@dongnai.gov.vn", kNow).ok());
  EXPECT_TRUE(CheckCertificateFor(*cert, "annv@dongnai.gov.vn", kNow + hours(1)).ok());

  Status early = CheckCertificateFor(*cert, "annv@dongnai.gov.vn", kNow - hours(2));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().detail, "is not valid before " + base::FormatUtc(kNow - hours(1)));
  Status late = CheckCertificateFor(*cert, "annv@dongnai.gov.vn", kNow + hours(2));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().detail, "expired on " + base::FormatUtc(kNow + hours(1)));
}

TEST(CheckCertificateFor, EmailMatchesCaseInsensitively) {
  auto cert = ParseCertificate(TestCertificate::ValidFor("AnNV@DongNai.gov.vn", kNow).pem());
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(CheckCertificateFor(*cert, "annv@dongnai.gov.vn", kNow).ok());
  Status other = CheckCertificateFor(*cert, "annv2@dongnai.gov.vn", kNow);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().detail, "is for AnNV@DongNai.gov.vn, not annv2@dongnai.gov.vn");
}

TEST(CheckCertificateFor, SubjectEmailOnlyWithoutSubjectAltName) {
  CertificateSpec spec;
  spec.subject_email = "annv@dongnai.gov.vn";
  spec.not_before = kNow - hours(1);
  spec.not_after = kNow + hours(1);
  auto subject_only = ParseCertificate(TestCertificate::Make(spec).pem());
  ASSERT_TRUE(subject_only.ok());
  EXPECT_EQ(subject_only->emails, std::vector<std::string>{"annv@dongnai.gov.vn"});
  EXPECT_TRUE(CheckCertificateFor(*subject_only, "annv@dongnai.gov.vn", kNow).ok());

  // When subjectAltName names addresses, the subject's emailAddress is not used.
  spec.san_email = "other@dongnai.gov.vn";
  auto both = ParseCertificate(TestCertificate::Make(spec).pem());
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->emails, std::vector<std::string>{"other@dongnai.gov.vn"});
  EXPECT_FALSE(CheckCertificateFor(*both, "annv@dongnai.gov.vn", kNow).ok());

  CertificateSpec none;
  none.not_before = kNow - hours(1);
  none.not_after = kNow + hours(1);
  auto no_email = ParseCertificate(TestCertificate::Make(none).pem());
  ASSERT_TRUE(no_email.ok());
  Status s = CheckCertificateFor(*no_email, "annv@dongnai.gov.vn", kNow);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().detail.find("names no email address"), std::string::npos);
}

}  // namespace
}  // namespace danhba::crypto
