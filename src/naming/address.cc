#include "danhba/naming/address.h"

#include <array>
#include <utility>

#include "danhba/text/text.h"
#include "naming/letters.h"

namespace danhba::naming {
namespace {

using internal::AppendInitial;
using internal::Quote;

// Calls `f(word)` for each space-separated word of `s`.
template <class F>
bool ForEachWord(std::string_view s, F&& f) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t e = s.find(' ', i);
    if (e == std::string_view::npos) e = s.size();
    if (e > i && !f(s.substr(i, e - i))) return false;
    i = e + 1;
  }
  return true;
}

Error NoAsciiLetters(const PersonName& name, std::string_view part, std::string_view word) {
  return InvalidInput("name " + Quote(name.full_name) + ": " + std::string(part) + " " +
                      Quote(word) + " has no letters a-z once diacritics are removed");
}

}  // namespace

Result<LocalPart> MakeLocalPart(const PersonName& name, std::size_t max_length, bool explain) {
  LocalPart result;
  std::string& out = result.value;
  out.reserve(name.given_name.size() + 8);
  text::AppendFoldWord(name.given_name, out);
  if (out.empty()) {
    if (name.given_name.empty())
      return InvalidInput("name " + Quote(name.full_name) + " has no letters");
    return NoAsciiLetters(name, "given name", name.given_name);
  }
  std::string initials_note;
  std::string_view bad_word;
  std::string_view bad_part;
  auto initial = [&](std::string_view part) {
    return [&, part](std::string_view word) {
      if (!AppendInitial(word, out)) {
        bad_word = word;
        bad_part = part;
        return false;
      }
      if (explain) {
        if (!initials_note.empty()) initials_note += ", ";
        initials_note += Quote(word) + " -> " + Quote(std::string_view(&out.back(), 1));
      }
      return true;
    };
  };
  if (!ForEachWord(name.family_name, initial("family name word"))) {
    return NoAsciiLetters(name, bad_part, bad_word);
  }
  for (const auto& middle : name.middle_names) {
    if (!ForEachWord(middle, initial("middle name")))
      return NoAsciiLetters(name, bad_part, bad_word);
  }
  if (out.size() > max_length) {
    return InvalidInput("name " + Quote(name.full_name) + ": local part " + Quote(out) +
                        " is longer than " + std::to_string(max_length));
  }
  if (explain) {
    std::string line = "tencbcc: given name " + Quote(name.given_name) + " -> " +
                       Quote(text::FoldWord(name.given_name));
    if (!initials_note.empty()) {
      line += ", then the initials of the family and middle names: " + initials_note;
    }
    line += "; local part " + Quote(out);
    result.explanation.push_back(std::move(line));
  }
  return result;
}

Result<NamedAddress> AddressFor(std::string_view full_name, const AddressOptions& options) {
  auto name = ParseName(full_name, ParseOptions{.explain = options.explain});
  if (!name.ok()) return name.take_error();
  DANHBA_ASSIGN_OR_RETURN(auto local, MakeLocalPart(*name, options.max_length, options.explain));
  return NamedAddress{std::move(*name), std::move(local)};
}

Result<NamedAddress> AddressFor(const NameFields& fields, const AddressOptions& options) {
  auto name = NameFromFields(fields, ParseOptions{.explain = options.explain});
  if (!name.ok()) return name.take_error();
  DANHBA_ASSIGN_OR_RETURN(auto local, MakeLocalPart(*name, options.max_length, options.explain));
  return NamedAddress{std::move(*name), std::move(local)};
}

