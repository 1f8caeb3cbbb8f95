// The forms in which one Vietnamese name reaches danhba (R12): NFC, NFD,
// "composite" (precomposed base letter + combining tone mark, as UniKey and
// CP1258 write), upper case and with stray whitespace. For table-driven tests.
#pragma once

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <string>
#include <string_view>
#include <vector>

namespace danhba::naming::testing {

inline icu::UnicodeString U(std::string_view s) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

inline std::string Utf8(const icu::UnicodeString& u) {
  std::string out;
  u.toUTF8String(out);
  return out;
}

inline std::string ToNfd(std::string_view s) {
  UErrorCode status = U_ZERO_ERROR;
  const auto* nfd = icu::Normalizer2::getNFDInstance(status);
  return Utf8(nfd->normalize(U(s), status));
}

// NFD, then the vowel-shape marks (breve, circumflex, horn) composed back onto
// their base letters, the five tone marks left combining: "ễ" -> "ê" + U+0303.
inline std::string ToComposite(std::string_view s) {
  UErrorCode status = U_ZERO_ERROR;
  const auto* nfc = icu::Normalizer2::getNFCInstance(status);
  const icu::UnicodeString d = U(ToNfd(s));
  icu::UnicodeString out;
  int32_t base = -1;  // index in `out` of the last base letter (all BMP here)
  for (int32_t i = 0; i < d.length(); ++i) {
    const char16_t c = d.charAt(i);
    const bool shape = c == 0x0306 || c == 0x0302 || c == 0x031B;
    if (shape && base >= 0) {
      // NFD puts the dot below (class 220) before the breve or circumflex (230),
      // so the shape mark may follow a tone mark.
      const UChar32 composed = nfc->composePair(out.charAt(base), c);
      if (composed >= 0 && composed <= 0xFFFF) {
        out.setCharAt(base, static_cast<char16_t>(composed));
        continue;
      }
    }
    const bool mark = c >= 0x0300 && c <= 0x036F;
    if (!mark) base = out.length();
    out.append(c);
  }
  return Utf8(out);
}

inline std::string ToUpper(std::string_view s) { return Utf8(U(s).toUpper(icu::Locale("vi"))); }
inline std::string ToLower(std::string_view s) { return Utf8(U(s).toLower(icu::Locale("vi"))); }

// Leading and trailing space and tab, doubled spaces, a no-break space between
// the first two words.
inline std::string WithStrayWhitespace(std::string_view s) {
  std::string out = " \t ";
  bool first_gap = true;
  for (const char c : s) {
    if (c == ' ') {
      out += first_gap ? "\xC2\xA0 " : "  ";
      first_gap = false;
    } else {
      out.push_back(c);
    }
  }
  out += " \t";
  return out;
}

struct Form {
  const char* name;
  std::string (*make)(std::string_view);
};

inline std::string AsIs(std::string_view s) { return std::string(s); }

inline const std::vector<Form>& AllForms() {
  static const std::vector<Form> forms = {{"NFC", &AsIs},
                                          {"NFD", &ToNfd},
                                          {"composite", &ToComposite},
                                          {"upper case", &ToUpper},
                                          {"stray whitespace", &WithStrayWhitespace}};
  return forms;
}

}  // namespace danhba::naming::testing
