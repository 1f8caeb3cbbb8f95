#include "danhba/slapd/config.h"

#include <vector>

#include "danhba/base/strings.h"
#include "danhba/slapd/schema.h"

namespace danhba::slapd {
namespace {

std::string Child(std::string_view rdn, std::string_view base_dn) {
  std::string out(rdn);
  out += ",";
  out += base_dn;
  return out;
}

// Splits a DN at commas that are not escaped with a backslash.
std::vector<std::string_view> SplitRdns(std::string_view dn) {
  std::vector<std::string_view> rdns;
  std::size_t start = 0;
  for (std::size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\') {
      ++i;
    } else if (dn[i] == ',') {
      rdns.push_back(dn.substr(start, i - start));
      start = i + 1;
    }
  }
  rdns.push_back(dn.substr(start));
  return rdns;
}

// The attribute and value of the base DN's first RDN (already validated).
std::pair<std::string, std::string> FirstRdn(std::string_view base_dn) {
  std::string_view rdn = SplitRdns(base_dn).front();
  std::size_t eq = rdn.find('=');
  return {AsciiLower(rdn.substr(0, eq)), std::string(rdn.substr(eq + 1))};
}

std::string Entry(std::string_view dn, std::initializer_list<std::pair<std::string_view, std::string>> attributes) {
  std::string out = LdifLine("dn", dn);
  for (const auto& [name, value] : attributes) out += LdifLine(name, value);
  out += "\n";
  return out;
}

std::string By(std::string_view who, std::string_view level) {
  return " by dn.exact=\"" + std::string(who) + "\" " + std::string(level);
}

// Attributes a mail client, the public API's read model and a mail server may
// read on people, agencies and the base entry; everything else there is the
// writers' alone. "entry" lets the entry itself be found; the operational ones
// let the read model follow changes.
constexpr std::string_view kPublicAttributes =
    "entry,objectClass,uid,mail,cn,sn,givenName,displayName,initials,title,telephoneNumber,"
    "ou,o,dc,departmentNumber,description,userCertificate,userSMIMECertificate,"
    "danhbaAgencyCode,danhbaAgencyDN,danhbaParentDN,danhbaHeadDN,danhbaDelegateDN,"
    "entryUUID,entryCSN,createTimestamp,modifyTimestamp,hasSubordinates,structuralObjectClass,"
    "subschemaSubentry,entryDN";

// Private to the writers (R15): identity, birth date, lifecycle, decisions, the
// hire that made the entry, home contacts and every piece of password state.
constexpr std::string_view kPrivateAttributes =
    "danhbaPersonId,danhbaBirthDate,danhbaStatus,danhbaDecisionDN,danhbaEventId,homePhone,"
    "homePostalAddress,employeeNumber,pwdPolicySubentry,pwdChangedTime,pwdAccountLockedTime,"
    "pwdFailureTime,pwdHistory,pwdGraceUseTime,pwdReset,pwdLastSuccess";

// ACLs of the data database, first match wins. The root identity is also the
// database's rootDN; the {0} rule documents that and keeps it if rootDN changes.
std::vector<std::string> DataAcls(const ConfigOptions& options) {
  const std::string_view base = options.base_dn;
  const std::string& root = options.root_identity;
  const std::string op = AccountDn(ServiceAccount::kOperator, base);
  const std::string sync = AccountDn(ServiceAccount::kSync, base);
  const std::string reader = AccountDn(ServiceAccount::kReader, base);
  const std::string mail = AccountDn(ServiceAccount::kMailServer, base);
  const std::string writers = By(op, "write") + By(sync, "write");
  // Staff (any bound identity) read the address book; anonymous users only when
  // the operator publishes it to them (ldap.anonymous_read).
  const std::string readers = By(reader, "read") + By(mail, "read") + " by self read by users read" +
                              (options.anonymous_read ? " by anonymous read" : "") + " by * none";
  const std::string public_attributes(kPublicAttributes);
  std::vector<std::string> acls;
  acls.push_back("to *" + By(root, "manage") + " by * break");
  // The reader (the public read model) sees that an entry is there and nothing
  // of it, so that content sync tells it a person moved out of ou=people
  // (slapd drops sync messages about entries the consumer may not read).
  acls.push_back("to dn.subtree=\"" + FormerDn(base) + "\" attrs=entry,entryUUID" + writers +
                 By(reader, "read") + " by * none");
  // Before the userPassword rule, so that people who left cannot bind (R9).
  acls.push_back("to dn.subtree=\"" + FormerDn(base) + "\"" + writers + " by * none");
  // manage makes operator and sync password administrators for slapo-ppolicy: a
  // password they set is marked pwdReset, so its owner must change it (R13).
  // Owners may change theirs (=wx: write, and auth to check the old one) but
  // never read or compare it (a stolen session does not yield the hash);
  // anonymous may only bind with it.
  // Service accounts' secrets: only the operator may reset them; the sync
  // engine, although a password administrator of people, never reads them.
  acls.push_back("to dn.subtree=\"" + SystemDn(base) + "\" attrs=userPassword" +
                 By(op, "write") + " by self =wx by anonymous auth by * none");
  // R20: an agency mailbox is managed by the agency's head and the staff they
  // delegate to: they set its password and its delegates; nobody else but the
  // operator (and the engine, which applies agency.head decisions).
  const std::string managers = " by dnattr=danhbaHeadDN =wx by dnattr=danhbaDelegateDN =wx";
  acls.push_back("to dn.subtree=\"" + AgenciesDn(base) + "\" attrs=userPassword" +
                 By(op, "manage") + By(sync, "manage") + managers +
                 " by anonymous auth by * none");
  acls.push_back("to dn.subtree=\"" + AgenciesDn(base) + "\" attrs=danhbaDelegateDN" + writers +
                 " by dnattr=danhbaHeadDN write by dnattr=danhbaDelegateDN write" + readers);
  acls.push_back("to attrs=userPassword" + By(op, "manage") + By(sync, "manage") +
                 " by self =wx by anonymous auth by * none");
  acls.push_back("to dn.subtree=\"" + SystemDn(base) + "\"" + By(op, "write") +
                 By(sync, "read") + " by self read by * none");
  acls.push_back("to dn.subtree=\"" + DecisionsDn(base) + "\"" + writers + " by * none");
  // Dovecot's passdb filters out initial passwords never changed (deploy/dovecot):
  // the mail server may test pwdReset in a filter, not read it.
  acls.push_back("to attrs=pwdReset" + By(op, "manage") + By(sync, "write") + By(mail, "=s") +
                 " by * none");
  // The public read model leaves out agencies (and people) that are not active.
  acls.push_back("to attrs=danhbaStatus" + By(op, "manage") + By(sync, "write") +
                 By(reader, "read") + " by * none");
  acls.push_back("to attrs=" + std::string(kPrivateAttributes) + By(op, "manage") +
                 By(sync, "write") + " by * none");
  acls.push_back("to attrs=danhbaMailAlias" + writers + By(mail, "read") + By(reader, "read") +
                 " by * none");
  acls.push_back("to dn.subtree=\"" + PeopleDn(base) + "\" attrs=" + public_attributes + writers +
                 readers);
  acls.push_back("to dn.subtree=\"" + AgenciesDn(base) + "\" attrs=" + public_attributes +
                 writers + readers);
  acls.push_back("to dn.base=\"" + std::string(base) + "\" attrs=" + public_attributes + writers +
                 readers);
  acls.push_back("to *" + writers + " by * none");
  return acls;
}

// Service accounts read the whole tree; people and anonymous clients get a
// page that suits an address book (a client asking for more gets that many).
std::vector<std::string> DataLimits(const ConfigOptions& options) {
  std::vector<std::string> limits;
  for (ServiceAccount account : kServiceAccounts) {
    limits.push_back("dn.exact=\"" + AccountDn(account, options.base_dn) +
                     "\" size=unlimited time=unlimited");
  }
  const std::string client_limits = "size.soft=" + std::to_string(options.size_limit) +
                                    " size.hard=" + std::to_string(options.size_limit) +
                                    " time.soft=" + std::to_string(options.time_limit) +
                                    " time.hard=" + std::to_string(options.time_limit);
  limits.push_back("users " + client_limits);
  limits.push_back("anonymous " + client_limits);
  return limits;
}

void AppendOrdered(std::string& out, std::string_view attribute,
                   const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += LdifLine(attribute, "{" + std::to_string(i) + "}" + values[i]);
  }
}

}  // namespace

