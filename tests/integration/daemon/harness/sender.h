// An HR system as the ingest API sees it: posts batches of events and, when a
// reply does not come (the daemon crashed, the connection broke), posts the
// same batch again until it is acknowledged. Ids make the re-send idempotent.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "danhba/base/result.h"
#include "support/http_client.h"

namespace danhba::e2e {

using support::HttpClient;

struct SenderStats {
  std::size_t batches = 0;          // acknowledged batches
  std::size_t posts = 0;            // POSTs sent, re-sends included
  std::size_t resent = 0;           // POSTs of a batch whose earlier POST got no reply
  std::size_t duplicates = 0;       // events the daemon already had (a re-send after a lost reply)
  std::size_t rate_limited = 0;     // 429 answers
  std::size_t unavailable = 0;      // 503 answers
};

class EventSender {
 public:
  EventSender(std::string host, std::uint16_t port, std::string token);

  // Posts `body` (a JSON array of `count` events) until a 202 says every event
  // is recorded, re-sending after transport failures, 429 and 503 (waiting as
  // Retry-After says, at most `max_backoff`). Errors: any other answer (with
  // its body), an event refused in a 202, or `deadline` passed.
  Status SendBatch(const std::string& body, std::size_t count, std::chrono::steady_clock::time_point deadline,
                   std::chrono::milliseconds max_backoff = std::chrono::milliseconds(500));

  // GET /api/v1/events/{id}: the status word and the reply body.
  Result<std::pair<std::string, std::string>> StatusOf(const std::string& id);

  // SendBatch gives up (kTransient) soon after *cancel becomes true.
  void SetCancel(const std::atomic<bool>* cancel) { cancel_ = cancel; }

  const SenderStats& stats() const { return stats_; }
  HttpClient& client() { return client_; }

 private:
  HttpClient client_;
  SenderStats stats_;
  const std::atomic<bool>* cancel_ = nullptr;
};

}  // namespace danhba::e2e