namespace {

// The local part of a name that needs none of ParseName's slower steps: words of
// letters (any normalisation form: folding drops the marks NFC would compose),
// apostrophes and hyphens, separated by ASCII spaces or tabs; no period (titles),
// no character Clean() would change or drop, nothing that is an error. Returns
// false, having appended nothing, for anything else: the full path then decides,
// and gives the same result or the error. Equivalence with AddressFor is checked
// by the unit tests over every form of every test name.
bool AppendLocalPartFast(std::string_view s, std::string& out, std::size_t max_length) {
  constexpr std::size_t kMaxWords = 16;
  std::array<std::string_view, kMaxWords> words;
  std::size_t count = 0;
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    while (i < n && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i == n) break;
    const std::size_t begin = i;
    bool letter = false;
    while (i < n && s[i] != ' ' && s[i] != '\t') {
      const auto b = static_cast<unsigned char>(s[i]);
      if (b < 0x80) {
        if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') {
          letter = true;
        } else if (b != '\'' && b != '-') {
          return false;
        }
        ++i;
        continue;
      }
      char32_t cp = 0;
      const std::size_t len = internal::Decode(s, i, cp);
      // Latin letters with and without diacritics, and combining marks only;
      // ×, ÷ and U+FFFD (a stray byte) are not letters.
      if ((cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
          (cp >= 0x1E00 && cp <= 0x1EFF)) {
        letter = true;
      } else if (!(cp >= 0x300 && cp <= 0x36F)) {
        return false;
      }
      i += len;
    }
    if (!letter || count == kMaxWords) return false;
    words[count++] = s.substr(begin, i - begin);
  }
  if (count == 0) return false;
  // A bare one-letter prefix with an apostrophe joins the next word (K' Nam ->
  // K'Nam), so the joined word gives one initial, or is wholly the given name.
  std::array<bool, kMaxWords> joins_next{};
  for (std::size_t k = 0; k + 1 < count; ++k) {
    const std::string_view w = words[k];
    if (w.back() != '\'') continue;
    char32_t cp = 0;
    const std::size_t len = internal::Decode(w, 0, cp);
    // Anything but one letter and the apostrophe (a prefix in NFD, a stray
    // apostrophe) is for the full path to judge.
    if (len + 1 != w.size() || !internal::IsLetter(cp)) return false;
    joins_next[k] = true;
  }
  std::size_t given_begin = count - 1;
  while (given_begin > 0 && joins_next[given_begin - 1]) --given_begin;
  const std::size_t start = out.size();
  for (std::size_t k = given_begin; k < count; ++k) text::AppendFoldWord(words[k], out);
  if (out.size() == start) return false;
  for (std::size_t k = 0; k < given_begin; ++k) {
    if (k > 0 && joins_next[k - 1]) continue;  // part of the word before
    if (!AppendInitial(words[k], out)) {
      out.resize(start);
      return false;
    }
  }
  if (out.size() - start > max_length) {
    out.resize(start);
    return false;
  }
  return true;
}

}  // namespace

Status AppendLocalPart(std::string_view full_name, std::string& out, std::size_t max_length) {
  if (AppendLocalPartFast(full_name, out, max_length)) return Ok();
  DANHBA_ASSIGN_OR_RETURN(auto name, ParseName(full_name));
  DANHBA_ASSIGN_OR_RETURN(auto local, MakeLocalPart(name, max_length));
  out.append(local.value);
  return Ok();
}

Status ValidateLocalPart(std::string_view local_part, std::size_t max_length) {
  const std::string shown = "local part " + Quote(local_part);
  if (local_part.empty()) return InvalidInput("local part is empty");
  if (local_part.size() > max_length) {
    return InvalidInput(shown + " is longer than " + std::to_string(max_length));
  }
  if (local_part.front() == '.') return InvalidInput(shown + " starts with a dot");
  if (local_part.back() == '.') return InvalidInput(shown + " ends with a dot");
  bool letter = false;
  for (std::size_t i = 0; i < local_part.size(); ++i) {
    const char c = local_part[i];
    if (c >= 'a' && c <= 'z') {
      letter = true;
    } else if ((c >= '0' && c <= '9') || c == '-' || c == '_') {
    } else if (c == '.') {
      if (local_part[i + 1] == '.') return InvalidInput(shown + " has an empty part between dots");
    } else if (c >= 'A' && c <= 'Z') {
      return InvalidInput(shown + " has upper case; addresses here are lower case");
    } else {
      const auto b = static_cast<unsigned char>(c);
      const std::string what = b >= 0x80 ? std::string("a non-ASCII character")
                                         : Quote(std::string_view(&local_part[i], 1));
      return InvalidInput(shown + " has " + what + "; only a-z, 0-9, '.', '-' and '_' are allowed");
    }
  }
  if (!letter) return InvalidInput(shown + " has no letter");
  return Ok();
}

}  // namespace danhba::naming
