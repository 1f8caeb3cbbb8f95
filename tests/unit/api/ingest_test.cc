// The ingest handlers as pure functions of (request, services): a real journal
// in a temporary directory (through a FaultEnv, to count fsyncs and fail them),
// a fixed list of senders and a settable clock; no sockets.
#include "danhba/api/ingest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "danhba/api/changes.h"
#include "danhba/journal/fault_env.h"
#include "unit/api/test_util.h"

namespace danhba::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using json = nlohmann::json;
using journal::TimePoint;
using testing::HireJson;
using testing::LeaveJson;
using testing::TempDir;

constexpr char kHrToken[] = "token-of-hr-0123456789";
constexpr char kScopedToken[] = "token-of-scoped-0123456789";
constexpr char kSignerToken[] = "token-of-signer-0123456789";
constexpr char kSignerSecret[] = "0123456789abcdef0123456789abcdef0123456789abcdef";

Sender MakeSender(std::string name, std::string_view token, std::vector<std::string> agencies = {},
                  std::string secret = {}) {
  Sender sender;
  sender.name = std::move(name);
  sender.token_sha256 = Sha256Hex(token);
  sender.agencies = std::move(agencies);
  sender.hmac_secret = config::Secret(std::move(secret));
  return sender;
}

TimePoint At(std::string_view date, int hour = 12) {
  return model::ProvinceStartOfDay(*model::Date::Parse(date)) + std::chrono::hours(hour);
}

class IngestTest : public ::testing::Test {
 protected:
  IngestTest() {
    env_.SetNow(now_);
    senders_ = SenderRegistry::Fixed(
        SenderList({MakeSender("hr", kHrToken), MakeSender("scoped", kScopedToken, {"stttt"}),
                    MakeSender("signer", kSignerToken, {}, kSignerSecret)}));
    Reopen();
  }

  void Reopen() {
    service_.reset();
    journal_.reset();
    auto opened = journal::Journal::Open({.dir = (dir_.path() / "journal").string(), .env = &env_});
    ASSERT_TRUE(opened.ok()) << opened.error();
    journal_ = std::move(opened).value();
    MakeService();
  }

  void MakeService() {
    IngestOptions options = options_;
    options.clock = [this] { return now_; };
    IngestServices services;
    services.journal = journal_.get();
    services.senders = senders_.get();
    services.on_appended = [this] { ++notified_; };
    services.person_agency = person_agency_;
    service_ = std::make_unique<IngestService>(std::move(options), std::move(services));
  }

  void SetNow(TimePoint now) {
    now_ = now;
    env_.SetNow(now);
  }

  static http::Request Post(std::string body, std::string_view token = kHrToken) {
    http::Request request = http::Request::Make("POST", "/api/v1/events", std::move(body));
    request.headers.Set("Content-Type", "application/json; charset=utf-8");
    if (!token.empty()) request.headers.Set("Authorization", "Bearer " + std::string(token));
    return request;
  }

  static http::Request Get(std::string_view id, std::string_view token = kHrToken) {
    http::Request request = http::Request::Make("GET", "/api/v1/events/" + std::string(id));
    request.headers.Set("Authorization", "Bearer " + std::string(token));
    return request;
  }

  http::Request Signed(http::Request request, long long timestamp_offset = 0) {
    auto seconds = std::chrono::floor<std::chrono::seconds>(now_).time_since_epoch().count() +
                   timestamp_offset;
    std::string stamp = std::to_string(seconds);
    request.headers.Set("Authorization", std::string("Bearer ") + kSignerToken);
    request.headers.Set(kTimestampHeader, stamp);
    request.headers.Set(kSignatureHeader, SignRequest(kSignerSecret, stamp, request.method,
                                                      request.target, request.body));
    return request;
  }

  static json Body(const http::Response& response) { return json::parse(response.body); }

  std::size_t Journaled() const { return journal_->Count().total(); }

  TempDir dir_;
  journal::FaultEnv env_;
  TimePoint now_ = At("2026-11-28");
  IngestOptions options_;
  PersonAgencyFn person_agency_;
  std::unique_ptr<SenderRegistry> senders_;
  std::unique_ptr<journal::Journal> journal_;
  std::unique_ptr<IngestService> service_;
  int notified_ = 0;
};

