#include "danhba/text/legacy.h"

#include <iconv.h>
#include <unicode/uchar.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "danhba/text/syllable.h"
#include "danhba/text/text.h"
#include "text/utf8.h"
#include "text/vietnamese.h"

namespace danhba::text {
namespace {

using internal::AppendUtf8;
using internal::ComposeVietnamese;
using internal::DecodeUtf8;
using internal::Tone;
using internal::VietnameseLetter;

constexpr char32_t kUndefined = 0xFFFFFFFF;
using ByteTable = std::array<char32_t, 256>;

constexpr std::array<Encoding, 10> kAllEncodings = {
    Encoding::kUtf8,           Encoding::kTcvn3,       Encoding::kVni,
    Encoding::kViscii,         Encoding::kCp1258,      Encoding::kUtf8AsCp1252,
    Encoding::kTcvn3AsCp1252,  Encoding::kVniAsCp1252, Encoding::kVisciiAsCp1252,
    Encoding::kCp1258AsCp1252,
};

// Where decoding stopped: offset into the decoder's input, and what was there.
struct Failure {
  std::size_t offset = 0;
  std::string what;
};

std::string Hex(unsigned value, int digits) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%0*X", digits, value);
  return buffer;
}

std::string DescribeCodePoint(char32_t cp) {
  std::string out = "U+" + Hex(static_cast<unsigned>(cp), 4);
  if (cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0)) {
    out += " '";
    AppendUtf8(cp, out);
    out += "'";
  }
  return out;
}

// --- Tables ------------------------------------------------------------------

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};
using IconvHandle = std::unique_ptr<void, IconvCloser>;

// What glibc's iconv makes of each single byte in `charset`. Returns nullopt
// when glibc lacks the charset.
std::optional<ByteTable> TableFromIconv(const char* charset) {
  iconv_t raw = iconv_open("UTF-8", charset);
  if (raw == reinterpret_cast<iconv_t>(static_cast<std::intptr_t>(-1))) return std::nullopt;
  IconvHandle cd(raw);
  ByteTable table;
  for (int b = 0; b < 256; ++b) {
    char in[1] = {static_cast<char>(b)};
    char out[16] = {};
    char* in_ptr = in;
    char* out_ptr = out;
    std::size_t in_left = 1;
    std::size_t out_left = sizeof out;
    const std::size_t rc =
        iconv(static_cast<iconv_t>(cd.get()), &in_ptr, &in_left, &out_ptr, &out_left);
    // Flush: stateful converters (TCVN, CP1258) hold a base letter back to
    // combine it with a following tone mark.
    iconv(static_cast<iconv_t>(cd.get()), nullptr, nullptr, &out_ptr, &out_left);
    const std::string_view produced(out, sizeof out - out_left);
    char32_t cp = 0;
    if (rc == static_cast<std::size_t>(-1) || produced.empty() ||
        DecodeUtf8(produced, 0, cp) != produced.size()) {
      table[b] = kUndefined;
    } else {
      table[b] = cp;
    }
  }
  return table;
}

enum class Quality : std::uint8_t { kNone, kCircumflex, kBreve };

// A byte's decoding, ready to copy: its UTF-8 (length 0: undefined byte).
struct Utf8Entry {
  char bytes[4] = {};
  std::uint8_t length = 0;
  bool nfc_safe = true;
};
using FastTable = std::array<Utf8Entry, 256>;

FastTable MakeFast(const ByteTable& table) {
  FastTable fast;
  for (int b = 0; b < 256; ++b) {
    if (table[b] == kUndefined) continue;
    std::string utf8;
    AppendUtf8(table[b], utf8);
    std::copy(utf8.begin(), utf8.end(), fast[b].bytes);
    fast[b].length = static_cast<std::uint8_t>(utf8.size());
    fast[b].nfc_safe = internal::IsNfcSafe(table[b]);
  }
  return fast;
}

enum class LetterClass : std::uint8_t { kNone, kAsciiUpper, kAsciiLower, kOther };

