// R17 end to end, on a real `danhba run` and a real slapd: a person's S/MIME
// certificate sent in a hire is published as userCertificate;binary (and
// removed by an update), a malformed one is refused at ingest and changes
// nothing, and a sender registered with `danhba sender add --x509-cert` is let
// in only with a detached CMS signature made by `openssl cms` with its key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "daemon.h"
#include "danhba/crypto/certificate.h"
#include "danhba/ldap/connection.h"
#include "danhba/ldap/entry.h"
#include "danhba/slapd/instance.h"
#include "e2e_test_util.h"
#include "support/http_client.h"
#include "process.h"
#include "support/test_certificates.h"

namespace danhba::e2e {

using support::HttpClient;
using support::HttpReply;

namespace {

using std::chrono::seconds;
using Json = nlohmann::json;
using testing::TestCertificate;

Json Event(const std::string& id, const std::string& type) {
  return {{"id", id},
          {"type", type},
          {"decision",
           {{"number", "21/QĐ-UBND"}, {"date", "2026-03-02"}, {"issuer", "UBND tỉnh Đồng Nai"}}}};
}

Json AgencyCreate(const std::string& id, const std::string& code) {
  Json e = Event(id, "agency.create");
  e["agency"] = {{"code", code}, {"name", "Sở " + code}};
  return e;
}

Json Hire(const std::string& id, const std::string& person, const std::string& name) {
  Json e = Event(id, "hire");
  e["person"] = {{"id", person}, {"full_name", name}, {"agency", "stttt"}};
  return e;
}

// The daemon's clock is the system's: certificates are made valid around it.
base::TimePoint Now() {
  return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The openssl command on PATH (the harness runs programs by path).
std::string OpensslCommand() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const auto candidate = std::filesystem::path(dir) / "openssl";
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  ADD_FAILURE() << "no openssl command on PATH (scripts/install-deps.sh installs it)";
  return "openssl";
}

class Certificates : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Make("danhba-certificates");
    ASSERT_TRUE(dir.ok()) << dir.error().detail;
    dir_.emplace(std::move(dir).value());
    auto created = CreateDaemonOnOwnSlapd(DANHBA_BINARY, dir_->path());
    ASSERT_TRUE(created.ok()) << created.error().detail;
    slapd_ = std::move(created->slapd);
    daemon_ = std::move(created->daemon);
    domain_ = daemon_->options().domain;
    auto token = daemon_->AddSender("hr-snv");
    ASSERT_TRUE(token.ok()) << token.error().detail;

    // The X.509 sender, registered as an operator does.
    WriteFile(dir_->path() / "portal.pem", signer_.pem());
    WriteFile(dir_->path() / "portal.key", signer_.key_pem());
    auto added = RunToCompletion({DANHBA_BINARY, "sender", "add", "portal", "--x509-cert",
                                  (dir_->path() / "portal.pem").string(), "--config",
                                  daemon_->config_file().string()});
    ASSERT_TRUE(added.ok()) << added.error().detail;
    ASSERT_EQ(added->exit_code, 0) << added->err;
    ASSERT_EQ(added->out.rfind("token: ", 0), 0u) << added->out;
    portal_token_ = added->out.substr(7, added->out.find('\n') - 7);

    ASSERT_TRUE(daemon_->Start().ok());
    ASSERT_TRUE(daemon_->WaitReady(seconds(60)).ok()) << daemon_->LogTail();
    client_.emplace("127.0.0.1", daemon_->ingest_port());
    client_->SetBearerToken(*token);

    const auto& account = slapd_->account(slapd::ServiceAccount::kSync);
    ldap::ConnectOptions connect;
    connect.url = slapd_->url();
    auto reader =
        ldap::Connection::Open(connect, ldap::Credentials::Simple(account.dn, account.password));
    ASSERT_TRUE(reader.ok()) << reader.error().detail;
    reader_.emplace(std::move(reader).value());
  }

  // Posts one event as hr-snv and waits until it is applied; returns its GET answer.
  Json PostAndApply(const Json& event) {
    auto posted = client_->PostJson("/api/v1/events", event.dump());
    EXPECT_TRUE(posted.ok()) << posted.error().detail;
    if (!posted.ok()) return {};
    EXPECT_EQ(posted->status, 202) << posted->body;
    const std::string id = event["id"];
    Json last;
    bool done = PollUntil(seconds(60), [&] {
      auto reply = client_->Get("/api/v1/events/" + id);
      if (!reply.ok() || reply->status != 200) return false;
      last = Json::parse(reply->body);
      return last.value("status", "") == "applied" || last.value("status", "") == "rejected";
    });
    EXPECT_TRUE(done) << id << " " << last.dump() << daemon_->LogTail();
    EXPECT_EQ(last.value("status", ""), "applied") << last.dump();
    return last;
  }

