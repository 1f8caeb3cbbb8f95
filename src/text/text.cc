#include "danhba/text/text.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "text/utf8.h"
#include "text/vietnamese.h"

namespace danhba::text {
namespace {

using internal::AppendUtf8;
using internal::DecodeUtf8;
using internal::IsNfcSafe;

Error BadUtf8(std::size_t offset) {
  return InvalidInput("invalid UTF-8 at byte offset " + std::to_string(offset));
}

const icu::Normalizer2& Nfc() {
  static const icu::Normalizer2* nfc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status) || n == nullptr) std::abort();  // ICU data missing: a broken install
    return n;
  }();
  return *nfc;
}

// NFC of well-formed UTF-8 through ICU; used only when a fast check failed.
Result<std::string> NormalizeSlow(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  icu::StringByteSink<std::string> sink(&out);
  UErrorCode status = U_ZERO_ERROR;
  Nfc().normalizeUTF8(0, icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())), sink,
                      nullptr, status);
  if (U_FAILURE(status)) {
    return Internal(std::string("Unicode normalisation failed: ") + u_errorName(status));
  }
  return out;
}

// Canonical combining class of the marks Vietnamese text uses.
int MarkClass(char32_t mark) {
  switch (mark) {
    case 0x031B:
      return 216;  // horn
    case 0x0323:
      return 220;  // dot below (nặng)
    default:
      return 230;  // the others, above the letter
  }
}

bool IsVietnameseMark(char32_t cp) {
  switch (cp) {
    case 0x0300:
    case 0x0301:
    case 0x0303:
    case 0x0309:
    case 0x0323:  // tones
    case 0x0302:
    case 0x0306:
    case 0x031B:  // ^ ˘ horn
      return true;
    default:
      return false;
  }
}

// The vowel `plain` takes with a quality mark, or 0.
char32_t WithQuality(char32_t plain, char32_t mark) {
  switch (mark) {
    case 0x0302:
      return plain == U'a' ? U'â' : plain == U'e' ? U'ê' : plain == U'o' ? U'ô' : 0;
    case 0x0306:
      return plain == U'a' ? U'ă' : 0;
    case 0x031B:
      return plain == U'o' ? U'ơ' : plain == U'u' ? U'ư' : 0;
    default:
      return 0;
  }
}

// NFC for the usual non-NFC Vietnamese input, without ICU: NFD and composite
// letters (a letter followed by at most one vowel-quality mark and one tone
// mark). Returns false, leaving `out` unspecified, for anything else, and for
// mark orders under which NFC would not compose fully; the caller then asks ICU.
bool ComposeVietnameseFast(std::string_view s, std::string& out) {
  out.clear();
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t n = 1;
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      cp = static_cast<unsigned char>(s[i]);
    } else {
      n = DecodeUtf8(s, i, cp);
      if (n == 0) return false;
    }
    if (!IsNfcSafe(cp)) return false;  // a mark with no letter before it, or another script
    // The marks that follow.
    std::size_t j = i + n;
    char32_t marks[3];
    int count = 0;
    while (j < s.size()) {
      char32_t mark = 0;
      const std::size_t m = DecodeUtf8(s, j, mark);
      if (m == 0 || IsNfcSafe(mark)) break;
      if (!IsVietnameseMark(mark) || count == 2) return false;
      marks[count++] = mark;
      j += m;
    }
    if (count == 0) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    const internal::LetterInfo* info = internal::VietnameseLetter(cp);
    if (info == nullptr) return false;
    // The letter's own marks come first in its decomposition: its quality
    // (a double quality fails in WithQuality), then its tone.
    char32_t plain = info->plain;
    internal::Tone tone = info->tone;
    bool quality_seen = false;
    int last_class_230 = tone != internal::Tone::kNone && tone != internal::Tone::kNang ? 0 : -1;
    for (int k = 0; k < count; ++k) {
      const internal::Tone t = internal::ToneOfCombiningMark(marks[k]);
      if (t != internal::Tone::kNone) {
        if (tone != internal::Tone::kNone) return false;
        tone = t;
      } else {
        // Under NFC a quality mark of class 230 after a tone of class 230 is blocked.
        if (quality_seen || (MarkClass(marks[k]) == 230 && last_class_230 >= 0)) return false;
        plain = WithQuality(plain, marks[k]);
        if (plain == 0) return false;
        quality_seen = true;
      }
      if (MarkClass(marks[k]) == 230) last_class_230 = k;
    }
    const char32_t composed = internal::ComposeVietnamese(plain, tone, info->upper);
    if (composed == 0) return false;
    AppendUtf8(composed, out);
    i = j;
  }
  return true;
}

