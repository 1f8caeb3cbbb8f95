// Byte-level helpers shared by the filter and DN escaping. Internal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "danhba/base/strings.h"

namespace danhba::ldap::internal {

// Length (2-4) of the well-formed multi-byte UTF-8 sequence at s[i] (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
inline std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const std::size_t left = s.size() - i;
  const unsigned char b0 = byte(0);
  auto cont = [&](std::size_t k) { return k < left && (byte(k) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (b0 == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (b0 == 0xED && byte(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (b0 == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && byte(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

inline void AppendHexEscape(unsigned char c, std::string& out) {
  out.push_back('\\');
  AppendHexByte(c, out);
}

inline bool IsAsciiControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

// The escaping loop DN values and filter values share: a well-formed
// multi-byte UTF-8 sequence is kept as it is, each byte of a malformed one
// becomes \XX, and every ASCII byte is left to `ascii(c, i, out)`, which
// appends it plain or escaped (`i` is its offset, for rules about the first
// and the last byte).
template <typename AsciiEscape>
std::string EscapeUtf8Value(std::string_view value, std::size_t reserve, AsciiEscape ascii) {
  std::string out;
  out.reserve(reserve);
  for (std::size_t i = 0; i < value.size();) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x80) {
      ascii(c, i, out);
      ++i;
      continue;
    }
    const std::size_t n = Utf8SequenceLength(value, i);
    if (n == 0) {
      AppendHexEscape(c, out);
      ++i;
    } else {
      out.append(value.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace danhba::ldap::internal
