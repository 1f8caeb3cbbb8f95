// Vietnamese text as it arrives from HR files and forms: Unicode normalisation,
// whitespace clean-up, display case and ASCII folding (R12).
#pragma once

#include <string>
#include <string_view>

#include "danhba/base/result.h"

namespace danhba::text {

// NFC of `utf8`. NFD, "composite" (precomposed base + combining tone, as UniKey
// and CP1258 produce) and mixed input all give the same string.
// Invalid UTF-8 is an invalid-input error naming the byte offset.
Result<std::string> ToNfc(std::string_view utf8);

// NFC, with NBSP, tabs and other spaces folded to one ASCII space; zero-width
// characters, BOM and soft hyphens removed; leading and trailing space trimmed.
Result<std::string> Clean(std::string_view utf8);

// Vietnamese-aware proper case for display: "NGUYỄN VĂN AN" and "nguyễn văn an"
// give "Nguyễn Văn An"; "K'NAM" gives "K'Nam". Input is expected Clean()ed.
std::string ProperCase(std::string_view utf8);

// Lower-case ASCII fold of one word for addresses: combining marks removed,
// đ/Đ -> d, apostrophes of every kind removed, anything else outside a-z0-9
// dropped. "Nguyễn" -> "nguyen", "K'Nam" -> "knam".
std::string FoldWord(std::string_view utf8);

// Search key: like FoldWord, but words stay separated by single spaces.
// "Nguyễn  Văn-An" -> "nguyen van an".
std::string FoldForSearch(std::string_view utf8);

}  // namespace danhba::text
