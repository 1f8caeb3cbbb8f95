// Quoting values inside error messages. Internal to the model module.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace danhba::model::internal {

// `s` between double quotes, JSON-escaped, cut after about 40 bytes (on a
// character boundary) with "..." so that a huge value cannot flood a reply.
std::string Quote(std::string_view s);

// Number of Unicode code points in well-formed UTF-8.
std::size_t CountChars(std::string_view utf8);

}  // namespace danhba::model::internal
