#include "danhba/naming/name.h"

#include <algorithm>
#include <array>
#include <utility>

#include "danhba/text/text.h"
#include "naming/letters.h"

namespace danhba::naming {
namespace {

using internal::Decode;
using internal::HasLetter;
using internal::IsLetter;
using internal::IsMark;
using internal::Quote;

// Academic, professional and honorary titles written before names in Vietnamese
// documents, folded: tiến sĩ, thạc sĩ, phó giáo sư, giáo sư, bác sĩ (chuyên khoa
// I/II, nội trú), kỹ sư, cử nhân, tiến sĩ khoa học, nghiên cứu sinh, kiến trúc sư,
// luật sư, dược sĩ, giảng viên (chính), nhà giáo / thầy thuốc / nghệ sĩ nhân dân
// and ưu tú, and the English ones seen in bilingual lists. Sorted.
constexpr std::array<std::string_view, 36> kTitles = {
    "bs",   "bsck", "bscki", "bsckii", "bsnt", "ck",  "cki", "ckii", "cn",   "dr",   "ds",  "dsck",
    "gs",   "gv",   "gvc",   "gvcc",   "ks",   "kts", "ls",  "mr",   "mrs",  "ms",   "ncs", "ngnd",
    "ngut", "nsnd", "nsut",  "pgs",    "prof", "ths", "ts",  "tskh", "ttnd", "ttut", "ycs", "ysi",
};
static_assert(std::is_sorted(kTitles.begin(), kTitles.end()));

bool IsTitle(std::string_view folded) {
  return std::binary_search(kTitles.begin(), kTitles.end(), folded);
}

// Compound family names that are never a family name followed by a common middle
// name, so labelling them as one family name is safe. "Nguyễn Phúc" is not here:
// Phúc is a common middle name. The address does not depend on this list.
constexpr std::array<std::string_view, 8> kCompoundFamilies = {
    "Tôn Thất", "Tôn Nữ", "Hoàng Phủ", "Âu Dương", "Công Tôn", "Tư Mã", "Gia Cát", "Thượng Quan"};

bool IsCompoundFamily(std::string_view two_words) {
  return std::find(kCompoundFamilies.begin(), kCompoundFamilies.end(), two_words) !=
         kCompoundFamilies.end();
}

Error Bad(std::string_view what, std::string_view shown, std::string_view problem) {
  std::string detail(what);
  if (!shown.empty()) {
    detail += ' ';
    detail += Quote(shown);
  }
  detail += problem;
  return InvalidInput(std::move(detail));
}

// Removes leading titles ("PGS.TS.", "PGS. TS.", "Th.S.") from `s` and returns
// where the name starts.
std::size_t StripTitles(std::string_view s, std::vector<std::string>& titles) {
  std::size_t p = 0;
  std::string folded;
  auto segment_end = [&](std::size_t from) {
    std::size_t q = from;
    while (q < s.size() && s[q] != ' ' && s[q] != '.') ++q;
    return q;
  };
  auto skip_spaces = [&](std::size_t from) {
    while (from < s.size() && s[from] == ' ') ++from;
    return from;
  };
  // After a title glued to what follows ("PGS.TS"), a last title may lack its period.
  bool chained = false;
  while (p < s.size()) {
    const std::size_t q = segment_end(p);
    const bool period = q < s.size() && s[q] == '.';
    if (q == p || (!period && !chained)) break;
    folded.clear();
    text::AppendFoldWord(s.substr(p, q - p), folded);
    if (!period) {
      if (chained && IsTitle(folded)) {
        titles.emplace_back(s.substr(p, q - p));
        p = skip_spaces(q);
      }
      break;
    }
    if (IsTitle(folded)) {
      titles.emplace_back(s.substr(p, q + 1 - p));
      chained = q + 1 < s.size() && s[q + 1] != ' ';
      p = skip_spaces(q + 1);
      continue;
    }
    // A title written with a period inside it: "Th.S.".
    const std::size_t r = segment_end(q + 1);
    if (r > q + 1 && r < s.size() && s[r] == '.') {
      text::AppendFoldWord(s.substr(q + 1, r - q - 1), folded);
      if (IsTitle(folded)) {
        titles.emplace_back(s.substr(p, r + 1 - p));
        chained = r + 1 < s.size() && s[r + 1] != ' ';
        p = skip_spaces(r + 1);
        continue;
      }
    }
    break;
  }
  return p;
}

// The word of `s` around byte `at`.
std::string_view WordAt(std::string_view s, std::size_t at) {
  std::size_t b = at;
  while (b > 0 && s[b - 1] != ' ') --b;
  std::size_t e = at;
  while (e < s.size() && s[e] != ' ') ++e;
  return s.substr(b, e - b);
}

// One letter and an apostrophe: the K', H', Y' prefixes of Central Highlands and
// S'tiêng names, written apart from the word they belong to.
bool IsBarePrefix(std::string_view word) {
  if (word.size() < 2 || word.back() != '\'') return false;
  char32_t cp = 0;
  const std::size_t n = Decode(word, 0, cp);
  return n + 1 == word.size() && IsLetter(cp);
}

struct Words {
  std::string text;  // proper case, single spaces
  std::vector<std::string> titles;
};

// Clean-up shared by full names and fields: NFC, spaces, allowed characters,
// titles (when `strip_titles`), glued prefixes, proper case.
Result<Words> PrepareWords(std::string_view input, std::string_view what, bool strip_titles,
                           std::vector<std::string>* explanation) {
  auto cleaned = text::Clean(input);
  if (!cleaned.ok()) {
    return InvalidInput(std::string(what) + ": " + cleaned.error().detail);
  }
  const std::string& s = *cleaned;
  if (s.empty()) return Bad(what, "", " is empty");

  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = Decode(s, i, cp);
    if (!(cp == ' ' || cp == '\'' || cp == '-' || cp == '.' || IsLetter(cp) || IsMark(cp))) {
      return Bad(what, s, ": " + Quote(s.substr(i, n)) + " cannot be part of a name");
    }
    i += n;
  }
  if (!HasLetter(s)) return Bad(what, s, " has no letters");

