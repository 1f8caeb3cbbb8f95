#include "naming/letters.h"

#include <unicode/uchar.h>

#include "danhba/text/text.h"

namespace danhba::naming::internal {

std::size_t Decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  const std::size_t left = s.size() - i;
  const unsigned char b0 = p[0];
  auto cont = [&](std::size_t k) { return k < left && (p[k] & 0xC0) == 0x80; };
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    cp = (char32_t{b0} & 0x1F) << 6 | (p[1] & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2)) {
    cp = (char32_t{b0} & 0x0F) << 12 | char32_t{p[1] & 0x3Fu} << 6 | (p[2] & 0x3F);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    cp = (char32_t{b0} & 0x07) << 18 | char32_t{p[1] & 0x3Fu} << 12 | char32_t{p[2] & 0x3Fu} << 6 |
         (p[3] & 0x3F);
    return 4;
  }
  cp = 0xFFFD;
  return 1;
}

bool IsLetter(char32_t cp) {
  if (cp < 0x80) return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
  if (cp >= 0xC0 && cp <= 0x24F) return cp != 0xD7 && cp != 0xF7;
  if (cp >= 0x1E00 && cp <= 0x1EFF) return true;
  return u_isalpha(static_cast<UChar32>(cp)) != 0;
}

bool IsMark(char32_t cp) {
  if (cp >= 0x300 && cp <= 0x36F) return true;
  const auto type = u_charType(static_cast<UChar32>(cp));
  return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
}

bool HasLetter(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    i += Decode(s, i, cp);
    if (IsLetter(cp)) return true;
  }
  return false;
}

bool AppendInitial(std::string_view word, std::string& out) {
  const std::size_t before = out.size();
  for (std::size_t i = 0; i < word.size();) {
    char32_t cp = 0;
    const std::size_t n = Decode(word, i, cp);
    if (cp < 0x80) {
      const auto c = static_cast<char>(cp);
      if (c >= 'a' && c <= 'z') {
        out.push_back(c);
        return true;
      }
      if (c >= 'A' && c <= 'Z') {
        out.push_back(static_cast<char>(c - 'A' + 'a'));
        return true;
      }
      if (c >= '0' && c <= '9') {
        out.push_back(c);
        return true;
      }
    } else {
      text::AppendFoldWord(word.substr(i, n), out);
      if (out.size() > before) {
        out.resize(before + 1);
        return true;
      }
    }
    i += n;
  }
  return false;
}

std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  out.append(s);
  out.push_back('\'');
  return out;
}

}  // namespace danhba::naming::internal
