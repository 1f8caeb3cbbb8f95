// The public lookup as a pure function of (request, snapshot, sync state), and
// PublicApi's rate limit and metrics; no sockets.
#include "danhba/api/public_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unit/readmodel/test_entries.h"

namespace danhba::api {
namespace {

using readmodel::testing::AgencyLdap;
using readmodel::testing::PersonLdap;
using Json = nlohmann::json;

constexpr std::string_view kSecretId = "CB-SECRET-4711";
constexpr std::string_view kSecretBirth = "19770707000000Z";

class PublicApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = text::Collator::Vietnamese();
    ASSERT_TRUE(made.ok());
    collator_.emplace(std::move(made).value());
    readmodel::EntryContext context{.domain = "dongnai.gov.vn",
                                    .people_dn = "ou=people,dc=dongnai,dc=gov,dc=vn",
                                    .agencies_dn = "ou=agencies,dc=dongnai,dc=gov,dc=vn",
                                    .publish = {},
                                    .collator = &*collator_};
    std::vector<readmodel::AgencyEntry> agencies;
    for (const auto& e : {AgencyLdap("ubnd", "Ủy ban nhân dân tỉnh", ""),
                          AgencyLdap("stttt", "Sở Thông tin và Truyền thông", "ubnd", "annv"),
                          AgencyLdap("pcntt", "Phòng <Công nghệ> & \"Thông tin\"", "stttt")}) {
      agencies.push_back(*readmodel::MakeAgency(e, context));
    }
    std::vector<std::shared_ptr<const readmodel::PersonEntry>> people;
    for (auto e : {PersonLdap("annv", "Nguyễn Văn An", "Nguyễn", "An", "stttt", "Giám đốc"),
                   PersonLdap("tuyetlt", "Lê Thị Tuyết", "Lê", "Tuyết", "stttt", "Chuyên viên, pháp chế"),
                   PersonLdap("binhtt", "Tôn Thất Bình", "Tôn Thất", "Bình", "pcntt", "=cmd|' /C calc'!A0")}) {
      e.Set("danhbaPersonId", {std::string(kSecretId)});
      e.Set("danhbaBirthDate", {std::string(kSecretBirth)});
      people.push_back(*readmodel::MakePerson(e, context));
    }
    snapshot_ = readmodel::Snapshot::Build(std::move(people), std::move(agencies), 1, {});
    state_.sync.loaded = true;
    state_.sync.connected = true;
    options_.cors_origins = {"https://portal.example.org", "https://*.dongnai.gov.vn"};
  }

  http::Response Get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto request = http::Request::Make("GET", std::move(target));
    for (auto& [name, value] : headers) request.headers.Add(name, value);
    return Answer(request, *snapshot_, state_, options_);
  }

  std::optional<text::Collator> collator_;
  std::shared_ptr<const readmodel::Snapshot> snapshot_;
  ReadState state_;
  PublicApiOptions options_;
};

std::vector<std::string> UidsOf(const Json& listing) {
  std::vector<std::string> out;
  for (const auto& item : listing["items"]) out.push_back(item["uid"]);
  return out;
}

TEST_F(PublicApiTest, SearchesPeopleWithPagingAndCharset) {
  auto r = Get("/api/v1/people?q=tuyet");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  auto body = Json::parse(r.body);
  EXPECT_EQ(UidsOf(body), std::vector<std::string>{"tuyetlt"});
  EXPECT_EQ(body["total"], 1);
  EXPECT_EQ(body["page"], 1);
  EXPECT_EQ(body["per_page"], 20);
  EXPECT_EQ(body["items"][0]["agency"]["name"], "Sở Thông tin và Truyền thông");

  body = Json::parse(Get("/api/v1/people?per_page=2&page=2").body);
  EXPECT_EQ(body["total"], 3);
  EXPECT_EQ(UidsOf(body), std::vector<std::string>{"tuyetlt"});  // An, Bình | Tuyết
  body = Json::parse(Get("/api/v1/people?per_page=1000000").body);
  EXPECT_EQ(body["per_page"], 500);  // the hard cap
  body = Json::parse(Get("/api/v1/people?page=99").body);
  EXPECT_TRUE(body["items"].empty());
  EXPECT_EQ(body["total"], 3);
}

