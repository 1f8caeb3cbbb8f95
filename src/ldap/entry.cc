#include "danhba/ldap/entry.h"

#include <algorithm>

#include "danhba/base/strings.h"

namespace danhba::ldap {
namespace {

const Values kNoValues;

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return AsciiLowerChar(x) < AsciiLowerChar(y);
  });
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLowerChar(x) == AsciiLowerChar(y);
         });
}

const Values& Entry::Get(std::string_view attribute) const {
  auto it = attributes.find(attribute);
  return it == attributes.end() ? kNoValues : it->second;
}

std::optional<std::string> Entry::First(std::string_view attribute) const {
  const Values& values = Get(attribute);
  if (values.empty()) return std::nullopt;
  return values.front();
}

bool Entry::Has(std::string_view attribute) const { return !Get(attribute).empty(); }

bool Entry::HasValue(std::string_view attribute, std::string_view value) const {
  const Values& values = Get(attribute);
  return std::find(values.begin(), values.end(), value) != values.end();
}

Entry& Entry::Add(std::string_view attribute, std::string value) {
  auto it = attributes.find(attribute);
  if (it == attributes.end()) it = attributes.emplace(std::string(attribute), Values{}).first;
  it->second.push_back(std::move(value));
  return *this;
}

Entry& Entry::Set(std::string_view attribute, Values values) {
  auto it = attributes.find(attribute);
  if (values.empty()) {
    if (it != attributes.end()) attributes.erase(it);
  } else if (it == attributes.end()) {
    attributes.emplace(std::string(attribute), std::move(values));
  } else {
    it->second = std::move(values);
  }
  return *this;
}

Modification Modification::Add(std::string attribute, Values values) {
  return {Op::kAdd, std::move(attribute), std::move(values)};
}
Modification Modification::Delete(std::string attribute, Values values) {
  return {Op::kDelete, std::move(attribute), std::move(values)};
}
Modification Modification::Replace(std::string attribute, Values values) {
  return {Op::kReplace, std::move(attribute), std::move(values)};
}

}  // namespace danhba::ldap