TEST_F(IngestTest, OneEventIsJournaledAndFsyncedBeforeThe202) {
  auto syncs = env_.file_syncs();
  http::Response response = service_->Handle(Post(HireJson("hr-1")));
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_GT(env_.file_syncs(), syncs);
  json body = Body(response);
  EXPECT_EQ(body["results"][0], (json{{"id", "hr-1"}, {"status", "queued"}}));
  EXPECT_EQ(body["accepted"], 1);

  auto stored = journal_->Show("hr-1");
  ASSERT_TRUE(stored.ok()) << stored.error();
  EXPECT_EQ(stored->info.sender, "hr");
  EXPECT_EQ(stored->info.state, journal::EventState::kQueued);
  EXPECT_EQ(stored->payload, model::ToJson(*model::ParseEvent(HireJson("hr-1"))));
  EXPECT_EQ(notified_, 1);
  EXPECT_EQ(service_->counters().events_accepted, 1u);
}

TEST_F(IngestTest, FutureEffectiveDateIsScheduledFromMidnightInTheProvince) {
  http::Response response = service_->Handle(Post(HireJson("hr-1", "stttt", "2026-12-01")));
  ASSERT_EQ(response.status, 202) << response.body;
  json result = Body(response)["results"][0];
  EXPECT_EQ(result["status"], "scheduled");
  EXPECT_EQ(result["not_before"], "2026-11-30T17:00:00Z");
  auto info = journal_->Lookup("hr-1");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, journal::EventState::kScheduled);
  EXPECT_THAT(info->not_before, Optional(model::ProvinceStartOfDay(*model::Date::Parse("2026-12-01"))));
}

TEST_F(IngestTest, PastOrTodaysEffectiveDateIsQueued) {
  http::Response response =
      service_->Handle(Post("[" + HireJson("hr-1", "stttt", "2026-11-28") + "," +
                            HireJson("hr-2", "stttt", "2025-01-01") + "]"));
  ASSERT_EQ(response.status, 202) << response.body;
  for (const auto& result : Body(response)["results"]) EXPECT_EQ(result["status"], "queued");
  EXPECT_FALSE(journal_->Lookup("hr-1")->not_before.has_value());
}

TEST_F(IngestTest, InvalidEventGetsItsFieldAndNeverReachesTheJournal) {
  std::string bad = HireJson("hr-1");
  bad.replace(bad.find("1990-05-01"), 10, "1990-13-01");
  http::Response response = service_->Handle(Post(bad));
  ASSERT_EQ(response.status, 400) << response.body;
  json result = Body(response)["results"][0];
  EXPECT_EQ(result["id"], "hr-1");
  EXPECT_EQ(result["status"], "rejected");
  EXPECT_EQ(result["error"]["code"], "invalid_event");
  EXPECT_THAT(result["error"]["message"].get<std::string>(), HasSubstr("person.birth_date"));
  EXPECT_EQ(Journaled(), 0u);
  EXPECT_EQ(notified_, 0);
  EXPECT_EQ(service_->counters().events_invalid, 1u);
}

TEST_F(IngestTest, MixedBatchTakesTheValidOnes) {
  std::string bad =
      R"({"id":"hr-2","type":"transfer","decision":{"number":"1","date":"2026-11-20","issuer":"X"},)"
      R"("person":{"id":"CB1"}})";
  http::Response response = service_->Handle(Post("[" + HireJson("hr-1") + "," + bad + "]"));
  ASSERT_EQ(response.status, 202) << response.body;
  json body = Body(response);
  EXPECT_EQ(body["accepted"], 1);
  EXPECT_EQ(body["rejected"], 1);
  EXPECT_EQ(body["results"][0]["status"], "queued");
  EXPECT_EQ(body["results"][1]["id"], "hr-2");
  EXPECT_EQ(body["results"][1]["status"], "rejected");
  EXPECT_THAT(body["results"][1]["error"]["message"].get<std::string>(),
              HasSubstr("events[1].to_agency"));
  EXPECT_TRUE(journal_->Lookup("hr-1").ok());
  EXPECT_FALSE(journal_->Lookup("hr-2").ok());
}

TEST_F(IngestTest, UnusableBodyIs400AndChangesNothing) {
  for (std::string body : {"not json", "42", "[]"}) {
    http::Response response = service_->Handle(Post(body));
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(Body(response)["error"]["code"], "invalid_body");
  }
  EXPECT_EQ(Journaled(), 0u);
}

