#include "danhba/naming/agency_code.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <utility>

#include "danhba/naming/address.h"
#include "danhba/naming/allocation.h"
#include "danhba/text/text.h"
#include "naming/letters.h"

namespace danhba::naming {
namespace {

using internal::AppendInitial;
using internal::Decode;
using internal::IsLetter;
using internal::IsMark;
using internal::Quote;

struct Word {
  std::string_view original;
  std::string folded;
};

// Linking words that give no letter to a code, folded.
constexpr std::array<std::string_view, 6> kLinkingWords = {"va",  "cac", "cua",
                                                           "cho", "voi", "nhung"};

// Administrative levels below the province, folded, longest first, with the
// letters that stand for them in a code.
struct Level {
  std::array<std::string_view, 2> words;  // second empty for one-word levels
  std::string_view abbreviation;
};
constexpr std::array<Level, 7> kLocalLevels = {{
    {{"thanh", "pho"}, "tp"},
    {{"thi", "tran"}, "tt"},
    {{"thi", "xa"}, "tx"},
    {{"phuong", ""}, "p"},
    {{"xa", ""}, "x"},
    {{"huyen", ""}, "h"},
    {{"quan", ""}, "q"},
}};

bool IsLinkingWord(std::string_view folded) {
  return std::find(kLinkingWords.begin(), kLinkingWords.end(), folded) != kLinkingWords.end();
}

// Two or more letters, all capitals: an abbreviation such as UBND or HĐND.
bool IsAbbreviation(std::string_view word) {
  int letters = 0;
  for (std::size_t i = 0; i < word.size();) {
    char32_t cp = 0;
    i += Decode(word, i, cp);
    if (IsMark(cp)) continue;
    if (!IsLetter(cp) || !u_isUUppercase(static_cast<UChar32>(cp))) return false;
    ++letters;
  }
  return letters >= 2;
}

// Where a people's committee or council ("Ủy ban nhân dân", "Hội đồng nhân dân",
// "UBND", "HĐND") starts and ends, or npos.
std::pair<std::size_t, std::size_t> FindPeoplesBody(const std::vector<Word>& words) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& f = words[i].folded;
    if (f == "ubnd" || f == "hdnd") return {i, i + 1};
    if (i + 3 < words.size() &&
        ((f == "uy" && words[i + 1].folded == "ban") ||
         (f == "hoi" && words[i + 1].folded == "dong")) &&
        words[i + 2].folded == "nhan" && words[i + 3].folded == "dan") {
      return {i, i + 4};
    }
  }
  return {std::string_view::npos, std::string_view::npos};
}

bool IsCommittee(const std::vector<Word>& words, std::size_t begin, std::size_t end) {
  return (end - begin == 1 && words[begin].folded == "ubnd") ||
         (end - begin == 4 && words[begin].folded == "uy");
}

// Appends the letters of words[begin, end): initials, whole abbreviations, no
// linking words.
// `abbreviations`: whether capitals mark abbreviations (not in a name written
// wholly in capitals).
void AppendInitials(const std::vector<Word>& words, std::size_t begin, std::size_t end,
                    bool abbreviations, std::string& code, std::vector<std::string>& notes) {
  for (std::size_t i = begin; i < end; ++i) {
    const Word& w = words[i];
    if (IsLinkingWord(w.folded)) {
      notes.push_back(Quote(w.original) + ": a linking word, no letter");
    } else if (abbreviations && IsAbbreviation(w.original)) {
      code += w.folded;
      notes.push_back(Quote(w.original) + " -> " + Quote(w.folded) + " (an abbreviation)");
    } else if (AppendInitial(w.original, code)) {
      notes.push_back(Quote(w.original) + " -> " + Quote(std::string_view(&code.back(), 1)));
    }
  }
}

}  // namespace