// NFC of well-formed UTF-8 that failed the quick check.
Result<std::string> Normalize(std::string_view utf8) {
  std::string out;
  if (ComposeVietnameseFast(utf8, out)) return out;
  return NormalizeSlow(utf8);
}

bool IsApostrophe(char32_t cp) {
  switch (cp) {
    case U'\'':
    case U'`':
    case 0x00B4:  // ´ acute accent, typed for an apostrophe on some keyboards
    case 0x02BB:  // ʻ
    case 0x02BC:  // ʼ modifier letter apostrophe
    case 0x2018:  // ‘
    case 0x2019:  // ’
    case 0x2032:  // ′ prime
      return true;
    default:
      return false;
  }
}

enum class CleanClass { kKeep, kSpace, kDrop };

CleanClass ClassifyForClean(char32_t cp) {
  if (cp < 0x80) {
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return CleanClass::kSpace;
    if (cp < 0x20 || cp == 0x7F) return CleanClass::kDrop;
    return CleanClass::kKeep;
  }
  switch (cp) {
    case 0x00AD:  // soft hyphen
    case 0x034F:  // combining grapheme joiner: would block NFC composition
    case 0x180E:  // Mongolian vowel separator (formerly a space)
    case 0xFEFF:  // BOM / zero-width no-break space
      return CleanClass::kDrop;
    default:
      break;
  }
  if (cp >= 0x200B && cp <= 0x200F) return CleanClass::kDrop;  // ZWSP, ZWNJ, ZWJ, LRM, RLM
  if (cp >= 0x202A && cp <= 0x202E) return CleanClass::kDrop;  // bidi embeddings
  if (cp >= 0x2060 && cp <= 0x206F) return CleanClass::kDrop;  // word joiner, invisible ops
  if (cp >= 0x80 && cp < 0xA0 && cp != 0x85) return CleanClass::kDrop;  // C1 controls
  if (u_isUWhiteSpace(static_cast<UChar32>(cp))) return CleanClass::kSpace;
  return CleanClass::kKeep;
}

// ASCII base letter (lower case) of every precomposed Latin letter in
// U+00C0..U+024F and U+1E00..U+1EFF, from its canonical decomposition, plus
// đ/Đ (which has none). 0 where there is no ASCII base. Built once.
class FoldTable {
 public:
  FoldTable() {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status)) std::abort();
    auto fill = [&](char32_t first, char32_t last, char* table) {
      for (char32_t cp = first; cp <= last; ++cp) {
        icu::UnicodeString decomposition;
        char base = 0;
        if (nfd->getDecomposition(static_cast<UChar32>(cp), decomposition) &&
            decomposition.length() > 0) {
          const char16_t c = decomposition.charAt(0);
          if (c >= u'A' && c <= u'Z') base = static_cast<char>(c - u'A' + 'a');
          if (c >= u'a' && c <= u'z') base = static_cast<char>(c);
        }
        table[cp - first] = base;
      }
    };
    fill(0x00C0, 0x024F, latin_.data());
    fill(0x1E00, 0x1EFF, additional_.data());
    latin_[0x0110 - 0x00C0] = 'd';  // Đ
    latin_[0x0111 - 0x00C0] = 'd';  // đ
    latin_[0x0189 - 0x00C0] = 'd';  // Ɖ, a look-alike of Đ found in pasted text
  }

  // The ASCII letter for `cp`, or 0.
  char Lookup(char32_t cp) const {
    if (cp >= 0x00C0 && cp <= 0x024F) return latin_[cp - 0x00C0];
    if (cp >= 0x1E00 && cp <= 0x1EFF) return additional_[cp - 0x1E00];
    return 0;
  }

 private:
  std::array<char, 0x024F - 0x00C0 + 1> latin_{};
  std::array<char, 0x1EFF - 0x1E00 + 1> additional_{};
};

const FoldTable& Folds() {
  static const FoldTable table;
  return table;
}

