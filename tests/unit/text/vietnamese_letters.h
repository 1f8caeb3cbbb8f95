// Every precomposed Vietnamese letter, for table-driven tests.
#pragma once

#include <string>
#include <vector>

namespace danhba::text::testing {

struct LetterFold {
  std::string letter;  // NFC, one code point
  char ascii;          // its ASCII base, lower case
};

// The 12 vowels in their 6 tones and đ, lower and upper case: 146 letters, of
// which 134 are not plain ASCII.
inline std::vector<LetterFold> AllVietnameseLetters() {
  // Each row: the ASCII base, then the vowel without tone and with huyền, sắc,
  // hỏi, ngã, nặng.
  static const char* const kRows[][7] = {
      {"a", "a", "à", "á", "ả", "ã", "ạ"}, {"a", "ă", "ằ", "ắ", "ẳ", "ẵ", "ặ"},
      {"a", "â", "ầ", "ấ", "ẩ", "ẫ", "ậ"}, {"e", "e", "è", "é", "ẻ", "ẽ", "ẹ"},
      {"e", "ê", "ề", "ế", "ể", "ễ", "ệ"}, {"i", "i", "ì", "í", "ỉ", "ĩ", "ị"},
      {"o", "o", "ò", "ó", "ỏ", "õ", "ọ"}, {"o", "ô", "ồ", "ố", "ổ", "ỗ", "ộ"},
      {"o", "ơ", "ờ", "ớ", "ở", "ỡ", "ợ"}, {"u", "u", "ù", "ú", "ủ", "ũ", "ụ"},
      {"u", "ư", "ừ", "ứ", "ử", "ữ", "ự"}, {"y", "y", "ỳ", "ý", "ỷ", "ỹ", "ỵ"},
      {"A", "A", "À", "Á", "Ả", "Ã", "Ạ"}, {"A", "Ă", "Ằ", "Ắ", "Ẳ", "Ẵ", "Ặ"},
      {"A", "Â", "Ầ", "Ấ", "Ẩ", "Ẫ", "Ậ"}, {"E", "E", "È", "É", "Ẻ", "Ẽ", "Ẹ"},
      {"E", "Ê", "Ề", "Ế", "Ể", "Ễ", "Ệ"}, {"I", "I", "Ì", "Í", "Ỉ", "Ĩ", "Ị"},
      {"O", "O", "Ò", "Ó", "Ỏ", "Õ", "Ọ"}, {"O", "Ô", "Ồ", "Ố", "Ổ", "Ỗ", "Ộ"},
      {"O", "Ơ", "Ờ", "Ớ", "Ở", "Ỡ", "Ợ"}, {"U", "U", "Ù", "Ú", "Ủ", "Ũ", "Ụ"},
      {"U", "Ư", "Ừ", "Ứ", "Ử", "Ữ", "Ự"}, {"Y", "Y", "Ỳ", "Ý", "Ỷ", "Ỹ", "Ỵ"},
  };
  std::vector<LetterFold> letters;
  for (const auto& row : kRows) {
    const char base = static_cast<char>(row[0][0] | 0x20);
    for (int tone = 1; tone < 7; ++tone) letters.push_back({row[tone], base});
  }
  letters.push_back({"đ", 'd'});
  letters.push_back({"Đ", 'd'});
  return letters;
}

// The 134 letters above that are not plain ASCII.
inline std::vector<LetterFold> PrecomposedVietnameseLetters() {
  std::vector<LetterFold> out;
  for (auto& l : AllVietnameseLetters()) {
    if (l.letter.size() > 1) out.push_back(l);
  }
  return out;
}

}  // namespace danhba::text::testing
