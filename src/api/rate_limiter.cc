#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace danhba::api {

std::optional<std::chrono::seconds> RateLimiter::Take(const std::string& key) {
  if (per_second_ <= 0) return std::nullopt;
  std::chrono::nanoseconds now = clock_();
  auto seconds_since = [&](std::chrono::nanoseconds then) {
    return std::chrono::duration<double>(now - then).count();
  };
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  if (shard.buckets.size() >= kMaxBucketsPerShard) {
    std::erase_if(shard.buckets, [&](const auto& entry) {
      const Bucket& b = entry.second;
      return b.tokens + seconds_since(b.last) * per_second_ >= burst_;
    });
  }
  auto [it, inserted] = shard.buckets.try_emplace(key, Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!inserted && now > bucket.last) {
    bucket.tokens = std::min(burst_, bucket.tokens + seconds_since(bucket.last) * per_second_);
  }
  // A clock that steps back gives no tokens and takes none away.
  bucket.last = std::max(bucket.last, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  auto wait = static_cast<long long>(std::ceil((1 - bucket.tokens) / per_second_));
  return std::chrono::seconds(std::max(1LL, wait));
}

}  // namespace danhba::api
