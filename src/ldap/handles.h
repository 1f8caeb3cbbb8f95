// Owners for every libldap resource. Wrap an out-parameter on the line right
// after the call that fills it, before looking at the return code: libldap may
// hand back memory even when the call fails. Internal.
#pragma once

#include <lber.h>
#include <ldap.h>
#include <ldap_schema.h>

#include <chrono>
#include <memory>

#include "danhba/base/result.h"
#include "danhba/ldap/entry.h"
#include "danhba/ldap/operations.h"

namespace danhba::ldap::internal {

struct LdapUnbind {
  void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
struct MessageFree {
  void operator()(LDAPMessage* msg) const { ldap_msgfree(msg); }
};
struct MemFree {
  void operator()(char* text) const { ldap_memfree(text); }
};
struct BerFree {
  // 0: the BerElement from ldap_first_attribute does not own its buffer.
  void operator()(BerElement* ber) const { ber_free(ber, 0); }
};
struct BerBufferFree {
  // 1: a BerElement from ber_init owns its copy of the buffer.
  void operator()(BerElement* ber) const { ber_free(ber, 1); }
};
struct ValuesFree {
  void operator()(berval** values) const { ldap_value_free_len(values); }
};
struct BervalFree {
  void operator()(berval* value) const { ber_bvfree(value); }
};
struct ControlFree {
  void operator()(LDAPControl* control) const { ldap_control_free(control); }
};
struct ControlsFree {
  void operator()(LDAPControl** controls) const { ldap_controls_free(controls); }
};
struct DnFree {
  void operator()(LDAPDN dn) const { ldap_dnfree(dn); }
};
struct ObjectClassFree {
  void operator()(LDAPObjectClass* oc) const { ldap_objectclass_free(oc); }
};

using LdapPtr = std::unique_ptr<LDAP, LdapUnbind>;
using MessagePtr = std::unique_ptr<LDAPMessage, MessageFree>;
using MemPtr = std::unique_ptr<char, MemFree>;
using BerPtr = std::unique_ptr<BerElement, BerFree>;
using BerBufferPtr = std::unique_ptr<BerElement, BerBufferFree>;
using ValuesPtr = std::unique_ptr<berval*, ValuesFree>;
using BervalPtr = std::unique_ptr<berval, BervalFree>;
using ControlPtr = std::unique_ptr<LDAPControl, ControlFree>;
using ControlsPtr = std::unique_ptr<LDAPControl*, ControlsFree>;
using DnPtr = std::unique_ptr<LDAPRDN, DnFree>;
using ObjectClassPtr = std::unique_ptr<LDAPObjectClass, ObjectClassFree>;

// libldap's scope constant for a search scope.
inline int ToLdapScope(Scope scope) {
  switch (scope) {
    case Scope::kBase:
      return LDAP_SCOPE_BASE;
    case Scope::kOneLevel:
      return LDAP_SCOPE_ONELEVEL;
    case Scope::kSubtree:
      return LDAP_SCOPE_SUBTREE;
  }
  return LDAP_SCOPE_SUBTREE;
}

}  // namespace danhba::ldap::internal

namespace danhba::ldap {
class Connection;
namespace internal {

// The libldap handle inside a Connection, for other parts of this module
// (content sync) that speak to libldap directly.
// Copies an entry message into an Entry.
Result<Entry> CopyEntry(LDAP* ld, LDAPMessage* message);

struct ConnectionAccess {
  static LDAP* Handle(Connection& connection);
  static std::chrono::milliseconds OperationTimeout(const Connection& connection);
};

}  // namespace internal
}  // namespace danhba::ldap