std::string_view AccountName(ServiceAccount account) {
  switch (account) {
    case ServiceAccount::kOperator: return "operator";
    case ServiceAccount::kSync: return "sync";
    case ServiceAccount::kReader: return "reader";
    case ServiceAccount::kMailServer: return "mailserver";
  }
  return "unknown";
}

std::string PeercredIdentity(unsigned uid, unsigned gid) {
  return "gidNumber=" + std::to_string(gid) + "+uidNumber=" + std::to_string(uid) +
         ",cn=peercred,cn=external,cn=auth";
}

std::string AccountDn(ServiceAccount account, std::string_view base_dn) {
  return "cn=" + std::string(AccountName(account)) + "," + SystemDn(base_dn);
}

std::string AgenciesDn(std::string_view base_dn) { return Child("ou=agencies", base_dn); }
std::string PeopleDn(std::string_view base_dn) { return Child("ou=people", base_dn); }
std::string FormerDn(std::string_view base_dn) { return Child("ou=former", base_dn); }
std::string DecisionsDn(std::string_view base_dn) { return Child("ou=decisions", base_dn); }
std::string SystemDn(std::string_view base_dn) { return Child("ou=system", base_dn); }
std::string PasswordPolicyDn(std::string_view base_dn) {
  return Child("cn=password-policy", SystemDn(base_dn));
}
std::string ServicePolicyDn(std::string_view base_dn) {
  return Child("cn=service-policy", SystemDn(base_dn));
}