TEST_F(PublicApiTest, BadParametersAreCleanErrors) {
  for (const char* target : {"/api/v1/people?page=0", "/api/v1/people?page=abc", "/api/v1/people?per_page=-1",
                             "/api/v1/people?sub_units=maybe", "/api/v1/people?q=%00", "/api/v1/people?q=%FF%FE",
                             "/api/v1/people?q=an%0Anv"}) {
    auto r = Get(target);
    EXPECT_EQ(r.status, 400) << target;
    auto body = Json::parse(r.body);
    EXPECT_EQ(body["error"]["code"], "invalid_parameter") << target;
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
  }
  auto r = Get("/api/v1/people?q=" + std::string(5000, 'a'));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("longer than"), std::string::npos);
  r = Get("/api/v1/people?agency=nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "not_found");
}

TEST_F(PublicApiTest, InjectionLookingQueriesFindNothing) {
  for (const char* q : {"*)(uid=*", "%2A%29%28uid%3D%2A", "*", ")(|(objectClass=*)", "'; DROP TABLE people; --"}) {
    auto r = Get(std::string("/api/v1/people?q=") + q);
    ASSERT_EQ(r.status, 200) << q;
    EXPECT_EQ(Json::parse(r.body)["total"], 0) << q;
  }
}

TEST_F(PublicApiTest, OnePersonAgenciesAndListings) {
  auto r = Get("/api/v1/people/annv");
  ASSERT_EQ(r.status, 200);
  auto person = Json::parse(r.body);
  EXPECT_EQ(person["email"], "annv@dongnai.gov.vn");
  EXPECT_EQ(person["middle_names"], Json::array({"Văn"}));
  EXPECT_EQ(Get("/api/v1/people/annv@dongnai.gov.vn").status, 200);
  r = Get("/api/v1/people/nobody");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "not_found");

  auto agencies = Json::parse(Get("/api/v1/agencies").body);
  EXPECT_EQ(agencies["total"], 3);
  auto stttt = Json::parse(Get("/api/v1/agencies/stttt").body);
  EXPECT_EQ(stttt["parent"], "ubnd");
  EXPECT_EQ(stttt["head_uid"], "annv");
  EXPECT_EQ(stttt["email"], "stttt@dongnai.gov.vn");
  EXPECT_EQ(Get("/api/v1/agencies/nope").status, 404);
  EXPECT_EQ(Get("/api/v1/agencies/nope/people").status, 404);

  EXPECT_EQ(UidsOf(Json::parse(Get("/api/v1/agencies/stttt/people").body)),
            (std::vector<std::string>{"annv", "tuyetlt"}));
  EXPECT_EQ(UidsOf(Json::parse(Get("/api/v1/agencies/stttt/people?sub_units=true").body)),
            (std::vector<std::string>{"annv", "binhtt", "tuyetlt"}));
  EXPECT_EQ(UidsOf(Json::parse(Get("/api/v1/people?agency=ubnd&sub_units=true&q=binh").body)),
            (std::vector<std::string>{"binhtt"}));
}

TEST_F(PublicApiTest, VcardAndCsv) {
  auto r = Get("/api/v1/people/annv.vcf");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/vcard; charset=utf-8");
  EXPECT_TRUE(r.body.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n")) << r.body;
  EXPECT_NE(r.body.find("FN:Nguyễn Văn An\r\n"), std::string::npos);
  EXPECT_NE(r.body.find("N:Nguyễn;An;Văn;;\r\n"), std::string::npos);
  EXPECT_NE(r.body.find("EMAIL;TYPE=work:annv@dongnai.gov.vn\r\n"), std::string::npos);
  EXPECT_NE(r.body.find("ORG:Sở Thông tin và Truyền thông\r\n"), std::string::npos);
  EXPECT_TRUE(r.body.ends_with("END:VCARD\r\n"));

  r = Get("/api/v1/agencies/stttt/people.vcf?sub_units=true");
  ASSERT_EQ(r.status, 200);
  std::size_t cards = 0;
  for (auto at = r.body.find("BEGIN:VCARD"); at != std::string::npos; at = r.body.find("BEGIN:VCARD", at + 1)) ++cards;
  EXPECT_EQ(cards, 3u);
  EXPECT_NE(r.body.find("TITLE:Chuyên viên\\, pháp chế"), std::string::npos);  // RFC 6350 escaping
  for (std::size_t start = 0, end; (end = r.body.find("\r\n", start)) != std::string::npos; start = end + 2) {
    EXPECT_LE(end - start, 75u);  // folded
  }

  r = Get("/api/v1/agencies/stttt/people.csv?sub_units=true");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8; header=present");
  EXPECT_TRUE(r.body.starts_with("\xEF\xBB\xBFuid,email,full_name,"));
  EXPECT_NE(r.body.find("tuyetlt,tuyetlt@dongnai.gov.vn,Lê Thị Tuyết,Lê,Thị,Tuyết,\"Chuyên viên, pháp chế\",stttt"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\"'=cmd|' /C calc'!A0\""), std::string::npos);  // no formula for spreadsheets
  EXPECT_NE(r.headers.Get("Content-Disposition")->find("stttt.csv"), std::string_view::npos);
}

TEST_F(PublicApiTest, OnlyGetAndHead) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    auto r = Answer(http::Request::Make(method, "/api/v1/people"), *snapshot_, state_, options_);
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.headers.Get("Allow"), "GET, HEAD");
    EXPECT_EQ(Json::parse(r.body)["error"]["code"], "method_not_allowed");
  }
  auto head = Answer(http::Request::Make("HEAD", "/api/v1/people/annv"), *snapshot_, state_, options_);
  EXPECT_EQ(head.status, 200);
}