TEST_F(IngestTest, DuplicateIdAnswersItsStatusAndAppliesOnce) {
  ASSERT_EQ(service_->Handle(Post(HireJson("hr-1"))).status, 202);
  ASSERT_TRUE(journal_->MarkApplied("hr-1", "uid=annv mail=annv@dongnai.gov.vn").ok());
  http::Response again = service_->Handle(Post(HireJson("hr-1")));
  ASSERT_EQ(again.status, 202) << again.body;
  json result = Body(again)["results"][0];
  EXPECT_EQ(result["status"], "applied");
  EXPECT_EQ(result["duplicate"], true);
  EXPECT_EQ(result["uid"], "annv");
  EXPECT_EQ(Journaled(), 1u);
  EXPECT_EQ(notified_, 1);
  EXPECT_EQ(service_->counters().events_duplicate, 1u);
}

TEST_F(IngestTest, SameIdTwiceInOneBatchIsJournaledOnce) {
  http::Response response =
      service_->Handle(Post("[" + HireJson("hr-1") + "," + HireJson("hr-1") + "]"));
  ASSERT_EQ(response.status, 202);
  EXPECT_EQ(Body(response)["results"][1]["duplicate"], true);
  EXPECT_EQ(Journaled(), 1u);
}

TEST_F(IngestTest, IdOfAnotherSenderIsAConflict) {
  ASSERT_EQ(service_->Handle(Post(HireJson("shared-1"))).status, 202);
  http::Response response = service_->Handle(Post(HireJson("shared-1"), kScopedToken));
  ASSERT_EQ(response.status, 409) << response.body;
  EXPECT_EQ(Body(response)["results"][0]["error"]["code"], "id_conflict");
  EXPECT_EQ(journal_->Lookup("shared-1")->sender, "hr");
}

TEST_F(IngestTest, NoCredentialsIs401WithBearerChallenge) {
  http::Response response = service_->Handle(Post(HireJson("hr-1"), ""));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Body(response)["error"]["code"], "unauthorized");
  EXPECT_THAT(response.headers.Get("WWW-Authenticate"), Optional(HasSubstr("Bearer")));
  EXPECT_EQ(Journaled(), 0u);

  http::Request basic = Post(HireJson("hr-1"), "");
  basic.headers.Set("Authorization", "Basic aHI6eA==");
  EXPECT_EQ(service_->Handle(basic).status, 401);
}

TEST_F(IngestTest, WrongTokenIs401InvalidToken) {
  http::Response response = service_->Handle(Post(HireJson("hr-1"), "token-of-hr-0123456780"));
  EXPECT_EQ(response.status, 401);
  EXPECT_THAT(response.headers.Get("WWW-Authenticate"), Optional(HasSubstr("invalid_token")));
  EXPECT_EQ(Journaled(), 0u);
  EXPECT_EQ(service_->counters().unauthorized, 1u);
  // Every path needs credentials, also unknown ones.
  http::Request unknown = http::Request::Make("GET", "/nothing");
  EXPECT_EQ(service_->Handle(unknown).status, 401);
}

TEST_F(IngestTest, OutOfScopeEventIs403PerEvent) {
  http::Response refused = service_->Handle(Post(HireJson("s-1", "skhcn"), kScopedToken));
  ASSERT_EQ(refused.status, 403) << refused.body;
  json result = Body(refused)["results"][0];
  EXPECT_EQ(result["error"]["code"], "forbidden");
  EXPECT_THAT(result["error"]["message"].get<std::string>(), HasSubstr("'skhcn'"));
  EXPECT_EQ(Journaled(), 0u);

  http::Response mixed = service_->Handle(
      Post("[" + HireJson("s-2", "skhcn") + "," + HireJson("s-3", "stttt") + "]", kScopedToken));
  ASSERT_EQ(mixed.status, 202) << mixed.body;
  EXPECT_EQ(Body(mixed)["results"][0]["error"]["code"], "forbidden");
  EXPECT_EQ(Body(mixed)["results"][1]["status"], "queued");
  EXPECT_EQ(journal_->Lookup("s-3")->sender, "scoped");
  EXPECT_FALSE(journal_->Lookup("s-2").ok());
}

