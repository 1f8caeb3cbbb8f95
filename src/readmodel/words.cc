#include "readmodel/words.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include "danhba/text/text.h"

namespace danhba::readmodel {

void SplitWords(std::string_view words, std::vector<std::string_view>& out) {
  std::size_t i = 0;
  while (i < words.size()) {
    while (i < words.size() && words[i] == ' ') ++i;
    std::size_t start = i;
    while (i < words.size() && words[i] != ' ') ++i;
    if (i > start) out.push_back(words.substr(start, i - start));
  }
}

std::string LowerWords(std::string_view text) {
  auto cleaned = text::Clean(text);
  if (!cleaned.ok()) return {};
  static const icu::Locale vietnamese("vi");
  std::string lower;
  icu::UnicodeString::fromUTF8(icu::StringPiece(cleaned->data(), static_cast<int32_t>(cleaned->size())))
      .toLower(vietnamese)
      .toUTF8String(lower);
  std::string out;
  out.reserve(lower.size());
  for (char c : lower) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\'') continue;
    bool keep = u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace danhba::readmodel
