// The public lookup of the real `danhba run` (managed slapd), end to end:
// events posted to the ingest API show in the public API; nothing private ever
// does, on any endpoint; people who leave disappear; hostile queries get clean
// answers; only GET and HEAD; a burst from one client is limited. Then
// `danhba serve` follows the same directory as a second API node.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "daemon.h"
#include "danhba/ldap/connection.h"
#include "e2e_test_util.h"
#include "support/http_client.h"

namespace danhba::e2e {

using support::HttpClient;
using support::HttpReply;
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Json = nlohmann::json;

const std::string kDecision = R"("decision":{"number":"8/QĐ-SNV","date":"2026-02-01","issuer":"Sở Nội vụ"})";

std::string AgencyCreate(const std::string& id, const std::string& code, const std::string& name,
                         const std::string& parent) {
  return R"({"id":")" + id + R"(","type":"agency.create",)" + kDecision + R"(,"agency":{"code":")" + code +
         R"(","name":")" + name + R"(","parent":)" + (parent.empty() ? "null" : "\"" + parent + "\"") + "}}";
}

std::string Hire(const std::string& id, const std::string& person, const std::string& name, const std::string& agency,
                 const std::string& title) {
  return R"({"id":")" + id + R"(","type":"hire",)" + kDecision + R"(,"person":{"id":")" + person +
         R"(","full_name":")" + name + R"(","birth_date":"1977-07-07","title":")" + title +
         R"(","phone":"0251 3822 111","agency":")" + agency + R"("}})";
}

std::string Leave(const std::string& id, const std::string& person) {
  return R"({"id":")" + id + R"(","type":"leave",)" + kDecision + R"(,"person":{"id":")" + person + R"("}})";
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

class PublicLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Make("danhba-lookup");
    ASSERT_TRUE(dir.ok()) << dir.error().detail;
    dir_.emplace(std::move(dir).value());
    DaemonOptions options;
    options.binary = DANHBA_BINARY;
    options.dir = dir_->path();
    options.public_api_yaml =
        "  rate_limit: 20\n  rate_burst: 60\n  cors_origins: [\"https://stttt.dongnai.gov.vn\"]\n";
    auto daemon = Daemon::Create(options);
    ASSERT_TRUE(daemon.ok()) << daemon.error().detail;
    daemon_ = std::move(daemon).value();
    auto token = daemon_->AddSender("hr");
    ASSERT_TRUE(token.ok()) << token.error().detail;
    ASSERT_TRUE(daemon_->Start().ok());
    ASSERT_TRUE(daemon_->WaitReady(seconds(60)).ok()) << daemon_->LogTail();
    ingest_.emplace("127.0.0.1", daemon_->ingest_port());
    ingest_->SetBearerToken(*token);
    api_.emplace("127.0.0.1", daemon_->public_port());
  }

  void Post(const std::string& event) {
    auto reply = ingest_->PostJson("/api/v1/events", event);
    ASSERT_TRUE(reply.ok()) << reply.error().detail;
    ASSERT_EQ(reply->status, 202) << reply->body;
  }

  HttpReply Get(const std::string& target) {
    auto reply = api_->Get(target);
    EXPECT_TRUE(reply.ok()) << target << ": " << (reply.ok() ? "" : reply.error().detail);
    return reply.ok() ? std::move(reply).value() : HttpReply{};
  }

  // danhba_readmodel_generation from /metrics.
  std::uint64_t Generation() {
    auto r = api_->Get("/metrics");
    if (!r.ok()) return 0;
    std::smatch m;
    if (!std::regex_search(r->body, m, std::regex("\ndanhba_readmodel_generation ([0-9]+)"))) return 0;
    return std::stoull(m[1]);
  }

  std::optional<TempDir> dir_;
  std::unique_ptr<Daemon> daemon_;
  std::optional<HttpClient> ingest_;
  std::optional<HttpClient> api_;
};

