// The formats and limits of the fields danhba accepts from HR systems, staff
// lists and operators. Every checker returns an invalid-input error whose detail
// quotes the value and says what was expected, without a field path (callers add
// the path, e.g. "events[2].person.phone: ").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "danhba/base/result.h"

namespace danhba::model {

// Limits, in characters (Unicode code points after NFC) for text and in bytes
// for ASCII formats. Generous for real data, small enough that no field can
// swell an LDAP entry or a log line.
inline constexpr std::size_t kMaxIdLength = 128;
inline constexpr std::size_t kMaxAgencyCodeLength = 64;
inline constexpr std::size_t kMaxFullNameLength = 128;
inline constexpr std::size_t kMaxNamePartLength = 64;
inline constexpr std::size_t kMaxMiddleNames = 8;
inline constexpr std::size_t kMaxTextLength = 256;      // titles, agency names, issuers
inline constexpr std::size_t kMaxDecisionNumberLength = 64;
inline constexpr std::size_t kMaxSubjectLength = 1024;
inline constexpr std::size_t kMaxPhoneLength = 32;
inline constexpr std::size_t kMaxDelegates = 32;

// Event ids and person ids: 1-128 printable ASCII characters without space
// (0x21-0x7E). Person ids are private (R3) and never shown publicly.
Status CheckId(std::string_view id);

// Agency codes, which are also the local part of the agency's address (R4):
// 1-64 of lower-case a-z, 0-9 and '.', starting with a letter, no leading,
// trailing or doubled '.'. "stttt", "p.tanphong".
Status CheckAgencyCode(std::string_view code);

// A published work phone: 3-32 characters of digits, spaces, '+', '-', '.',
// '(' and ')', with at least three digits. "0251 3822 000", "+84 (251) 382-2000".
Status CheckPhone(std::string_view phone);

// A person's name or one part of it, made canonical: valid UTF-8, text::Clean
// (NFC, single spaces, no control or zero-width characters) and
// text::ProperCase ("NGUYỄN  VĂN AN" -> "Nguyễn Văn An"). Empty after cleaning,
// or longer than `max_length` characters, is an error.
Result<std::string> NormalizeName(std::string_view name, std::size_t max_length);

// Any other free text (titles, agency names, decision numbers and issuers):
// valid UTF-8, text::Clean, non-empty, at most `max_length` characters. Case is
// kept as written.
Result<std::string> NormalizeText(std::string_view text, std::size_t max_length);

}  // namespace danhba::model
