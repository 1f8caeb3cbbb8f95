// The Vietnamese alphabet as data: every letter with its tone and case. Internal.
#pragma once

#include <cstdint>

namespace danhba::text::internal {

// In the order of the rows of the alphabet table: ngang (none), huyền, sắc, hỏi, ngã, nặng.
enum class Tone : std::uint8_t { kNone, kHuyen, kSac, kHoi, kNga, kNang };

struct LetterInfo {
  char32_t plain;  // lower case without tone, vowel quality kept: ễ -> ê, Ư -> ư, D -> d
  Tone tone;
  bool upper;
};

// The letter's description when `cp` is one of the 26 ASCII letters, đ/Đ or a
// precomposed Vietnamese vowel (with or without tone); otherwise nullptr.
const LetterInfo* VietnameseLetter(char32_t cp);

// The precomposed letter for a plain vowel (a ă â e ê i o ô ơ u ư y, or đ), a
// tone and a case; 0 when there is none.
char32_t ComposeVietnamese(char32_t plain, Tone tone, bool upper);

// The tone a combining mark stands for (U+0300 huyền, U+0301 sắc, U+0309 hỏi,
// U+0303 ngã, U+0323 nặng; also U+0340/U+0341), else kNone.
Tone ToneOfCombiningMark(char32_t cp);

}  // namespace danhba::text::internal