TEST_F(IngestTest, LeaveFromScopedSenderNeedsThePersonsAgency) {
  http::Response unknown = service_->Handle(Post(LeaveJson("s-1", "CB1"), kScopedToken));
  ASSERT_EQ(unknown.status, 403) << unknown.body;
  EXPECT_THAT(Body(unknown)["results"][0]["error"]["message"].get<std::string>(),
              HasSubstr("not known"));

  person_agency_ = [](std::string_view id) -> Result<std::optional<std::string>> {
    if (id == "CB1") return std::optional<std::string>("stttt");
    if (id == "CB2") return std::optional<std::string>("skhcn");
    return std::optional<std::string>();
  };
  MakeService();
  EXPECT_EQ(service_->Handle(Post(LeaveJson("s-1", "CB1"), kScopedToken)).status, 202);
  http::Response other = service_->Handle(Post(LeaveJson("s-2", "CB2"), kScopedToken));
  EXPECT_EQ(other.status, 403);
  EXPECT_THAT(Body(other)["results"][0]["error"]["message"].get<std::string>(),
              HasSubstr("belongs to 'skhcn'"));
  // An unlimited sender needs no lookup.
  EXPECT_EQ(service_->Handle(Post(LeaveJson("h-1", "CB9"))).status, 202);
}

TEST(OutOfScope, EveryNamedAgencyCounts) {
  Sender sender = MakeSender("s", "t", {"stttt"});
  auto create = model::ParseEvent(
      R"({"id":"u-1","type":"agency.create","decision":{"number":"1","date":"2026-11-20","issuer":"UBND"},)"
      R"("agency":{"code":"stttt","name":"Sở Thông tin và Truyền thông","parent":"ubnd"}})");
  ASSERT_TRUE(create.ok()) << create.error();
  auto reason = OutOfScope(sender, *create, nullptr);
  ASSERT_TRUE(reason.ok());
  ASSERT_TRUE(reason->has_value());
  EXPECT_THAT(**reason, HasSubstr("'ubnd'"));
  auto unlimited = OutOfScope(MakeSender("all", "t"), *create, nullptr);
  ASSERT_TRUE(unlimited.ok());
  EXPECT_FALSE(unlimited->has_value());
  auto rename = model::ParseEvent(
      R"({"id":"u-2","type":"agency.update","decision":{"number":"1","date":"2026-11-20","issuer":"UBND"},)"
      R"("agency":{"code":"stttt","new_code":"snv"}})");
  ASSERT_TRUE(rename.ok()) << rename.error();
  auto renamed = OutOfScope(sender, *rename, nullptr);
  ASSERT_TRUE(renamed.ok());
  ASSERT_TRUE(renamed->has_value());
  EXPECT_THAT(**renamed, HasSubstr("'snv'"));
  auto both = OutOfScope(MakeSender("s2", "t", {"stttt", "snv"}), *rename, nullptr);
  ASSERT_TRUE(both.ok());
  EXPECT_FALSE(both->has_value());
}

// The directory is down: the event is neither journaled nor refused for good,
// and the sender is told to send it again.
TEST_F(IngestTest, ScopeThatCannotBeCheckedNowIsUnavailable) {
  bool directory_up = false;
  person_agency_ = [&directory_up](std::string_view) -> Result<std::optional<std::string>> {
    if (!directory_up) return Transient("ldap://127.0.0.1:1: cannot connect");
    return std::optional<std::string>("stttt");
  };
  MakeService();
  http::Response down = service_->Handle(Post(LeaveJson("s-1", "CB1"), kScopedToken));
  ASSERT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.headers.Get("Retry-After").value_or(""), "10");
  json body = Body(down);
  EXPECT_EQ(body["error"]["code"], "unavailable");
  EXPECT_EQ(body["accepted"], 0);
  EXPECT_EQ(body["unavailable"], 1);
  EXPECT_EQ(body["results"][0]["status"], "unavailable");
  EXPECT_EQ(body["results"][0]["error"]["code"], "unavailable");
  EXPECT_THAT(body["results"][0]["error"]["message"].get<std::string>(),
              HasSubstr("send this event again later"));
  EXPECT_EQ(Journaled(), 0u);
  EXPECT_EQ(service_->counters().events_unavailable, 1u);

  // With a hire that needs no lookup in the same body, that one is taken (202)
  // and the other still marked unavailable.
  http::Response mixed = service_->Handle(
      Post("[" + HireJson("s-2", "stttt") + "," + LeaveJson("s-3", "CB1") + "]", kScopedToken));
  ASSERT_EQ(mixed.status, 202) << mixed.body;
  EXPECT_EQ(Body(mixed)["results"][0]["status"], "queued");
  EXPECT_EQ(Body(mixed)["results"][1]["status"], "unavailable");
  EXPECT_TRUE(mixed.headers.Get("Retry-After").has_value());
  EXPECT_FALSE(journal_->Lookup("s-3").ok());

  directory_up = true;
  http::Response again = service_->Handle(Post(LeaveJson("s-1", "CB1"), kScopedToken));
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(Body(again)["results"][0]["status"], "queued");
}

