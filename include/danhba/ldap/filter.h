// RFC 4515 search filters, built from typed parts so that no value can change a
// filter's structure: `Filter::Eq("uid", "*)(uid=*")` matches the literal value.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"

namespace danhba::ldap {

// Escapes an assertion value (RFC 4515 section 3): `*` `(` `)` `\` and NUL become
// `\2a` `\28` `\29` `\5c` `\00`. ASCII control characters and bytes that are not
// part of well-formed UTF-8 are escaped as `\xx` too; well-formed UTF-8 is kept
// as it is ("Nguyễn" stays readable).
std::string EscapeFilterValue(std::string_view value);

// True when `attribute` is an RFC 4512 attribute description: a name
// (letter, then letters, digits, '-') or a numeric OID, then ";option"s.
bool IsAttributeDescription(std::string_view attribute);

class Filter {
 public:
  static Filter Eq(std::string_view attribute, std::string_view value);
  static Filter Ge(std::string_view attribute, std::string_view value);
  static Filter Le(std::string_view attribute, std::string_view value);
  static Filter Approx(std::string_view attribute, std::string_view value);
  static Filter Present(std::string_view attribute);
  // (attribute=initial*any1*any2*final). Empty parts are left out; with every part
  // empty the filter is Present(attribute).
  static Filter Substring(std::string_view attribute, std::string_view initial,
                          const std::vector<std::string>& any, std::string_view final_part);
  // (attribute=*value*), the common "contains".
  static Filter Contains(std::string_view attribute, std::string_view value);
  // (attribute=value*).
  static Filter StartsWith(std::string_view attribute, std::string_view value);
  static Filter And(std::vector<Filter> parts);
  static Filter Or(std::vector<Filter> parts);
  static Filter Not(Filter part);

  // Ok, or an invalid-input error naming the first malformed attribute description
  // or empty And/Or anywhere in the filter.
  Status Check() const;

  // The RFC 4515 string. A filter that fails Check() renders as
  // "(!(objectClass=*))", which matches nothing: a mistake fails closed.
  std::string ToString() const;

 private:
  explicit Filter(std::string text) : text_(std::move(text)) {}
  static Filter Invalid(std::string detail);

  std::string text_;
  std::optional<std::string> error_;
};

}  // namespace danhba::ldap