struct VniModifier {
  Quality quality;
  Tone tone;
};

struct Tables {
  bool ok = false;
  std::string error;
  ByteTable cp1252{}, tcvn3{}, viscii{}, cp1258{};
  // VNI-Windows, lower-case bytes; upper-case ones are 0x20 lower in the table.
  std::unordered_map<unsigned char, VniModifier> vni_modifiers;
  std::unordered_map<unsigned char, char32_t> vni_letters;
  // For Encode.
  std::unordered_map<char32_t, unsigned char> cp1252_rev, tcvn3_rev, viscii_rev, cp1258_rev;
  std::unordered_map<char32_t, std::string> vni_rev;
  // Decoding fast paths, indexed by byte.
  FastTable tcvn3_fast, tcvn3_caps_fast, viscii_fast, cp1258_fast;
  std::array<LetterClass, 256> tcvn3_class{};
  std::array<bool, 256> tcvn3_capital_vowel{};               // A E I O U Y Ă Â Ê Ô Ơ Ư
  std::array<int, 256> vni_base_index{};                     // -1: not a base letter
  std::array<std::array<char32_t, 256>, 14> vni_combined{};  // [base][modifier]
  std::array<char32_t, 256> vni_letter{};
  std::array<bool, 256> vni_is_modifier{};

  Tables() {
    auto cp1252_t = TableFromIconv("CP1252");
    auto tcvn_t = TableFromIconv("TCVN5712-1");
    auto viscii_t = TableFromIconv("VISCII");
    auto cp1258_t = TableFromIconv("WINDOWS-1258");
    if (!cp1252_t || !tcvn_t || !viscii_t || !cp1258_t) {
      error = "the C library's iconv lacks CP1252, TCVN5712-1, VISCII or WINDOWS-1258";
      return;
    }
    cp1252 = *cp1252_t;
    viscii = *viscii_t;
    cp1258 = *cp1258_t;
    tcvn3 = *tcvn_t;
    // TCVN 5712 VN1 puts capitals with tones over C0 controls and 0x80-0x9F; the
    // ABC fonts (VN3) leave those out, and Windows shows 0x80-0x9F as CP1252.
    for (int b = 0x01; b <= 0x17; ++b) tcvn3[b] = static_cast<char32_t>(b);
    for (int b = 0x80; b <= 0x9F; ++b) tcvn3[b] = cp1252[b];

    const std::pair<unsigned char, VniModifier> modifiers[] = {
        {0xE2, {Quality::kCircumflex, Tone::kNone}},  {0xE1, {Quality::kCircumflex, Tone::kSac}},
        {0xE0, {Quality::kCircumflex, Tone::kHuyen}}, {0xE5, {Quality::kCircumflex, Tone::kHoi}},
        {0xE3, {Quality::kCircumflex, Tone::kNga}},   {0xE4, {Quality::kCircumflex, Tone::kNang}},
        {0xEA, {Quality::kBreve, Tone::kNone}},       {0xE9, {Quality::kBreve, Tone::kSac}},
        {0xE8, {Quality::kBreve, Tone::kHuyen}},      {0xFA, {Quality::kBreve, Tone::kHoi}},
        {0xFC, {Quality::kBreve, Tone::kNga}},        {0xEB, {Quality::kBreve, Tone::kNang}},
        {0xF9, {Quality::kNone, Tone::kSac}},         {0xF8, {Quality::kNone, Tone::kHuyen}},
        {0xFB, {Quality::kNone, Tone::kHoi}},         {0xF5, {Quality::kNone, Tone::kNga}},
        {0xEF, {Quality::kNone, Tone::kNang}},
    };
    for (const auto& [byte, modifier] : modifiers) {
      vni_modifiers[byte] = modifier;
      vni_modifiers[static_cast<unsigned char>(byte - 0x20)] = modifier;
    }
    const std::pair<unsigned char, char32_t> letters[] = {
        {0xED, U'í'}, {0xEC, U'ì'}, {0xE6, U'ỉ'}, {0xF3, U'ĩ'}, {0xF2, U'ị'},
        {0xEE, U'ỵ'}, {0xF1, U'đ'}, {0xF4, U'ơ'}, {0xF6, U'ư'},
    };
    for (const auto& [byte, cp] : letters) {
      vni_letters[byte] = cp;
      const LetterInfoView info = Info(cp);
      vni_letters[static_cast<unsigned char>(byte - 0x20)] =
          ComposeVietnamese(info.plain, info.tone, true);
    }

    auto reverse = [](const ByteTable& table, auto& rev) {
      for (int b = 255; b >= 0; --b) {
        if (table[b] != kUndefined) rev[table[b]] = static_cast<unsigned char>(b);
      }
    };
    reverse(cp1252, cp1252_rev);
    reverse(tcvn3, tcvn3_rev);
    reverse(viscii, viscii_rev);
    reverse(cp1258, cp1258_rev);
    BuildVniReverse();
    BuildFastTables();
    ok = true;
  }