TEST_F(IngestTest, SignedRequestIsAccepted) {
  http::Response response = service_->Handle(Signed(Post(HireJson("sig-1"))));
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(journal_->Lookup("sig-1")->sender, "signer");
}

TEST_F(IngestTest, SignatureWithinTheWindowIsAccepted) {
  EXPECT_EQ(service_->Handle(Signed(Post(HireJson("sig-1")), -299)).status, 202);
  EXPECT_EQ(service_->Handle(Signed(Post(HireJson("sig-2")), 299)).status, 202);
}

TEST_F(IngestTest, UnsignedRequestFromSigningSenderIs401) {
  http::Response response = service_->Handle(Post(HireJson("sig-1"), kSignerToken));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Body(response)["error"]["code"], "signature_required");
  EXPECT_EQ(Journaled(), 0u);
}

TEST_F(IngestTest, BadSignatureIs401) {
  http::Request request = Signed(Post(HireJson("sig-1")));
  request.body = HireJson("sig-2");  // signed one body, sent another
  http::Response response = service_->Handle(request);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Body(response)["error"]["code"], "bad_signature");

  http::Request garbled = Signed(Post(HireJson("sig-1")));
  garbled.headers.Set(kTimestampHeader, "yesterday");
  EXPECT_EQ(Body(service_->Handle(garbled))["error"]["code"], "bad_signature");
  EXPECT_EQ(Journaled(), 0u);
}

TEST_F(IngestTest, ExpiredSignatureIs401) {
  for (long long offset : {-301LL, 301LL}) {
    http::Response response = service_->Handle(Signed(Post(HireJson("sig-1")), offset));
    EXPECT_EQ(response.status, 401) << offset;
    EXPECT_EQ(Body(response)["error"]["code"], "stale_timestamp");
  }
  EXPECT_EQ(Journaled(), 0u);
}

TEST_F(IngestTest, ReplayedSignatureIs401) {
  http::Request request = Signed(Post(HireJson("sig-1")));
  ASSERT_EQ(service_->Handle(request).status, 202);
  SetNow(now_ + std::chrono::seconds(10));
  http::Response replay = service_->Handle(request);
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(Body(replay)["error"]["code"], "replayed");
  // A fresh signature of the same body is a new request (answered as a duplicate).
  http::Response fresh = service_->Handle(Signed(Post(HireJson("sig-1"))));
  EXPECT_EQ(fresh.status, 202);
  EXPECT_EQ(Body(fresh)["results"][0]["duplicate"], true);
}

TEST_F(IngestTest, SignedStatusReadsMayRepeat) {
  ASSERT_EQ(service_->Handle(Signed(Post(HireJson("sig-1")))).status, 202);
  http::Request get = Signed(Get("sig-1", kSignerToken));
  EXPECT_EQ(service_->Handle(get).status, 200);
  EXPECT_EQ(service_->Handle(get).status, 200);
}

TEST_F(IngestTest, OversizeBodyIs413) {
  options_.max_body_bytes = 100;
  MakeService();
  http::Response response = service_->Handle(Post(HireJson("hr-1")));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(Body(response)["error"]["code"], "too_large");
  EXPECT_EQ(Journaled(), 0u);
}

TEST_F(IngestTest, WrongContentTypeIs415) {
  http::Request request = Post(HireJson("hr-1"));
  request.headers.Set("Content-Type", "text/plain");
  EXPECT_EQ(service_->Handle(request).status, 415);
  request.headers.Set("Content-Type", "Application/JSON");
  EXPECT_EQ(service_->Handle(request).status, 202);
}

