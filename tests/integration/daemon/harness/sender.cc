#include "sender.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include <nlohmann/json.hpp>

namespace danhba::e2e {

using Clock = std::chrono::steady_clock;

EventSender::EventSender(std::string host, std::uint16_t port, std::string token)
    : client_(std::move(host), port, std::chrono::seconds(20)) {
  client_.SetBearerToken(std::move(token));
}

Status EventSender::SendBatch(const std::string& body, std::size_t count, Clock::time_point deadline,
                              std::chrono::milliseconds max_backoff) {
  bool unanswered = false;
  std::string last = "not sent";
  while (Clock::now() < deadline) {
    if (cancel_ != nullptr && cancel_->load()) return Transient("cancelled");
    ++stats_.posts;
    if (unanswered) ++stats_.resent;
    auto reply = client_.PostJson("/api/v1/events", body);
    if (!reply.ok()) {
      // No reply: the events may or may not be recorded. Send the same batch again.
      unanswered = true;
      last = reply.error().detail;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (reply->status == 429 || reply->status == 503) {
      ++(reply->status == 429 ? stats_.rate_limited : stats_.unavailable);
      std::chrono::milliseconds wait = std::chrono::milliseconds(50);
      if (auto it = reply->headers.find("retry-after"); it != reply->headers.end()) {
        int seconds = 0;
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), seconds);
        wait = std::chrono::seconds(seconds);
      }
      std::this_thread::sleep_for(std::clamp(wait, std::chrono::milliseconds(10), max_backoff));
      last = "status " + std::to_string(reply->status);
      continue;
    }
    if (reply->status != 202) {
      return Internal("POST /api/v1/events answered " + std::to_string(reply->status) + ": " + reply->body);
    }
    auto parsed = nlohmann::json::parse(reply->body, nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("accepted") || !parsed.contains("results")) {
      return Internal("POST /api/v1/events: a 202 without accepted/results: " + reply->body);
    }
    if (parsed["accepted"].get<std::size_t>() != count) {
      return Internal("POST /api/v1/events took " + parsed["accepted"].dump() + " of " + std::to_string(count) +
                      " events: " + reply->body.substr(0, 2000));
    }
    for (const auto& result : parsed["results"]) {
      if (result.value("duplicate", false)) ++stats_.duplicates;
    }
    ++stats_.batches;
    return Ok();
  }
  return Transient("no 202 for a batch of " + std::to_string(count) + " events before the deadline (last: " + last + ")");
}

Result<std::pair<std::string, std::string>> EventSender::StatusOf(const std::string& id) {
  auto reply = client_.Get("/api/v1/events/" + id);
  if (!reply.ok()) return reply.take_error();
  if (reply->status != 200) {
    return NotFound("GET /api/v1/events/" + id + " answered " + std::to_string(reply->status) + ": " + reply->body);
  }
  auto parsed = nlohmann::json::parse(reply->body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("status")) return Internal("no status in " + reply->body);
  return std::make_pair(parsed["status"].get<std::string>(), reply->body);
}

}  // namespace danhba::e2e
