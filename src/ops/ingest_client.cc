#include "ops/ingest_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "danhba/base/strings.h"

namespace danhba::ops {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr std::size_t kBatchEvents = 500;
constexpr std::size_t kBatchBytes = 900 * 1024;

bool IsFinal(std::string_view state) { return state == "applied" || state == "rejected"; }

// The status of one event from an answer element or a GET body.
EventStatus StatusOf(const json& item, std::string fallback_id) {
  EventStatus s;
  s.event_id = item.contains("id") && item["id"].is_string() ? item["id"].get<std::string>() : std::move(fallback_id);
  s.state = item.value("status", "unknown");
  if (item.contains("detail") && item["detail"].is_string()) s.detail = item["detail"].get<std::string>();
  if (item.contains("error") && item["error"].is_object()) {
    s.detail = item["error"].value("message", "");
    if (s.state != "rejected") s.state = "rejected";
  }
  return s;
}

struct Reply {
  int status = 0;
  std::string body;
};

}  // namespace

class IngestClient::Impl {
 public:
  Impl(std::string host, std::uint16_t port, std::string token)
      : host_(std::move(host)), port_(port), token_(std::move(token)) {}

  Result<Reply> Request(bhttp::verb method, const std::string& target, const std::string& body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!stream_) {
          stream_.emplace(io_);
          tcp::resolver resolver(io_);
          stream_->expires_after(std::chrono::seconds(10));
          stream_->connect(resolver.resolve(host_, std::to_string(port_)));
        }
        bhttp::request<bhttp::string_body> request(method, target, 11);
        request.set(bhttp::field::host, host_ + ":" + std::to_string(port_));
        request.set(bhttp::field::authorization, "Bearer " + token_);
        request.keep_alive(true);
        if (method == bhttp::verb::post) {
          request.set(bhttp::field::content_type, "application/json");
          request.body() = body;
        }
        request.prepare_payload();
        stream_->expires_after(std::chrono::seconds(60));
        bhttp::write(*stream_, request);
        beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64u << 20);
        bhttp::read(*stream_, buffer, parser);
        auto response = parser.release();
        Reply reply{static_cast<int>(response.result_int()), std::move(response.body())};
        if (!response.keep_alive()) stream_.reset();
        return reply;
      } catch (const boost::system::system_error& e) {
        stream_.reset();  // a kept-alive connection may have been closed: once more on a new one
        if (attempt == 1) {
          return Transient("ingest API at " + host_ + ":" + std::to_string(port_) + ": " + e.what());
        }
      }
    }
    return Internal("unreachable");
  }

  std::string host_;
  std::uint16_t port_;
  std::string token_;
  asio::io_context io_;
  std::optional<beast::tcp_stream> stream_;
};

IngestClient::IngestClient(std::string host, std::uint16_t port, std::string token)
    : impl_(std::make_unique<Impl>(std::move(host), port, std::move(token))) {}
IngestClient::~IngestClient() = default;

Result<std::vector<EventStatus>> IngestClient::Submit(const std::vector<model::Event>& events,
                                                      Clock::time_point deadline) {
  std::vector<EventStatus> out;
  out.reserve(events.size());
  std::size_t next = 0;
  while (next < events.size()) {
    std::string body = "[";
    std::size_t end = next;
    while (end < events.size() && end - next < kBatchEvents) {
      std::string one = model::ToJson(events[end]);
      if (end > next && body.size() + one.size() + 2 > kBatchBytes) break;
      if (end > next) body += ",";
      body += one;
      ++end;
    }
    body += "]";
    while (true) {
      auto reply = impl_->Request(bhttp::verb::post, "/api/v1/events", body);
      if (!reply.ok()) return reply.take_error();
      int status = reply->status;
      bool passing = status == 401 || status == 429 || status == 503;
      if (passing && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        continue;
      }
      auto answer = json::parse(reply->body, nullptr, false);
      if (answer.is_discarded() || !answer.is_object()) {
        return Internal("ingest API answered " + std::to_string(status) + " with a body that is not JSON");
      }
      if (!answer.contains("results")) {
        std::string message = answer.contains("error") ? answer["error"].value("message", "") : reply->body;
        if (status == 401) return AuthError("ingest API: " + message);
        if (status == 403) return PermissionError("ingest API: " + message);
        return Error{status >= 500 ? ErrorCode::kTransient : ErrorCode::kInvalidInput,
                     "ingest API answered " + std::to_string(status) + ": " + message};
      }
      const json& results = answer["results"];
      for (std::size_t i = next; i < end; ++i) {
        std::size_t k = i - next;
        out.push_back(k < results.size() ? StatusOf(results[k], events[i].id)
                                         : EventStatus{events[i].id, "unknown", "no answer for this event"});
      }
      break;
    }
    next = end;
  }
  return out;
}

Result<std::vector<EventStatus>> IngestClient::WaitApplied(std::vector<EventStatus> statuses,
                                                           Clock::time_point deadline) {
  while (true) {
    bool waiting = false;
    for (auto& s : statuses) {
      if (IsFinal(s.state) || s.state == "unknown") continue;
      auto reply = impl_->Request(bhttp::verb::get, "/api/v1/events/" + PercentEncode(s.event_id), "");
      if (!reply.ok()) return reply.take_error();
      if (reply->status != 200) continue;
      auto body = json::parse(reply->body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) continue;
      s = StatusOf(body, s.event_id);
      if (!IsFinal(s.state)) waiting = true;
    }
    if (!waiting || Clock::now() >= deadline) return statuses;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
}

}  // namespace danhba::ops
