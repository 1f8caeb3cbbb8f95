#include "danhba/text/syllable.h"

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "danhba/text/text.h"
#include "text/utf8.h"
#include "text/vietnamese.h"

namespace danhba::text {
namespace {

constexpr std::array<std::string_view, 29> kOnsets = {
    "ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr", "b", "c", "d", "đ",
    "g",   "h",  "k",  "l",  "m",  "n",  "p",  "q",  "r",  "s",  "t",  "v", "x", ""};

const std::unordered_set<std::string_view>& Rhymes() {
  static const std::unordered_set<std::string_view> rhymes = {
      "a",    "ac",  "ach",  "ai",   "am",   "an",   "ang", "anh",  "ao",   "ap",   "at",   "au",
      "ay",   "ăc",  "ăm",   "ăn",   "ăng",  "ăp",   "ăt",  "âc",   "âm",   "ân",   "âng",  "âp",
      "ât",   "âu",  "ây",   "e",    "ec",   "em",   "en",  "eng",  "eo",   "ep",   "et",   "ê",
      "êch",  "êm",  "ên",   "ênh",  "êp",   "êt",   "êu",  "i",    "ia",   "ich",  "im",   "in",
      "inh",  "ip",  "it",   "iu",   "iêc",  "iêm",  "iên", "iêng", "iêp",  "iêt",  "iêu",  "o",
      "oc",   "oi",  "om",   "on",   "ong",  "op",   "ot",  "oong", "ooc",  "oa",   "oac",  "oach",
      "oai",  "oam", "oan",  "oang", "oanh", "oao",  "oap", "oat",  "oay",  "oăc",  "oăm",  "oăn",
      "oăng", "oăt", "oe",   "oen",  "oeo",  "oet",  "ô",   "ôc",   "ôi",   "ôm",   "ôn",   "ông",
      "ôp",   "ôt",  "ơ",    "ơi",   "ơm",   "ơn",   "ơp",  "ơt",   "u",    "ua",   "uc",   "ui",
      "um",   "un",  "ung",  "up",   "ut",   "uôc",  "uôi", "uôm",  "uôn",  "uông", "uôt",  "uân",
      "uâng", "uât", "uây",  "uê",   "uêch", "uênh", "uy",  "uya",  "uych", "uyn",  "uynh", "uyp",
      "uyt",  "uyu", "uyên", "uyêt", "uơ",   "uach", "uai", "uan",  "uang", "uanh", "uat",  "uay",
      "uăc",  "uăm", "uăn",  "uăng", "uăt",  "ue",   "uen", "ueo",  "uet",  "ư",    "ưa",   "ưc",
      "ưi",   "ưm",  "ưn",   "ưng",  "ưt",   "ưu",   "ươc", "ươi",  "ươm",  "ươn",  "ương", "ươp",
      "ươt",  "ươu", "y",    "yêm",  "yên",  "yêng", "yêt", "yêu",
  };
  return rhymes;
}

bool StartsWithFrontVowel(std::string_view rhyme) {
  return rhyme.starts_with("i") || rhyme.starts_with("e") || rhyme.starts_with("ê") ||
         rhyme.starts_with("y");
}

bool OnsetFits(std::string_view onset, std::string_view rhyme) {
  if (onset == "k" || onset == "gh" || onset == "ngh") return StartsWithFrontVowel(rhyme);
  if (onset == "c" || onset == "ng") return !StartsWithFrontVowel(rhyme);
  if (onset == "q") return rhyme.starts_with("u");
  if (onset == "qu") return !rhyme.starts_with("u");
  return true;
}

bool IsStopFinal(std::string_view rhyme) {
  return rhyme.ends_with("c") || rhyme.ends_with("ch") || rhyme.ends_with("p") ||
         rhyme.ends_with("t");
}

bool IsNfcSyllable(std::string_view word);

}  // namespace

bool IsVietnameseSyllable(std::string_view word) {
  if (word.empty()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    // A combining mark (U+0300..U+036F starts with 0xCC or 0xCD): judge the NFC form.
    const auto b = static_cast<unsigned char>(word[i]);
    if (b == 0xCC || b == 0xCD) {
      auto nfc = ToNfc(word);
      if (!nfc.ok()) return false;
      return IsNfcSyllable(*nfc);
    }
  }
  return IsNfcSyllable(word);
}

namespace {

bool IsNfcSyllable(std::string_view word) {
  std::string plain;  // lower case, tone removed, vowel qualities kept: "nguyên"
  plain.reserve(word.size());
  internal::Tone tone = internal::Tone::kNone;
  int letters = 0;
  int uppers = 0;
  bool first_upper = false;
  for (std::size_t i = 0; i < word.size();) {
    char32_t cp = 0;
    const std::size_t n = internal::DecodeUtf8(word, i, cp);
    if (n == 0) return false;
    i += n;
    if (const internal::Tone mark = internal::ToneOfCombiningMark(cp);
        mark != internal::Tone::kNone) {
      if (tone != internal::Tone::kNone || letters == 0) return false;
      tone = mark;
      continue;
    }
    const internal::LetterInfo* info = internal::VietnameseLetter(cp);
    if (info == nullptr) return false;
    if (info->tone != internal::Tone::kNone) {
      if (tone != internal::Tone::kNone) return false;
      tone = info->tone;
    }
    if (info->upper) {
      ++uppers;
      if (letters == 0) first_upper = true;
    }
    ++letters;
    internal::AppendUtf8(info->plain, plain);
  }
  const bool case_ok = uppers == 0 || uppers == letters || (uppers == 1 && first_upper);
  if (!case_ok) return false;
  const auto& rhymes = Rhymes();
  for (std::string_view onset : kOnsets) {
    if (!std::string_view(plain).starts_with(onset)) continue;
    const std::string_view rhyme = std::string_view(plain).substr(onset.size());
    if (!rhymes.contains(rhyme) || !OnsetFits(onset, rhyme)) continue;
    if (IsStopFinal(rhyme) && tone != internal::Tone::kSac && tone != internal::Tone::kNang) {
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace
}  // namespace danhba::text
