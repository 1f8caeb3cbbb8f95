// Vietnamese text as it arrives from HR files and forms: Unicode normalisation,
// whitespace clean-up, display case and ASCII folding (R12).
//
// All functions are thread-safe and take UTF-8. Pure-ASCII and already-NFC input
// take fast paths that do not call into the Unicode library.
#pragma once

#include <string>
#include <string_view>

#include "danhba/base/result.h"

namespace danhba::text {

// Ok when `utf8` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates);
// otherwise an invalid-input error naming the byte offset of the first bad byte.
Status CheckUtf8(std::string_view utf8);

// NFC of `utf8`. NFD, "composite" (precomposed base + combining tone, as UniKey
// and CP1258 produce) and mixed input all give the same string.
// Invalid UTF-8 is an invalid-input error naming the byte offset.
Result<std::string> ToNfc(std::string_view utf8);

// NFC, with NBSP, tabs, line breaks and other spaces folded to one ASCII space;
// zero-width characters, BOM, soft hyphens, bidi marks and control characters
// removed; leading and trailing space trimmed. Apostrophe look-alikes
// (’ ‘ ʼ ʻ ´ `) become the ASCII apostrophe, so "K’Nam" and "K'Nam" are one name.
// Invalid UTF-8 is an invalid-input error naming the byte offset.
Result<std::string> Clean(std::string_view utf8);

// Vietnamese-aware proper case for display: "NGUYỄN VĂN AN" and "nguyễn văn an"
// give "Nguyễn Văn An"; "K'NAM" gives "K'Nam". Words are separated by anything
// that is not a letter, digit, combining mark or apostrophe (so "VĂN-AN" gives
// "Văn-An"); after a one-letter prefix and an apostrophe (K', H', Y') the next
// letter is capitalised too. Input is expected Clean()ed; invalid UTF-8 bytes are
// copied through unchanged.
std::string ProperCase(std::string_view utf8);

// Lower-case ASCII fold of one word for addresses: combining marks removed,
// đ/Đ -> d, apostrophes of every kind removed, anything else outside a-z0-9
// dropped. "Nguyễn" -> "nguyen", "K'Nam" -> "knam". NFC, NFD and composite
// input fold identically; folding is idempotent. Invalid UTF-8 bytes are dropped.
std::string FoldWord(std::string_view utf8);

// Search key: like FoldWord, but words stay separated by single spaces (spaces,
// hyphens, punctuation and symbols separate words; apostrophes and invisible
// characters such as soft hyphens do not), with no leading or trailing space.
// "Nguyễn  Văn-An" -> "nguyen van an".
std::string FoldForSearch(std::string_view utf8);

// Allocation-free forms of the two folds for hot loops: append to `out`.
void AppendFoldWord(std::string_view utf8, std::string& out);
void AppendFoldForSearch(std::string_view utf8, std::string& out);

}  // namespace danhba::text
