// The token bucket with a clock the test moves.
#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace danhba::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class RateLimiterTest : public ::testing::Test {
 protected:
  RateLimiter Make(double per_second, double burst) {
    return RateLimiter(per_second, burst, [this] { return now_; });
  }
  std::chrono::nanoseconds now_ = std::chrono::hours(24 * 365 * 56);
};

TEST_F(RateLimiterTest, ABurstIsAllowedThenTheRate) {
  RateLimiter limiter = Make(2, 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("hr"), std::nullopt) << i;
  EXPECT_EQ(limiter.Take("hr"), seconds(1));
  now_ += milliseconds(500);  // one token back
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  EXPECT_EQ(limiter.Take("hr"), seconds(1));
}

TEST_F(RateLimiterTest, EachKeyHasItsOwnBucket) {
  RateLimiter limiter = Make(1, 1);
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  EXPECT_NE(limiter.Take("hr"), std::nullopt);
  EXPECT_EQ(limiter.Take("other"), std::nullopt);
}

TEST_F(RateLimiterTest, TheBucketNeverHoldsMoreThanTheBurst) {
  RateLimiter limiter = Make(10, 2);
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  now_ += std::chrono::hours(1);
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  EXPECT_NE(limiter.Take("hr"), std::nullopt);
}

TEST_F(RateLimiterTest, RetryAfterIsTheTimeToTheNextTokenRoundedUp) {
  RateLimiter limiter = Make(0.25, 1);
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  EXPECT_EQ(limiter.Take("hr"), seconds(4));
  now_ += seconds(3);
  EXPECT_EQ(limiter.Take("hr"), seconds(1));
}

TEST_F(RateLimiterTest, AClockSteppingBackGivesNoTokens) {
  RateLimiter limiter = Make(1, 1);
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  now_ -= std::chrono::hours(1);
  EXPECT_NE(limiter.Take("hr"), std::nullopt);
  now_ += std::chrono::hours(1);  // back where it was: still nothing earned
  EXPECT_NE(limiter.Take("hr"), std::nullopt);
}

TEST_F(RateLimiterTest, ManyKeysAtOnceAreAllLimited) {
  RateLimiter limiter = Make(1, 1);
  // More keys than the buckets kept per shard: full buckets are dropped, the
  // ones just emptied are kept.
  for (int i = 0; i < 100000; ++i)
    ASSERT_EQ(limiter.Take("client-" + std::to_string(i)), std::nullopt);
  EXPECT_NE(limiter.Take("client-99999"), std::nullopt);
  now_ += std::chrono::seconds(1);
  EXPECT_EQ(limiter.Take("client-99999"), std::nullopt);
}

TEST_F(RateLimiterTest, NoRateMeansNoLimit) {
  RateLimiter limiter = Make(0, 0);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.Take("hr"), std::nullopt);
}

}  // namespace
}  // namespace danhba::api