TEST_F(IngestTest, WrongMethodIs405AndUnknownPathIs404) {
  http::Request get_list = http::Request::Make("GET", "/api/v1/events");
  get_list.headers.Set("Authorization", std::string("Bearer ") + kHrToken);
  http::Response response = service_->Handle(get_list);
  EXPECT_EQ(response.status, 405);
  EXPECT_THAT(response.headers.Get("Allow"), Optional(std::string_view("POST")));
  http::Request del = Get("hr-1");
  del.method = "DELETE";
  EXPECT_EQ(service_->Handle(del).status, 405);
  http::Request other = http::Request::Make("GET", "/api/v1/people");
  other.headers.Set("Authorization", std::string("Bearer ") + kHrToken);
  EXPECT_EQ(service_->Handle(other).status, 404);
}

TEST_F(IngestTest, RateLimitIs429UntilTokensRefill) {
  options_.rate_limit = {.per_second = 1, .burst = 2};
  MakeService();
  EXPECT_EQ(service_->Handle(Get("x")).status, 404);
  EXPECT_EQ(service_->Handle(Get("x")).status, 404);
  http::Response limited = service_->Handle(Get("x"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Body(limited)["error"]["code"], "rate_limited");
  EXPECT_THAT(limited.headers.Get("Retry-After"), Optional(std::string_view("1")));
  // Another sender has its own bucket.
  EXPECT_EQ(service_->Handle(Get("x", kScopedToken)).status, 404);
  SetNow(now_ + std::chrono::seconds(1));
  EXPECT_EQ(service_->Handle(Get("x")).status, 404);
  EXPECT_EQ(service_->counters().rate_limited, 1u);
}

TEST_F(IngestTest, StatusOfOwnEventOnly) {
  ASSERT_EQ(service_->Handle(Post(HireJson("hr-1"))).status, 202);
  http::Response own = service_->Handle(Get("hr-1"));
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(Body(own)["status"], "queued");
  EXPECT_EQ(Body(own)["received_at"], "2026-11-28T05:00:00Z");

  http::Response other = service_->Handle(Get("hr-1", kScopedToken));
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(service_->Handle(Get("nothing")).status, 404);
}

TEST_F(IngestTest, StatusShowsAppliedResultAndRejectionReason) {
  ASSERT_EQ(service_->Handle(Post("[" + HireJson("hr-1") + "," + HireJson("hr-2") + "]")).status,
            202);
  ASSERT_TRUE(journal_->MarkApplied("hr-1", "uid=annv mail=annv@dongnai.gov.vn").ok());
  ASSERT_TRUE(journal_->MarkRejected("hr-2", "unknown agency 'stttt'").ok());
  json applied = Body(service_->Handle(Get("hr-1")));
  EXPECT_EQ(applied["status"], "applied");
  EXPECT_EQ(applied["uid"], "annv");
  EXPECT_EQ(applied["email"], "annv@dongnai.gov.vn");
  json rejected = Body(service_->Handle(Get("hr-2")));
  EXPECT_EQ(rejected["status"], "rejected");
  EXPECT_EQ(rejected["error"]["message"], "unknown agency 'stttt'");

  http::Request head = Get("hr-1");
  head.method = "HEAD";
  http::Response response = service_->Handle(head);
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  EXPECT_GT(response.content_length.value_or(0), 0u);
}

TEST_F(IngestTest, JournalFailureIs503AndNothingIsAcknowledged) {
  env_.FailSyncs(true);
  http::Response response = service_->Handle(Post(HireJson("hr-1")));
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(Body(response)["error"]["code"], "journal_unavailable");
  EXPECT_EQ(notified_, 0);
  EXPECT_EQ(service_->counters().journal_failures, 1u);
}

}  // namespace
}  // namespace danhba::api

namespace danhba::api {
namespace {

TEST(IngestOptionsFromConfig, TakesTheIngestKeys) {
  auto config = config::ParseString(
      "ingest:\n  max_body_bytes: 64KiB\n  rate_limit: 7\n  rate_burst: 9\n"
      "  signature_window: 1m\n");
  ASSERT_TRUE(config.ok()) << config.error();
  IngestOptions options = IngestOptionsFromConfig(*config);
  EXPECT_EQ(options.max_body_bytes, 64u * 1024);
  EXPECT_EQ(options.rate_limit.per_second, 7);
  EXPECT_EQ(options.rate_limit.burst, 9);
  EXPECT_EQ(options.signature_window, std::chrono::seconds(60));
}

}  // namespace
}  // namespace danhba::api

