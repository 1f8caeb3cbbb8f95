// Where the entries of the tree live (Layout, directory.h). RDNs are rendered
// by ldap::Dn, so a value is escaped the one way the ldap module does it; the
// subtree DNs are kept as configured, byte for byte, so that the DNs written
// stay those of the existing entries.
#include <string>
#include <string_view>

#include "danhba/directory/directory.h"
#include "danhba/ldap/dn.h"

namespace danhba::directory {
namespace {

std::string Rdn(std::string_view type, std::string_view value) {
  return ldap::Dn({ldap::Rdn{ldap::Ava{std::string(type), std::string(value), false}}}).ToString();
}

// `rdn` below `parent`.
std::string Below(const std::string& rdn, std::string_view parent) {
  std::string dn = rdn;
  dn += ',';
  dn += parent;
  return dn;
}

}  // namespace

Layout Layout::ForBase(std::string_view base_dn) {
  std::string base(base_dn);
  return Layout{base, Below(Rdn("ou", "people"), base), Below(Rdn("ou", "former"), base),
                Below(Rdn("ou", "agencies"), base), Below(Rdn("ou", "decisions"), base)};
}

const std::string& Layout::PeopleSubtree(bool former) const {
  return former ? former_dn : people_dn;
}

std::string Layout::PersonRdn(std::string_view uid) { return Rdn("uid", uid); }

std::string Layout::AgencyRdn(std::string_view code) { return Rdn("ou", code); }

std::string Layout::PersonDn(std::string_view uid, bool former) const {
  return Below(PersonRdn(uid), PeopleSubtree(former));
}

std::string Layout::AgencyDn(std::string_view code) const {
  return Below(AgencyRdn(code), agencies_dn);
}

std::string Layout::DecisionDn(std::string_view event_id) const {
  return Below(Rdn("danhbaEventId", event_id), decisions_dn);
}

std::string Layout::DecisionEventId(std::string_view dn) const {
  auto parsed = ldap::Dn::Parse(dn);
  auto parent = ldap::Dn::Parse(decisions_dn);
  if (!parsed.ok() || !parent.ok() || parsed->size() != parent->size() + 1 ||
      !parsed->IsDescendantOf(*parent)) {
    return "";
  }
  return parsed->RdnValue("danhbaEventId");
}

}  // namespace danhba::directory
