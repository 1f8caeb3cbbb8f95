// Legacy Vietnamese encodings found in old Excel and CSV files (R12): reading
// them into NFC UTF-8, and deciding, per column or file, which one a text is in.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "danhba/base/result.h"

namespace danhba::text {

enum class Encoding {
  kUtf8,    // UTF-8 (NFD and composite forms are normalised to NFC)
  kTcvn3,   // TCVN 5712:1993 VN3, the "ABC" font encoding (.VnTime / .VnTimeH)
  kVni,     // VNI-Windows font encoding: base letter + a following diacritic byte
  kViscii,  // VISCII (RFC 1456)
  kCp1258,  // Windows-1258: base letters + combining tone marks
  // Mojibake: bytes in the named encoding were read as Windows-1252 (or Latin-1)
  // and saved again as UTF-8, e.g. "NguyÔn V¨n An" (TCVN3), "Nguyeãn Vaên An"
  // (VNI), "Nguyá»…n VÄƒn An" (UTF-8 itself).
  kUtf8AsCp1252,
  kTcvn3AsCp1252,
  kVniAsCp1252,
  kVisciiAsCp1252,
  kCp1258AsCp1252,
};

// Every encoding above, in declaration order.
std::span<const Encoding> AllEncodings();

// The encoding's name as ParseEncoding accepts it: "utf-8", "tcvn3", "vni",
// "viscii", "cp1258"; mojibake as "<name>+cp1252", e.g. "tcvn3+cp1252".
std::string_view EncodingName(Encoding encoding);

// Parses an `--encoding` value: "auto" gives nullopt (detect); otherwise one of
// the names of EncodingName, case-insensitive, also "utf8", "abc", "tcvn",
// "vni-windows", "windows-1258". Anything else is an invalid-input error that
// lists the accepted names.
Result<std::optional<Encoding>> ParseEncoding(std::string_view name);

// `bytes` in `encoding` as NFC UTF-8. Undecodable input (a byte the encoding
// does not define, a VNI diacritic byte with no vowel before it, invalid UTF-8,
// a character that cannot come from Windows-1252) is an invalid-input error
// naming the encoding and the byte offset in `bytes`.
//
// TCVN3: the small letters, Ă Â Ê Ô Ơ Ư Đ and the five combining tone marks at
// 0xB0-0xB4 are read as in TCVN 5712 (glibc's TCVN5712-1); bytes 0x80-0x9F are
// read as Windows-1252 punctuation (smart quotes, dashes) as Windows fonts show
// them, and 0x01-0x17 stay control characters. ABC has no capitals with tones:
//  - converted text writes one as capital base + toned small letter ("A" "à"
//    for À, "Â" "ấ" for Ấ); such a pair is read as the capital;
//  - capital-letter fonts (.VnTimeH) show the small codes as capitals, so a
//    word whose ASCII letters are all capitals (at least two), or any word of a
//    text whose ASCII letters are all capitals (at least three), is put wholly
//    in capitals: "NGUYÔN" gives "NGUYỄN", "L£ V¨N AN" gives "LÊ VĂN AN".
// Decode raw cells, before Clean(): TCVN3 writes ư as 0xAD, a soft hyphen in
// Windows-1252 mojibake, which Clean() would remove.
Result<std::string> Decode(std::string_view bytes, Encoding encoding);

// NFC UTF-8 text written in `encoding`, the inverse of Decode (for tests, samples
// and exports); TCVN3 capitals with tones are written the ABC way above. A
// character the encoding cannot represent is an invalid-input error naming it
// and its byte offset.
Result<std::string> Encode(std::string_view utf8, Encoding encoding);

struct Detection {
  Encoding encoding = Encoding::kUtf8;  // the best candidate, also when not decided
  double confidence = 0;                // 0..1
  bool decided = false;                 // false: the caller must ask, not guess
  std::string reason;                   // for the operator: what was counted
};

// Decides one encoding for a whole column or file from its cells: every
// candidate decodes every cell, and the one under which most words are valid
// Vietnamese syllables (IsVietnameseSyllable) wins. It is decided only with
// enough evidence (at least 3 words with Vietnamese letters), a clear majority
// of valid words and a clear margin over every candidate that reads the cells
// differently. Pure ASCII is decided as UTF-8. Only the first 1000 cells with
// non-ASCII bytes are examined.
Detection DetectEncoding(std::span<const std::string_view> cells);

}  // namespace danhba::text
