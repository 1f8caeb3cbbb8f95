#include "support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "danhba/base/strings.h"

namespace danhba::support {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::string> HttpReply::Header(std::string_view name) const {
  auto found = headers.find(AsciiLower(name));
  if (found == headers.end()) return std::nullopt;
  return found->second;
}

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

HttpClient::~HttpClient() { Close(); }

void HttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Status HttpClient::Connect() {
  Close();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout_.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout_.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  if (::inet_pton(AF_INET, host_.c_str(), &address.sin_addr) != 1) {
    ::close(fd);
    return InvalidInput("not an IPv4 address: " + host_);
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return Transient("connect to " + host_ + ":" + std::to_string(port_) + ": " + why);
  }
  fd_ = fd;
  return Ok();
}

Status HttpClient::SendAll(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = n < 0 ? std::strerror(errno) : "nothing written";
      Close();
      return Transient("send to " + host_ + ":" + std::to_string(port_) + ": " + why);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok();
}

Result<HttpReply> HttpClient::ReadReply(bool head_request) {
  auto read_more = [this]() -> Status {
    char chunk[65536];
    while (true) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return Ok();
      }
      std::string why = n == 0 ? "connection closed" : std::strerror(errno);
      return Transient("reply from " + host_ + ":" + std::to_string(port_) + ": " + why);
    }
  };
  std::size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (auto status = read_more(); !status.ok()) {
      Close();
      return status.take_error();
    }
  }
  HttpReply reply;
  std::string_view head(buffer_.data(), header_end);
  std::size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.1 202 Accepted"
  std::size_t space = status_line.find(' ');
  if (space == std::string_view::npos || status_line.size() < space + 4) {
    Close();
    return Internal("bad status line: " + std::string(status_line));
  }
  std::from_chars(status_line.data() + space + 1, status_line.data() + space + 4, reply.status);
  std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(pos, end - pos);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      reply.headers[AsciiLower(Trim(line.substr(0, colon)))] =
          std::string(Trim(line.substr(colon + 1)));
    }
    pos = end + 2;
  }
  buffer_.erase(0, header_end + 4);
  auto length_it = reply.headers.find("content-length");
  bool closes =
      reply.headers.count("connection") != 0 && AsciiLower(reply.headers["connection"]) == "close";
  if (head_request || reply.status == 204 || reply.status == 304) {
    // No body follows, whatever Content-Length says.
  } else if (length_it != reply.headers.end()) {
    std::size_t length = 0;
    std::from_chars(length_it->second.data(), length_it->second.data() + length_it->second.size(),
                    length);
    while (buffer_.size() < length) {
      if (auto status = read_more(); !status.ok()) {
        Close();
        return status.take_error();
      }
    }
    reply.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
  } else if (reply.headers.count("transfer-encoding") != 0) {
    Close();
    return Internal("chunked replies are not supported by this client");
  } else {
    while (read_more().ok()) {
    }
    reply.body = std::move(buffer_);
    closes = true;
  }
  if (closes) Close();
  return reply;
}

Result<HttpReply> HttpClient::Request(std::string_view method, std::string_view target,
                                      std::string_view body, std::string_view content_type,
                                      const HttpHeaders& headers) {
  std::string request;
  request.reserve(256 + body.size());
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
  request.append(host_).append(":").append(std::to_string(port_)).append("\r\n");
  if (!token_.empty()) request.append("Authorization: Bearer ").append(token_).append("\r\n");
  for (const auto& [name, value] : next_headers_) request.append(name + ": " + value + "\r\n");
  next_headers_.clear();
  if (!content_type.empty()) request.append("Content-Type: ").append(content_type).append("\r\n");
  for (const auto& [name, value] : headers)
    request.append(name).append(": ").append(value).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  request.append("\r\n").append(body);
  // A kept-alive connection the server closed in the meantime fails on first use:
  // one retry on a fresh connection, only when nothing of a reply was read.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = fd_ >= 0;
    if (!reused) DANHBA_RETURN_IF_ERROR(Connect());
    if (auto sent = SendAll(request); !sent.ok()) {
      if (reused) continue;
      return sent.take_error();
    }
    auto reply = ReadReply(method == "HEAD");
    if (!reply.ok() && reused && method == "GET") continue;
    return reply;
  }
  return Transient("no reply from " + host_ + ":" + std::to_string(port_));
}

Result<HttpReply> HttpClient::Get(std::string_view target) {
  return Request("GET", target, {}, {});
}

Result<HttpReply> HttpClient::PostJson(std::string_view target, std::string_view body) {
  return Request("POST", target, body, "application/json");
}

}  // namespace danhba::support
