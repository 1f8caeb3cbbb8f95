// Every event type end to end: posted to a real `danhba run`, applied to a real
// slapd, reported by GET /api/v1/events/{id}, and visible in the tree.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon.h"
#include "danhba/ldap/connection.h"
#include "danhba/ldap/entry.h"
#include "danhba/slapd/instance.h"
#include "e2e_test_util.h"
#include "support/http_client.h"

namespace danhba::e2e {

using support::HttpClient;
namespace {

using std::chrono::seconds;
using Json = nlohmann::json;

const std::string kDecision =
    R"("decision":{"number":"21/QĐ-UBND","date":"2026-03-02","issuer":"UBND tỉnh Đồng Nai"})";

std::string Event(const std::string& id, const std::string& type, const std::string& fields) {
  return R"({"id":")" + id + R"(","type":")" + type + R"(",)" + kDecision + "," + fields + "}";
}

std::string Person(const std::string& fields) { return R"("person":{)" + fields + "}"; }
std::string Agency(const std::string& fields) { return R"("agency":{)" + fields + "}"; }

class EventTypes : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Make("danhba-event-types");
    ASSERT_TRUE(dir.ok()) << dir.error().detail;
    dir_.emplace(std::move(dir).value());
    auto created = CreateDaemonOnOwnSlapd(DANHBA_BINARY, dir_->path());
    ASSERT_TRUE(created.ok()) << created.error().detail;
    slapd_ = std::move(created->slapd);
    daemon_ = std::move(created->daemon);
    const auto& sync_account = slapd_->account(slapd::ServiceAccount::kSync);
    auto token = daemon_->AddSender("hr-snv");
    ASSERT_TRUE(token.ok()) << token.error().detail;
    ASSERT_TRUE(daemon_->Start().ok());
    ASSERT_TRUE(daemon_->WaitReady(seconds(60)).ok()) << daemon_->LogTail();
    client_.emplace("127.0.0.1", daemon_->ingest_port());
    client_->SetBearerToken(*token);

    ldap::ConnectOptions connect;
    connect.url = slapd_->url();
    auto reader = ldap::Connection::Open(
        connect, ldap::Credentials::Simple(sync_account.dn, sync_account.password));
    ASSERT_TRUE(reader.ok()) << reader.error().detail;
    reader_.emplace(std::move(reader).value());
  }

  // Posts the events (in order, one request) and waits until each is applied;
  // returns each event's GET answer.
  std::vector<Json> PostAndApply(const std::vector<std::pair<std::string, std::string>>& events) {
    std::string body = "[";
    for (const auto& [id, json] : events) body += (body.size() > 1 ? "," : "") + json;
    body += "]";
    auto posted = client_->PostJson("/api/v1/events", body);
    EXPECT_TRUE(posted.ok()) << posted.error().detail;
    if (!posted.ok()) return {};
    EXPECT_EQ(posted->status, 202) << posted->body;
    std::vector<Json> answers;
    for (const auto& [id, json] : events) {
      Json last;
      bool applied = PollUntil(seconds(60), [&] {
        auto reply = client_->Get("/api/v1/events/" + id);
        if (!reply.ok() || reply->status != 200) return false;
        last = Json::parse(reply->body);
        return last.value("status", "") == "applied" || last.value("status", "") == "rejected";
      });
      EXPECT_TRUE(applied) << id << " " << last.dump() << daemon_->LogTail();
      EXPECT_EQ(last.value("status", ""), "applied") << id << " " << last.dump();
      answers.push_back(last);
    }
    return answers;
  }

  std::optional<ldap::Entry> Read(const std::string& dn) {
    auto read = reader_->Read(dn);
    EXPECT_TRUE(read.ok()) << read.error().detail;
    return read.ok() ? *read : std::nullopt;
  }
  std::string PersonDn(const std::string& uid, bool former = false) const {
    return "uid=" + uid + (former ? ",ou=former," : ",ou=people,") + slapd_->base_dn();
  }
  std::string AgencyDn(const std::string& code) const {
    return "ou=" + code + ",ou=agencies," + slapd_->base_dn();
  }

  std::optional<TempDir> dir_;
  std::unique_ptr<slapd::Instance> slapd_;
  std::unique_ptr<Daemon> daemon_;
  std::optional<HttpClient> client_;
  std::optional<ldap::Connection> reader_;
};

