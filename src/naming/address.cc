#include "danhba/naming/address.h"

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
  auto local = MakeLocalPart(*name, options.max_length, options.explain);
  if (!local.ok()) return local.take_error();
  return NamedAddress{std::move(*name), std::move(*local)};
}

Result<NamedAddress> AddressFor(const NameFields& fields, const AddressOptions& options) {
  auto name = NameFromFields(fields, ParseOptions{.explain = options.explain});
  if (!name.ok()) return name.take_error();
  auto local = MakeLocalPart(*name, options.max_length, options.explain);
  if (!local.ok()) return local.take_error();
  return NamedAddress{std::move(*name), std::move(*local)};
}

Status AppendLocalPart(std::string_view full_name, std::string& out, std::size_t max_length) {
  auto name = ParseName(full_name);
  if (!name.ok()) return name.take_error();
  auto local = MakeLocalPart(*name, max_length);
  if (!local.ok()) return local.take_error();
  out.append(local->value);
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
