#include "text/vietnamese.h"

#include <array>
#include <string_view>

#include "text/utf8.h"

namespace danhba::text::internal {
namespace {

// Each row: the vowel in the six tones, lower case then upper case.
constexpr std::string_view kVowelRows[][2] = {
    {"aàáảãạ", "AÀÁẢÃẠ"}, {"ăằắẳẵặ", "ĂẰẮẲẴẶ"}, {"âầấẩẫậ", "ÂẦẤẨẪẬ"}, {"eèéẻẽẹ", "EÈÉẺẼẸ"},
    {"êềếểễệ", "ÊỀẾỂỄỆ"}, {"iìíỉĩị", "IÌÍỈĨỊ"}, {"oòóỏõọ", "OÒÓỎÕỌ"}, {"ôồốổỗộ", "ÔỒỐỔỖỘ"},
    {"ơờớởỡợ", "ƠỜỚỞỠỢ"}, {"uùúủũụ", "UÙÚỦŨỤ"}, {"ưừứửữự", "ƯỪỨỬỮỰ"}, {"yỳýỷỹỵ", "YỲÝỶỸỴ"},
};

// The plain letters that have toned or cased forms, indexed for ComposeVietnamese.
constexpr char32_t kPlain[] = {U'a', U'ă', U'â', U'e', U'ê', U'i', U'o',
                               U'ô', U'ơ', U'u', U'ư', U'y', U'đ'};
constexpr int kPlainCount = sizeof kPlain / sizeof kPlain[0];

int PlainIndex(char32_t plain) {
  for (int i = 0; i < kPlainCount; ++i) {
    if (kPlain[i] == plain) return i;
  }
  return -1;
}

// Flat tables: letters live in U+0000..U+024F and U+1EA0..U+1EFF.
struct Alphabet {
  static constexpr char32_t kLowEnd = 0x250;
  static constexpr char32_t kHighStart = 0x1EA0;
  static constexpr char32_t kHighEnd = 0x1F00;
  std::array<LetterInfo, kLowEnd> low{};
  std::array<bool, kLowEnd> low_present{};
  std::array<LetterInfo, kHighEnd - kHighStart> high{};
  std::array<bool, kHighEnd - kHighStart> high_present{};
  char32_t composed[kPlainCount][6][2] = {};

  void Add(char32_t cp, char32_t plain, Tone tone, bool upper) {
    if (cp < kLowEnd) {
      low[cp] = LetterInfo{plain, tone, upper};
      low_present[cp] = true;
    } else {
      high[cp - kHighStart] = LetterInfo{plain, tone, upper};
      high_present[cp - kHighStart] = true;
    }
    if (const int i = PlainIndex(plain); i >= 0) {
      composed[i][static_cast<int>(tone)][upper ? 1 : 0] = cp;
    }
  }

  const LetterInfo* Find(char32_t cp) const {
    if (cp < kLowEnd) return low_present[cp] ? &low[cp] : nullptr;
    if (cp >= kHighStart && cp < kHighEnd) {
      return high_present[cp - kHighStart] ? &high[cp - kHighStart] : nullptr;
    }
    return nullptr;
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
      if (Find(c) == nullptr) Add(c, c, Tone::kNone, false);
      if (Find(c - 0x20) == nullptr) Add(c - 0x20, c, Tone::kNone, true);
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

const LetterInfo* VietnameseLetter(char32_t cp) { return Get().Find(cp); }

char32_t ComposeVietnamese(char32_t plain, Tone tone, bool upper) {
  const int i = PlainIndex(plain);
  if (i < 0) return 0;
  return Get().composed[i][static_cast<int>(tone)][upper ? 1 : 0];
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
