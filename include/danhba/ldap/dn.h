// RFC 4514 distinguished names: escaping a value for use in a DN, and a parsed DN
// of RDNs that can be compared, walked up and extended without string surgery.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"

namespace danhba::ldap {

// Escapes an attribute value for a DN string (RFC 4514 section 2.4): `"` `+` `,`
// `;` `<` `>` `\` and `=` anywhere, `#` and space at the start, space at the end,
// NUL, ASCII control characters and bytes that are not well-formed UTF-8.
// Well-formed UTF-8 is kept as it is ("cn=Nguyễn Văn An").
std::string EscapeDnValue(std::string_view value);

// One attribute type and value assertion of an RDN. `value` is the unescaped
// value; for a value written in the `#hex` form, `value` holds the decoded bytes
// (the BER encoding) and `ber_encoded` is true.
struct Ava {
  std::string type;
  std::string value;
  bool ber_encoded = false;
};

// One RDN; more than one Ava for a multi-valued RDN ("OU=Sales+CN=J. Smith").
using Rdn = std::vector<Ava>;

class Dn {
 public:
  // The empty DN (the root DSE).
  Dn() = default;
  explicit Dn(std::vector<Rdn> rdns) : rdns_(std::move(rdns)) {}

  // Parses an RFC 4514 string. A malformed DN is an invalid-input error that
  // quotes the input.
  static Result<Dn> Parse(std::string_view text);

  // The RFC 4514 string, values escaped by EscapeDnValue, `#hex` for BER values.
  std::string ToString() const;

  // rdns()[0] is the leftmost, most specific RDN.
  const std::vector<Rdn>& rdns() const { return rdns_; }
  bool empty() const { return rdns_.empty(); }
  std::size_t size() const { return rdns_.size(); }

  // The DN without its first RDN; the empty DN for the empty DN.
  Dn Parent() const;
  // This DN with one more RDN `type=value` in front. A malformed attribute type is
  // an invalid-input error; any value is fine (it is escaped when rendered).
  Result<Dn> Child(std::string_view type, std::string_view value) const;
  // The value of the first RDN's first AVA when its type is `type`
  // (case-insensitive), else empty.
  std::string RdnValue(std::string_view type) const;

  // True when this DN lies strictly below `ancestor` (every DN is below the empty DN
  // except the empty DN itself).
  bool IsDescendantOf(const Dn& ancestor) const;

  // Attribute types compare case-insensitively; values compare case-insensitively
  // in ASCII, which is what the usual directory-string matching rules do for the
  // naming attributes danhba uses (uid, ou, cn, dc); multi-valued RDNs compare as sets.
  friend bool operator==(const Dn& a, const Dn& b);

 private:
  std::vector<Rdn> rdns_;
};

}  // namespace danhba::ldap