namespace danhba::api {
namespace {

class ChangeFeedTest : public IngestTest {
 protected:
  http::Request Changes(std::string query, std::string_view token = kHrToken) {
    http::Request request = http::Request::Make("GET", "/api/v1/changes" + query);
    request.headers.Set("Authorization", "Bearer " + std::string(token));
    return request;
  }
  // Posts hires and marks them applied, one second apart, in `order`.
  void ApplyHires(const std::vector<std::pair<std::string, std::string>>& id_agency) {
    for (const auto& [id, agency] : id_agency) {
      ASSERT_EQ(service_->Handle(Post(HireJson(id, agency))).status, 202);
    }
    for (auto it = id_agency.rbegin(); it != id_agency.rend(); ++it) {
      SetNow(now_ + std::chrono::seconds(1));
      ASSERT_TRUE(journal_->MarkApplied(it->first, "uid=" + it->first).ok());
    }
  }
};

TEST_F(ChangeFeedTest, AppliedChangesInTheOrderAppliedPagedWithAResumableCursor) {
  ApplyHires({{"h-1", "stttt"}, {"h-2", "skhcn"}, {"h-3", "stttt"}});
  ASSERT_EQ(service_->Handle(Post(HireJson("h-4"))).status, 202);  // not applied: not in the feed
  auto first = service_->Handle(Changes("?limit=2"));
  ASSERT_EQ(first.status, 200) << first.body;
  json page = Body(first);
  ASSERT_EQ(page["changes"].size(), 2U);
  // Applied in reverse order of arrival.
  EXPECT_EQ(page["changes"][0]["id"], "h-3");
  EXPECT_EQ(page["changes"][1]["id"], "h-2");
  EXPECT_EQ(page["changes"][0]["type"], "hire");
  EXPECT_EQ(page["changes"][0]["result"], "uid=h-3");
  EXPECT_EQ(page["changes"][0]["event"]["person"]["agency"], "stttt");
  EXPECT_TRUE(page["more"]);
  auto second = service_->Handle(Changes("?limit=2&since=" + page["next"].get<std::string>()));
  json rest = Body(second);
  ASSERT_EQ(rest["changes"].size(), 1U);
  EXPECT_EQ(rest["changes"][0]["id"], "h-1");
  EXPECT_FALSE(rest["more"]);
  // Nothing new: the same cursor comes back; then a new change follows it.
  auto idle = Body(service_->Handle(Changes("?since=" + rest["next"].get<std::string>())));
  EXPECT_TRUE(idle["changes"].empty());
  EXPECT_EQ(idle["next"], rest["next"]);
  SetNow(now_ + std::chrono::seconds(1));
  ASSERT_TRUE(journal_->MarkApplied("h-4", "uid=h-4").ok());
  auto later = Body(service_->Handle(Changes("?since=" + idle["next"].get<std::string>())));
  ASSERT_EQ(later["changes"].size(), 1U);
  EXPECT_EQ(later["changes"][0]["id"], "h-4");
}

TEST_F(ChangeFeedTest, ScopedSenderSeesItsAgenciesOnly) {
  ApplyHires({{"h-1", "stttt"}, {"h-2", "skhcn"}});
  json page = Body(service_->Handle(Changes("", kScopedToken)));
  ASSERT_EQ(page["changes"].size(), 1U);
  EXPECT_EQ(page["changes"][0]["id"], "h-1");
}

TEST_F(ChangeFeedTest, BadCursorLimitMethodAndCredentialsAreRefused) {
  EXPECT_EQ(service_->Handle(Changes("?since=bogus")).status, 400);
  EXPECT_NE(service_->Handle(Changes("?since=bogus")).body.find("'bogus' is not a cursor"), std::string::npos);
  EXPECT_EQ(service_->Handle(Changes("?limit=0")).status, 400);
  EXPECT_EQ(service_->Handle(Changes("?limit=5000")).status, 400);
  EXPECT_EQ(service_->Handle(Changes("", "wrong-token-0123456789")).status, 401);
  http::Request post = Changes("");
  post.method = "POST";
  EXPECT_EQ(service_->Handle(post).status, 405);
  EXPECT_EQ(DecodeCursor(EncodeCursor({journal::TimePoint(std::chrono::microseconds(123456)), 42}))->seq, 42U);
}

}  // namespace
}  // namespace danhba::api
