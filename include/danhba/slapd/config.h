// Pure generators for a private slapd: the cn=config LDIF (loaded with
// `slapadd -n0 -F <dir>`) and the base tree LDIF (loaded with `slapadd -n1`).
// The same functions serve `danhba run` in managed mode, the test harness and the
// production files in deploy/, so tests exercise what users run.
//
// What the generated directory enforces (see deploy/README.md):
//  - root = local root over ldapi:// SASL EXTERNAL (kRootIdentity, or another
//    local user's peercred identity), for the data and cn=config; no root password;
//  - ou=former, ou=decisions and ou=system: operator and sync accounts only;
//  - private attributes (person id, birth date, status, decisions, home phone,
//    password-policy state): operator and sync only; mail aliases also the
//    reader and mail server accounts;
//  - public attributes (kPublicAttributes in config.cc: names, mail, title,
//    phone, agency, certificates) of ou=people, ou=agencies and the base entry:
//    every bound identity (staff, reader, mail server), anonymous users only
//    with ConfigOptions::anonymous_read; other attributes: writers only;
//  - userPassword: auth for anonymous, write-only for its owner (never read
//    back), manage for operator and sync (password administrators).
// Limits: service accounts unlimited; people and anonymous clients size_limit
// entries and time_limit seconds per search.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "danhba/base/result.h"

namespace danhba::slapd {

// The authorization identity of the local root user over ldapi:// EXTERNAL.
inline constexpr std::string_view kRootIdentity =
    "gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth";

// The identity slapd gives a local process with these ids over ldapi:// EXTERNAL:
// "gidNumber=<gid>+uidNumber=<uid>,cn=peercred,cn=external,cn=auth".
std::string PeercredIdentity(unsigned uid, unsigned gid);

// Service accounts under ou=system, each cn=<AccountName>,ou=system,<base>.
enum class ServiceAccount {
  kOperator,    // the provincial IT operator: writes everything, reads everything
  kSync,        // the sync engine: writes people, agencies, decisions
  kReader,      // the public API's read model: public attributes, content sync
  kMailServer,  // mail servers: public attributes and mail aliases
};
inline constexpr std::array<ServiceAccount, 4> kServiceAccounts = {
    ServiceAccount::kOperator, ServiceAccount::kSync, ServiceAccount::kReader,
    ServiceAccount::kMailServer};

// "operator", "sync", "reader", "mailserver": the cn and the secret file's stem.
std::string_view AccountName(ServiceAccount account);
std::string AccountDn(ServiceAccount account, std::string_view base_dn);

// The subtrees of the base entry.
std::string AgenciesDn(std::string_view base_dn);   // ou=agencies,<base>
std::string PeopleDn(std::string_view base_dn);     // ou=people,<base>
std::string FormerDn(std::string_view base_dn);     // ou=former,<base>
std::string DecisionsDn(std::string_view base_dn);  // ou=decisions,<base>
std::string SystemDn(std::string_view base_dn);     // ou=system,<base>
// The default password policy (people) and the one of service accounts (no
// expiry, no lockout: a guessing attacker must not be able to stop the sync engine).
std::string PasswordPolicyDn(std::string_view base_dn);  // cn=password-policy,ou=system,<base>
std::string ServicePolicyDn(std::string_view base_dn);   // cn=service-policy,ou=system,<base>

// Checks that `dn` is usable as a base DN: RDNs "attr=value" separated by commas,
// the first one dc=, o= or ou=, single-valued, no double quote. Errors say what is wrong.
Status ValidateBaseDn(std::string_view dn);

struct ConfigOptions {
  std::string base_dn = "dc=dongnai,dc=gov,dc=vn";
  std::string data_directory;  // olcDbDirectory; absolute, must exist before slapadd -n1
  std::string module_path = "/usr/lib/ldap";
  std::string system_schema_dir = "/etc/ldap/schema";  // core, cosine, inetorgperson .ldif
  // false sets olcDbNoSync: a crash can lose recent writes. For benchmarks only.
  bool durable = true;
  std::uint64_t max_size_bytes = std::uint64_t{8} << 30;  // olcDbMaxSize (default 10 MiB is too small)
  std::string pid_file;            // olcPidFile; empty: none
  std::string log_level = "none";  // olcLogLevel, e.g. "stats"
  int size_limit = 100;  // entries per search for people and anonymous users; service accounts: none
  int time_limit = 10;   // seconds per search, likewise
  // Anonymous binds read the public attributes of active people and agencies
  // (a public address book); false: they can only bind and read the root DSE
  // and schema. `danhba run` in managed mode turns it on unless configured off.
  bool anonymous_read = false;
  // The eq/sub/pres indexes mail clients' filters use (cn, sn, givenName,
  // displayName, uid, mail). false leaves only what the engine needs: for the
  // benchmark that shows what they are worth (bench/ldap).
  bool client_indexes = true;
  // rootDN of the data and manage access to data and cn=config: a local user
  // over ldapi:// (the private instance uses the identity of the danhba process).
  std::string root_identity = std::string(kRootIdentity);
};

// The whole cn=config LDIF: global settings, modules, schemas (system ones by
// `include:`, ours inline), frontend, config and mdb databases with indexes, ACLs
// and limits, overlays syncprov, ppolicy, unique, refint and sssvlv.
// Deterministic: the same options give the same bytes.
Result<std::string> ConfigLdif(const ConfigOptions& options);

// An LDIF change (for ldapmodify) that replaces the data database's ACLs and
// limits with the ones ConfigLdif(options) writes: how an existing directory
// follows a configuration that changed them (ldap.anonymous_read, size and
// time limits, a new release's rules). Deterministic, as ConfigLdif.
std::string AccessChangeLdif(const ConfigOptions& options);

struct PasswordPolicy {
  std::int64_t max_age_seconds = 90 * 86400;  // pwdMaxAge; 0 = never expires
  std::int64_t expire_warning_seconds = 14 * 86400;
  int grace_logins = 3;      // pwdGraceAuthNLimit after expiry
  int history = 5;           // pwdInHistory
  int min_length = 8;        // pwdMinLength
  int max_failures = 5;      // pwdMaxFailure before lockout
  std::int64_t lockout_seconds = 900;  // pwdLockoutDuration and pwdFailureCountInterval
};

struct BaseTreeOptions {
  std::string base_dn = "dc=dongnai,dc=gov,dc=vn";
  std::string organization;  // o of the base entry; empty: the value of its first RDN
  // userPassword value of each service account (e.g. an {SSHA} hash). An account
  // without a hash is not created.
  std::map<ServiceAccount, std::string> password_hashes;
  PasswordPolicy policy;
};

// The base entry, ou=agencies/people/former/decisions/system, the two password
// policies and the service accounts, parents before children.
Result<std::string> BaseTreeLdif(const BaseTreeOptions& options);

// The files in deploy/: a system slapd with its database in
// /var/lib/danhba/slapd/data, and an example base tree whose passwords are
// placeholders ("{SSHA}replace-with-the-hash-of-the-<name>-password").
ConfigOptions ProductionConfigOptions();
BaseTreeOptions ExampleBaseTreeOptions();

// One LDIF line "attribute: value\n", or "attribute:: <base64>\n" when the value
// is not an RFC 2849 SAFE-STRING (non-ASCII, leading space, colon or '<',
// trailing space, NUL, CR or LF).
std::string LdifLine(std::string_view attribute, std::string_view value);
bool IsLdifSafe(std::string_view value);

}  // namespace danhba::slapd
