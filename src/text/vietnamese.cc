#include "text/vietnamese.h"

#include <string_view>
#include <unordered_map>

#include "text/utf8.h"

namespace danhba::text::internal {
namespace {

// Each row: the vowel in the six tones, lower case then upper case.
constexpr std::string_view kVowelRows[][2] = {
    {"aàáảãạ", "AÀÁẢÃẠ"}, {"ăằắẳẵặ", "ĂẰẮẲẴẶ"}, {"âầấẩẫậ", "ÂẦẤẨẪẬ"}, {"eèéẻẽẹ", "EÈÉẺẼẸ"},
    {"êềếểễệ", "ÊỀẾỂỄỆ"}, {"iìíỉĩị", "IÌÍỈĨỊ"}, {"oòóỏõọ", "OÒÓỎÕỌ"}, {"ôồốổỗộ", "ÔỒỐỔỖỘ"},
    {"ơờớởỡợ", "ƠỜỚỞỠỢ"}, {"uùúủũụ", "UÙÚỦŨỤ"}, {"ưừứửữự", "ƯỪỨỬỮỰ"}, {"yỳýỷỹỵ", "YỲÝỶỸỴ"},
};

struct Alphabet {
  std::unordered_map<char32_t, LetterInfo> letters;
  std::unordered_map<std::uint32_t, char32_t> composed;  // key: plain << 8 | tone << 1 | upper

  static std::uint32_t Key(char32_t plain, Tone tone, bool upper) {
    return static_cast<std::uint32_t>(plain) << 8 | static_cast<std::uint32_t>(tone) << 1 |
           (upper ? 1u : 0u);
  }

  void Add(char32_t cp, char32_t plain, Tone tone, bool upper) {
    letters[cp] = LetterInfo{plain, tone, upper};
    composed[Key(plain, tone, upper)] = cp;
  }

  Alphabet() {
    for (const auto& row : kVowelRows) {
      char32_t plain = 0;
      for (int c = 0; c < 2; ++c) {
        std::size_t i = 0;
        for (int tone = 0; tone < 6; ++tone) {
          char32_t cp = 0;
          i += DecodeUtf8(row[c], i, cp);
          if (c == 0 && tone == 0) plain = cp;
          Add(cp, plain, static_cast<Tone>(tone), c == 1);
        }
      }
    }
    for (char32_t c = 'a'; c <= 'z'; ++c) {
      if (!letters.contains(c)) Add(c, c, Tone::kNone, false);
      if (!letters.contains(c - 0x20)) Add(c - 0x20, c, Tone::kNone, true);
    }
    Add(U'đ', U'đ', Tone::kNone, false);
    Add(U'Đ', U'đ', Tone::kNone, true);
  }
};

const Alphabet& Get() {
  static const Alphabet alphabet;
  return alphabet;
}

}  // namespace

const LetterInfo* VietnameseLetter(char32_t cp) {
  const auto& letters = Get().letters;
  auto it = letters.find(cp);
  return it == letters.end() ? nullptr : &it->second;
}

char32_t ComposeVietnamese(char32_t plain, Tone tone, bool upper) {
  const auto& composed = Get().composed;
  auto it = composed.find(Alphabet::Key(plain, tone, upper));
  return it == composed.end() ? 0 : it->second;
}

Tone ToneOfCombiningMark(char32_t cp) {
  switch (cp) {
    case 0x0300:
    case 0x0340:
      return Tone::kHuyen;
    case 0x0301:
    case 0x0341:
      return Tone::kSac;
    case 0x0309:
      return Tone::kHoi;
    case 0x0303:
      return Tone::kNga;
    case 0x0323:
      return Tone::kNang;
    default:
      return Tone::kNone;
  }
}

}  // namespace danhba::text::internal
