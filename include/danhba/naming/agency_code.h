// Agency addresses (R4): tenCQ@domain, where tenCQ is the agency's short code as
// the operator gives it ("stttt", "p.tanmai").
//
// All functions are thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"

namespace danhba::naming {

// Ok when `code` is one or more parts of lower-case ASCII letters and digits
// joined by single dots ("stttt", "p.tanmai", "x.bugiamap"), at most 64 octets,
// with at least one letter, and is not a reserved role name (DefaultReservedNames).
// Otherwise an invalid-input error saying what is wrong with which code.
Status ValidateAgencyCode(std::string_view code);

struct AgencyCodeSuggestion {
  std::string code;
  std::vector<std::string> explanation;  // always filled: this is for operators
};

// A suggested code for an agency's full name; the operator has the last word.
// The rule (it gives every code in the province's agency list):
//  1. The name is cleaned and split into words at spaces and punctuation.
//  2. Linking words (và, các, của, cho, với, những) contribute nothing:
//     "Sở Thông tin và Truyền thông" -> s t t t t -> "stttt";
//     "Ban Quản lý các Khu công nghiệp" -> "bqlkcn".
//  3. A word written in capitals (an abbreviation such as UBND, HĐND, GD) gives
//     all its letters, folded; any other word gives its first letter, folded
//     (Đ -> d). In a name written wholly in capitals every word gives its
//     first letter (and UBND / HĐND are still recognised).
//  4. People's committees and councils ("Ủy ban nhân dân", "Hội đồng nhân dân")
//     carry their level: at the province level ("tỉnh", with or without the
//     province's name) the level is dropped, as the domain already names the
//     province: "Ủy ban nhân dân tỉnh Đồng Nai" -> "ubnd",
//     "Văn phòng Ủy ban nhân dân tỉnh" -> "vpubnd". Below it, the level's letter
//     and the place name written out in full make the code: phường -> "p.",
//     xã -> "x.", thị trấn -> "tt.", thị xã -> "tx.", huyện -> "h.",
//     quận -> "q.", thành phố -> "tp."; "Ủy ban nhân dân phường Trấn Biên" ->
//     "p.tranbien". A body other than the people's committee keeps its initials
//     in front: "Hội đồng nhân dân xã Hàng Gòn" -> "hdnd.x.hanggon".
//     "tỉnh" anywhere else is an ordinary word: "Thanh tra tỉnh" -> "ttt".
// Errors (invalid input): invalid UTF-8, no letters, or a result that fails
// ValidateAgencyCode.
Result<AgencyCodeSuggestion> SuggestAgencyCode(std::string_view agency_name);

}  // namespace danhba::naming
