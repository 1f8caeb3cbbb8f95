#include "danhba/model/fields.h"

#include "danhba/base/strings.h"
#include "danhba/text/text.h"
#include "model/quote.h"

namespace danhba::model {
namespace internal {

std::string Quote(std::string_view s) {
  constexpr std::size_t kShown = 40;
  bool cut = false;
  if (s.size() > kShown) {
    std::size_t end = kShown;
    // Back off continuation bytes so no character is split.
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    s = s.substr(0, end);
    cut = true;
  }
  std::string out = "\"";
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (b < 0x20 || b == 0x7F) {
      out.append("\\u00");
      AppendHexByte(b, out);
    } else {
      out.push_back(c);
    }
  }
  if (cut) out.append("...");
  out.push_back('"');
  return out;
}

std::size_t CountChars(std::string_view utf8) {
  std::size_t n = 0;
  for (const char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace internal

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Chars(std::size_t n) { return std::to_string(n) + " characters"; }

Result<std::string> Normalize(std::string_view input, std::size_t max_length, bool proper_case) {
  auto cleaned = text::Clean(input);
  if (!cleaned.ok()) {
    std::string_view where = cleaned.error().detail;
    if (where.substr(0, 14) == "invalid UTF-8 ") where.remove_prefix(14);
    return InvalidInput("is not valid UTF-8 (" + std::string(where) + ")");
  }
  std::string value = proper_case ? text::ProperCase(*cleaned) : std::move(cleaned).value();
  if (value.empty()) return InvalidInput("must not be empty");
  if (internal::CountChars(value) > max_length) {
    return InvalidInput("is longer than " + Chars(max_length));
  }
  return value;
}

}  // namespace

Status CheckId(std::string_view id) {
  bool ok = !id.empty() && id.size() <= kMaxIdLength;
  for (const char c : id) ok = ok && c >= 0x21 && c <= 0x7E;
  if (ok) return Ok();
  return InvalidInput(internal::Quote(id) + " is not a valid id (1-" +
                      std::to_string(kMaxIdLength) +
                      " printable ASCII characters, no spaces)");
}

Status CheckAgencyCode(std::string_view code) {
  bool ok = !code.empty() && code.size() <= kMaxAgencyCodeLength && code.front() >= 'a' &&
            code.front() <= 'z' && code.back() != '.';
  for (std::size_t i = 0; ok && i < code.size(); ++i) {
    const char c = code[i];
    ok = (c >= 'a' && c <= 'z') || IsDigit(c) || (c == '.' && code[i - 1] != '.');
  }
  if (ok) return Ok();
  return InvalidInput(internal::Quote(code) +
                      " is not an agency code (lower-case a-z, 0-9 and '.', starting with a "
                      "letter, at most " +
                      std::to_string(kMaxAgencyCodeLength) + ")");
}

Status CheckPhone(std::string_view phone) {
  std::size_t digits = 0;
  bool ok = phone.size() <= kMaxPhoneLength;
  for (const char c : phone) {
    if (IsDigit(c)) {
      ++digits;
    } else if (c != ' ' && c != '+' && c != '-' && c != '.' && c != '(' && c != ')') {
      ok = false;
    }
  }
  if (ok && digits >= 3) return Ok();
  return InvalidInput(internal::Quote(phone) +
                      " is not a phone number (3-" + std::to_string(kMaxPhoneLength) +
                      " of digits, spaces, '+', '-', '.', '(' and ')')");
}

Result<std::string> NormalizeName(std::string_view name, std::size_t max_length) {
  return Normalize(name, max_length, true);
}

Result<std::string> NormalizeText(std::string_view text, std::size_t max_length) {
  return Normalize(text, max_length, false);
}

}  // namespace danhba::model
