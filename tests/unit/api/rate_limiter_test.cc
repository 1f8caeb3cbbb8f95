// The token bucket with a clock the test moves.
#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace danhba::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class RateLimiterTest : public ::testing::Test {
 protected:
  RateLimiter Make(RateLimit limit) {
    return RateLimiter(limit, [this] { return now_; });
  }
  base::TimePoint now_ = base::TimePoint(std::chrono::hours(24 * 365 * 56));
};

TEST_F(RateLimiterTest, ABurstIsAllowedThenTheRate) {
  RateLimiter limiter = Make({.per_second = 2, .burst = 3});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take("hr"), std::nullopt) << i;
  EXPECT_EQ(limiter.Take("hr"), seconds(1));
  now_ += milliseconds(500);  // one token back
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  EXPECT_EQ(limiter.Take("hr"), seconds(1));
}

TEST_F(RateLimiterTest, EachKeyHasItsOwnBucket) {
  RateLimiter limiter = Make({.per_second = 1, .burst = 1});
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  EXPECT_NE(limiter.Take("hr"), std::nullopt);
  EXPECT_EQ(limiter.Take("other"), std::nullopt);
}

TEST_F(RateLimiterTest, TheBucketNeverHoldsMoreThanTheBurst) {
  RateLimiter limiter = Make({.per_second = 10, .burst = 2});
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  now_ += std::chrono::hours(1);
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  EXPECT_NE(limiter.Take("hr"), std::nullopt);
}

TEST_F(RateLimiterTest, RetryAfterIsTheTimeToTheNextTokenRoundedUp) {
  RateLimiter limiter = Make({.per_second = 0.25, .burst = 1});
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  EXPECT_EQ(limiter.Take("hr"), seconds(4));
  now_ += seconds(3);
  EXPECT_EQ(limiter.Take("hr"), seconds(1));
}

TEST_F(RateLimiterTest, AClockSteppingBackGivesNoTokens) {
  RateLimiter limiter = Make({.per_second = 1, .burst = 1});
  EXPECT_EQ(limiter.Take("hr"), std::nullopt);
  now_ -= std::chrono::hours(1);
  EXPECT_NE(limiter.Take("hr"), std::nullopt);
  now_ += std::chrono::hours(1);  // back where it was: still nothing earned
  EXPECT_NE(limiter.Take("hr"), std::nullopt);
}

TEST_F(RateLimiterTest, NoRateMeansNoLimit) {
  RateLimiter limiter = Make({.per_second = 0, .burst = 0});
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.Take("hr"), std::nullopt);
}

}  // namespace
}  // namespace danhba::api
