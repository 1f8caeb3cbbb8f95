// The ingest API on a real socket: the Beast server on 127.0.0.1 (a free port),
// a real journal in a temporary directory, senders from a real senders file,
// and a real HTTP client. A 202 must mean the event is on disk: the journal is
// reopened read-only (as `danhba events` would) and the event looked up there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "danhba/api/ingest.h"
#include "danhba/api/ingest_listener.h"
#include "danhba/http/server.h"
#include "support/http_client.h"
#include "unit/api/test_util.h"

namespace danhba::api {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
using support::HttpClient;
using support::HttpHeaders;
using testing::HireJson;
using testing::TempDir;

class IngestServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SenderStore store(dir_.path() / "senders.json");
    auto hr = store.Add("hr", {}, false);
    auto signer = store.Add("signer", {"stttt"}, true);
    ASSERT_TRUE(hr.ok() && signer.ok());
    hr_token_ = hr->token;
    signer_token_ = signer->token;
    signer_secret_ = signer->hmac_secret->Reveal();

    auto registry = SenderRegistry::Open(store.path());
    ASSERT_TRUE(registry.ok()) << registry.error();
    senders_ = std::move(registry).value();
    auto opened = journal::Journal::Open({.dir = JournalDir()});
    ASSERT_TRUE(opened.ok()) << opened.error();
    journal_ = std::move(opened).value();

    IngestServices services;
    services.journal = journal_.get();
    services.senders = senders_.get();
    services.on_appended = [this] { notified_.fetch_add(1); };
    IngestOptions options;
    options.max_body_bytes = kMaxBody;
    options.rate_limit.per_second = 0;
    service_ = std::make_unique<IngestService>(options, std::move(services));

    http::ServerOptions server_options;
    server_options.name = "ingest.listen";
    server_options.host = "127.0.0.1";
    server_options.port = 0;
    server_options.max_body_bytes = kMaxBody;
    auto server = http::Server::Start(server_options, service_->AsHandler());
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(server).value();
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::string JournalDir() const { return (dir_.path() / "journal").string(); }

  HttpHeaders Auth(const std::string& token) const {
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  }

  // What a separate reader of the journal directory sees now.
  Result<journal::EventInfo> LookupOnDisk(std::string_view id) const {
    auto reader = journal::Journal::Open({.dir = JournalDir(), .read_only = true});
    if (!reader.ok()) return reader.take_error();
    return (*reader)->Lookup(id);
  }

  static constexpr std::size_t kMaxBody = 64 * 1024;
  TempDir dir_;
  std::string hr_token_, signer_token_, signer_secret_;
  std::unique_ptr<SenderRegistry> senders_;
  std::unique_ptr<journal::Journal> journal_;
  std::unique_ptr<IngestService> service_;
  std::unique_ptr<http::Server> server_;
  std::atomic<int> notified_{0};
};

TEST_F(IngestServerTest, AcceptedMeansOnDisk) {
  HttpClient client("127.0.0.1", server_->port());
  auto response = client.Request("POST", "/api/v1/events", HireJson("hr-1"), "", Auth(hr_token_));
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 202) << response->body;
  EXPECT_EQ(json::parse(response->body)["results"][0]["status"], "queued");

  auto on_disk = LookupOnDisk("hr-1");
  ASSERT_TRUE(on_disk.ok()) << on_disk.error();
  EXPECT_EQ(on_disk->sender, "hr");
  EXPECT_EQ(on_disk->state, journal::EventState::kQueued);
  EXPECT_EQ(notified_.load(), 1);

  // The same connection (keep-alive) reads the status back.
  auto status = client.Request("GET", "/api/v1/events/hr-1", "", "", Auth(hr_token_));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(json::parse(status->body)["status"], "queued");
}