Status ValidateBaseDn(std::string_view dn) {
  if (dn.empty()) return InvalidInput("base DN is empty");
  if (dn.find('"') != std::string_view::npos) {
    return InvalidInput("base DN '" + std::string(dn) + "' contains a double quote");
  }
  if (dn.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    return InvalidInput("base DN contains a line break or NUL");
  }
  std::vector<std::string_view> rdns = SplitRdns(dn);
  for (std::string_view rdn : rdns) {
    std::size_t eq = rdn.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == rdn.size()) {
      return InvalidInput("base DN '" + std::string(dn) + "': '" + std::string(rdn) +
                          "' is not attribute=value");
    }
    if (rdn.find('+') != std::string_view::npos) {
      return InvalidInput("base DN '" + std::string(dn) + "': multi-valued RDN '" +
                          std::string(rdn) + "' is not supported");
    }
    if (rdn.front() == ' ' || rdn.back() == ' ') {
      return InvalidInput("base DN '" + std::string(dn) + "': spaces around '" +
                          std::string(rdn) + "'; write it without them");
    }
  }
  std::string first = AsciiLower(rdns.front().substr(0, rdns.front().find('=')));
  if (first != "dc" && first != "o" && first != "ou") {
    return InvalidInput("base DN '" + std::string(dn) + "' must start with dc=, o= or ou=");
  }
  return Ok();
}

ConfigOptions ProductionConfigOptions() {
  ConfigOptions options;
  options.data_directory = "/var/lib/danhba/slapd/data";
  return options;
}

BaseTreeOptions ExampleBaseTreeOptions() {
  BaseTreeOptions options;
  for (ServiceAccount account : kServiceAccounts) {
    options.password_hashes[account] =
        "{SSHA}replace-with-the-hash-of-the-" + std::string(AccountName(account)) + "-password";
  }
  return options;
}

bool IsLdifSafe(std::string_view value) {
  if (value.empty()) return true;
  char first = value.front();
  if (first == ' ' || first == ':' || first == '<') return false;
  if (value.back() == ' ') return false;
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte == 0 || byte == '\r' || byte == '\n' || byte > 127) return false;
  }
  return true;
}