bool IsAsciiAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Core of both folds. With `spaces`, word separators become single spaces.
void Fold(std::string_view s, std::string& out, bool spaces) {
  const FoldTable& table = Folds();
  const std::size_t start = out.size();
  bool pending_space = false;
  auto emit = [&](char c) {
    if (pending_space) {
      if (out.size() > start) out.push_back(' ');
      pending_space = false;
    }
    out.push_back(c);
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      if (IsAsciiAlnum(b)) {
        emit(static_cast<char>(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b));
      } else if (spaces && b != '\'' && b != '`') {
        pending_space = true;
      }
      continue;
    }
    char32_t cp = 0;
    const std::size_t n = DecodeUtf8(s, i, cp);
    if (n == 0) {
      ++i;
      continue;
    }
    i += n;
    if (const char base = table.Lookup(cp); base != 0) {
      emit(base);
      continue;
    }
    if (!spaces || IsApostrophe(cp)) continue;
    // Letters of other scripts, marks, digits and invisible format characters
    // (soft hyphen, zero-width space) vanish inside a word; anything else
    // (spaces, punctuation, symbols) separates words.
    switch (u_charType(static_cast<UChar32>(cp))) {
      case U_UPPERCASE_LETTER:
      case U_LOWERCASE_LETTER:
      case U_TITLECASE_LETTER:
      case U_MODIFIER_LETTER:
      case U_OTHER_LETTER:
      case U_NON_SPACING_MARK:
      case U_COMBINING_SPACING_MARK:
      case U_ENCLOSING_MARK:
      case U_DECIMAL_DIGIT_NUMBER:
      case U_FORMAT_CHAR:
        break;
      default:
        pending_space = true;
        break;
    }
  }
}

}  // namespace

Status CheckUtf8(std::string_view utf8) {
  for (std::size_t i = 0; i < utf8.size();) {
    if (static_cast<unsigned char>(utf8[i]) < 0x80) {
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t n = DecodeUtf8(utf8, i, cp);
    if (n == 0) return BadUtf8(i);
    i += n;
  }
  return Ok();
}

Result<std::string> ToNfc(std::string_view utf8) {
  bool safe = true;
  for (std::size_t i = 0; i < utf8.size();) {
    if (static_cast<unsigned char>(utf8[i]) < 0x80) {
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t n = DecodeUtf8(utf8, i, cp);
    if (n == 0) return BadUtf8(i);
    safe = safe && IsNfcSafe(cp);
    i += n;
  }
  if (safe) return std::string(utf8);
  return Normalize(utf8);
}

Result<std::string> Clean(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  bool pending_space = false;
  bool safe = true;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t cp = 0;
    std::size_t n = 1;
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0x80) {
      cp = b;
    } else {
      n = DecodeUtf8(utf8, i, cp);
      if (n == 0) return BadUtf8(i);
    }
    switch (ClassifyForClean(cp)) {
      case CleanClass::kSpace:
        pending_space = !out.empty();
        break;
      case CleanClass::kDrop:
        break;
      case CleanClass::kKeep:
        if (pending_space) {
          out.push_back(' ');
          pending_space = false;
        }
        if (IsApostrophe(cp)) {
          out.push_back('\'');
        } else {
          out.append(utf8.substr(i, n));
          safe = safe && IsNfcSafe(cp);
        }
        break;
    }
    i += n;
  }
  if (safe) return out;
  return Normalize(out);
}

std::string ProperCase(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  // Letters seen so far in the current word, and whether the next letter starts
  // a word (or follows a one-letter prefix and an apostrophe).
  int letters_in_word = 0;
  bool capitalise_next = true;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    char32_t cp = b;
    std::size_t n = 1;
    if (b >= 0x80) {
      n = DecodeUtf8(utf8, i, cp);
      if (n == 0) {
        out.push_back(static_cast<char>(b));
        ++i;
        continue;
      }
    }
    i += n;
    const auto c = static_cast<UChar32>(cp);
    if (b < 0x80 ? ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') : u_isalpha(c) != 0) {
      if (capitalise_next) {
        if (b < 0x80) {
          out.push_back(static_cast<char>(b & ~0x20));
        } else {
          AppendUtf8(static_cast<char32_t>(u_totitle(c)), out);
        }
        capitalise_next = false;
      } else if (b < 0x80) {
        out.push_back(static_cast<char>(b | 0x20));
      } else {
        AppendUtf8(static_cast<char32_t>(u_tolower(c)), out);
      }
      ++letters_in_word;
      continue;
    }
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
    } else {
      out.append(utf8.substr(i - n, n));
    }
    if (IsApostrophe(cp)) {
      capitalise_next = letters_in_word == 1;
      continue;
    }
    const bool in_word = (b < 0x80 && b >= '0' && b <= '9') ||
                         (b >= 0x80 && (u_getCombiningClass(c) != 0 || u_isdigit(c) ||
                                        u_charType(c) == U_NON_SPACING_MARK));
    if (!in_word) {
      letters_in_word = 0;
      capitalise_next = true;
    }
  }
  return out;
}

void AppendFoldWord(std::string_view utf8, std::string& out) { Fold(utf8, out, false); }

void AppendFoldForSearch(std::string_view utf8, std::string& out) { Fold(utf8, out, true); }

std::string FoldWord(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  Fold(utf8, out, false);
  return out;
}

std::string FoldForSearch(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  Fold(utf8, out, true);
  return out;
}

}  // namespace danhba::text
