// A small blocking HTTP/1.1 client over one keep-alive TCP connection, for
// end-to-end tests and benchmarks of the daemon's APIs. Bodies must come with
// Content-Length (or the connection closes after them); no chunked encoding,
// no TLS. Transport failures (refused, reset, timeout, a reply cut short) are
// kTransient errors, after which the next request opens a new connection.
//
// Not safe for concurrent use: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "danhba/base/result.h"

namespace danhba::e2e {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

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
  Result<HttpReply> Request(std::string_view method, std::string_view target, std::string_view body,
                            std::string_view content_type);

  // Drops the connection (the next request opens a new one).
  void Close();

 private:
  Status Connect();
  Status SendAll(std::string_view data);
  Result<HttpReply> ReadReply();

  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::string token_;
  std::map<std::string, std::string> next_headers_;
  int fd_ = -1;
  std::string buffer_;  // bytes read past the last reply
};

}  // namespace danhba::e2e
