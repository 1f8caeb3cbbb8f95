#include "danhba/text/legacy.h"

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
#include "text/legacy_tables.h"
#include "text/utf8.h"
#include "text/vietnamese.h"

namespace danhba::text {
namespace {

using internal::AppendUtf8;
using internal::ComposeVietnamese;
using internal::DecodeUtf8;
using internal::FastTable;
using internal::GetTables;
using internal::kUndefined;
using internal::LetterClass;
using internal::Tables;
using internal::Tone;
using internal::Utf8Entry;
using internal::VietnameseLetter;

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
