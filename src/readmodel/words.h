// Word lists of the read model: space-separated words, as the search indexes
// keep them. Internal to the readmodel module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace danhba::readmodel {

// Appends the non-empty space-separated words of `words` to `out`.
void SplitWords(std::string_view words, std::vector<std::string_view>& out);

// `text` cleaned (NFC), in lower case with its diacritics, apostrophes removed,
// ASCII punctuation and spaces turned into single spaces: "Lê Thị Tuyết-Mai"
// -> "lê thị tuyết mai". Invalid UTF-8 gives an empty string.
std::string LowerWords(std::string_view text);

}  // namespace danhba::readmodel
