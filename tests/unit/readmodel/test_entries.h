// LDAP entries shaped like those of the directory module, for read-model tests.
#pragma once

#include <string>

#include "danhba/ldap/entry.h"

namespace danhba::readmodel::testing {

inline ldap::Entry PersonLdap(const std::string& uid, const std::string& full_name, const std::string& family,
                              const std::string& given, const std::string& agency, const std::string& title) {
  const std::string base = "dc=dongnai,dc=gov,dc=vn";
  ldap::Entry e;
  e.dn = "uid=" + uid + ",ou=people," + base;
  e.Add("uid", uid);
  e.Add("mail", uid + "@dongnai.gov.vn");
  e.Set("cn", {full_name, "folded " + uid});
  e.Add("displayName", full_name);
  e.Add("sn", family);
  e.Add("givenName", given);
  if (!title.empty()) e.Add("title", title);
  e.Add("telephoneNumber", "0251 3822 000");
  e.Add("ou", agency);
  e.Add("danhbaAgencyDN", "ou=" + agency + ",ou=agencies," + base);
  e.Add("danhbaStatus", "active");
  return e;
}

inline ldap::Entry AgencyLdap(const std::string& code, const std::string& name, const std::string& parent,
                              const std::string& head = "") {
  const std::string base = "dc=dongnai,dc=gov,dc=vn";
  ldap::Entry e;
  e.dn = "ou=" + code + ",ou=agencies," + base;
  e.Add("ou", code);
  e.Add("danhbaAgencyCode", code);
  e.Add("displayName", name);
  e.Add("mail", code + "@dongnai.gov.vn");
  e.Add("danhbaStatus", "active");
  if (!parent.empty()) e.Add("danhbaParentDN", "ou=" + parent + ",ou=agencies," + base);
  if (!head.empty()) e.Add("danhbaHeadDN", "uid=" + head + ",ou=people," + base);
  return e;
}

}  // namespace danhba::readmodel::testing
