// Byte-string helpers that every module needs the same way: ASCII case, hex,
// Base64, URL percent-encoding and HTML escaping. All of them work on bytes and know nothing
// of UTF-8; a byte outside ASCII is left alone (case) or encoded (hex, %XX).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace danhba {

// 'A'..'Z' to 'a'..'z'; every other byte unchanged (no locale involved).
constexpr char AsciiLowerChar(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
std::string AsciiLower(std::string_view text);

// Two lower-case hex digits per byte: "\x01\xab" -> "01ab".
std::string HexEncode(std::string_view bytes);
// Appends the two hex digits of `byte` (upper-case ones when `upper`).
void AppendHexByte(unsigned char byte, std::string& out, bool upper = false);
// The bytes of an even-length string of lower-case hex digits, as HexEncode
// writes it; nullopt for anything else (odd length, upper case, other bytes).
std::optional<std::string> HexDecode(std::string_view hex);
// True when `text` is `size` lower-case hex digits.
bool IsLowerHex(std::string_view text, std::size_t size);

// RFC 4648 Base64 with padding, no line breaks.
std::string Base64Encode(std::string_view bytes);
// The bytes of padded Base64; nullopt when the length is not a multiple of 4,
// a byte is outside the alphabet or '=' stands anywhere but at the end.
std::optional<std::string> Base64Decode(std::string_view text);
// RFC 4648 §5 "base64url" without padding.
std::string Base64UrlEncode(std::string_view bytes);
// The bytes of unpadded base64url; nullopt when a byte is outside the
// alphabet. Bits left over at the end are dropped.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// RFC 3986: every byte but the unreserved ones (ALPHA DIGIT - . _ ~) as %XX
// (upper-case hex), for a path segment or a query value.
std::string PercentEncode(std::string_view text);

// The five characters HTML gives a meaning to (& < > " ') as entities, for
// text and for quoted attribute values; every other byte unchanged.
std::string EscapeHtml(std::string_view text);

}  // namespace danhba
