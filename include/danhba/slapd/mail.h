// Configuration of the mail servers that read the directory, generated for a
// base DN and the `mailserver` service account (deploy/postfix, deploy/dovecot):
//
//  - Postfix LDAP tables (ldap_table(5), Debian's postfix-ldap):
//    virtual_mailbox_maps finds the mailbox of an address (people in service
//    and agency mailboxes; people who left are in ou=former, which the
//    mailserver account cannot see); virtual_alias_maps rewrites an old
//    address (danhbaMailAlias) to the mailbox that now has it.
//  - Dovecot passdb/userdb (dovecot-ldap): the user's own bind checks the
//    password (auth_bind), so slapo-ppolicy's lockout applies; an initial
//    password that was never changed (pwdReset) does not open the mailbox.
#pragma once

#include <string>
#include <vector>

namespace danhba::slapd {

struct MailServerOptions {
  std::string base_dn = "dc=dongnai,dc=gov,dc=vn";
  std::string ldap_url = "ldap://127.0.0.1:3890";
  std::string domain = "dongnai.gov.vn";
  // The mailserver account's password; empty: a placeholder to replace.
  std::string password;
  // Where the Dovecot LDAP file is installed (named by passdb/userdb args).
  std::string dovecot_ldap_file = "/etc/dovecot/dovecot-ldap-danhba.conf.ext";
  std::string mail_home = "/var/vmail";  // mailboxes: <mail_home>/<domain>/<local part>
  std::string mail_user = "vmail";       // the system user and group owning them
};

struct GeneratedFile {
  std::string path;  // relative: postfix/..., dovecot/...
  std::string content;
};

// postfix/ldap-virtual-mailbox-maps.cf, postfix/ldap-virtual-alias-maps.cf.
std::vector<GeneratedFile> PostfixLdapTables(const MailServerOptions& options);
// dovecot/dovecot-ldap-danhba.conf.ext, dovecot/auth-danhba.conf.ext.
std::vector<GeneratedFile> DovecotLdapConfig(const MailServerOptions& options);

// The LDAP filter of entries that own a mailbox: people in service and agencies.
inline constexpr const char* kMailboxOwnerFilter =
    "(|(objectClass=inetOrgPerson)(objectClass=danhbaAgency))";

}  // namespace danhba::slapd
