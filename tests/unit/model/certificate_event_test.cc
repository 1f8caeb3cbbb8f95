// person.certificate in hire and update events (R17).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "danhba/crypto/certificate.h"
#include "danhba/model/event.h"
#include "support/test_certificates.h"

namespace danhba::model {
namespace {

using Json = nlohmann::json;

const base::TimePoint kNow = base::TimePoint(std::chrono::seconds(1795000000));

std::string Event(const std::string& type, Json person) {
  Json j = {{"id", "hr-1"},
            {"type", type},
            {"decision", {{"number", "1/QĐ"}, {"date", "2026-11-20"}, {"issuer", "Sở Nội vụ"}}},
            {"person", std::move(person)}};
  if (type == "transfer") j["to_agency"] = "skhcn";
  return j.dump();
}

Json Hire() { return {{"id", "CB1"}, {"full_name", "Nguyễn Văn An"}, {"agency", "stttt"}}; }

class CertificateEventTest : public ::testing::Test {
 protected:
  testing::TestCertificate cert_ = testing::TestCertificate::ValidFor("annv@dongnai.gov.vn", kNow);
  std::string canonical_ = crypto::Base64Encode(cert_.der());
};

TEST_F(CertificateEventTest, PemAndBase64DerBecomeTheSameCanonicalForm) {
  for (const std::string& sent : {cert_.pem(), canonical_}) {
    Json person = Hire();
    person["certificate"] = sent;
    auto event = ParseEvent(Event("hire", person));
    ASSERT_TRUE(event.ok()) << event.error().detail;
    ASSERT_TRUE(event->person->certificate && *event->person->certificate);
    EXPECT_EQ(**event->person->certificate, canonical_);
    // The journal's form reads back the same.
    auto again = ParseEvent(ToJson(*event));
    ASSERT_TRUE(again.ok()) << again.error().detail;
    EXPECT_EQ(*again, *event);
    auto stored = ParseStoredEvent(ToJson(*event));
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(*stored, *event);
  }
}

TEST_F(CertificateEventTest, AMalformedCertificateIsRefusedByName) {
  Json person = Hire();
  person["certificate"] = "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----";
  auto event = ParseEvent(Event("hire", person));
  ASSERT_FALSE(event.ok());
  EXPECT_TRUE(event.error().detail.starts_with("person.certificate: is not a valid PEM certificate"))
      << event.error().detail;

  person["certificate"] = 42;
  event = ParseEvent(Event("hire", person));
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().detail, "person.certificate: must be a string or null, not a number");

  // In a batch the path names the element.
  Json update = {{"id", "CB1"}, {"certificate", "QUJD"}};
  auto batch = ParseEvents("[" + Event("update", update) + "]");
  ASSERT_TRUE(batch.ok());
  ASSERT_FALSE(batch->events[0].event.ok());
  EXPECT_TRUE(batch->events[0].event.error().detail.starts_with(
      "events[0].person.certificate: is not a DER X.509 certificate"))
      << batch->events[0].event.error().detail;
}

TEST_F(CertificateEventTest, AnUpdateMaySetOrRemoveIt) {
  auto set = ParseEvent(Event("update", {{"id", "CB1"}, {"certificate", cert_.pem()}}));
  ASSERT_TRUE(set.ok()) << set.error().detail;
  EXPECT_EQ(set->person->certificate, std::optional<std::optional<std::string>>(canonical_));

  for (const Json& removal : {Json(nullptr), Json(""), Json("  \n")}) {
    auto removed = ParseEvent(Event("update", {{"id", "CB1"}, {"certificate", removal}}));
    ASSERT_TRUE(removed.ok()) << removed.error().detail;
    ASSERT_TRUE(removed->person->certificate.has_value());
    EXPECT_FALSE(removed->person->certificate->has_value());
    EXPECT_NE(ToJson(*removed).find(R"("certificate":null)"), std::string::npos);
  }
  // Without the field an update leaves the certificate alone.
  auto other = ParseEvent(Event("update", {{"id", "CB1"}, {"phone", "0251 3822 000"}}));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->person->certificate.has_value());
}

TEST_F(CertificateEventTest, AHireWithNullHasNone) {
  Json person = Hire();
  person["certificate"] = nullptr;
  auto event = ParseEvent(Event("hire", person));
  ASSERT_TRUE(event.ok()) << event.error().detail;
  EXPECT_FALSE(event->person->certificate.has_value());
}

TEST_F(CertificateEventTest, OnlyHiresAndUpdatesTakeIt) {
  auto transfer = ParseEvent(Event("transfer", {{"id", "CB1"}, {"certificate", cert_.pem()}}));
  ASSERT_FALSE(transfer.ok());
  EXPECT_EQ(transfer.error().detail,
            "person.certificate: not allowed for a transfer (a certificate comes with a hire or "
            "an update)");
  auto leave = ParseEvent(Event("leave", {{"id", "CB1"}, {"certificate", cert_.pem()}}));
  ASSERT_FALSE(leave.ok());
  EXPECT_NE(leave.error().detail.find("person.certificate: not allowed for a leave"),
            std::string::npos);
}

}  // namespace
}  // namespace danhba::model
