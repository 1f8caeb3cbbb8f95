// vCard 4.0 (RFC 6350) and CSV (RFC 4180) forms of published people. Internal
// to the api module.
#pragma once

#include <string>
#include <vector>

#include "danhba/readmodel/snapshot.h"

namespace danhba::api::formats {

// One vCard per person, CRLF line ends, lines folded at 75 octets without
// splitting a UTF-8 character.
void AppendVcard(const readmodel::Snapshot& snapshot, const readmodel::PersonEntry& person, std::string& out);

// A header row and one row per person, CRLF line ends, UTF-8 with a BOM (so
// spreadsheet programs read the diacritics); a field that a spreadsheet would
// take for a formula (= + - @) is prefixed with an apostrophe.
std::string Csv(const readmodel::Snapshot& snapshot, const std::vector<std::uint32_t>& people);

}  // namespace danhba::api::formats
