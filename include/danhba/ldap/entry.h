// Directory entries and changes as plain values. Everything libldap hands back is
// copied into these at once, so no libldap memory outlives the call that made it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace danhba::ldap {

// Attribute descriptions compare case-insensitively in ASCII ("cn" == "CN"), as
// RFC 4512 section 2.5 requires.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

using Values = std::vector<std::string>;
using Attributes = std::map<std::string, Values, CaseInsensitiveLess>;

struct Entry {
  std::string dn;
  Attributes attributes;

  // The values of `attribute`; an empty list when the entry has none.
  const Values& Get(std::string_view attribute) const;
  // The first value of `attribute`, or nullopt when it has none.
  std::optional<std::string> First(std::string_view attribute) const;
  bool Has(std::string_view attribute) const;
  // True when `attribute` holds exactly `value` (octet comparison, no matching rule).
  bool HasValue(std::string_view attribute, std::string_view value) const;
  // Appends one value.
  Entry& Add(std::string_view attribute, std::string value);
  // Replaces every value of `attribute`; an empty list removes it.
  Entry& Set(std::string_view attribute, Values values);
};

struct Modification {
  enum class Op { kAdd, kDelete, kReplace };
  Op op = Op::kReplace;
  std::string attribute;
  // kDelete with no values removes the whole attribute; kReplace with no values too.
  Values values;

  static Modification Add(std::string attribute, Values values);
  static Modification Delete(std::string attribute, Values values = {});
  static Modification Replace(std::string attribute, Values values);
};

// The update requests, as values, so a batch of them can be applied in one
// transaction (Operations::Apply) and retried as a whole.
struct AddRequest {
  Entry entry;
};
struct ModifyRequest {
  std::string dn;
  std::vector<Modification> modifications;
};
struct ModRdnRequest {
  std::string dn;
  std::string new_rdn;  // e.g. "uid=annv2", escaped as RFC 4514 requires
  bool delete_old_rdn = true;
  std::optional<std::string> new_superior;  // move under this DN; nullopt: same parent
};
struct DeleteRequest {
  std::string dn;
};
using Change = std::variant<AddRequest, ModifyRequest, ModRdnRequest, DeleteRequest>;

}  // namespace danhba::ldap