  Words words;
  std::size_t start = 0;
  if (strip_titles) {
    start = StripTitles(s, words.titles);
    if (explanation != nullptr && !words.titles.empty()) {
      std::string line = "removed title";
      if (words.titles.size() > 1) line += 's';
      for (const auto& t : words.titles) line += ' ' + Quote(t);
      explanation->push_back(std::move(line));
    }
    if (start == s.size()) return Bad(what, s, " has no name after its titles");
  }
  const std::string_view rest = std::string_view(s).substr(start);
  if (const auto dot = rest.find('.'); dot != std::string_view::npos) {
    if (!strip_titles) return Bad(what, s, ": '.' cannot be part of a name");
    return Bad(what, s,
               ": " + Quote(WordAt(rest, dot)) +
                   " is not a known title; a period may only follow a title at the start "
                   "(TS., ThS., PGS., GS., BS., KS., CN., ...)");
  }

  std::string glued;
  glued.reserve(rest.size());
  bool glue_next = false;
  std::size_t i = 0;
  while (i < rest.size()) {
    std::size_t e = rest.find(' ', i);
    if (e == std::string_view::npos) e = rest.size();
    const std::string_view word = rest.substr(i, e - i);
    if (!HasLetter(word)) return Bad(what, s, ": " + Quote(word) + " has no letters");
    if (!glued.empty() && !glue_next) glued.push_back(' ');
    glued.append(word);
    // A bare prefix at the very end stays a word of its own.
    glue_next = IsBarePrefix(word) && e < rest.size();
    if (glue_next && explanation != nullptr) {
      std::size_t ne = rest.find(' ', e + 1);
      if (ne == std::string_view::npos) ne = rest.size();
      explanation->push_back("joined " + Quote(word) + " to the next word " +
                             Quote(rest.substr(e + 1, ne - e - 1)));
    }
    i = e + 1;
  }
  words.text = text::ProperCase(glued);
  return words;
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t e = s.find(' ', i);
    if (e == std::string_view::npos) e = s.size();
    out.push_back(s.substr(i, e - i));
    i = e + 1;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& KnownTitles() {
  static const std::vector<std::string> titles(kTitles.begin(), kTitles.end());
  return titles;
}

Result<PersonName> ParseName(std::string_view full_name, const ParseOptions& options) {
  PersonName name;
  name.source = NameSource::kParsed;
  auto* explanation = options.explain ? &name.explanation : nullptr;
  DANHBA_ASSIGN_OR_RETURN(auto words, PrepareWords(full_name, "name", true, explanation));
  name.titles = std::move(words.titles);
  name.full_name = std::move(words.text);

  const auto parts = SplitSpaces(name.full_name);
  const std::size_t n = parts.size();
  std::size_t family_words = 0;
  if (n >= 2) family_words = 1;
  if (n >= 3) {
    const std::string_view two =
        std::string_view(name.full_name)
            .substr(0,
                    static_cast<std::size_t>(parts[1].data() + parts[1].size() - parts[0].data()));
    if (IsCompoundFamily(two)) family_words = 2;
  }
  if (family_words > 0) {
    name.family_name.assign(parts[0].data(), static_cast<std::size_t>(
                                                 parts[family_words - 1].data() +
                                                 parts[family_words - 1].size() - parts[0].data()));
  }
  name.middle_names.reserve(n - 1);
  for (std::size_t k = family_words; k + 1 < n; ++k) name.middle_names.emplace_back(parts[k]);
  name.given_name.assign(parts[n - 1]);

  if (explanation != nullptr) {
    std::string line = "words";
    for (const auto w : parts) line += ' ' + Quote(w);
    line += ": the last is the given name";
    if (n == 1) {
      line += " (a one-word name has no family name)";
    } else if (family_words == 2) {
      line += ", " + Quote(name.family_name) + " a compound family name";
    } else {
      line += ", the first the family name";
    }
    if (!name.middle_names.empty()) line += ", the others middle names";
    explanation->push_back(std::move(line));
  }
  return name;
}

Result<PersonName> NameFromFields(const NameFields& fields, const ParseOptions& options) {
  PersonName name;
  name.source = NameSource::kFields;
  auto* explanation = options.explain ? &name.explanation : nullptr;
  auto family = PrepareWords(fields.family, "family name field", false, nullptr);
  if (!family.ok()) return family.take_error();
  auto given = PrepareWords(fields.given, "given name field", false, nullptr);
  if (!given.ok()) return given.take_error();
  name.family_name = std::move(family->text);
  name.given_name = std::move(given->text);
  name.full_name = name.family_name;
  std::string middle_text;
  if (fields.middle.find_first_not_of(" \t") != std::string::npos) {
    auto middle = PrepareWords(fields.middle, "middle name field", false, nullptr);
    if (!middle.ok()) return middle.take_error();
    middle_text = std::move(middle->text);
    for (const auto w : SplitSpaces(middle_text)) name.middle_names.emplace_back(w);
    name.full_name += ' ';
    name.full_name += middle_text;
  }
  name.full_name += ' ';
  name.full_name += name.given_name;
  if (explanation != nullptr) {
    explanation->push_back("fields as given: family " + Quote(name.family_name) + ", middle " +
                           Quote(middle_text) + ", given " + Quote(name.given_name) +
                           " (fields are never reordered)");
  }
  return name;
}

}  // namespace danhba::naming