  struct LetterInfoView {
    char32_t plain;
    Tone tone;
  };
  static LetterInfoView Info(char32_t cp) {
    const internal::LetterInfo* info = VietnameseLetter(cp);
    return {info->plain, info->tone};
  }

  bool IsVniSpecial(unsigned char b) const {
    return vni_modifiers.contains(b) || vni_letters.contains(b);
  }

  // VNI bytes 0xC0-0xFF that are neither letters nor diacritics in VNI fonts.
  static bool IsVniUndefinedLetter(unsigned char b) {
    switch (b) {
      case 0xC7:
      case 0xD0:
      case 0xDD:
      case 0xDE:
      case 0xDF:
      case 0xE7:
      case 0xF0:
      case 0xFD:
      case 0xFE:
      case 0xFF:
        return true;
      default:
        return false;
    }
  }

  void BuildFastTables() {
    tcvn3_fast = MakeFast(tcvn3);
    viscii_fast = MakeFast(viscii);
    cp1258_fast = MakeFast(cp1258);
    ByteTable caps = tcvn3;
    for (int b = 0; b < 256; ++b) {
      const char32_t cp = tcvn3[b];
      const internal::LetterInfo* info = cp == kUndefined ? nullptr : VietnameseLetter(cp);
      if (info == nullptr) continue;
      tcvn3_class[b] = cp >= U'A' && cp <= U'Z'   ? LetterClass::kAsciiUpper
                       : cp >= U'a' && cp <= U'z' ? LetterClass::kAsciiLower
                                                  : LetterClass::kOther;
      if (!info->upper) caps[b] = ComposeVietnamese(info->plain, info->tone, true);
      tcvn3_capital_vowel[b] = info->upper && info->tone == Tone::kNone &&
                               ComposeVietnamese(info->plain, Tone::kSac, true) != 0;
    }
    tcvn3_caps_fast = MakeFast(caps);
    vni_base_index.fill(-1);
    int next = 0;
    for (int base : {int{'a'}, int{'e'}, int{'o'}, int{'u'}, int{'y'}, int{'A'}, int{'E'}, int{'O'},
                     int{'U'}, int{'Y'}, 0xF4, 0xF6, 0xD4, 0xD6}) {
      vni_base_index[base] = next;
      for (int m = 0; m < 256; ++m) {
        vni_combined[next][m] =
            CombineVni(static_cast<unsigned char>(base), static_cast<unsigned char>(m));
      }
      ++next;
    }
    for (const auto& [byte, cp] : vni_letters) vni_letter[byte] = cp;
    for (const auto& [byte, modifier] : vni_modifiers) vni_is_modifier[byte] = true;
  }

