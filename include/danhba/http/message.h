// HTTP requests and responses as plain values, so the logic of both APIs is a
// pure function Response(const Request&) tested without sockets; the server
// (server.h) converts between these and the wire.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace danhba::http {

// Header names compare case-insensitively; order is kept.
class Headers {
 public:
  // The first value of `name`, if present.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Replaces every value of `name` with `value`.
  void Set(std::string_view name, std::string value);
  void Add(std::string name, std::string value);
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // as sent, e.g. "/api/v1/people?q=an%20nguyen"
  std::string path;    // the percent-decoded path of target, e.g. "/api/v1/people"
  // Percent-decoded query parameters in order ('+' is a space).
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;
  std::string remote_address;  // the peer's IP, for logs and rate limits

  // A request for `target` with path and query filled in. A target whose
  // percent-encoding is broken keeps path empty, which routes to 400.
  static Request Make(std::string method, std::string target, std::string body = {});

  // The first value of query parameter `name`.
  std::optional<std::string_view> Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;  // besides Content-Type and Content-Length, which the server sets
  // Set on answers to HEAD: the length the GET body would have had. The body
  // itself is empty.
  std::optional<std::size_t> content_length;

  static Response Json(int status, std::string json_body);
  static Response Text(int status, std::string text, std::string content_type = "text/plain; charset=utf-8");
  // {"error":{"code":<code>,"message":<message>}}, e.g. Error(404, "not_found", "no person 'annv'").
  static Response Error(int status, std::string_view code, std::string_view message);
};

using Handler = std::function<Response(const Request&)>;

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). Returns
// nullopt for a truncated or non-hex escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);

// The standard reason phrase of `status` ("Not Found"), or "Unknown".
std::string_view ReasonPhrase(int status);

}  // namespace danhba::http