std::string LdifLine(std::string_view attribute, std::string_view value) {
  std::string out(attribute);
  if (IsLdifSafe(value)) {
    out += ": ";
    out += value;
  } else {
    out += ":: ";
    out += Base64Encode(value);
  }
  out += "\n";
  return out;
}

Result<std::string> ConfigLdif(const ConfigOptions& options) {
  DANHBA_RETURN_IF_ERROR(ValidateBaseDn(options.base_dn));
  if (options.data_directory.empty() || options.data_directory.front() != '/') {
    return InvalidInput("slapd data directory must be an absolute path, got '" +
                        options.data_directory + "'");
  }
  if (options.root_identity.empty() || options.root_identity.find('"') != std::string::npos ||
      !IsLdifSafe(options.root_identity)) {
    return InvalidInput("slapd root identity '" + options.root_identity + "' is not a plain DN");
  }
  if (options.max_size_bytes < (std::uint64_t{1} << 20)) {
    return InvalidInput("slapd database size limit must be at least 1 MiB");
  }
  const std::string& base = options.base_dn;
  std::string out =
      "# cn=config of a danhba directory; load with: slapadd -n0 -F <slapd.d> -l <this file>\n"
      "# Generated by danhba; edits are lost when it is generated again.\n\n";

  out += "dn: cn=config\nobjectClass: olcGlobal\ncn: config\n";
  out += LdifLine("olcLogLevel", options.log_level);
  if (!options.pid_file.empty()) out += LdifLine("olcPidFile", options.pid_file);
  // Substring keys: initial/final terms from 2 characters (Vietnamese given
  // names are short: "an", "vy"), any-position terms from 3.
  out +=
      "olcIndexSubstrIfMinLen: 2\n"
      "olcIndexSubstrIfMaxLen: 4\n"
      "olcIndexSubstrAnyLen: 3\n"
      "olcIndexSubstrAnyStep: 2\n"
      "olcToolThreads: 2\n\n";

  out += "dn: cn=module{0},cn=config\nobjectClass: olcModuleList\ncn: module{0}\n";
  out += LdifLine("olcModulePath", options.module_path);
  AppendOrdered(out, "olcModuleLoad", {"back_mdb", "syncprov", "ppolicy", "unique", "refint",
                                       "sssvlv"});
  out += "\n";

  out += "dn: cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: schema\n\n";
  for (std::string_view name : {"core", "cosine", "inetorgperson"}) {
    out += "include: file://" + options.system_schema_dir + "/" + std::string(name) + ".ldif\n\n";
  }
  out += SchemaLdif();
  out += "\n";

  out +=
      "dn: olcDatabase={-1}frontend,cn=config\n"
      "objectClass: olcDatabaseConfig\n"
      "objectClass: olcFrontendConfig\n"
      "olcDatabase: {-1}frontend\n"
      "olcPasswordHash: {SSHA}\n";
  out += "olcSizeLimit: " + std::to_string(options.size_limit) + "\n";
  out += "olcTimeLimit: " + std::to_string(options.time_limit) + "\n";
  // Mail clients discover naming contexts and the schema anonymously.
  AppendOrdered(out, "olcAccess",
                {"to dn.base=\"\" by * read", "to dn.base=\"cn=Subschema\" by * read"});
  out += "\n";

  out +=
      "dn: olcDatabase={0}config,cn=config\n"
      "objectClass: olcDatabaseConfig\n"
      "olcDatabase: {0}config\n";
  AppendOrdered(out, "olcAccess", {"to *" + By(options.root_identity, "manage") + " by * none"});
  out += "\n";

  out +=
      "dn: olcDatabase={1}mdb,cn=config\n"
      "objectClass: olcDatabaseConfig\n"
      "objectClass: olcMdbConfig\n"
      "olcDatabase: {1}mdb\n";
  out += LdifLine("olcSuffix", base);
  out += LdifLine("olcRootDN", options.root_identity);
  out += LdifLine("olcDbDirectory", options.data_directory);
  out += "olcDbMaxSize: " + std::to_string(options.max_size_bytes) + "\n";
  if (!options.durable) out += "olcDbNoSync: TRUE\n";
  out +=
      "olcLastMod: TRUE\n"
      "olcDbIndex: objectClass eq\n";
  if (options.client_indexes) {
    out +=
        "olcDbIndex: cn,sn,givenName,uid,displayName eq,sub\n"
        // Presence too for Outlook's "(&(mail=*)(|...))" and address-book listings.
        "olcDbIndex: mail eq,sub,pres\n";
  } else {
    out += "olcDbIndex: uid,mail eq\n";  // what the engine itself looks up
  }
  out +=
      "olcDbIndex: departmentNumber eq\n"
      "olcDbIndex: ou,danhbaPersonId,danhbaAgencyCode,danhbaEventId,danhbaStatus eq\n"
      "olcDbIndex: danhbaMailAlias eq\n"
      "olcDbIndex: danhbaAgencyDN,danhbaParentDN,danhbaHeadDN,danhbaDelegateDN eq\n"
      "olcDbIndex: danhbaDecisionDN,danhbaSubjectDN eq\n"
      "olcDbIndex: entryCSN,entryUUID eq\n";
  AppendOrdered(out, "olcAccess", DataAcls(options));
  AppendOrdered(out, "olcLimits", DataLimits(options));
  out += "\n";

  const std::string db = ",olcDatabase={1}mdb,cn=config\n";
  out += "dn: olcOverlay={0}syncprov" + db +
         "objectClass: olcOverlayConfig\n"
         "objectClass: olcSyncProvConfig\n"
         "olcOverlay: {0}syncprov\n"
         "olcSpCheckpoint: 100 10\n"
         "olcSpSessionlog: 10000\n\n";
  out += "dn: olcOverlay={1}ppolicy" + db +
         "objectClass: olcOverlayConfig\n"
         "objectClass: olcPPolicyConfig\n"
         "olcOverlay: {1}ppolicy\n";
  out += LdifLine("olcPPolicyDefault", PasswordPolicyDn(base));
  // Clear-text passwords set through the protocol are stored hashed; a bind to
  // a locked account answers like a wrong password (no account probing).
  out +=
      "olcPPolicyHashCleartext: TRUE\n"
      "olcPPolicyUseLockout: FALSE\n\n";
  // One domain per attribute, over the whole database (ou=former included, so an
  // address is never issued twice, R9); no base in the URI means the suffix.
  // slapo-unique compares an attribute only with itself: that a new mail is
  // nobody's danhbaMailAlias is left to the address allocator.
  out += "dn: olcOverlay={2}unique" + db +
         "objectClass: olcOverlayConfig\n"
         "objectClass: olcUniqueConfig\n"
         "olcOverlay: {2}unique\n";
  for (std::string_view attribute : {"uid", "mail", "danhbaMailAlias"}) {
    out += LdifLine("olcUniqueURI", "ldap:///?" + std::string(attribute) + "?sub");
  }
  out += "\n";
  out += "dn: olcOverlay={3}refint" + db +
         "objectClass: olcOverlayConfig\n"
         "objectClass: olcRefintConfig\n"
         "olcOverlay: {3}refint\n";
  for (std::string_view attribute : {attr::kAgencyDn, attr::kParentDn, attr::kHeadDn,
                                     attr::kDelegateDn, attr::kDecisionDn, attr::kSubjectDn}) {
    out += LdifLine("olcRefintAttribute", attribute);
  }
  out += "\n";
  out += "dn: olcOverlay={4}sssvlv" + db +
         "objectClass: olcOverlayConfig\n"
         "objectClass: olcSssVlvConfig\n"
         "olcOverlay: {4}sssvlv\n";
  return out;
}

