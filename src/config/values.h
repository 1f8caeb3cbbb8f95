// Parsers of the values danhba.yaml holds (durations, sizes, numbers, domain
// names, DNs); config.cc reports a value they refuse with its file and line.
// Internal.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace danhba::config::internal {

// Lower-case labels of letters, digits and '-' joined by dots, at least two.
bool IsDomainName(std::string_view text);
// Whether every comma-separated part of `dn` looks like attribute=value. The ldap
// module parses DNs exactly; this catches what a typo in a file produces.
bool LooksLikeDn(std::string_view dn);
// The whole of `text` as a decimal number, or nullopt.
std::optional<int> ParseInt(std::string_view text);
std::optional<std::uint64_t> ParseUnsigned(std::string_view text);
// "250ms", "5s", "2m", "1h", "30d".
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "1048576", "64KiB", "1MiB".
std::optional<std::size_t> ParseSize(std::string_view text);

}  // namespace danhba::config::internal