  void BuildVniReverse() {
    for (int b = 0; b < 0x100; ++b) {
      const auto byte = static_cast<unsigned char>(b);
      if (b >= 0x80 && (IsVniSpecial(byte) || IsVniUndefinedLetter(byte))) continue;
      if (cp1252[b] != kUndefined) vni_rev[cp1252[b]] = std::string(1, static_cast<char>(b));
    }
    for (const auto& [byte, cp] : vni_letters)
      vni_rev[cp] = std::string(1, static_cast<char>(byte));
    const char bases[] = {'a', 'e', 'o', 'u', 'y', 'A', 'E', 'O', 'U', 'Y'};
    for (char base : bases) {
      for (const auto& [byte, modifier] : vni_modifiers) {
        if (const char32_t cp = CombineVni(static_cast<unsigned char>(base), byte); cp != 0) {
          const bool upper_pair = base < 'a' && byte < 0xE0;
          const bool lower_pair = base >= 'a' && byte >= 0xE0;
          if (upper_pair || lower_pair) vni_rev[cp] = std::string{base, static_cast<char>(byte)};
        }
      }
    }
    for (unsigned char base : {0xF4, 0xF6, 0xD4, 0xD6}) {
      for (const auto& [byte, modifier] : vni_modifiers) {
        if (const char32_t cp = CombineVni(base, byte); cp != 0) {
          if ((base >= 0xE0) == (byte >= 0xE0)) {
            vni_rev[cp] = std::string{static_cast<char>(base), static_cast<char>(byte)};
          }
        }
      }
    }
  }

