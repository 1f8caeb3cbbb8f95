// The Beast server on a real socket (127.0.0.1, a free port): what routing
// tests cannot show (keep-alive, HEAD on the wire, limits, bind errors, stop).
#include "danhba/http/server.h"

#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "danhba/http/router.h"

namespace danhba::http {
namespace {

namespace beast = boost::beast;
namespace wire = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using ::testing::HasSubstr;

constexpr auto kDeadline = std::chrono::seconds(10);

// A blocking-style client whose every operation has a deadline, so a broken
// server fails the test instead of hanging it.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(ioc_) {
    beast::error_code result = net::error::timed_out;
    stream_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                          [&](beast::error_code ec) { result = ec; });
    Run();
    connected_ = !result;
  }

  bool connected() const { return connected_; }

  // Sends one request and reads one response; nullopt when the connection fails.
  std::optional<wire::response<wire::string_body>> Exchange(wire::request<wire::string_body> request) {
    request.version(11);
    request.set(wire::field::host, "127.0.0.1");
    request.prepare_payload();
    beast::error_code write_result = net::error::timed_out;
    wire::async_write(stream_, request, [&](beast::error_code ec, std::size_t) { write_result = ec; });
    Run();
    if (write_result) return std::nullopt;
    wire::response_parser<wire::string_body> parser;
    parser.body_limit(16 << 20);
    if (request.method() == wire::verb::head) parser.skip(true);
    beast::error_code read_result = net::error::timed_out;
    wire::async_read(stream_, buffer_, parser, [&](beast::error_code ec, std::size_t) { read_result = ec; });
    Run();
    if (read_result) return std::nullopt;
    return parser.release();
  }

  std::optional<wire::response<wire::string_body>> Get(std::string target, wire::verb verb = wire::verb::get,
                                                       std::string body = {}) {
    wire::request<wire::string_body> request{verb, target, 11};
    request.body() = std::move(body);
    return Exchange(std::move(request));
  }

  // Whether the server closes the connection (reads until EOF, with the deadline).
  bool ClosedByServer() {
    beast::error_code result = net::error::timed_out;
    char byte;
    stream_.async_read_some(net::buffer(&byte, 1), [&](beast::error_code ec, std::size_t) { result = ec; });
    Run();
    return result == net::error::eof || result == net::error::connection_reset;
  }

 private:
  void Run() {
    ioc_.restart();
    ioc_.run_for(kDeadline);
    if (!ioc_.stopped()) {
      stream_.cancel();
      ioc_.restart();
      ioc_.run();
    }
  }

  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

Router& TestRouter() {
  static Router router = [] {
    Router r({.read_only = false});
    r.Get("/healthz", [](const Request&, const PathParams&) { return Response::Text(200, "ok\n"); });
    r.Get("/echo", [](const Request& request, const PathParams&) {
      return Response::Text(200, std::string(request.Query("say").value_or("")) + "|" +
                                     std::string(request.headers.Get("X-Test").value_or("")));
    });
    r.Post("/upload", [](const Request& request, const PathParams&) {
      return Response::Text(200, std::to_string(request.body.size()));
    });
    return r;
  }();
  return router;
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.name = "test.listen";
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.max_body_bytes = 1024;
  return options;
}

std::unique_ptr<Server> StartServer(ServerOptions options = TestOptions()) {
  auto server = Server::Start(std::move(options), TestRouter().AsHandler());
  EXPECT_TRUE(server.ok()) << server.error();
  return server.ok() ? std::move(server).value() : nullptr;
}

TEST(Server, ServesOnAFreePortWithKeepAlive) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  ASSERT_NE(server->port(), 0);
  EXPECT_EQ(server->address(), "127.0.0.1:" + std::to_string(server->port()));

  Client client(server->port());
  ASSERT_TRUE(client.connected());
  auto first = client.Get("/healthz");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->result_int(), 200);
  EXPECT_EQ(first->body(), "ok\n");
  EXPECT_EQ((*first)[wire::field::content_type], "text/plain; charset=utf-8");
  EXPECT_TRUE(first->keep_alive());

  wire::request<wire::string_body> request{wire::verb::get, "/echo?say=xin+ch%C3%A0o", 11};
  request.set("X-Test", "header-value");
  auto second = client.Exchange(std::move(request));  // same connection
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body(), "xin chào|header-value");
  EXPECT_EQ(server->connections(), 1u);
}

