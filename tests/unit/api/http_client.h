// A blocking HTTP/1.1 client over Beast whose every operation has a deadline,
// so a broken server fails a test (or a benchmark) instead of hanging it.
// Keep-alive: one connection for many exchanges.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace danhba::api::testing {

class HttpClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  using Headers = std::vector<std::pair<std::string, std::string>>;

  explicit HttpClient(std::uint16_t port, std::chrono::seconds deadline = std::chrono::seconds(10))
      : stream_(ioc_), deadline_(deadline) {
    namespace net = boost::asio;
    boost::beast::error_code result = net::error::timed_out;
    stream_.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                          [&](boost::beast::error_code ec) { result = ec; });
    Run();
    connected_ = !result;
  }

  bool connected() const { return connected_; }

  // One request and its response; nullopt when the connection fails or the
  // deadline passes.
  std::optional<Response> Send(boost::beast::http::verb verb, const std::string& target,
                               std::string body = {}, const Headers& headers = {}) {
    namespace wire = boost::beast::http;
    namespace net = boost::asio;
    wire::request<wire::string_body> request{verb, target, 11};
    request.set(wire::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    boost::beast::error_code write_result = net::error::timed_out;
    wire::async_write(stream_, request,
                      [&](boost::beast::error_code ec, std::size_t) { write_result = ec; });
    Run();
    if (write_result) return std::nullopt;
    wire::response_parser<wire::string_body> parser;
    parser.body_limit(16 << 20);
    if (verb == wire::verb::head) parser.skip(true);
    boost::beast::error_code read_result = net::error::timed_out;
    wire::async_read(stream_, buffer_, parser,
                     [&](boost::beast::error_code ec, std::size_t) { read_result = ec; });
    Run();
    if (read_result) return std::nullopt;
    return parser.release();
  }

 private:
  void Run() {
    ioc_.restart();
    ioc_.run_for(deadline_);
    if (!ioc_.stopped()) {
      stream_.cancel();
      ioc_.restart();
      ioc_.run();
    }
  }

  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::chrono::seconds deadline_;
  bool connected_ = false;
};

}  // namespace danhba::api::testing