  // The letter VNI writes as `base` followed by the diacritic byte `modifier`,
  // or 0 when that pair means nothing. Case follows the base.
  char32_t CombineVni(unsigned char base, unsigned char modifier) const {
    auto mod = vni_modifiers.find(modifier);
    if (mod == vni_modifiers.end()) return 0;
    char32_t base_cp = base;
    if (base >= 0x80) {
      auto letter = vni_letters.find(base);
      if (letter == vni_letters.end()) return 0;
      base_cp = letter->second;
    }
    const internal::LetterInfo* info = VietnameseLetter(base_cp);
    if (info == nullptr || info->tone != Tone::kNone) return 0;
    char32_t plain = info->plain;
    const Tone tone = mod->second.tone;
    switch (mod->second.quality) {
      case Quality::kCircumflex:
        if (plain == U'a')
          plain = U'â';
        else if (plain == U'e')
          plain = U'ê';
        else if (plain == U'o')
          plain = U'ô';
        else
          return 0;
        break;
      case Quality::kBreve:
        if (plain != U'a') return 0;
        plain = U'ă';
        break;
      case Quality::kNone:
        if (plain != U'a' && plain != U'e' && plain != U'o' && plain != U'u' && plain != U'y' &&
            plain != U'ơ' && plain != U'ư') {
          return 0;
        }
        if (plain == U'y' && tone == Tone::kNang) return 0;  // VNI writes ỵ as one byte
        break;
    }
    return ComposeVietnamese(plain, tone, info->upper);
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

// --- Decoders ------------------------------------------------------------------

// Appends the UTF-8 of `cp`, noting whether the text may need NFC afterwards.
inline void Emit(char32_t cp, std::string& out, bool& needs_nfc) {
  AppendUtf8(cp, out);
  needs_nfc = needs_nfc || !internal::IsNfcSafe(cp);
}

// Windows-1258 and TCVN3 write some toned letters as base + combining tone; a
// tone byte right after a toneless Vietnamese vowel is composed here, so the
// common case needs no normaliser.
bool DecodeSingleByte(std::string_view bytes, const FastTable& table, std::string_view name,
                      std::string& out, bool& needs_nfc, Failure& failure) {
  out.reserve(out.size() + bytes.size() * 2);
  std::size_t last_start = std::string::npos;  // where the last letter's UTF-8 begins in out
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const Utf8Entry& e = table[static_cast<unsigned char>(bytes[i])];
    if (e.length == 0) {
      failure = {i, "byte 0x" + Hex(static_cast<unsigned char>(bytes[i]), 2) +
                        " is not defined in " + std::string(name)};
      return false;
    }
    if (!e.nfc_safe) {
      char32_t mark = 0;
      DecodeUtf8(std::string_view(e.bytes, e.length), 0, mark);
      const Tone tone = internal::ToneOfCombiningMark(mark);
      if (tone != Tone::kNone && last_start != std::string::npos) {
        char32_t base = 0;
        DecodeUtf8(out, last_start, base);
        const internal::LetterInfo* info = VietnameseLetter(base);
        const char32_t composed = info != nullptr && info->tone == Tone::kNone
                                      ? ComposeVietnamese(info->plain, tone, info->upper)
                                      : 0;
        if (composed != 0) {
          out.resize(last_start);
          AppendUtf8(composed, out);
          last_start = std::string::npos;
          continue;
        }
      }
      needs_nfc = true;
    }
    last_start = e.nfc_safe ? out.size() : std::string::npos;
    out.append(e.bytes, e.length);
  }
  return true;
}

// ABC has no capitals with tones; text converted to it writes one as the
// capital base letter followed by the toned small letter ("A" "à" for À,
// "Â" "ấ" for Ấ). No Vietnamese word has such a pair otherwise. Returns the
// capital, or 0.
char32_t MergeTcvn3Capital(const Tables& t, unsigned char first, unsigned char second) {
  const char32_t a = t.tcvn3[first];
  const char32_t b = t.tcvn3[second];
  if (a == kUndefined || b == kUndefined) return 0;
  const internal::LetterInfo* base = VietnameseLetter(a);
  const internal::LetterInfo* toned = VietnameseLetter(b);
  if (base == nullptr || toned == nullptr || !base->upper || base->tone != Tone::kNone ||
      toned->upper || toned->tone == Tone::kNone || toned->plain != base->plain) {
    return 0;
  }
  return ComposeVietnamese(base->plain, toned->tone, true);
}

// TCVN3 with the capital rules of Decode's contract, applied word by word.
bool DecodeTcvn3(std::string_view bytes, const Tables& t, std::string& out, bool& needs_nfc,
                 Failure& failure) {
  out.reserve(bytes.size() * 2);
  int text_upper = 0;
  int text_lower = 0;
  for (char c : bytes) {
    text_upper += c >= 'A' && c <= 'Z';
    text_lower += c >= 'a' && c <= 'z';
  }
  const bool capitals_text = text_upper >= 3 && text_lower == 0;
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::size_t end = i;
    int ascii_upper = 0;
    int ascii_lower = 0;
    while (end < bytes.size()) {
      const LetterClass c = t.tcvn3_class[static_cast<unsigned char>(bytes[end])];
      if (c == LetterClass::kNone) break;
      ascii_upper += c == LetterClass::kAsciiUpper;
      ascii_lower += c == LetterClass::kAsciiLower;
      ++end;
    }
    if (end == i) {  // not a letter: one byte on its own
      if (!DecodeSingleByte(bytes.substr(i, 1), t.tcvn3_fast, "TCVN3", out, needs_nfc, failure)) {
        failure.offset += i;
        return false;
      }
      ++i;
      continue;
    }
    const bool capitals = capitals_text || (ascii_upper >= 2 && ascii_lower == 0);
    const FastTable& table = capitals ? t.tcvn3_caps_fast : t.tcvn3_fast;
    for (std::size_t k = i; k < end;) {
      const auto b = static_cast<unsigned char>(bytes[k]);
      if (k + 1 < end && t.tcvn3_capital_vowel[b]) {
        if (const char32_t capital =
                MergeTcvn3Capital(t, b, static_cast<unsigned char>(bytes[k + 1]))) {
          Emit(capital, out, needs_nfc);
          k += 2;
          continue;
        }
      }
      out.append(table[b].bytes, table[b].length);  // letters are all defined and NFC-safe
      ++k;
    }
    i = end;
  }
  return true;
}