TEST_F(PublicLookupTest, PublishesWhatThePolicyAllowsAndNothingElse) {
  Post(AgencyCreate("a-1", "stttt", "Sở Thông tin và Truyền thông", ""));
  Post(AgencyCreate("a-2", "pcntt", "Phòng Công nghệ thông tin", "stttt"));
  Post(Hire("h-1", "CB-PRIVATE-001", "Nguyễn Văn An", "stttt", "Giám đốc"));
  Post(Hire("h-2", "CB-PRIVATE-002", "Lê Thị Tuyết", "pcntt", "Chuyên viên"));
  Post(Hire("h-3", "CB-PRIVATE-003", "Trần Văn Bền", "stttt", "Chuyên viên"));
  ASSERT_TRUE(PollUntil(seconds(60), [&] {
    auto r = api_->Get("/api/v1/agencies/stttt/people?sub_units=true");
    return r.ok() && r->status == 200 && Json::parse(r->body)["total"] == 3;
  })) << daemon_->LogTail();

  // Planted in the directory by the operator: attributes the policy never publishes.
  std::uint64_t generation_before = Generation();
  auto password = daemon_->OperatorPassword();
  ASSERT_TRUE(password.ok());
  auto op = ldap::Connection::Open({.url = daemon_->ldap_url(),
                                    .network_timeout = seconds(5),
                                    .operation_timeout = seconds(10),
                                    .tls_ca_file = {},
                                    .tls_verify_peer = true},
                                   ldap::Credentials::Simple(daemon_->operator_dn(), *password));
  ASSERT_TRUE(op.ok()) << op.error().detail;
  auto planted = op->Modify("uid=annv,ou=people,dc=dongnai,dc=gov,dc=vn",
                            {ldap::Modification::Replace("homePhone", {"0909 PRIVATE 99"}),
                             ldap::Modification::Replace("employeeNumber", {"EMP-PRIVATE-42"}),
                             ldap::Modification::Replace("description", {"PRIVATE NOTE"})});
  ASSERT_TRUE(planted.ok()) << planted.error().detail;
  // The modification reaches the read model as a new snapshot.
  ASSERT_TRUE(PollUntil(seconds(10), [&] { return Generation() > generation_before; }));

  auto annv = Json::parse(Get("/api/v1/people/annv").body);
  EXPECT_EQ(annv["full_name"], "Nguyễn Văn An");
  EXPECT_EQ(annv["agency"]["name"], "Sở Thông tin và Truyền thông");
  EXPECT_EQ(annv["phone"], "0251 3822 111");
  auto found = Json::parse(Get("/api/v1/people?q=le%20thi%20tuyet").body);
  ASSERT_EQ(found["total"], 1);
  EXPECT_EQ(found["items"][0]["uid"], "tuyetlt");

  const std::vector<std::string> endpoints = {
      "/", "/?q=an", "/?q=nguyen", "/?lang=en&q=tuyet", "/agency/stttt", "/agency/stttt?sub_units=true",
      "/agency/pcntt", "/person/annv", "/person/tuyetlt", "/api/v1/people", "/api/v1/people?q=an",
      "/api/v1/people?per_page=500", "/api/v1/people?agency=stttt&sub_units=true", "/api/v1/people/annv",
      "/api/v1/people/annv@dongnai.gov.vn", "/api/v1/people/annv.vcf", "/api/v1/people/tuyetlt.vcf",
      "/api/v1/agencies", "/api/v1/agencies/stttt", "/api/v1/agencies/pcntt", "/api/v1/agencies/stttt/people",
      "/api/v1/agencies/stttt/people?sub_units=true", "/api/v1/agencies/stttt/people.vcf?sub_units=true",
      "/api/v1/agencies/stttt/people.csv?sub_units=true", "/embed.js", "/assets/app.js", "/healthz", "/readyz",
      "/metrics"};
  for (const auto& target : endpoints) {
    auto r = Get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    for (const char* secret : {"PRIVATE", "1977", "userPassword", "SSHA", "danhbaPersonId"}) {
      EXPECT_EQ(r.body.find(secret), std::string::npos) << secret << " in " << target;
    }
    for (const auto& [name, value] : r.headers) {
      EXPECT_EQ(value.find("PRIVATE"), std::string::npos) << name << " of " << target;
    }
  }

  // Leaving: the person disappears from every answer.
  Post(Leave("l-1", "CB-PRIVATE-003"));
  ASSERT_TRUE(PollUntil(seconds(30), [&] {
    auto r = api_->Get("/api/v1/people/bentv");
    return r.ok() && r->status == 404;
  })) << "a person who left is still published";
  EXPECT_EQ(Json::parse(Get("/api/v1/agencies/stttt/people").body)["total"], 1);
  EXPECT_EQ(Get("/agency/stttt").body.find("Trần Văn Bền"), std::string::npos);
  EXPECT_EQ(Json::parse(Get("/api/v1/people?q=ben").body)["total"], 0);
}