  std::optional<ldap::Entry> Read(const std::string& dn) {
    auto read = reader_->Read(dn, {"*"});
    EXPECT_TRUE(read.ok()) << read.error().detail;
    return read.ok() ? *read : std::nullopt;
  }
  std::string PersonDn(const std::string& uid) const {
    return "uid=" + uid + ",ou=people," + slapd_->base_dn();
  }
  std::string AgencyDn(const std::string& code) const {
    return "ou=" + code + ",ou=agencies," + slapd_->base_dn();
  }

  // X-Danhba-Signature for `body` POSTed at `stamp`, made with the openssl
  // command as docs/ingest.md shows, with `key`/`cert` (files in dir_).
  std::string CmsSignature(const std::string& stamp, const std::string& body,
                           const std::string& cert, const std::string& key) {
    const auto base = dir_->path() / "base.txt";
    const auto sig = dir_->path() / "sig.der";
    WriteFile(base, stamp + "\nPOST\n/api/v1/events\n" + body);
    auto signed_ = RunToCompletion({OpensslCommand(), "cms", "-sign", "-binary", "-in", base.string(),
                                    "-signer", (dir_->path() / cert).string(), "-inkey",
                                    (dir_->path() / key).string(), "-outform", "DER", "-out",
                                    sig.string()});
    EXPECT_TRUE(signed_.ok() && signed_->exit_code == 0)
        << (signed_.ok() ? signed_->err : signed_.error().detail);
    return "cms=" + crypto::Base64Encode(ReadFile(sig));
  }

  Result<HttpReply> PostAsPortal(HttpClient& portal, const std::string& body,
                                 std::optional<std::string> signature, std::string stamp = {}) {
    if (stamp.empty()) {
      stamp = std::to_string(std::chrono::floor<seconds>(Now()).time_since_epoch().count());
    }
    std::map<std::string, std::string> headers;
    if (signature) headers = {{"X-Danhba-Timestamp", stamp}, {"X-Danhba-Signature", *signature}};
    portal.SetNextHeaders(std::move(headers));
    return portal.PostJson("/api/v1/events", body);
  }

  TestCertificate signer_ = TestCertificate::ValidFor("hr@snv.dongnai.gov.vn", Now());
  std::optional<TempDir> dir_;
  std::unique_ptr<slapd::Instance> slapd_;
  std::unique_ptr<Daemon> daemon_;
  std::string domain_;
  std::string portal_token_;
  std::optional<HttpClient> client_;
  std::optional<ldap::Connection> reader_;
};

TEST_F(Certificates, AHiresCertificateIsPublishedAndAnUpdateRemovesIt) {
  PostAndApply(AgencyCreate("c-1", "stttt"));
  const TestCertificate cert = TestCertificate::ValidFor("annv@" + domain_, Now());
  Json hire = Hire("h-1", "CB1", "Nguyễn Văn An");
  hire["person"]["certificate"] = cert.pem();
  Json applied = PostAndApply(hire);
  EXPECT_NE(applied.value("detail", "").find("certificate=published"), std::string::npos)
      << applied.dump();

  auto entry = Read(PersonDn("annv"));
  ASSERT_TRUE(entry);
  const auto published = entry->First("userCertificate;binary");
  ASSERT_TRUE(published.has_value()) << "no userCertificate;binary on " << entry->dn;
  EXPECT_EQ(*published, cert.der());

  // An update without the field leaves it; null removes it.
  Json update = Event("u-1", "update");
  update["person"] = {{"id", "CB1"}, {"phone", "0251 3822 000"}};
  PostAndApply(update);
  EXPECT_EQ(Read(PersonDn("annv"))->First("userCertificate;binary"), cert.der());
  Json removal = Event("u-2", "update");
  removal["person"] = {{"id", "CB1"}, {"certificate", nullptr}};
  PostAndApply(removal);
  entry = Read(PersonDn("annv"));
  ASSERT_TRUE(entry);
  EXPECT_FALSE(entry->First("userCertificate;binary").has_value());
  EXPECT_FALSE(entry->First("userCertificate").has_value());
}

