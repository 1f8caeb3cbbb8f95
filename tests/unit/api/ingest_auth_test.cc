// Authenticate() and the replay cache on their own (the service's answers to
// every kind of credential are in ingest_test.cc).
#include "api/ingest_auth.h"

#include <gtest/gtest.h>

#include "danhba/api/ingest.h"

namespace danhba::api {
namespace {

using std::chrono::seconds;

constexpr char kToken[] = "token-of-signer-0123456789";
constexpr char kSecret[] = "0123456789abcdef0123456789abcdef0123456789abcdef";

base::TimePoint Now() { return base::TimePoint(std::chrono::hours(24 * 365 * 56)); }

SenderList Senders() {
  Sender sender;
  sender.name = "signer";
  sender.token_sha256 = Sha256Hex(kToken);
  sender.hmac_secret = config::Secret(kSecret);
  return SenderList({sender});
}

http::Request SignedPost(long long offset_seconds) {
  http::Request request = http::Request::Make("POST", "/api/v1/events", "[]");
  std::string stamp = std::to_string(std::chrono::floor<seconds>(Now()).time_since_epoch().count() +
                                     offset_seconds);
  request.headers.Set("Authorization", std::string("Bearer ") + kToken);
  request.headers.Set(kTimestampHeader, stamp);
  request.headers.Set(kSignatureHeader,
                      SignRequest(kSecret, stamp, request.method, request.target, request.body));
  return request;
}

TEST(IngestAuthTest, ASignedPostNamesItsSenderAndItsReplayKey) {
  SenderList senders = Senders();
  auto auth = Authenticate(SignedPost(0), senders, Now, seconds(300));
  ASSERT_TRUE(std::holds_alternative<Authenticated>(auth));
  const Authenticated& who = std::get<Authenticated>(auth);
  EXPECT_EQ(who.sender->name, "signer");
  EXPECT_TRUE(who.replay_key.starts_with("signer:sha256=")) << who.replay_key;
}

TEST(IngestAuthTest, AStaleTimestampIs401WithAChallenge) {
  SenderList senders = Senders();
  auto auth = Authenticate(SignedPost(-301), senders, Now, seconds(300));
  ASSERT_TRUE(std::holds_alternative<http::Response>(auth));
  const http::Response& refused = std::get<http::Response>(auth);
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.find("stale_timestamp"), std::string::npos) << refused.body;
  EXPECT_TRUE(refused.headers.Get("WWW-Authenticate").has_value());
}

TEST(IngestAuthTest, ReplayCacheRefusesAKeyWithinTheWindowOnly) {
  ReplayCache cache(seconds(10), 100);
  EXPECT_TRUE(cache.Remember("a", Now()));
  EXPECT_FALSE(cache.Remember("a", Now() + seconds(10)));
  EXPECT_TRUE(cache.Remember("b", Now() + seconds(10)));
  // "a" was first seen at Now(): forgotten once more than 10 s have passed.
  EXPECT_TRUE(cache.Remember("a", Now() + seconds(11)));
}

TEST(IngestAuthTest, ReplayCacheDropsTheOldestBeyondItsSize) {
  ReplayCache cache(seconds(3600), 2);
  EXPECT_TRUE(cache.Remember("a", Now()));
  EXPECT_TRUE(cache.Remember("b", Now()));
  EXPECT_TRUE(cache.Remember("c", Now()));
  EXPECT_TRUE(cache.Remember("d", Now()));  // "a" goes here (3 kept > 2)
  EXPECT_TRUE(cache.Remember("a", Now()));
  EXPECT_FALSE(cache.Remember("d", Now()));
}

}  // namespace
}  // namespace danhba::api
