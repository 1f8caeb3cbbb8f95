// The conversion tables of the legacy Vietnamese encodings (TCVN3/ABC, VNI,
// VISCII, Windows-1258 and the Windows-1252 readings of them): built once,
// from glibc's iconv for the single-byte charsets and from VNI's rules for its
// letter + diacritic pairs, and shared by the decoders and encoders of
// legacy.cc. Internal.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "text/vietnamese.h"

namespace danhba::text::internal {

inline constexpr char32_t kUndefined = 0xFFFFFFFF;
using ByteTable = std::array<char32_t, 256>;

enum class Quality : std::uint8_t { kNone, kCircumflex, kBreve };

// A byte's decoding, ready to copy: its UTF-8 (length 0: undefined byte).
struct Utf8Entry {
  char bytes[4] = {};
  std::uint8_t length = 0;
  bool nfc_safe = true;
};
using FastTable = std::array<Utf8Entry, 256>;

enum class LetterClass : std::uint8_t { kNone, kAsciiUpper, kAsciiLower, kOther };

struct VniModifier {
  Quality quality;
  Tone tone;
};

struct Tables {
  Tables();

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

  // The letter VNI writes as `base` followed by the diacritic byte `modifier`,
  // or 0 when that pair means nothing. Case follows the base.
  char32_t CombineVni(unsigned char base, unsigned char modifier) const;
  // VNI bytes 0xC0-0xFF that are neither letters nor diacritics in VNI fonts.
  static bool IsVniUndefinedLetter(unsigned char b);

 private:
  bool IsVniSpecial(unsigned char b) const;
  void BuildFastTables();
  void BuildVniReverse();
};

// Built on first use; check `ok` (false, with `error`, when iconv lacks a charset).
const Tables& GetTables();

}  // namespace danhba::text::internal
