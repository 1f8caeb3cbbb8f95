// Who sent an ingest request: the bearer token names the sender; a sender
// registered to sign must also send a fresh HMAC signature, and a signed
// request that changes something is accepted once (the replay cache).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>

#include "danhba/api/senders.h"
#include "danhba/base/clock.h"
#include "danhba/http/message.h"

namespace danhba::api {

struct Authenticated {
  const Sender* sender = nullptr;  // points into the SenderList authenticated against
  // For a signed request that changes something, what identifies it for replay
  // detection ("<sender>:<signature>"); empty otherwise.
  std::string replay_key;
};

// The sender of `request` among `senders`, or the 401 answer (with its
// WWW-Authenticate challenge) saying what is missing or wrong. A signed
// request's timestamp must be within `signature_window` of `clock` (read only
// for a sender that signs).
std::variant<Authenticated, http::Response> Authenticate(const http::Request& request,
                                                         const SenderList& senders,
                                                         const base::Clock& clock,
                                                         std::chrono::seconds signature_window);

// The 401 answer for a request that was already received (same signature).
http::Response ReplayedResponse();

// The keys of signed requests seen within a window, to refuse a replay.
// Thread-safe.
class ReplayCache {
 public:
  // Keys are kept for `keep` at least, and `max_keys` at most (beyond, the
  // oldest go first).
  ReplayCache(std::chrono::seconds keep, std::size_t max_keys) : keep_(keep), max_keys_(max_keys) {}

  // Remembers `key` seen at `now`; false when it was seen within the window.
  bool Remember(std::string key, base::TimePoint now);

 private:
  std::chrono::seconds keep_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, base::TimePoint> seen_;
  std::deque<std::pair<std::string, base::TimePoint>> order_;
};

}  // namespace danhba::api
