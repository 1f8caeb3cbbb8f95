// Vietnamese syllable structure: onset + rhyme + tone, as written in the
// national orthography. Used to tell real Vietnamese text from text decoded in
// the wrong encoding.
#pragma once

#include <string_view>

namespace danhba::text {

// True when `word` (UTF-8, NFC or NFD) is one well-formed written Vietnamese
// syllable: an onset (b, c, ch, d, đ, g, gh, gi, h, k, kh, l, m, n, ng, ngh, nh,
// p, ph, q, qu, r, s, t, th, tr, v, x or none) with its spelling constraints
// (k/gh/ngh only before i, e, ê, y; c and ng not before them), a rhyme from the
// orthography's inventory, at most one tone mark, and the tone rule for stop
// finals (-c, -ch, -p, -t take only sắc or nặng). Case must be lower, upper or
// capitalised ("an", "AN", "An"; not "aN"). Tone placement ("hoà"/"hòa") is not
// judged. Ethnic-minority names (Ksor, H'Nhi) are not syllables in this sense.
bool IsVietnameseSyllable(std::string_view word);

}  // namespace danhba::text
