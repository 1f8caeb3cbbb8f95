#include "danhba/ldap/operations.h"

#include <algorithm>

#include "danhba/ldap/dn.h"
#include "danhba/ldap/error.h"
#include "ldap/handles.h"

namespace danhba::ldap {

Result<std::vector<Entry>> Operations::SearchAll(const SearchRequest& request) {
  std::vector<Entry> entries;
  DANHBA_RETURN_IF_ERROR(Search(request, [&entries](Entry&& entry) {
    entries.push_back(std::move(entry));
    return Ok();
  }));
  return entries;
}

Result<std::optional<Entry>> Operations::Read(std::string_view dn,
                                              const std::vector<std::string>& attributes) {
  SearchRequest request;
  request.base = std::string(dn);
  request.scope = Scope::kBase;
  request.attributes = attributes;
  auto entries = SearchAll(request);
  if (!entries.ok()) {
    if (HasResultCode(entries.error(), kNoSuchObject)) return std::optional<Entry>();
    return entries.take_error();
  }
  if (entries->empty()) return std::optional<Entry>();
  return std::optional<Entry>(std::move(entries->front()));
}

Result<Entry> ReadRootDse(Operations& ops) {
  DANHBA_ASSIGN_OR_RETURN(auto entry, ops.Read("", {"*", "+"}));
  if (!entry.has_value()) return NotFound("the server shows no root DSE");
  return std::move(*entry);
}

Result<bool> HasObjectClass(Operations& ops, std::string_view name) {
  DANHBA_ASSIGN_OR_RETURN(auto root, ReadRootDse(ops));
  const auto subschema = root.First("subschemaSubentry");
  if (!subschema) return NotFound("the root DSE names no subschemaSubentry");
  auto schema = ops.Read(*subschema, {"objectClasses"});
  if (!schema.ok()) return schema.take_error();
  if (!schema->has_value()) return NotFound("subschema entry " + *subschema + " not found");
  for (const std::string& definition : (*schema)->Get("objectClasses")) {
    int code = 0;
    const char* where = nullptr;
    internal::ObjectClassPtr oc(
        ldap_str2objectclass(definition.c_str(), &code, &where, LDAP_SCHEMA_ALLOW_ALL));
    if (!oc) continue;
    if (oc->oc_oid != nullptr && EqualsIgnoreCase(oc->oc_oid, name)) return true;
    for (char** n = oc->oc_names; n != nullptr && *n != nullptr; ++n) {
      if (EqualsIgnoreCase(*n, name)) return true;
    }
  }
  return false;
}

Status DeleteSubtree(Operations& ops, std::string_view dn) {
  SearchRequest request;
  request.base = std::string(dn);
  request.scope = Scope::kSubtree;
  request.attributes = {"1.1"};
  request.page_size = 500;
  auto entries = ops.SearchAll(request);
  if (!entries.ok()) {
    if (HasResultCode(entries.error(), kNoSuchObject)) return Ok();
    return entries.take_error();
  }
  std::vector<std::pair<std::size_t, std::string>> by_depth;
  by_depth.reserve(entries->size());
  for (Entry& entry : *entries) {
    DANHBA_ASSIGN_OR_RETURN(auto parsed, Dn::Parse(entry.dn));
    by_depth.emplace_back(parsed.size(), std::move(entry.dn));
  }
  std::stable_sort(by_depth.begin(), by_depth.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [depth, entry_dn] : by_depth) {
    Status deleted = ops.Delete(entry_dn);
    if (!deleted.ok() && !HasResultCode(deleted.error(), kNoSuchObject)) return deleted;
  }
  return Ok();
}

}  // namespace danhba::ldap