TEST_F(PublicApiTest, ETagAnswers304AndCacheControl) {
  auto r = Get("/api/v1/people/annv");
  auto etag = r.headers.Get("ETag");
  ASSERT_TRUE(etag);
  EXPECT_EQ(r.headers.Get("Cache-Control"), "public, max-age=60");
  auto again = Get("/api/v1/people/annv", {{"If-None-Match", std::string(*etag)}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.headers.Get("ETag"), *etag);
  EXPECT_EQ(Get("/api/v1/people/annv", {{"If-None-Match", "W/" + std::string(*etag) + ", \"x\""}}).status, 304);
  EXPECT_EQ(Get("/api/v1/people/annv", {{"If-None-Match", "\"other\""}}).status, 200);
  EXPECT_NE(Get("/api/v1/people/tuyetlt").headers.Get("ETag"), etag);
  EXPECT_EQ(Get("/healthz").headers.Get("Cache-Control"), "no-store");
}

TEST_F(PublicApiTest, CorsForAllowedOriginsOnly) {
  auto r = Get("/api/v1/agencies", {{"Origin", "https://portal.example.org"}});
  EXPECT_EQ(r.headers.Get("Access-Control-Allow-Origin"), "https://portal.example.org");
  r = Get("/api/v1/agencies", {{"Origin", "https://stttt.dongnai.gov.vn"}});
  EXPECT_EQ(r.headers.Get("Access-Control-Allow-Origin"), "https://stttt.dongnai.gov.vn");
  for (const char* origin : {"https://evil.example.org", "http://stttt.dongnai.gov.vn", "https://dongnai.gov.vn.evil.org",
                             "https://evil.org/.dongnai.gov.vn"}) {
    EXPECT_FALSE(Get("/api/v1/agencies", {{"Origin", origin}}).headers.Get("Access-Control-Allow-Origin")) << origin;
  }
  EXPECT_EQ(Get("/api/v1/agencies").headers.Get("Vary"), "Origin");
}

TEST_F(PublicApiTest, ReadinessFollowsTheSyncState) {
  EXPECT_EQ(Get("/readyz").status, 200);
  EXPECT_EQ(Get("/healthz").status, 200);
  state_.sync.connected = false;
  auto r = Get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "stale");
  EXPECT_EQ(Get("/api/v1/people/annv").status, 200);  // the last snapshot is still served
  state_.sync.loaded = false;
  EXPECT_EQ(Json::parse(Get("/readyz").body)["error"]["code"], "not_ready");
}

TEST_F(PublicApiTest, NoPrivateAttributeOnAnyEndpoint) {
  for (const char* target :
       {"/", "/?q=an", "/?q=nguyen", "/agency/stttt", "/agency/stttt?sub_units=true", "/agency/ubnd", "/person/annv",
        "/api/v1/people", "/api/v1/people?q=an", "/api/v1/people/annv", "/api/v1/people/annv.vcf",
        "/api/v1/agencies", "/api/v1/agencies/stttt", "/api/v1/agencies/stttt/people",
        "/api/v1/agencies/ubnd/people.vcf?sub_units=true", "/api/v1/agencies/ubnd/people.csv?sub_units=true"}) {
    auto r = Get(target);
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.body.find(kSecretId), std::string::npos) << target;
    EXPECT_EQ(r.body.find("1977"), std::string::npos) << target;
  }
}

