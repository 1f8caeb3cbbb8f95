// A token bucket per key (the ingest API's senders): each request takes one
// token; tokens come back at a steady rate up to a burst.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "danhba/api/ingest.h"
#include "danhba/base/clock.h"

namespace danhba::api {

class RateLimiter {
 public:
  // `clock` is read on every Take(); a key's bucket starts full.
  RateLimiter(RateLimit limit, base::Clock clock) : limit_(limit), clock_(std::move(clock)) {}

  // Takes a token of `key`: nullopt when there was one, otherwise how long to
  // wait before one is back (at least 1 s, the unit of Retry-After). Always
  // nullopt when the limit's rate is 0 or less. Thread-safe.
  std::optional<std::chrono::seconds> Take(const std::string& key);

  const RateLimit& limit() const { return limit_; }

 private:
  struct Bucket {
    double tokens = 0;
    base::TimePoint last{};
  };

  RateLimit limit_;
  base::Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace danhba::api