Status ValidateAgencyCode(std::string_view code) {
  const std::string shown = "agency code " + Quote(code);
  if (code.empty()) return InvalidInput("agency code is empty");
  if (code.size() > kDefaultMaxLocalPartLength) {
    return InvalidInput(shown + " is longer than " + std::to_string(kDefaultMaxLocalPartLength));
  }
  if (code.front() == '.' || code.back() == '.') {
    return InvalidInput(shown + " starts or ends with a dot");
  }
  bool letter = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c >= 'a' && c <= 'z') {
      letter = true;
    } else if (c >= '0' && c <= '9') {
    } else if (c == '.') {
      if (code[i + 1] == '.') return InvalidInput(shown + " has an empty part between dots");
    } else {
      return InvalidInput(shown + " may hold only a-z, 0-9 and dots between parts" +
                          (c >= 'A' && c <= 'Z' ? " (lower case)" : ""));
    }
  }
  if (!letter) return InvalidInput(shown + " has no letter");
  const auto& reserved = DefaultReservedNames();
  if (std::find(reserved.begin(), reserved.end(), code) != reserved.end()) {
    return InvalidInput(shown + " is a reserved role address");
  }
  return Ok();
}

Result<AgencyCodeSuggestion> SuggestAgencyCode(std::string_view agency_name) {
  auto cleaned = text::Clean(agency_name);
  if (!cleaned.ok()) return InvalidInput("agency name: " + cleaned.error().detail);
  const std::string& s = *cleaned;

  std::vector<Word> words;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t b = i;
    while (b < s.size()) {
      char32_t cp = 0;
      const std::size_t n = Decode(s, b, cp);
      if (IsLetter(cp) || IsMark(cp) || (cp >= '0' && cp <= '9')) break;
      b += n;
    }
    std::size_t e = b;
    while (e < s.size()) {
      char32_t cp = 0;
      const std::size_t n = Decode(s, e, cp);
      if (!(IsLetter(cp) || IsMark(cp) || (cp >= '0' && cp <= '9') || cp == '\'')) break;
      e += n;
    }
    if (e > b) {
      const std::string_view original = std::string_view(s).substr(b, e - b);
      Word w{original, text::FoldWord(original)};
      if (!w.folded.empty()) words.push_back(std::move(w));
    }
    i = e;
  }
  if (words.empty()) return InvalidInput("agency name " + Quote(s) + " has no letters");

  const bool abbreviations = !std::all_of(words.begin(), words.end(), [](const Word& w) {
    return IsAbbreviation(w.original) || w.folded.size() == 1;
  });
  AgencyCodeSuggestion suggestion;
  std::vector<std::string> notes;
  std::string& code = suggestion.code;
  const auto [body_begin, body_end] = FindPeoplesBody(words);
  bool done = false;
  if (body_begin != std::string_view::npos && body_end < words.size()) {
    const std::string& level = words[body_end].folded;
    if (level == "tinh") {
      AppendInitials(words, 0, body_end, abbreviations, code, notes);
      notes.push_back("the province level (" + Quote(words[body_end].original) +
                      " and what follows) is left out: the domain names the province");
      done = true;
    } else {
      for (const auto& l : kLocalLevels) {
        const bool two = !l.words[1].empty();
        if (level != l.words[0] ||
            (two && (body_end + 1 >= words.size() || words[body_end + 1].folded != l.words[1]))) {
          continue;
        }
        const std::size_t place = body_end + (two ? 2 : 1);
        if (place >= words.size()) break;
        if (!IsCommittee(words, body_begin, body_end) || body_begin > 0) {
          AppendInitials(words, 0, IsCommittee(words, body_begin, body_end) ? body_begin : body_end,
                         abbreviations, code, notes);
          if (!code.empty()) code += '.';
        } else {
          notes.push_back("the people's committee is what a local code stands for by default");
        }
        code += l.abbreviation;
        code += '.';
        std::string place_name;
        for (std::size_t k = place; k < words.size(); ++k) {
          code += words[k].folded;
          if (!place_name.empty()) place_name += ' ';
          place_name += words[k].original;
        }
        notes.push_back("level " + Quote(l.abbreviation) + ", place " + Quote(place_name) +
                        " written out");
        done = true;
        break;
      }
    }
  }
  if (!done) AppendInitials(words, 0, words.size(), abbreviations, code, notes);

  if (auto ok = ValidateAgencyCode(code); !ok.ok()) {
    return InvalidInput("agency name " + Quote(s) +
                        ": suggested code does not work: " + ok.error().detail);
  }
  suggestion.explanation = std::move(notes);
  suggestion.explanation.push_back("suggested code " + Quote(code));
  return suggestion;
}

}  // namespace danhba::naming
