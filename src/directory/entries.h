// Records <-> LDAP entries: the attributes LdapDirectory reads, the entries it
// adds, and the modifications that turn one record's entry into another's
// (whole attributes replaced, so a repeat gives the same entry). No I/O: the
// repeatable write procedures around them are in ldap_directory.cc. Internal.
//
// DecisionEntry, PersonEntry, AgencyEntry, PersonFromEntry, AgencyFromEntry and
// ToGeneralizedTime (ldap_directory.h) are defined in entries.cc as well.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "danhba/directory/directory.h"
#include "danhba/ldap/entry.h"

namespace danhba::directory::internal {

// What FindPerson and friends read: never more than the engine needs.
const std::vector<std::string>& PersonAttributes();
const std::vector<std::string>& AgencyAttributes();

// The person's entry with its initial password in the add itself: one write
// instead of an add and a password modify. slapo-ppolicy stores it hashed
// (olcPPolicyHashCleartext), and pwdReset makes the server force a change at
// first login (R13), as it does after a password administrator's reset.
ldap::Entry NewPersonEntry(const NewPerson& person);

// Whether `after` names another agency than `before` (a new Department to read).
bool AgencyChanged(const PersonRecord& before, const PersonRecord& after);

// The modifications of before's entry that make it after's, in the order they
// are sent (decisions last). `agency_name`: the displayName of after.agency_dn's
// entry, used only when AgencyChanged (empty: the code is shown instead).
std::vector<ldap::Modification> PersonModifications(const PersonRecord& before,
                                                    const PersonRecord& after,
                                                    std::string_view agency_name);
// The same for an agency's own entry (its people's ou is the caller's).
std::vector<ldap::Modification> AgencyModifications(const AgencyRecord& before,
                                                    const AgencyRecord& after);

}  // namespace danhba::directory::internal