bool DecodeVni(std::string_view bytes, const Tables& t, std::string& out, bool& needs_nfc,
               Failure& failure) {
  out.reserve(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (const int base = t.vni_base_index[b]; base >= 0 && i + 1 < bytes.size()) {
      if (const char32_t cp = t.vni_combined[base][static_cast<unsigned char>(bytes[i + 1])]) {
        Emit(cp, out, needs_nfc);
        ++i;
        continue;
      }
    }
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      continue;
    }
    if (const char32_t letter = t.vni_letter[b]) {
      Emit(letter, out, needs_nfc);
      continue;
    }
    if (t.vni_is_modifier[b]) {
      failure = {i,
                 "byte 0x" + Hex(b, 2) + " is a VNI diacritic with no vowel before it to take it"};
      return false;
    }
    if (Tables::IsVniUndefinedLetter(b) || t.cp1252[b] == kUndefined) {
      failure = {i, "byte 0x" + Hex(b, 2) + " is not defined in VNI"};
      return false;
    }
    Emit(t.cp1252[b], out, needs_nfc);
  }
  return true;
}

bool DecodeBytes(std::string_view bytes, Encoding base, const Tables& t, std::string& out,
                 bool& needs_nfc, Failure& failure) {
  switch (base) {
    case Encoding::kTcvn3:
      return DecodeTcvn3(bytes, t, out, needs_nfc, failure);
    case Encoding::kVni:
      return DecodeVni(bytes, t, out, needs_nfc, failure);
    case Encoding::kViscii:
      return DecodeSingleByte(bytes, t.viscii_fast, "VISCII", out, needs_nfc, failure);
    case Encoding::kCp1258:
      return DecodeSingleByte(bytes, t.cp1258_fast, "Windows-1258", out, needs_nfc, failure);
    default:
      break;
  }
  if (auto valid = CheckUtf8(bytes); !valid.ok()) {
    std::size_t offset = 0;
    for (std::size_t i = 0; i < bytes.size();) {
      char32_t cp = 0;
      const std::size_t n = DecodeUtf8(bytes, i, cp);
      if (n == 0) {
        offset = i;
        break;
      }
      i += n;
    }
    failure = {offset, "invalid UTF-8"};
    return false;
  }
  out.assign(bytes);
  needs_nfc = true;
  return true;
}

Encoding BaseOf(Encoding encoding) {
  switch (encoding) {
    case Encoding::kUtf8AsCp1252:
      return Encoding::kUtf8;
    case Encoding::kTcvn3AsCp1252:
      return Encoding::kTcvn3;
    case Encoding::kVniAsCp1252:
      return Encoding::kVni;
    case Encoding::kVisciiAsCp1252:
      return Encoding::kViscii;
    case Encoding::kCp1258AsCp1252:
      return Encoding::kCp1258;
    default:
      return encoding;
  }
}

bool IsMojibake(Encoding encoding) { return BaseOf(encoding) != encoding; }

// Undoes a Windows-1252 (or Latin-1) reading of legacy bytes: the UTF-8 text
// back to the bytes it was read from. `offsets[k]` is where byte k came from.
bool UnreadCp1252(std::string_view utf8, const Tables& t, std::string& bytes,
                  std::vector<std::size_t>& offsets, Failure& failure) {
  bytes.reserve(utf8.size());
  offsets.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t cp = 0;
    const std::size_t n = DecodeUtf8(utf8, i, cp);
    if (n == 0) {
      failure = {i, "invalid UTF-8"};
      return false;
    }
    int byte = -1;
    if (cp < 0x80 || (cp >= 0x80 && cp <= 0xFF && t.cp1252[cp] == kUndefined) ||
        (cp >= 0xA0 && cp <= 0xFF)) {
      byte = static_cast<int>(cp);  // ASCII, Latin-1, and CP1252's five holes kept as C1
    } else if (cp >= 0x80 && cp <= 0x9F) {
      byte = static_cast<int>(cp);  // read as Latin-1 rather than CP1252
    } else if (auto it = t.cp1252_rev.find(cp); it != t.cp1252_rev.end()) {
      byte = it->second;
    }
    if (byte < 0) {
      failure = {i, "character " + DescribeCodePoint(cp) + " cannot come from Windows-1252 text"};
      return false;
    }
    bytes.push_back(static_cast<char>(byte));
    offsets.push_back(i);
    i += n;
  }
  return true;
}