TEST_F(PublicLookupTest, HostileRequestsGetCleanAnswers) {
  std::size_t log_before = ReadAll(daemon_->log_file()).size();
  for (const char* target :
       {"/api/v1/people?q=*)(uid=*", "/api/v1/people?q=%2A%29%28uid%3D%2A%29", "/api/v1/people?q=%00",
        "/api/v1/people?q=an%00nv", "/api/v1/people?q=%FF%FE%FD", "/api/v1/people?q=%C3%28", "/api/v1/people?q=%",
        "/api/v1/people?page=-1", "/api/v1/people?per_page=99999999999", "/api/v1/people/*",
        "/api/v1/people/..%2F..%2Fetc%2Fpasswd", "/api/v1/agencies/%00", "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/agency/%3Cscript%3E", "/person/*)(uid=*"}) {
    auto r = Get(target);
    EXPECT_TRUE(r.status == 200 || r.status == 400 || r.status == 404) << target << " -> " << r.status;
    if (r.headers["content-type"].starts_with("application/json")) {
      auto body = Json::parse(r.body, nullptr, false);
      ASSERT_FALSE(body.is_discarded()) << target;
      EXPECT_TRUE(body.contains("items") || body.contains("error") || body.contains("uid")) << target;
    }
    EXPECT_EQ(r.body.find("<script>alert"), std::string::npos) << target;
  }
  auto long_query = Get("/api/v1/people?q=" + std::string(4000, 'a'));
  EXPECT_EQ(long_query.status, 400);
  EXPECT_EQ(Json::parse(long_query.body)["error"]["code"], "invalid_parameter");
  // Headers past the server's limit are refused, not processed.
  HttpClient raw("127.0.0.1", daemon_->public_port());
  auto huge = raw.Get("/api/v1/people?q=" + std::string(20000, 'b'));
  if (huge.ok()) {
    EXPECT_EQ(huge->status, 431);
  }

  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    auto r = api_->Request(method, "/api/v1/people", "{}", "application/json");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 405) << method;
    EXPECT_EQ(r->headers["allow"], "GET, HEAD");
  }
  std::string log = ReadAll(daemon_->log_file()).substr(log_before);
  EXPECT_EQ(log.find("handler failed"), std::string::npos) << log;
  EXPECT_EQ(log.find("[error]"), std::string::npos) << log;
}

TEST_F(PublicLookupTest, CachingHeadersAndABurstFromOneClientIsLimited) {
  auto first = Get("/api/v1/agencies");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.headers["content-type"], "application/json; charset=utf-8");
  ASSERT_FALSE(first.headers["etag"].empty());
  EXPECT_EQ(first.headers["cache-control"], "public, max-age=60");

  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 200 && limited == 0; ++i) {
    auto r = api_->Get("/api/v1/people?q=an");
    ASSERT_TRUE(r.ok());
    if (r->status == 429) {
      ++limited;
      retry_after = r->headers["retry-after"];
      EXPECT_EQ(Json::parse(r->body)["error"]["code"], "rate_limited");
    }
  }
  EXPECT_EQ(limited, 1) << "200 requests at once from one client were all served";
  EXPECT_FALSE(retry_after.empty());
  EXPECT_EQ(Get("/readyz").status, 200) << "monitoring is not rate limited";
  auto metrics = Get("/metrics").body;
  EXPECT_NE(metrics.find("status=\"429\""), std::string::npos);
  EXPECT_NE(metrics.find("danhba_readmodel_connected 1"), std::string::npos);
}

TEST_F(PublicLookupTest, ServeFollowsTheSameDirectoryAsASecondNode) {
  Post(AgencyCreate("a-1", "snv", "Sở Nội vụ", ""));
  Post(Hire("h-1", "CB-PRIVATE-101", "Đỗ Thị Mai", "snv", "Chuyên viên"));
  ASSERT_TRUE(PollUntil(seconds(60), [&] {
    auto r = api_->Get("/api/v1/people/maidt");
    return r.ok() && r->status == 200;
  }));
  auto port = FreePort();
  ASSERT_TRUE(port.ok());
  std::string yaml = ReadAll(daemon_->config_file());
  yaml = std::regex_replace(yaml, std::regex("listen: 127\\.0\\.0\\.1:" + std::to_string(daemon_->public_port())),
                            "listen: 127.0.0.1:" + std::to_string(*port));
  auto serve_config = dir_->path() / "serve.yaml";
  std::ofstream(serve_config) << yaml;
  ChildProcess serve;
  ASSERT_TRUE(serve.Start({DANHBA_BINARY, "serve", "--config", serve_config.string()}, dir_->path() / "serve.log").ok());
  HttpClient node("127.0.0.1", *port, seconds(2));
  ASSERT_TRUE(PollUntil(seconds(30), [&] {
    auto r = node.Get("/readyz");
    return r.ok() && r->status == 200;
  })) << ReadAll(dir_->path() / "serve.log");
  auto mai = node.Get("/api/v1/people/maidt");
  ASSERT_TRUE(mai.ok());
  EXPECT_EQ(mai->status, 200);
  Post(Hire("h-2", "CB-PRIVATE-102", "Võ Văn Kiệt", "snv", "Chuyên viên"));
  EXPECT_TRUE(PollUntil(seconds(60), [&] {
    auto r = node.Get("/api/v1/people?q=vo%20van%20kiet");
    return r.ok() && r->status == 200 && Json::parse(r->body)["total"] == 1;
  }));
  auto stopped = serve.Stop(seconds(20));
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(*stopped, 0) << ReadAll(dir_->path() / "serve.log");
}

}  // namespace
}  // namespace danhba::e2e