TEST(Server, HeadSendsLengthWithoutBody) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  Client client(server->port());
  auto head = client.Get("/healthz", wire::verb::head);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->result_int(), 200);
  EXPECT_EQ((*head)[wire::field::content_length], "3");
  EXPECT_TRUE(head->body().empty());
  // The connection is still in step: no stray body bytes before the next answer.
  auto get = client.Get("/healthz");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body(), "ok\n");
}

TEST(Server, NotFoundIsJson) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  Client client(server->port());
  auto response = client.Get("/nope");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 404);
  EXPECT_EQ((*response)[wire::field::content_type], "application/json");
  EXPECT_THAT(response->body(), HasSubstr(R"("code":"not_found")"));
}

TEST(Server, BodyOverTheLimitIs413) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  {
    Client client(server->port());
    auto small = client.Get("/upload", wire::verb::post, std::string(1000, 'x'));
    ASSERT_TRUE(small);
    EXPECT_EQ(small->body(), "1000");
  }
  Client client(server->port());
  auto large = client.Get("/upload", wire::verb::post, std::string(5000, 'x'));
  ASSERT_TRUE(large);
  EXPECT_EQ(large->result_int(), 413);
  EXPECT_FALSE(large->keep_alive());
}

TEST(Server, ConnectionsBeyondTheLimitGet503) {
  ServerOptions options = TestOptions();
  options.max_connections = 1;
  auto server = StartServer(options);
  ASSERT_TRUE(server);
  Client first(server->port());
  ASSERT_TRUE(first.Get("/healthz"));  // now surely accepted and counted
  Client second(server->port());
  auto refused = second.Get("/healthz");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 503);
  EXPECT_TRUE(second.ClosedByServer());
  auto still = first.Get("/healthz");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->result_int(), 200);
}

TEST(Server, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options = TestOptions();
  options.idle_timeout = std::chrono::milliseconds(50);
  auto server = StartServer(options);
  ASSERT_TRUE(server);
  Client client(server->port());
  ASSERT_TRUE(client.Get("/healthz"));
  EXPECT_TRUE(client.ClosedByServer());
}

TEST(Server, PortInUseIsAClearError) {
  auto first = StartServer();
  ASSERT_TRUE(first);
  ServerOptions options = TestOptions();
  options.port = first->port();
  auto second = Server::Start(options, TestRouter().AsHandler());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConfig);
  EXPECT_EQ(second.error().detail,
            "test.listen 127.0.0.1:" + std::to_string(first->port()) + ": address already in use");
}

TEST(Server, StopClosesIdleConnectionsAndIsIdempotent) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  Client client(server->port());
  ASSERT_TRUE(client.Get("/healthz"));
  server->Stop();
  EXPECT_TRUE(client.ClosedByServer());
  EXPECT_EQ(server->connections(), 0u);
  server->Stop();
  Client late(server->port());
  EXPECT_FALSE(late.connected());
}

// A thread that polls before it sleeps serves, times out idle connections and
// stops like one that sleeps at once.
TEST(Server, BusyPollingServesAndStops) {
  ServerOptions options = TestOptions();
  options.busy_poll = std::chrono::microseconds(500);
  options.idle_timeout = std::chrono::milliseconds(50);
  auto server = StartServer(options);
  ASSERT_TRUE(server);
  Client client(server->port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 20; ++i) {
    auto response = client.Get("/echo?say=" + std::to_string(i));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), std::to_string(i) + "|");
  }
  EXPECT_TRUE(client.ClosedByServer());  // idle past 50 ms
  Client second(server->port());
  ASSERT_TRUE(second.Get("/healthz"));
  server->Stop();
  EXPECT_TRUE(second.ClosedByServer());
  EXPECT_EQ(server->connections(), 0u);
}

}  // namespace
}  // namespace danhba::http