Error DecodeError(Encoding encoding, const Failure& failure) {
  return InvalidInput("cannot read text as " + std::string(EncodingName(encoding)) + ": " +
                      failure.what + " at byte offset " + std::to_string(failure.offset));
}

// --- Encoders ----------------------------------------------------------------

std::string_view CombiningMarkFor(Tone tone) {
  switch (tone) {
    case Tone::kHuyen:
      return "\u0300";
    case Tone::kSac:
      return "\u0301";
    case Tone::kHoi:
      return "\u0309";
    case Tone::kNga:
      return "\u0303";
    case Tone::kNang:
      return "\u0323";
    case Tone::kNone:
      break;
  }
  return "";
}

// `abc_capitals`: write capitals with tones the ABC way (see MergeTcvn3Capital).
bool EncodeSingleByte(const std::u32string& text, const std::vector<std::size_t>& offsets,
                      const std::unordered_map<char32_t, unsigned char>& rev, bool abc_capitals,
                      std::string& out, Failure& failure) {
  for (std::size_t k = 0; k < text.size(); ++k) {
    const char32_t cp = text[k];
    if (const internal::LetterInfo* info = VietnameseLetter(cp);
        abc_capitals && info != nullptr && info->upper && info->tone != Tone::kNone) {
      auto base = rev.find(ComposeVietnamese(info->plain, Tone::kNone, true));
      auto toned = rev.find(ComposeVietnamese(info->plain, info->tone, false));
      if (base != rev.end() && toned != rev.end()) {
        out.push_back(static_cast<char>(base->second));
        out.push_back(static_cast<char>(toned->second));
        continue;
      }
    }
    if (auto it = rev.find(cp); it != rev.end()) {
      out.push_back(static_cast<char>(it->second));
      continue;
    }
    // A toned letter the table lacks: base letter + combining tone, when both exist.
    if (const internal::LetterInfo* info = VietnameseLetter(cp);
        info != nullptr && info->tone != Tone::kNone) {
      const char32_t base = ComposeVietnamese(info->plain, Tone::kNone, info->upper);
      char32_t mark = 0;
      DecodeUtf8(CombiningMarkFor(info->tone), 0, mark);
      auto b = rev.find(base);
      auto m = rev.find(mark);
      if (b != rev.end() && m != rev.end()) {
        out.push_back(static_cast<char>(b->second));
        out.push_back(static_cast<char>(m->second));
        continue;
      }
    }
    failure = {offsets[k], "character " + DescribeCodePoint(cp) + " cannot be written"};
    return false;
  }
  return true;
}

}  // namespace

std::span<const Encoding> AllEncodings() { return kAllEncodings; }

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kUtf8:
      return "utf-8";
    case Encoding::kTcvn3:
      return "tcvn3";
    case Encoding::kVni:
      return "vni";
    case Encoding::kViscii:
      return "viscii";
    case Encoding::kCp1258:
      return "cp1258";
    case Encoding::kUtf8AsCp1252:
      return "utf-8+cp1252";
    case Encoding::kTcvn3AsCp1252:
      return "tcvn3+cp1252";
    case Encoding::kVniAsCp1252:
      return "vni+cp1252";
    case Encoding::kVisciiAsCp1252:
      return "viscii+cp1252";
    case Encoding::kCp1258AsCp1252:
      return "cp1258+cp1252";
  }
  return "unknown";
}

