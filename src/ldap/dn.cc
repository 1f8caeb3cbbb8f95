#include "danhba/ldap/dn.h"

#include <algorithm>

#include "danhba/base/strings.h"
#include "danhba/ldap/entry.h"
#include "danhba/ldap/filter.h"
#include "ldap/escape_internal.h"
#include "ldap/handles.h"

namespace danhba::ldap {
namespace {

bool IsDnSpecial(unsigned char c) {
  switch (c) {
    case '"':
    case '+':
    case ',':
    case ';':
    case '<':
    case '>':
    case '\\':
    case '=':
      return true;
    default:
      return false;
  }
}

bool IsAttributeType(std::string_view type) {
  return type.find(';') == std::string_view::npos && IsAttributeDescription(type);
}

// A comparable form of an RDN: lower-cased types and values, sorted.
std::vector<std::string> RdnKey(const Rdn& rdn) {
  std::vector<std::string> key;
  key.reserve(rdn.size());
  for (const Ava& ava : rdn) {
    key.push_back(AsciiLower(ava.type) + (ava.ber_encoded ? "=#" : "=") + AsciiLower(ava.value));
  }
  std::sort(key.begin(), key.end());
  return key;
}

bool SameRdn(const Rdn& a, const Rdn& b) { return a.size() == b.size() && RdnKey(a) == RdnKey(b); }

}  // namespace

std::string EscapeDnValue(std::string_view value) {
  return internal::EscapeUtf8Value(
      value, value.size() + 4, [&](unsigned char c, std::size_t i, std::string& out) {
        const bool first = i == 0;
        const bool last = i + 1 == value.size();
        if (c == 0 || internal::IsAsciiControl(c)) {
          internal::AppendHexEscape(c, out);
        } else if (IsDnSpecial(c) || (first && (c == '#' || c == ' ')) || (last && c == ' ')) {
          out.push_back('\\');
          out.push_back(static_cast<char>(c));
        } else {
          out.push_back(static_cast<char>(c));
        }
      });
}

Result<Dn> Dn::Parse(std::string_view text) {
  if (text.empty()) return Dn();
  berval input;
  input.bv_len = text.size();
  input.bv_val = const_cast<char*>(text.data());  // ldap_bv2dn only reads it
  LDAPDN raw = nullptr;
  const int rc = ldap_bv2dn(&input, &raw, LDAP_DN_FORMAT_LDAPV3);
  internal::DnPtr parsed(raw);
  if (rc != LDAP_SUCCESS) {
    return InvalidInput("\"" + EscapeFilterValue(text) +
                        "\" is not a distinguished name (RFC 4514): " + ldap_err2string(rc));
  }
  std::vector<Rdn> rdns;
  for (LDAPRDN* rdn = parsed.get(); rdn != nullptr && *rdn != nullptr; ++rdn) {
    Rdn out;
    for (LDAPAVA** ava = *rdn; *ava != nullptr; ++ava) {
      const LDAPAVA& a = **ava;
      out.push_back(Ava{std::string(a.la_attr.bv_val, a.la_attr.bv_len),
                        std::string(a.la_value.bv_val, a.la_value.bv_len),
                        (a.la_flags & LDAP_AVA_BINARY) != 0});
    }
    rdns.push_back(std::move(out));
  }
  return Dn(std::move(rdns));
}

std::string Dn::ToString() const {
  std::string out;
  for (std::size_t r = 0; r < rdns_.size(); ++r) {
    if (r > 0) out += ',';
    for (std::size_t a = 0; a < rdns_[r].size(); ++a) {
      const Ava& ava = rdns_[r][a];
      if (a > 0) out += '+';
      out += ava.type;
      out += '=';
      out += ava.ber_encoded ? "#" + HexEncode(ava.value) : EscapeDnValue(ava.value);
    }
  }
  return out;
}

Dn Dn::Parent() const {
  if (rdns_.empty()) return Dn();
  return Dn(std::vector<Rdn>(rdns_.begin() + 1, rdns_.end()));
}

Result<Dn> Dn::Child(std::string_view type, std::string_view value) const {
  if (!IsAttributeType(type)) {
    return InvalidInput("\"" + EscapeFilterValue(type) +
                        "\" is not an attribute type (a name like \"uid\" or an OID)");
  }
  std::vector<Rdn> rdns;
  rdns.reserve(rdns_.size() + 1);
  rdns.push_back(Rdn{Ava{std::string(type), std::string(value), false}});
  rdns.insert(rdns.end(), rdns_.begin(), rdns_.end());
  return Dn(std::move(rdns));
}

std::string Dn::RdnValue(std::string_view type) const {
  if (rdns_.empty() || rdns_.front().empty()) return {};
  const Ava& ava = rdns_.front().front();
  return EqualsIgnoreCase(ava.type, type) ? ava.value : std::string();
}

bool Dn::IsDescendantOf(const Dn& ancestor) const {
  if (rdns_.size() <= ancestor.rdns_.size()) return false;
  const std::size_t offset = rdns_.size() - ancestor.rdns_.size();
  for (std::size_t i = 0; i < ancestor.rdns_.size(); ++i) {
    if (!SameRdn(rdns_[offset + i], ancestor.rdns_[i])) return false;
  }
  return true;
}

bool operator==(const Dn& a, const Dn& b) {
  if (a.rdns_.size() != b.rdns_.size()) return false;
  for (std::size_t i = 0; i < a.rdns_.size(); ++i) {
    if (!SameRdn(a.rdns_[i], b.rdns_[i])) return false;
  }
  return true;
}

}  // namespace danhba::ldap