Result<std::string> BaseTreeLdif(const BaseTreeOptions& options) {
  DANHBA_RETURN_IF_ERROR(ValidateBaseDn(options.base_dn));
  const std::string& base = options.base_dn;
  auto [first_attribute, first_value] = FirstRdn(base);
  std::string organization = options.organization.empty() ? first_value : options.organization;

  std::string out =
      "# Base tree of a danhba directory; load with: slapadd -n1 -F <slapd.d> -l <this file>\n\n";
  out += LdifLine("dn", base);
  if (first_attribute == "dc") {
    out += "objectClass: top\nobjectClass: dcObject\nobjectClass: organization\n";
    out += LdifLine("dc", first_value);
    out += LdifLine("o", organization);
  } else if (first_attribute == "o") {
    out += "objectClass: top\nobjectClass: organization\n";
    out += LdifLine("o", first_value);
  } else {
    out += "objectClass: top\nobjectClass: organizationalUnit\n";
    out += LdifLine("ou", first_value);
  }
  out += "\n";

  struct Unit {
    std::string_view name;
    std::string_view description;
  };
  for (const Unit& unit : {
           Unit{"agencies", "State agencies: ou=<code>"},
           Unit{"people", "Civil servants in service: uid=<local part>"},
           Unit{"former", "People who left: kept for history, visible to the operator only"},
           Unit{"decisions", "Applied decisions: danhbaEventId=<event id>"},
           Unit{"system", "Service accounts and password policies"},
       }) {
    out += Entry(Child("ou=" + std::string(unit.name), base),
                 {{"objectClass", "top"},
                  {"objectClass", "organizationalUnit"},
                  {"ou", std::string(unit.name)},
                  {"description", std::string(unit.description)}});
  }

  const PasswordPolicy& p = options.policy;
  out += LdifLine("dn", PasswordPolicyDn(base));
  out +=
      "objectClass: top\n"
      "objectClass: organizationalRole\n"
      "objectClass: pwdPolicy\n"
      "cn: password-policy\n"
      "description: Default policy: change on first login and regularly (R13)\n"
      "pwdAttribute: userPassword\n"
      "pwdMustChange: TRUE\n"
      "pwdAllowUserChange: TRUE\n"
      "pwdSafeModify: FALSE\n"
      "pwdCheckQuality: 1\n";
  out += "pwdMinLength: " + std::to_string(p.min_length) + "\n";
  out += "pwdMaxAge: " + std::to_string(p.max_age_seconds) + "\n";
  out += "pwdExpireWarning: " + std::to_string(p.expire_warning_seconds) + "\n";
  out += "pwdGraceAuthNLimit: " + std::to_string(p.grace_logins) + "\n";
  out += "pwdInHistory: " + std::to_string(p.history) + "\n";
  out += "pwdLockout: TRUE\n";
  out += "pwdMaxFailure: " + std::to_string(p.max_failures) + "\n";
  out += "pwdLockoutDuration: " + std::to_string(p.lockout_seconds) + "\n";
  out += "pwdFailureCountInterval: " + std::to_string(p.lockout_seconds) + "\n\n";

  out += LdifLine("dn", ServicePolicyDn(base));
  out +=
      "objectClass: top\n"
      "objectClass: organizationalRole\n"
      "objectClass: pwdPolicy\n"
      "cn: service-policy\n"
      "description: Service accounts: generated secrets, no expiry, no lockout\n"
      "pwdAttribute: userPassword\n"
      "pwdMustChange: FALSE\n"
      "pwdMaxAge: 0\n"
      "pwdLockout: FALSE\n\n";

  for (ServiceAccount account : kServiceAccounts) {
    auto hash = options.password_hashes.find(account);
    if (hash == options.password_hashes.end()) continue;
    out += LdifLine("dn", AccountDn(account, base));
    out +=
        "objectClass: top\n"
        "objectClass: applicationProcess\n"
        "objectClass: simpleSecurityObject\n";
    out += LdifLine("cn", AccountName(account));
    out += LdifLine("userPassword", hash->second);
    out += LdifLine("pwdPolicySubentry", ServicePolicyDn(base));
    out += "\n";
  }
  return out;
}

std::string AccessChangeLdif(const ConfigOptions& options) {
  std::string out = LdifLine("dn", "olcDatabase={1}mdb,cn=config");
  out += "changetype: modify\nreplace: olcAccess\n";
  AppendOrdered(out, "olcAccess", DataAcls(options));
  out += "-\nreplace: olcLimits\n";
  AppendOrdered(out, "olcLimits", DataLimits(options));
  out += "-\n";
  return out;
}

}  // namespace danhba::slapd
