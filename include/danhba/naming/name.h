// Vietnamese personal names: parsing a full name into family name (họ), middle
// names (chữ lót / tên đệm) and given name (tên), or taking them from the separate
// fields an HR system sends (R1, R12).
//
// The parse works on syllables and needs no dictionary for the address: the last
// syllable is the given name and every earlier one is part of the family or middle
// names, so compound family names (Tôn Thất, Hoàng Phủ, Nguyễn Phúc) give the
// same address whichever way they are labelled. Names whose order differs from
// "family middle given" (Ê Đê names such as `H'Hen Niê`, where Niê is the family
// name) must come as fields: fields always win over parsing.
//
// All functions are thread-safe and take UTF-8 in any normalisation form, in any
// case, with stray whitespace.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"

namespace danhba::naming {

// How the parts of a name were found, for explanations.
enum class NameSource {
  kParsed,  // split from a full name by the syllable rule
  kFields,  // given as separate family / middle / given fields
};

struct PersonName {
  // NFC, single spaces, Vietnamese proper case, titles removed: "Nguyễn Văn An".
  std::string full_name;
  // May hold more than one word ("Tôn Thất"); empty for a one-word name.
  std::string family_name;
  // One word each, in order.
  std::vector<std::string> middle_names;
  // One word, except when a given-name field held several (kept together).
  std::string given_name;
  // Titles removed from the front, as written in the input ("PGS.", "TS.").
  std::vector<std::string> titles;
  NameSource source = NameSource::kParsed;
  // What was done, one line per step, when asked for (ParseOptions::explain).
  std::vector<std::string> explanation;
};

// Structured input, as HR systems send it. Family and given are required; middle
// may be empty or hold several words. Each field is cleaned as a full name is.
struct NameFields {
  std::string family;
  std::string middle;
  std::string given;
};

struct ParseOptions {
  // Fill PersonName::explanation (costs time; off on hot paths).
  bool explain = false;
};

// Splits a full name:
//  - text is cleaned (NFC, spaces folded, apostrophe look-alikes unified) and put
//    in proper case;
//  - leading titles written with a period are removed (`TS.`, `ThS.`, `Th.S.`,
//    `PGS.TS.`, `PGS. TS.`, `GS.`, `BS.`, `KS.`, `CN.`, `BSCKII.`, `NGƯT.` ... see
//    KnownTitles()); a word without a period is never a title, so `Ông Văn Ích`
//    keeps its family name Ông;
//  - a bare one-letter prefix with an apostrophe is glued to the next word
//    (`Điểu K' Nam` -> `Điểu K'Nam`);
//  - the last word is the given name, the first the family name (two words for a
//    few unambiguous compound family names such as Tôn Thất, Hoàng Phủ, Âu Dương,
//    when at least three words remain), the rest middle names.
// Errors (invalid input, naming the input): invalid UTF-8, an empty name, a name
// with no letters, a character that cannot be in a name (digits, symbols), a
// period that is not part of a known title, nothing left after the titles.
Result<PersonName> ParseName(std::string_view full_name, const ParseOptions& options = {});

// Takes the parts as given; no reordering, no dictionary. Titles are not removed
// from fields. Errors as for ParseName, naming the field.
Result<PersonName> NameFromFields(const NameFields& fields, const ParseOptions& options = {});

// The titles ParseName removes, folded to ASCII lower case without periods
// ("ts", "ths", "pgs", ...).
const std::vector<std::string>& KnownTitles();

}  // namespace danhba::naming