TEST_F(EventTypes, EachTypeIsAppliedThroughTheIngestApi) {
  PostAndApply({
      {"c-1", Event("c-1", "agency.create",
                    Agency(R"("code":"stttt","name":"Sở Thông tin và Truyền thông")"))},
      {"c-2", Event("c-2", "agency.create",
                    Agency(R"("code":"skhcn","name":"Sở Khoa học và Công nghệ")"))},
      {"c-3",
       Event("c-3", "agency.create", Agency(R"("code":"sgtvt","name":"Sở Giao thông Vận tải")"))},
      {"h-1",
       Event("h-1", "hire", Person(R"("id":"CB1","full_name":"Nguyễn Văn An","agency":"stttt")"))},
      {"h-2",
       Event("h-2", "hire", Person(R"("id":"CB2","full_name":"Trần Thị Bình","agency":"skhcn")"))},
      {"h-3",
       Event("h-3", "hire", Person(R"("id":"CB3","full_name":"Lê Văn Cường","agency":"sgtvt")"))},
  });
  auto answers = PostAndApply({
      {"t-1", Event("t-1", "transfer",
                    Person(R"("id":"CB1","title":"Trưởng phòng")") + R"(,"to_agency":"skhcn")")},
      {"u-1", Event("u-1", "update", Person(R"("id":"CB2","phone":"0251 3822 111")"))},
      {"u-2", Event("u-2", "update",
                    Person(R"("id":"CB3","full_name":"Lê Văn Dũng","new_address":true)"))},
      {"d-1",
       Event("d-1", "agency.head", Agency(R"("code":"skhcn","head":"CB1","delegates":["CB2"])"))},
      {"r-1", Event("r-1", "agency.update",
                    Agency(R"("code":"stttt","new_code":"sttdn","name":"Sở TT&TT")"))},
      {"l-1", Event("l-1", "leave", Person(R"("id":"CB2")"))},
      {"m-1", Event("m-1", "agency.merge", Agency(R"("code":"sgtvt")") + R"(,"into":"skhcn")")},
      {"x-1", Event("x-1", "agency.dissolve", Agency(R"("code":"sttdn")"))},
  });
  ASSERT_EQ(answers.size(), 8u);
  EXPECT_NE(answers[2].dump().find("alias=cuonglv@"), std::string::npos) << answers[2].dump();

  // transfer and agency.head
  auto an = Read(PersonDn("annv"));
  ASSERT_TRUE(an);
  EXPECT_EQ(an->First("departmentNumber"), "skhcn");
  EXPECT_EQ(an->First("title"), "Trưởng phòng");
  auto skhcn = Read(AgencyDn("skhcn"));
  ASSERT_TRUE(skhcn);
  EXPECT_TRUE(ldap::EqualsIgnoreCase(skhcn->First("danhbaHeadDN").value_or(""), an->dn));
  // leave: the delegate left, so the entry is in former, without a password
  auto binh = Read(PersonDn("binhtt", true));
  ASSERT_TRUE(binh);
  EXPECT_EQ(binh->First("danhbaStatus"), "left");
  EXPECT_EQ(binh->First("telephoneNumber"), "0251 3822 111");
  EXPECT_FALSE(Read(PersonDn("binhtt")));
  // update with new_address, then merge: the person moved with the staff
  auto dung = Read(PersonDn("dunglv"));
  ASSERT_TRUE(dung);
  EXPECT_EQ(dung->First("mail"), "dunglv@" + daemon_->options().domain);
  EXPECT_TRUE(dung->HasValue("danhbaMailAlias", "cuonglv@" + daemon_->options().domain));
  EXPECT_EQ(dung->First("departmentNumber"), "skhcn");
  EXPECT_TRUE(skhcn->HasValue("danhbaMailAlias", "sgtvt@" + daemon_->options().domain));
  EXPECT_EQ(Read(AgencyDn("sgtvt"))->First("danhbaStatus"), "merged");
  // agency.update with new_code, then agency.dissolve
  EXPECT_FALSE(Read(AgencyDn("stttt")));
  auto renamed = Read(AgencyDn("sttdn"));
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->First("mail"), "sttdn@" + daemon_->options().domain);
  EXPECT_TRUE(renamed->HasValue("danhbaMailAlias", "stttt@" + daemon_->options().domain));
  EXPECT_EQ(renamed->First("displayName"), "Sở TT&TT");
  EXPECT_EQ(renamed->First("danhbaStatus"), "dissolved");
}

}  // namespace
}  // namespace danhba::e2e
