#include "config/values.h"

#include <charconv>
#include <string>
#include <utility>

#include "danhba/config/config.h"

namespace danhba::config {
namespace internal {

bool IsDomainName(std::string_view text) {
  if (text.empty() || text.size() > 253 || text.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('.', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view label = text.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    start = end + 1;
  }
  return true;
}

bool LooksLikeDn(std::string_view dn) {
  if (dn.empty()) return false;
  std::size_t start = 0;
  while (start <= dn.size()) {
    std::size_t end = start;
    while (end < dn.size() && dn[end] != ',')
      end += (dn[end] == '\\' && end + 1 < dn.size()) ? 2 : 1;
    std::string_view rdn = dn.substr(start, end - start);
    std::size_t equals = rdn.find('=');
    if (equals == std::string_view::npos || equals == 0 || equals + 1 == rdn.size()) return false;
    start = end + 1;
  }
  return true;
}

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> ParseUnsigned(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  static constexpr std::pair<std::string_view, std::int64_t> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  auto number = ParseUnsigned(text.substr(0, digits));
  if (!number || *number > 1'000'000'000) return std::nullopt;
  std::string_view unit = text.substr(digits);
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) return std::chrono::milliseconds(static_cast<std::int64_t>(*number) * factor);
  }
  return std::nullopt;
}

std::optional<std::size_t> ParseSize(std::string_view text) {
  static constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {
      {"", 1}, {"B", 1}, {"KiB", 1024}, {"MiB", 1024 * 1024}, {"GiB", 1024 * 1024 * 1024}};
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  auto number = ParseUnsigned(text.substr(0, digits));
  if (!number || *number > (1ULL << 40)) return std::nullopt;
  std::string_view unit = text.substr(digits);
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) return static_cast<std::size_t>(*number * factor);
  }
  return std::nullopt;
}

}  // namespace internal

using internal::ParseUnsigned;

std::string ListenAddress::ToString() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  auto bad = [&](std::string why) {
    return InvalidInput("'" + std::string(text) + "' is not host:port (" + std::move(why) + ")");
  };
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("an IPv6 host is written [::1]:8080");
    }
    host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("no port");
    host = std::string(text.substr(0, colon));
    if (host.find(':') != std::string::npos) return bad("an IPv6 host is written [::1]:8080");
    port_text = text.substr(colon + 1);
  }
  if (host.empty()) return bad("no host; use 0.0.0.0 for every address");
  auto port = ParseUnsigned(port_text);
  if (!port) return bad("the port is not a number");
  if (*port < 1 || *port > 65535) return bad("the port must be 1-65535");
  return ListenAddress{std::move(host), static_cast<std::uint16_t>(*port)};
}

Result<LdapUrl> ParseLdapUrl(std::string_view text) {
  auto bad = [&](std::string why) {
    return InvalidInput("'" + std::string(text) + "' is not an LDAP URL (" + std::move(why) + ")");
  };
  auto separator = text.find("://");
  if (separator == std::string_view::npos) return bad("expected ldap://, ldaps:// or ldapi://");
  LdapUrl url;
  url.scheme = std::string(text.substr(0, separator));
  if (url.scheme != "ldap" && url.scheme != "ldaps" && url.scheme != "ldapi") {
    return bad("the scheme must be ldap, ldaps or ldapi");
  }
  std::string_view rest = text.substr(separator + 3);
  std::string_view hostport = rest.substr(0, rest.find('/'));
  if (url.scheme == "ldapi") {
    std::string decoded;
    for (std::size_t i = 0; i < hostport.size(); ++i) {
      if (hostport[i] == '%') {
        if (i + 2 >= hostport.size()) return bad("bad %-escape in the socket path");
        unsigned value = 0;
        auto [end, ec] =
            std::from_chars(hostport.data() + i + 1, hostport.data() + i + 3, value, 16);
        if (ec != std::errc() || end != hostport.data() + i + 3)
          return bad("bad %-escape in the socket path");
        decoded += static_cast<char>(value);
        i += 2;
      } else {
        decoded += hostport[i];
      }
    }
    url.host = std::move(decoded);
    return url;
  }
  std::uint16_t default_port = url.scheme == "ldaps" ? 636 : 389;
  if (hostport.empty()) return bad("no host");
  if (hostport.find(':') == std::string_view::npos ||
      (hostport.front() == '[' && hostport.back() == ']')) {
    url.host =
        std::string(hostport.front() == '[' ? hostport.substr(1, hostport.size() - 2) : hostport);
    url.port = default_port;
    return url;
  }
  auto listen = ParseListenAddress(hostport);
  if (!listen) return bad("the port must be 1-65535");
  url.host = std::move(listen->host);
  url.port = listen->port;
  return url;
}

}  // namespace danhba::config
