// A minimal JSON string writer for the public read path, where listings are
// written per request. Internal to the model module.
#pragma once

#include <string>
#include <string_view>

namespace danhba::model::internal {

// Appends `s` as a JSON string literal: '"' and '\\' escaped, control
// characters as \b \f \n \r \t or \u00XX, other characters as UTF-8. Each
// byte that is not part of well-formed UTF-8 becomes U+FFFD, so the output is
// always valid JSON in valid UTF-8.
void AppendJsonString(std::string_view s, std::string& out);

}  // namespace danhba::model::internal