Result<std::optional<Encoding>> ParseEncoding(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "auto") return std::optional<Encoding>();
  static const std::pair<std::string_view, Encoding> kAliases[] = {
      {"utf8", Encoding::kUtf8},
      {"abc", Encoding::kTcvn3},
      {"tcvn", Encoding::kTcvn3},
      {"tcvn3-abc", Encoding::kTcvn3},
      {"vni-windows", Encoding::kVni},
      {"windows-1258", Encoding::kCp1258},
      {"utf8+cp1252", Encoding::kUtf8AsCp1252},
  };
  for (const auto& [alias, encoding] : kAliases) {
    if (lower == alias) return std::optional<Encoding>(encoding);
  }
  std::string accepted = "auto";
  for (Encoding encoding : kAllEncodings) {
    if (lower == EncodingName(encoding)) return std::optional<Encoding>(encoding);
    accepted += ", ";
    accepted += EncodingName(encoding);
  }
  return InvalidInput("unknown encoding '" + std::string(name) + "'; expected one of " + accepted);
}

Result<std::string> Decode(std::string_view bytes, Encoding encoding) {
  if (encoding == Encoding::kUtf8) {
    auto nfc = ToNfc(bytes);
    if (!nfc.ok()) {
      return InvalidInput("cannot read text as utf-8: " + nfc.error().detail);
    }
    return nfc;
  }
  const Tables& t = GetTables();
  if (!t.ok) return ConfigError(t.error);
  Failure failure;
  std::string text;
  bool needs_nfc = false;
  if (!IsMojibake(encoding)) {
    if (!DecodeBytes(bytes, encoding, t, text, needs_nfc, failure)) {
      return DecodeError(encoding, failure);
    }
  } else {
    std::string original;
    std::vector<std::size_t> offsets;
    if (!UnreadCp1252(bytes, t, original, offsets, failure)) return DecodeError(encoding, failure);
    if (!DecodeBytes(original, BaseOf(encoding), t, text, needs_nfc, failure)) {
      failure.offset = failure.offset < offsets.size() ? offsets[failure.offset] : bytes.size();
      return DecodeError(encoding, failure);
    }
  }
  if (!needs_nfc) return text;
  return ToNfc(text);
}

Result<std::string> Encode(std::string_view utf8, Encoding encoding) {
  auto nfc = ToNfc(utf8);
  if (!nfc.ok()) return nfc;
  if (encoding == Encoding::kUtf8) return nfc;
  const Tables& t = GetTables();
  if (!t.ok) return ConfigError(t.error);
  std::u32string text;
  std::vector<std::size_t> offsets;  // into the NFC text
  for (std::size_t i = 0; i < nfc->size();) {
    char32_t cp = 0;
    const std::size_t n = DecodeUtf8(*nfc, i, cp);
    text.push_back(cp);
    offsets.push_back(i);
    i += n;
  }
  std::string bytes;
  Failure failure;
  bool ok = true;
  switch (BaseOf(encoding)) {
    case Encoding::kTcvn3:
      ok = EncodeSingleByte(text, offsets, t.tcvn3_rev, true, bytes, failure);
      break;
    case Encoding::kViscii:
      ok = EncodeSingleByte(text, offsets, t.viscii_rev, false, bytes, failure);
      break;
    case Encoding::kCp1258:
      ok = EncodeSingleByte(text, offsets, t.cp1258_rev, false, bytes, failure);
      break;
    case Encoding::kVni:
      for (std::size_t k = 0; k < text.size() && ok; ++k) {
        if (auto it = t.vni_rev.find(text[k]); it != t.vni_rev.end()) {
          bytes += it->second;
        } else {
          failure = {offsets[k], "character " + DescribeCodePoint(text[k]) + " cannot be written"};
          ok = false;
        }
      }
      break;
    default:
      bytes = *nfc;
      break;
  }
  if (!ok) {
    return InvalidInput("cannot write text as " + std::string(EncodingName(encoding)) + ": " +
                        failure.what + " at byte offset " + std::to_string(failure.offset));
  }
  if (!IsMojibake(encoding)) return bytes;
  std::string mojibake;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    AppendUtf8(t.cp1252[b] == kUndefined ? char32_t{b} : t.cp1252[b], mojibake);
  }
  return mojibake;
}

}  // namespace danhba::text
