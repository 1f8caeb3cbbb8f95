// What can be asked of a directory server. Connection does it over one libldap
// handle; Client does it with reconnects and retries; tests can fake it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/ldap/entry.h"

namespace danhba::ldap {

enum class Scope { kBase, kOneLevel, kSubtree };

struct SearchRequest {
  std::string base;
  Scope scope = Scope::kSubtree;
  std::string filter = "(objectClass=*)";  // build it with Filter
  // Empty: all user attributes. "+" asks for operational ones, "1.1" for none.
  std::vector<std::string> attributes;
  // Server-side limits; 0 means none asked (the server's own limits still apply).
  // Reaching size_limit is not an error: the search ends with the entries so far.
  int size_limit = 0;
  std::chrono::seconds time_limit{0};
  // > 0: ask for pages of this many entries (RFC 2696) and go through all of them,
  // so results larger than the server's size limit come back whole.
  int page_size = 0;
};

// Called once per entry; an error stops the search and is returned by it.
using EntryVisitor = std::function<Status(Entry&&)>;

class Operations {
 public:
  virtual ~Operations() = default;

  // Streams the entries to `visit` as they arrive (one page at a time when paging).
  virtual Status Search(const SearchRequest& request, const EntryVisitor& visit) = 0;
  // Every entry at once.
  virtual Result<std::vector<Entry>> SearchAll(const SearchRequest& request);
  // The entry at `dn` (base search), or nullopt when there is none.
  virtual Result<std::optional<Entry>> Read(std::string_view dn,
                                            const std::vector<std::string>& attributes = {});

  virtual Status Add(const Entry& entry) = 0;
  virtual Status Modify(std::string_view dn, const std::vector<Modification>& modifications) = 0;
  virtual Status ModRdn(const ModRdnRequest& request) = 0;
  virtual Status Delete(std::string_view dn) = 0;
  // Whether the entry at `dn` holds `value` in `attribute`, by the attribute's
  // equality matching rule.
  virtual Result<bool> Compare(std::string_view dn, std::string_view attribute,
                               std::string_view value) = 0;
  // RFC 3062 password modify. Empty `user_dn`: the bound identity. Empty
  // `old_password`: not sent (an administrator's reset). Empty `new_password`: the
  // server generates one. Returns the password now in force (the given or the
  // generated one).
  virtual Result<std::string> PasswordModify(std::string_view user_dn,
                                             std::string_view old_password,
                                             std::string_view new_password) = 0;
  // RFC 4532: the authorization identity, e.g. "dn:cn=operator,ou=system,...".
  virtual Result<std::string> WhoAmI() = 0;
  // Applies every change, or none, in one RFC 5805 transaction. An error names the
  // change that failed.
  virtual Status Apply(const std::vector<Change>& changes) = 0;
};

// The root DSE with its operational attributes (namingContexts, supportedControl,
// supportedExtension, subschemaSubentry, ...).
Result<Entry> ReadRootDse(Operations& ops);

// Whether the server's schema defines the object class `name` (by name or OID,
// case-insensitive).
Result<bool> HasObjectClass(Operations& ops, std::string_view name);

// Deletes `dn` and everything below it, deepest first. A missing `dn` is fine.
Status DeleteSubtree(Operations& ops, std::string_view dn);

}  // namespace danhba::ldap
