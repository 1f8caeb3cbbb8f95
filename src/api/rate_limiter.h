// A token bucket per key (an ingest sender, a public API client address):
// each request takes one token; tokens come back at a steady rate up to a
// burst. Shared by the ingest and the public API.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace danhba::api {

class RateLimiter {
 public:
  // The time on any clock, as a duration since its epoch: only differences
  // between two readings count. Safe to call from any thread.
  using Clock = std::function<std::chrono::nanoseconds()>;

  // `per_second` tokens come back each second, up to `burst`; a key's bucket
  // starts full. `clock` is read on every Take().
  RateLimiter(double per_second, double burst, Clock clock)
      : per_second_(per_second), burst_(burst), clock_(std::move(clock)) {}

  // Takes a token of `key`: nullopt when there was one, otherwise how long to
  // wait before one is back (at least 1 s, the unit of Retry-After). Always
  // nullopt when `per_second` is 0 or less. Thread-safe.
  std::optional<std::chrono::seconds> Take(const std::string& key);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::nanoseconds last{};
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Bucket> buckets;
  };
  // Keys spread over shards so that concurrent requests rarely wait on one lock.
  static constexpr std::size_t kShards = 16;
  // Beyond this many keys in a shard, buckets that are full again are dropped
  // (a dropped bucket comes back full: the same as keeping it).
  static constexpr std::size_t kMaxBucketsPerShard = 4096;

  double per_second_;
  double burst_;
  Clock clock_;
  std::array<Shard, kShards> shards_;
};

}  // namespace danhba::api
