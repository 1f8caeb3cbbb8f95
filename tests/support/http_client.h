// The one HTTP/1.1 client of the tests and benchmarks: blocking, over one
// keep-alive TCP connection, every exchange bounded by a timeout so a broken
// server fails a test instead of hanging it. Bodies must come with
// Content-Length (or the connection closes after them); no chunked encoding,
// no TLS. Transport failures (refused, reset, timeout, a reply cut short) are
// kTransient errors, after which the next request opens a new connection.
//
// Not safe for concurrent use: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "danhba/base/result.h"

namespace danhba::support {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // empty for HEAD

  // The value of header `name` (any case), if sent.
  std::optional<std::string> Header(std::string_view name) const;
};

// Extra request headers, sent as given.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends Authorization: Bearer <token> with every request when set.
  void SetBearerToken(std::string token) { token_ = std::move(token); }
  // Sent with the next request only (e.g. a signature over that request), then cleared.
  void SetNextHeaders(std::map<std::string, std::string> headers) {
    next_headers_ = std::move(headers);
  }

  Result<HttpReply> Get(std::string_view target);
  Result<HttpReply> PostJson(std::string_view target, std::string_view body);
  // Any method; `content_type` and `headers` are sent when not empty. A HEAD
  // reply is read without its body.
  Result<HttpReply> Request(std::string_view method, std::string_view target, std::string_view body,
                            std::string_view content_type, const HttpHeaders& headers = {});

  // Drops the connection (the next request opens a new one).
  void Close();

 private:
  Status Connect();
  Status SendAll(std::string_view data);
  Result<HttpReply> ReadReply(bool head_request);

  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::string token_;
  std::map<std::string, std::string> next_headers_;
  int fd_ = -1;
  std::string buffer_;  // bytes read past the last reply
};

}  // namespace danhba::support