TEST_F(PublicApiTest, WebPagesAreServerRenderedAndEscaped) {
  auto r = Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<html lang=\"vi\">"), std::string::npos);
  EXPECT_NE(r.body.find("Sở Thông tin và Truyền thông"), std::string::npos);
  EXPECT_NE(r.body.find("<label for=\"q\">"), std::string::npos);
  // The agency tree: pcntt nested under stttt under ubnd.
  auto ubnd = r.body.find("/agency/ubnd"), stttt = r.body.find("/agency/stttt"), pcntt = r.body.find("/agency/pcntt");
  EXPECT_LT(ubnd, stttt);
  EXPECT_LT(stttt, pcntt);
  EXPECT_NE(r.body.find("Phòng &lt;Công nghệ&gt; &amp; &quot;Thông tin&quot;"), std::string::npos);
  EXPECT_EQ(r.body.find("<Công nghệ>"), std::string::npos);

  r = Get("/?q=tuyet&lang=en");
  EXPECT_NE(r.body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(r.body.find("Lê Thị Tuyết"), std::string::npos);
  EXPECT_NE(r.body.find("mailto:tuyetlt@dongnai.gov.vn"), std::string::npos);
  EXPECT_EQ(Get("/?q=%3Cscript%3E").body.find("<script>"), std::string::npos);

  r = Get("/agency/stttt?sub_units=true");
  ASSERT_EQ(r.status, 200);
  auto an = r.body.find("Nguyễn Văn An"), binh = r.body.find("Tôn Thất Bình"), tuyet = r.body.find("Lê Thị Tuyết");
  EXPECT_LT(an, binh);
  EXPECT_LT(binh, tuyet);
  EXPECT_NE(r.body.find("tel:02513822000"), std::string::npos);
  EXPECT_NE(r.body.find("people.vcf"), std::string::npos);

  r = Get("/person/annv");
  EXPECT_NE(r.body.find("/api/v1/people/annv.vcf"), std::string::npos);
  EXPECT_EQ(Get("/person/nobody").status, 404);
  EXPECT_EQ(Get("/no/such/page").status, 404);
  EXPECT_EQ(Get("/embed.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/assets/app.css").status, 200);
  EXPECT_EQ(Get("/assets/nope.js").status, 404);
}

TEST(PublicApiRoutes, LabelsAreFew) {
  EXPECT_EQ(RouteLabel("/api/v1/people/annv"), "/api/v1/people/{uid}");
  EXPECT_EQ(RouteLabel("/api/v1/people/annv.vcf"), "/api/v1/people/{uid}.vcf");
  EXPECT_EQ(RouteLabel("/api/v1/agencies/stttt/people.csv"), "/api/v1/agencies/{code}/people.csv");
  EXPECT_EQ(RouteLabel("/wp-admin/x.php"), "other");
}

TEST_F(PublicApiTest, RateLimitPerClientAndMetrics) {
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  options_.rate_limit = 1;
  options_.rate_burst = 3;
  PublicApi api(
      options_, [this] { return snapshot_; }, [this] { return state_.sync; }, [&now] { return now; });
  auto request = http::Request::Make("GET", "/api/v1/people?q=an");
  request.remote_address = "192.0.2.1";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(api.Handle(request).status, 200);
  auto limited = api.Handle(request);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers.Get("Retry-After"), "1");
  EXPECT_EQ(Json::parse(limited.body)["error"]["code"], "rate_limited");
  auto other = request;
  other.remote_address = "192.0.2.2";
  EXPECT_EQ(api.Handle(other).status, 200);  // per client
  EXPECT_EQ(api.Handle(http::Request::Make("GET", "/readyz")).status, 200);  // monitoring is not limited
  now += std::chrono::seconds(1);
  EXPECT_EQ(api.Handle(request).status, 200);

  auto metrics = api.Handle(http::Request::Make("GET", "/metrics"));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("danhba_public_requests_total{route=\"/api/v1/people\",status=\"200\"} 5"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("danhba_public_requests_total{route=\"/api/v1/people\",status=\"429\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("danhba_public_request_duration_seconds_count{route=\"/api/v1/people\"} 6"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("danhba_readmodel_people 3"), std::string::npos);
  EXPECT_NE(metrics.body.find("danhba_readmodel_connected 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("danhba_public_rate_limited_total 1"), std::string::npos);
}

}  // namespace
}  // namespace danhba::api
