#include "ops/webhook_post.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <memory>
#include <optional>

namespace danhba::ops::webhook_post {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using asio::use_awaitable;

constexpr std::size_t kMaxAnswerBody = 1 << 20;

bool AllDigits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bhttp::request<bhttp::string_body> MakeRequest(const Url& url,
                                               const std::vector<std::pair<std::string, std::string>>& headers,
                                               const std::string& body) {
  bhttp::request<bhttp::string_body> request(bhttp::verb::post, url.target, 11);
  request.set(bhttp::field::host, url.host + ":" + url.port);
  request.set(bhttp::field::content_type, "application/json");
  request.set(bhttp::field::user_agent, "danhba-webhook/1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.keep_alive(false);
  request.body() = body;
  request.prepare_payload();
  return request;
}

// Writes the request and reads the answer on `stream` (tcp_stream or
// ssl_stream over one), each step within `timeout` of its start.
template <typename Stream>
asio::awaitable<Answer> Exchange(Stream& stream, const bhttp::request<bhttp::string_body>& request,
                                 std::chrono::milliseconds timeout) {
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await bhttp::async_write(stream, request, use_awaitable);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxAnswerBody);
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await bhttp::async_read(stream, buffer, parser, use_awaitable);
  auto response = parser.release();
  co_return Answer{static_cast<int>(response.result_int()), std::move(response.body())};
}

asio::awaitable<Answer> PostOverTcp(const Url& url, bhttp::request<bhttp::string_body> request,
                                    std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  auto endpoints = co_await resolver.async_resolve(url.host, url.port, use_awaitable);
  stream.expires_after(timeout);
  co_await stream.async_connect(endpoints, use_awaitable);
  Answer answer = co_await Exchange(stream, request, timeout);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return answer;
}

asio::awaitable<Answer> PostOverTls(const Url& url, bhttp::request<bhttp::string_body> request,
                                    std::chrono::milliseconds timeout, ssl::context& context) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  beast::ssl_stream<beast::tcp_stream> stream(executor, context);
  // SNI, for servers with more than one certificate (not sent for an IP address).
  beast::error_code not_ip;
  asio::ip::make_address(url.host, not_ip);
  // (SSL_set_tlsext_host_name without its C cast.)
  if (not_ip && SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                         const_cast<char*>(url.host.c_str())) != 1) {
    throw beast::system_error(beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
  }
  // The certificate must name the URL's host (DNS name or IP address).
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  auto endpoints = co_await resolver.async_resolve(url.host, url.port, use_awaitable);
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, use_awaitable);
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await stream.async_handshake(ssl::stream_base::client, use_awaitable);
  Answer answer = co_await Exchange(stream, request, timeout);
  // The answer is complete: a server that closes without close_notify is fine.
  beast::get_lowest_layer(stream).expires_after(timeout);
  beast::error_code ignored;
  co_await stream.async_shutdown(asio::redirect_error(use_awaitable, ignored));
  co_return answer;
}

// A readable reason for a TLS failure: OpenSSL's own words for
// "certificate verify failed" and the like.
std::string Reason(const beast::system_error& e) {
  std::string what = e.code().message();
  if (e.code().category() == asio::error::get_ssl_category()) {
    what = "TLS: " + what;
    if (what.find("certificate verify failed") != std::string::npos) {
      what += " (the server's certificate does not chain to a trusted CA or does not name the host; "
              "a private CA is given with `danhba subscribe add --ca-file`)";
    }
  } else if (e.code() == beast::error::timeout) {
    what = "no answer in time (webhooks.timeout)";
  }
  return what;
}

}  // namespace

Result<Url> ParseUrl(const std::string& url) {
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  Url out;
  std::string rest;
  if (url.starts_with(kHttps)) {
    out.tls = true;
    rest = url.substr(kHttps.size());
  } else if (url.starts_with(kHttp)) {
    rest = url.substr(kHttp.size());
  } else {
    std::size_t colon = url.find("://");
    std::string scheme = colon == std::string::npos ? std::string() : url.substr(0, colon);
    return InvalidInput("--url '" + url + "': " +
                        (scheme.empty() ? std::string("no scheme") : "scheme '" + scheme + "' is not supported") +
                        "; expected http://host[:port]/path or https://host[:port]/path");
  }
  auto bad = [&] {
    return InvalidInput("--url '" + url + "': expected " + std::string(out.tls ? kHttps : kHttp) +
                        "host[:port]/path");
  };
  std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.find('@') != std::string::npos) return bad();
  std::size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = out.tls ? "443" : "80";
  }
  if (out.host.empty() || !AllDigits(out.port)) return bad();
  return out;
}

Status CheckCaFile(const std::filesystem::path& ca_file) {
  std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(ca_file.c_str(), "r"), &std::fclose);
  if (!file) return InvalidInput("CA file " + ca_file.string() + " cannot be read");
  int certificates = 0;
  while (X509* certificate = PEM_read_X509(file.get(), nullptr, nullptr, nullptr)) {
    X509_free(certificate);
    ++certificates;
  }
  ERR_clear_error();
  if (certificates == 0) {
    return InvalidInput("CA file " + ca_file.string() + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  return Ok();
}

Result<Answer> Post(const Url& url, const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body, std::chrono::milliseconds timeout, const std::filesystem::path& ca_file) {
  asio::io_context io;
  std::optional<ssl::context> context;
  try {
    if (url.tls) {
      context.emplace(ssl::context::tls_client);
      context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      if (ca_file.empty()) {
        context->set_default_verify_paths();
      } else {
        context->load_verify_file(ca_file.string());
      }
      context->set_verify_mode(ssl::verify_peer);
    }
  } catch (const beast::system_error& e) {
    return ConfigError("TLS set-up" + (ca_file.empty() ? std::string() : " with CA file " + ca_file.string()) +
                       ": " + e.code().message());
  }
  auto request = MakeRequest(url, headers, body);
  std::optional<Answer> answer;
  std::string failure;
  auto done = [&](std::exception_ptr error, Answer got) {
    if (!error) {
      answer = std::move(got);
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const beast::system_error& e) {
      failure = Reason(e);
    } catch (const std::exception& e) {
      failure = e.what();
    }
  };
  if (url.tls) {
    asio::co_spawn(io, PostOverTls(url, std::move(request), timeout, *context), done);
  } else {
    asio::co_spawn(io, PostOverTcp(url, std::move(request), timeout), done);
  }
  io.run();
  if (!answer) return Transient(url.host + ":" + url.port + ": " + failure);
  return std::move(*answer);
}

}  // namespace danhba::ops::webhook_post