TEST_F(Certificates, AMalformedCertificateIsRefusedAndChangesNothing) {
  PostAndApply(AgencyCreate("c-1", "stttt"));
  Json hire = Hire("bad-1", "CB1", "Nguyễn Văn An");
  hire["person"]["certificate"] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  auto posted = client_->PostJson("/api/v1/events", hire.dump());
  ASSERT_TRUE(posted.ok()) << posted.error().detail;
  EXPECT_EQ(posted->status, 400) << posted->body;
  const Json answer = Json::parse(posted->body);
  EXPECT_EQ(answer["results"][0]["error"]["code"], "invalid_event") << posted->body;
  EXPECT_EQ(answer["results"][0]["error"]["message"].get<std::string>().rfind(
                "person.certificate: is not a valid PEM certificate", 0),
            0u)
      << posted->body;
  auto status = client_->Get("/api/v1/events/bad-1");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status, 404);
  // A later event is applied; the refused hire never was.
  PostAndApply(AgencyCreate("c-2", "skhcn"));
  EXPECT_FALSE(Read(PersonDn("annv")));
}

TEST_F(Certificates, AnX509SenderIsLetInOnlyWithItsCmsSignature) {
  HttpClient portal("127.0.0.1", daemon_->ingest_port());
  portal.SetBearerToken(portal_token_);
  const TestCertificate impostor = TestCertificate::ValidFor("hr@snv.dongnai.gov.vn", Now());
  WriteFile(dir_->path() / "impostor.pem", impostor.pem());
  WriteFile(dir_->path() / "impostor.key", impostor.key_pem());

  const std::string refused_body = AgencyCreate("x-bad", "sbad").dump();
  auto unsigned_ = PostAsPortal(portal, refused_body, std::nullopt);
  ASSERT_TRUE(unsigned_.ok());
  EXPECT_EQ(unsigned_->status, 401);
  EXPECT_EQ(Json::parse(unsigned_->body)["error"]["code"], "signature_required");

  const std::string stamp =
      std::to_string(std::chrono::floor<seconds>(Now()).time_since_epoch().count());
  auto wrong_key = PostAsPortal(
      portal, refused_body, CmsSignature(stamp, refused_body, "impostor.pem", "impostor.key"),
      stamp);
  ASSERT_TRUE(wrong_key.ok());
  EXPECT_EQ(wrong_key->status, 401) << wrong_key->body;
  EXPECT_EQ(Json::parse(wrong_key->body)["error"]["code"], "bad_signature");

  // The sender's own signature, over other bytes than those sent.
  auto other_body = PostAsPortal(
      portal, refused_body,
      CmsSignature(stamp, AgencyCreate("x-other", "sother").dump(), "portal.pem", "portal.key"),
      stamp);
  ASSERT_TRUE(other_body.ok());
  EXPECT_EQ(other_body->status, 401);
  EXPECT_EQ(Json::parse(other_body->body)["error"]["code"], "bad_signature");

  auto hmac_style = PostAsPortal(portal, refused_body, "sha256=" + std::string(64, 'a'), stamp);
  ASSERT_TRUE(hmac_style.ok());
  EXPECT_EQ(hmac_style->status, 401);
  EXPECT_EQ(Json::parse(hmac_style->body)["error"]["code"], "bad_signature");

  const std::string old_stamp = std::to_string(
      std::chrono::floor<seconds>(Now() - std::chrono::hours(1)).time_since_epoch().count());
  auto stale = PostAsPortal(portal, refused_body,
                            CmsSignature(old_stamp, refused_body, "portal.pem", "portal.key"),
                            old_stamp);
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->status, 401);
  EXPECT_EQ(Json::parse(stale->body)["error"]["code"], "stale_timestamp");

  const std::string body = AgencyCreate("x-good", "sgood").dump();
  const std::string good = CmsSignature(stamp, body, "portal.pem", "portal.key");
  auto accepted = PostAsPortal(portal, body, good, stamp);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->status, 202) << accepted->body;
  auto replayed = PostAsPortal(portal, body, good, stamp);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->status, 401);
  EXPECT_EQ(Json::parse(replayed->body)["error"]["code"], "replayed");

  EXPECT_TRUE(PollUntil(seconds(60), [&] { return Read(AgencyDn("sgood")).has_value(); }))
      << daemon_->LogTail();
  // Events are applied in order: none of the refused requests got in before it.
  EXPECT_FALSE(Read(AgencyDn("sbad")));
}

}  // namespace
}  // namespace danhba::e2e
