#include "text/legacy_tables.h"

#include <iconv.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "text/utf8.h"
#include "text/vietnamese.h"

namespace danhba::text::internal {
namespace {

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

struct LetterInfoView {
  char32_t plain;
  Tone tone;
};

LetterInfoView Info(char32_t cp) {
  const internal::LetterInfo* info = VietnameseLetter(cp);
  return {info->plain, info->tone};
}

}  // namespace

Tables::Tables() {
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

bool Tables::IsVniSpecial(unsigned char b) const {
  return vni_modifiers.contains(b) || vni_letters.contains(b);
}

bool Tables::IsVniUndefinedLetter(unsigned char b) {
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

void Tables::BuildFastTables() {
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

void Tables::BuildVniReverse() {
  for (int b = 0; b < 0x100; ++b) {
    const auto byte = static_cast<unsigned char>(b);
    if (b >= 0x80 && (IsVniSpecial(byte) || IsVniUndefinedLetter(byte))) continue;
    if (cp1252[b] != kUndefined) vni_rev[cp1252[b]] = std::string(1, static_cast<char>(b));
  }
  for (const auto& [byte, cp] : vni_letters) vni_rev[cp] = std::string(1, static_cast<char>(byte));
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

char32_t Tables::CombineVni(unsigned char base, unsigned char modifier) const {
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

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

}  // namespace danhba::text::internal
