#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace danhba::api {

std::optional<std::chrono::seconds> RateLimiter::Take(const std::string& key) {
  if (limit_.per_second <= 0) return std::nullopt;
  base::TimePoint now = clock_();
  std::lock_guard lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{limit_.burst, now});
  Bucket& bucket = it->second;
  if (!inserted && now > bucket.last) {
    double elapsed = std::chrono::duration<double>(now - bucket.last).count();
    bucket.tokens = std::min(limit_.burst, bucket.tokens + elapsed * limit_.per_second);
  }
  // A clock that steps back gives no tokens and takes none away.
  bucket.last = std::max(bucket.last, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  auto wait = static_cast<long long>(std::ceil((1 - bucket.tokens) / limit_.per_second));
  return std::chrono::seconds(std::max(1LL, wait));
}

}  // namespace danhba::api
