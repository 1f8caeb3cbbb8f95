// Character classes and small UTF-8 helpers shared by the naming sources. Internal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace danhba::naming::internal {

// Decodes one code point at `s[i]` of well-formed UTF-8 (the text module has
// checked it). Returns its length in bytes; 1 for a stray byte, so loops progress.
std::size_t Decode(std::string_view s, std::size_t i, char32_t& cp);

// A letter of any script (the Latin letters Vietnamese uses take a table lookup).
bool IsLetter(char32_t cp);
// A combining mark (NFD input that NFC could not compose, e.g. on a base that
// has no precomposed form).
bool IsMark(char32_t cp);

// True when `s` has at least one letter.
bool HasLetter(std::string_view s);

// Appends the first ASCII letter or digit that `word` folds to; false when it
// folds to nothing.
bool AppendInitial(std::string_view word, std::string& out);

// "'" + s + "'", for error messages.
std::string Quote(std::string_view s);

}  // namespace danhba::naming::internal