TEST_F(IngestServerTest, BatchOfManyFromSeveralClients) {
  constexpr int kClients = 4;
  constexpr int kBatches = 5;
  constexpr int kPerBatch = 20;
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      HttpClient client("127.0.0.1", server_->port());
      for (int b = 0; b < kBatches; ++b) {
        std::string body = "[";
        for (int e = 0; e < kPerBatch; ++e) {
          if (e > 0) body += ",";
          body += HireJson("c" + std::to_string(c) + "-b" + std::to_string(b) + "-e" +
                           std::to_string(e));
        }
        body += "]";
        auto response = client.Request("POST", "/api/v1/events", body, "", Auth(hr_token_));
        if (response && response->status == 202) {
          accepted.fetch_add(json::parse(response->body)["accepted"].get<int>());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), kClients * kBatches * kPerBatch);
  auto reader = journal::Journal::Open({.dir = JournalDir(), .read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.error();
  EXPECT_EQ((*reader)->Count().total(), static_cast<std::size_t>(kClients * kBatches * kPerBatch));
}

TEST_F(IngestServerTest, NoTokenIs401OnTheWireAndNothingIsWritten) {
  HttpClient client("127.0.0.1", server_->port());
  auto response = client.Request("POST", "/api/v1/events", HireJson("hr-1"), "",
                                 {{"Content-Type", "application/json"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 401);
  EXPECT_THAT(response->Header("WWW-Authenticate").value_or(""), HasSubstr("Bearer"));
  EXPECT_EQ(json::parse(response->body)["error"]["code"], "unauthorized");
  EXPECT_FALSE(LookupOnDisk("hr-1").ok());
}

TEST_F(IngestServerTest, OversizeBodyIs413FromTheServer) {
  HttpClient client("127.0.0.1", server_->port());
  auto response =
      client.Request("POST", "/api/v1/events", std::string(kMaxBody + 1, ' '), "", Auth(hr_token_));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(IngestServerTest, SignedRequestOverTheWire) {
  HttpClient client("127.0.0.1", server_->port());
  std::string body = HireJson("sig-1");
  std::string stamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
  HttpHeaders headers = Auth(signer_token_);
  headers.emplace_back(std::string(kTimestampHeader), stamp);
  headers.emplace_back(std::string(kSignatureHeader),
                       SignRequest(signer_secret_, stamp, "POST", "/api/v1/events", body));
  auto response = client.Request("POST", "/api/v1/events", body, "", headers);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 202) << response->body;
  EXPECT_TRUE(LookupOnDisk("sig-1").ok());

  auto replay = client.Request("POST", "/api/v1/events", body, "", headers);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 401);
  EXPECT_EQ(json::parse(replay->body)["error"]["code"], "replayed");
}

TEST_F(IngestServerTest, SenderAddedWhileRunningIsAccepted) {
  SenderStore store(dir_.path() / "senders.json");
  auto added = store.Add("late", {}, false);
  ASSERT_TRUE(added.ok());
  // The registry re-reads the file at most once a second: poll with a deadline.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  HttpClient client("127.0.0.1", server_->port());
  while (std::chrono::steady_clock::now() < deadline) {
    auto response = client.Request("GET", "/api/v1/events/none", "", "", Auth(added->token));
    ASSERT_TRUE(response);
    status = response->status;
    if (status != 401) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
  }
  EXPECT_EQ(status, 404);
}

// A port free now, chosen by the kernel.
std::uint16_t FreePort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

Result<config::Config> ConfigFor(const TempDir& dir, std::uint16_t port) {
  return config::ParseString("data_dir: " + dir.path().string() +
                             "\ningest:\n  listen: 127.0.0.1:" + std::to_string(port) +
                             "\n  rate_limit: 0\n");
}

TEST(IngestListener, ServesFromConfiguration) {
  TempDir dir;
  auto config = ConfigFor(dir, FreePort());
  ASSERT_TRUE(config.ok()) << config.error();
  auto added = SenderStore(config->SendersFile()).Add("hr", {}, false);
  ASSERT_TRUE(added.ok());
  auto journal = journal::Journal::Open({.dir = (dir.path() / "journal").string()});
  ASSERT_TRUE(journal.ok());
  IngestServices services;
  services.journal = journal->get();
  auto listener = IngestListener::Start(*config, services);
  ASSERT_TRUE(listener.ok()) << listener.error();
  EXPECT_EQ((*listener)->port(), config->ingest.listen.port);
  EXPECT_EQ((*listener)->sender_count(), 1u);

  HttpClient client("127.0.0.1", (*listener)->port());
  auto response = client.Request(
      "POST", "/api/v1/events", HireJson("hr-1"), "",
      {{"Authorization", "Bearer " + added->token}, {"Content-Type", "application/json"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202) << response->body;
  EXPECT_EQ((*listener)->counters().events_accepted, 1u);
  EXPECT_TRUE((*journal)->Lookup("hr-1").ok());
}

TEST(IngestListener, ReadableSendersFileIsAConfigError) {
  TempDir dir;
  auto config = ConfigFor(dir, FreePort());
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(SenderStore(config->SendersFile()).Add("hr", {}, true).ok());
  std::filesystem::permissions(config->SendersFile(), std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  auto journal = journal::Journal::Open({.dir = (dir.path() / "journal").string()});
  ASSERT_TRUE(journal.ok());
  IngestServices services;
  services.journal = journal->get();
  auto listener = IngestListener::Start(*config, services);
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.error().code, ErrorCode::kConfig);
  EXPECT_THAT(listener.error().detail, HasSubstr("ingest.senders_file"));
}

TEST(IngestListener, TakenPortNamesTheListener) {
  TempDir dir;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor taken(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto config = ConfigFor(dir, taken.local_endpoint().port());
  ASSERT_TRUE(config.ok());
  auto journal = journal::Journal::Open({.dir = (dir.path() / "journal").string()});
  ASSERT_TRUE(journal.ok());
  IngestServices services;
  services.journal = journal->get();
  auto listener = IngestListener::Start(*config, services);
  ASSERT_FALSE(listener.ok());
  EXPECT_THAT(listener.error().detail, HasSubstr("ingest.listen"));
}

}  // namespace
}  // namespace danhba::api
