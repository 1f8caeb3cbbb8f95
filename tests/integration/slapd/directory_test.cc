// The generated directory as users meet it: tree, accounts, ACLs, overlays,
// through the harness's private slapd and the OpenLDAP command-line tools.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "danhba/slapd/config.h"
#include "support/command.h"
#include "support/test_directory.h"

namespace danhba::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string PersonLdif(const std::string& uid, const std::string& mail, const std::string& id) {
  const auto& dir = Directory();
  return "dn: uid=" + uid + "," + slapd::PeopleDn(dir.base_dn) +
         "\n"
         "objectClass: inetOrgPerson\n"
         "objectClass: danhbaPerson\n"
         "uid: " + uid + "\n"
         "cn: Nguyen Van " + uid + "\n"
         "sn: Nguyen\n"
         "givenName: " + uid + "\n"
         "mail: " + mail + "\n"
         "telephoneNumber: 0251 3822 000\n"
         "danhbaPersonId: " + id + "\n"
         "danhbaStatus: active\n"
         "danhbaBirthDate: 19900501000000Z\n";
}

TEST(DirectoryTest, BaseTreeAndServiceAccountsExist) {
  const auto& dir = Directory();
  CommandResult found = SearchAsRoot({"-b", dir.base_dn, "-s", "sub", "(objectClass=*)", "1.1"});
  ASSERT_TRUE(found.ok()) << found.output;
  for (const std::string& dn :
       {dir.base_dn, slapd::AgenciesDn(dir.base_dn), slapd::PeopleDn(dir.base_dn),
        slapd::FormerDn(dir.base_dn), slapd::DecisionsDn(dir.base_dn),
        slapd::SystemDn(dir.base_dn), slapd::PasswordPolicyDn(dir.base_dn),
        slapd::ServicePolicyDn(dir.base_dn), dir.operator_dn, dir.sync_dn, dir.reader_dn,
        dir.mailserver_dn}) {
    EXPECT_THAT(found.output, HasSubstr("dn: " + dn + "\n"));
  }
}

TEST(DirectoryTest, ServiceAccountsBindWithTheirStoredPasswords) {
  const auto& dir = Directory();
  for (const auto& [dn, password] :
       {std::pair{dir.operator_dn, dir.operator_password}, {dir.sync_dn, dir.sync_password},
        {dir.reader_dn, dir.reader_password}, {dir.mailserver_dn, dir.mailserver_password}}) {
    EXPECT_GE(password.size(), 24u);
    CommandResult whoami = RunCommand({"ldapwhoami", "-x", "-H", dir.url, "-D", dn, "-w", password});
    EXPECT_TRUE(whoami.ok()) << whoami.output;
    EXPECT_THAT(whoami.output, HasSubstr("dn:" + dn));
  }
  CommandResult wrong =
      RunCommand({"ldapwhoami", "-x", "-H", dir.url, "-D", dir.operator_dn, "-w", "wrong"});
  EXPECT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.output, HasSubstr("Invalid credentials"));
}

TEST(DirectoryTest, RootOverLdapiIsTheLocalRootIdentity) {
  const auto& dir = Directory();
  CommandResult whoami = RunCommand({"ldapwhoami", "-Q", "-Y", "EXTERNAL", "-H", dir.ldapi_url});
  ASSERT_TRUE(whoami.ok()) << whoami.output;
  EXPECT_THAT(whoami.output, HasSubstr("dn:" + dir.root_identity));
  // cn=config too.
  CommandResult config = SearchAsRoot({"-b", "cn=config", "-s", "base", "(objectClass=*)", "cn"});
  ASSERT_TRUE(config.ok()) << config.output;
  EXPECT_THAT(config.output, HasSubstr("dn: cn=config"));
}

TEST(DirectoryTest, PublicAttributesAreReadableByReaderAndMailServerPrivateOnesAreNot) {
  const auto& dir = Directory();
  std::string uid = UniqueName("pub");
  CommandResult added = ModifyAsRoot(PersonLdif(uid, uid + "@dongnai.gov.vn", "ID-" + uid), true);
  ASSERT_TRUE(added.ok()) << added.output;
  std::vector<std::string> query = {"-b", slapd::PeopleDn(dir.base_dn), "(uid=" + uid + ")",
                                    "mail", "cn", "telephoneNumber", "danhbaPersonId",
                                    "danhbaBirthDate", "danhbaStatus", "userPassword"};
  for (const auto& [dn, password] :
       {std::pair<std::string, std::string>{dir.reader_dn, dir.reader_password},
        {dir.mailserver_dn, dir.mailserver_password}}) {
    CommandResult found = SearchAs(dn, password, query);
    ASSERT_TRUE(found.ok()) << dn << ": " << found.output;
    EXPECT_THAT(found.output, HasSubstr("mail: " + uid + "@dongnai.gov.vn")) << dn;
    EXPECT_THAT(found.output, HasSubstr("telephoneNumber: 0251 3822 000")) << dn;
    EXPECT_THAT(found.output, Not(HasSubstr("danhbaPersonId"))) << dn;
    EXPECT_THAT(found.output, Not(HasSubstr("danhbaBirthDate"))) << dn;
    // The reader (the public read model) sees the status, to leave out who is not active.
    if (dn == dir.reader_dn) {
      EXPECT_THAT(found.output, HasSubstr("danhbaStatus: active")) << dn;
    } else {
      EXPECT_THAT(found.output, Not(HasSubstr("danhbaStatus"))) << dn;
    }
  }
  // Anonymous users read nothing unless ldap.anonymous_read is on (not here).
  CommandResult anonymous = SearchAs("", "", query);
  EXPECT_THAT(anonymous.output, Not(HasSubstr("uid=" + uid)));
  // Filtering on a private attribute must not reveal it either.
  CommandResult probe = SearchAs(dir.reader_dn, dir.reader_password,
                                 {"-b", dir.base_dn, "(danhbaPersonId=ID-" + uid + ")", "1.1"});
  EXPECT_THAT(probe.output, Not(HasSubstr("uid=" + uid)));
  CommandResult sync = SearchAs(dir.sync_dn, dir.sync_password, query);
  ASSERT_TRUE(sync.ok()) << sync.output;
  EXPECT_THAT(sync.output, HasSubstr("danhbaPersonId: ID-" + uid));
  EXPECT_THAT(sync.output, HasSubstr("danhbaBirthDate: 19900501000000Z"));
}

TEST(DirectoryTest, HiddenSubtreesAreInvisibleToAnonymousAndReader) {
  const auto& dir = Directory();
  std::string uid = UniqueName("left");
  std::string ldif = PersonLdif(uid, uid + "@dongnai.gov.vn", "ID-" + uid);
  ldif.replace(ldif.find(slapd::PeopleDn(dir.base_dn)), slapd::PeopleDn(dir.base_dn).size(),
               slapd::FormerDn(dir.base_dn));
  ldif += "userPassword: formerSecret1\n";
  CommandResult added = ModifyAsRoot(ldif, true);
  ASSERT_TRUE(added.ok()) << added.output;
  for (const std::string& base : {slapd::FormerDn(dir.base_dn), slapd::SystemDn(dir.base_dn),
                                  slapd::DecisionsDn(dir.base_dn)}) {
    for (const auto& [dn, password] :
         {std::pair<std::string, std::string>{"", ""}, {dir.reader_dn, dir.reader_password}}) {
      CommandResult found = SearchAs(dn, password, {"-b", base, "(objectClass=*)", "1.1"});
      EXPECT_THAT(found.output, Not(HasSubstr("dn: "))) << base << " as '" << dn << "'";
    }
  }
  CommandResult whole = SearchAs("", "", {"-b", dir.base_dn, "(uid=" + uid + ")", "1.1"});
  EXPECT_THAT(whole.output, Not(HasSubstr(uid)));
  CommandResult op = SearchAs(dir.operator_dn, dir.operator_password,
                              {"-b", slapd::FormerDn(dir.base_dn), "(uid=" + uid + ")", "1.1"});
  ASSERT_TRUE(op.ok()) << op.output;
  EXPECT_THAT(op.output, HasSubstr("uid=" + uid));
  // A person who left cannot bind (R9).
  CommandResult bind = RunCommand({"ldapwhoami", "-x", "-H", dir.url, "-D",
                                   "uid=" + uid + "," + slapd::FormerDn(dir.base_dn), "-w",
                                   "formerSecret1"});
  EXPECT_FALSE(bind.ok()) << bind.output;
}

TEST(DirectoryTest, UniqueRefusesADuplicateUidAnywhereInTheTree) {
  const auto& dir = Directory();
  std::string uid = UniqueName("dup");
  ASSERT_TRUE(ModifyAsRoot(PersonLdif(uid, uid + "@dongnai.gov.vn", "A-" + uid), true).ok());
  // Same uid under ou=former (different RDN parent) must be refused.
  std::string ldif = PersonLdif(uid, uid + ".2@dongnai.gov.vn", "B-" + uid);
  ldif.replace(ldif.find(slapd::PeopleDn(dir.base_dn)), slapd::PeopleDn(dir.base_dn).size(),
               slapd::FormerDn(dir.base_dn));
  CommandResult second = ModifyAs(dir.sync_dn, dir.sync_password, ldif, true);
  EXPECT_FALSE(second.ok());
  EXPECT_THAT(second.output, HasSubstr("Constraint violation"));
  CommandResult gone =
      SearchAsRoot({"-b", slapd::FormerDn(dir.base_dn), "(danhbaPersonId=B-" + uid + ")", "1.1"});
  EXPECT_THAT(gone.output, Not(HasSubstr("dn:")));
}

TEST(DirectoryTest, UniqueRefusesADuplicateMailOrAlias) {
  const auto& dir = Directory();
  std::string first = UniqueName("mail");
  std::string ldif = PersonLdif(first, first + "@dongnai.gov.vn", "A-" + first);
  ldif += "danhbaMailAlias: old-" + first + "@dongnai.gov.vn\n";
  ASSERT_TRUE(ModifyAs(dir.sync_dn, dir.sync_password, ldif, true).ok());
  std::string second = UniqueName("mail");
  CommandResult same_mail = ModifyAs(
      dir.sync_dn, dir.sync_password,
      PersonLdif(second, first + "@dongnai.gov.vn", "B-" + second), true);
  EXPECT_FALSE(same_mail.ok());
  EXPECT_THAT(same_mail.output, HasSubstr("Constraint violation"));
  std::string third = UniqueName("mail");
  CommandResult same_alias = ModifyAs(
      dir.sync_dn, dir.sync_password,
      PersonLdif(third, third + "@dongnai.gov.vn", "C-" + third) + "danhbaMailAlias: old-" +
          first + "@dongnai.gov.vn\n",
      true);
  EXPECT_FALSE(same_alias.ok());
  EXPECT_THAT(same_alias.output, HasSubstr("Constraint violation"));
}

TEST(DirectoryTest, RefintFollowsARenamedPerson) {
  const auto& dir = Directory();
  std::string uid = UniqueName("head");
  ASSERT_TRUE(ModifyAsRoot(PersonLdif(uid, uid + "@dongnai.gov.vn", "H-" + uid), true).ok());
  std::string code = UniqueName("ag");
  std::string agency = "ou=" + code + "," + slapd::AgenciesDn(dir.base_dn);
  std::string person = "uid=" + uid + "," + slapd::PeopleDn(dir.base_dn);
  CommandResult added = ModifyAs(dir.sync_dn, dir.sync_password,
                                 "dn: " + agency +
                                     "\nobjectClass: organizationalUnit\nobjectClass: danhbaAgency\n"
                                     "ou: " + code + "\ndanhbaAgencyCode: " + code +
                                     "\ndisplayName:: U+G7nyBUaMO0bmcgdGluIHbDoCBUcnV54buBbiB0aMO0bmc=\n"
                                     "danhbaHeadDN: " + person + "\n",
                                 true);
  ASSERT_TRUE(added.ok()) << added.output;
  CommandResult moved = ModifyAs(dir.sync_dn, dir.sync_password,
                                 "dn: " + person + "\nchangetype: modrdn\nnewrdn: uid=" + uid +
                                     "\ndeleteoldrdn: 1\nnewsuperior: " +
                                     slapd::FormerDn(dir.base_dn) + "\n");
  ASSERT_TRUE(moved.ok()) << moved.output;
  CommandResult head = SearchAsRoot({"-b", agency, "-s", "base", "(objectClass=*)", "danhbaHeadDN"});
  ASSERT_TRUE(head.ok()) << head.output;
  EXPECT_THAT(head.output,
              HasSubstr("danhbaHeadDN: uid=" + uid + "," + slapd::FormerDn(dir.base_dn)));
}

TEST(DirectoryTest, PasswordPolicyForcesAChangeAfterAReset) {
  const auto& dir = Directory();
  std::string uid = UniqueName("pw");
  std::string person = "uid=" + uid + "," + slapd::PeopleDn(dir.base_dn);
  ASSERT_TRUE(ModifyAsRoot(PersonLdif(uid, uid + "@dongnai.gov.vn", "P-" + uid), true).ok());
  CommandResult reset = ModifyAs(dir.operator_dn, dir.operator_password,
                                 "dn: " + person +
                                     "\nchangetype: modify\nreplace: userPassword\n"
                                     "userPassword: Initial-Passw0rd\n");
  ASSERT_TRUE(reset.ok()) << reset.output;
  CommandResult state = SearchAsRoot({"-b", person, "-s", "base", "(objectClass=*)", "pwdReset",
                                      "userPassword"});
  EXPECT_THAT(state.output, HasSubstr("pwdReset: TRUE"));
  EXPECT_THAT(state.output, HasSubstr("userPassword:: e1NTSEF9"));  // "{SSHA}": stored hashed
  // Until changed, the user may bind but do nothing else but change the password.
  CommandResult search = RunCommand({"ldapsearch", "-x", "-e", "ppolicy", "-H", dir.url, "-D",
                                     person, "-w", "Initial-Passw0rd", "-b", dir.base_dn, "-s",
                                     "base", "1.1"});
  EXPECT_FALSE(search.ok());
  EXPECT_THAT(search.output, HasSubstr("Password must be changed"));
}

TEST(DirectoryTest, RestartKeepsDataAndSecrets) {
  const auto& dir = Directory();
  std::string uid = UniqueName("keep");
  ASSERT_TRUE(ModifyAsRoot(PersonLdif(uid, uid + "@dongnai.gov.vn", "K-" + uid), true).ok());
  int old_pid = Slapd().pid();
  ASSERT_TRUE(RestartSlapd().ok());
  EXPECT_NE(Slapd().pid(), old_pid);
  EXPECT_EQ(Slapd().port(), dir.port);
  EXPECT_EQ(::kill(old_pid, 0), -1);
  CommandResult found = SearchAs(dir.reader_dn, dir.reader_password,
                                 {"-b", dir.base_dn, "(uid=" + uid + ")", "1.1"});
  ASSERT_TRUE(found.ok()) << found.output;
  EXPECT_THAT(found.output, HasSubstr("uid=" + uid));
}

TEST(DirectoryTest, AKilledSlapdStartsAgainOnTheSamePort) {
  const auto& dir = Directory();
  ASSERT_TRUE(KillSlapd().ok());
  EXPECT_FALSE(Slapd().running());
  CommandResult down = SearchAs("", "", {"-b", "", "-s", "base", "1.1"});
  EXPECT_FALSE(down.ok());
  ASSERT_TRUE(StartSlapd().ok());
  EXPECT_EQ(Slapd().port(), dir.port);
  CommandResult up = SearchAs("", "", {"-b", "", "-s", "base", "namingContexts"});
  ASSERT_TRUE(up.ok()) << up.output;
  EXPECT_THAT(up.output, HasSubstr("namingContexts: " + dir.base_dn));
}

TEST(DirectoryTest, TestSubtreeIsWritableBySyncAndHiddenFromAnonymous) {
  const auto& dir = Directory();
  Result<std::string> subtree = AddTestSubtree("scratch");
  ASSERT_TRUE(subtree.ok()) << subtree.error();
  CommandResult added = ModifyAs(dir.sync_dn, dir.sync_password,
                                 "dn: cn=x," + *subtree + "\nobjectClass: organizationalRole\ncn: x\n",
                                 true);
  EXPECT_TRUE(added.ok()) << added.output;
  CommandResult anonymous = SearchAs("", "", {"-b", *subtree, "(objectClass=*)", "1.1"});
  EXPECT_THAT(anonymous.output, Not(HasSubstr("dn:")));
}

TEST(DirectoryTest, MailClientsCanDiscoverTheTreeAndSchema) {
  const auto& dir = Directory();
  CommandResult root = SearchAs("", "", {"-b", "", "-s", "base", "namingContexts", "subschemaSubentry"});
  ASSERT_TRUE(root.ok()) << root.output;
  EXPECT_THAT(root.output, HasSubstr("namingContexts: " + dir.base_dn));
  CommandResult schema =
      SearchAs("", "", {"-b", "cn=Subschema", "-s", "base", "(objectClass=*)", "objectClasses"});
  ASSERT_TRUE(schema.ok()) << schema.output;
  EXPECT_THAT(schema.output, HasSubstr("NAME 'danhbaPerson'"));
  // The tree itself once bound (anonymous reading is off by default).
  CommandResult top = SearchAs(dir.reader_dn, dir.reader_password,
                               {"-b", dir.base_dn, "-s", "one", "(objectClass=*)", "1.1"});
  ASSERT_TRUE(top.ok()) << top.output;
  EXPECT_THAT(top.output, HasSubstr("dn: ou=people," + dir.base_dn));
  EXPECT_THAT(top.output, HasSubstr("dn: ou=agencies," + dir.base_dn));
  EXPECT_THAT(top.output, Not(HasSubstr("ou=former")));
  EXPECT_THAT(top.output, Not(HasSubstr("ou=system")));
}

TEST(DirectoryTest, ServerSideSortingAndContentSyncAreAvailable) {
  const auto& dir = Directory();
  std::string a = UniqueName("sort-b");
  std::string b = UniqueName("sort-a");
  ASSERT_TRUE(ModifyAsRoot(PersonLdif(a, a + "@dongnai.gov.vn", "S1-" + a), true).ok());
  ASSERT_TRUE(ModifyAsRoot(PersonLdif(b, b + "@dongnai.gov.vn", "S2-" + b), true).ok());
  // uid, cn, sn have no ORDERING rule in the standard schema: a sort request
  // names one.
  CommandResult sorted = SearchAs(dir.reader_dn, dir.reader_password,
                                  {"-E", "!sss=uid:caseIgnoreOrderingMatch", "-b", slapd::PeopleDn(dir.base_dn),
                                   "(uid=sort-*)", "uid"});
  ASSERT_TRUE(sorted.ok()) << sorted.output;
  EXPECT_LT(sorted.output.find("uid: " + b), sorted.output.find("uid: " + a));
  // RFC 4533 refresh as the read model does it: public entries only.
  CommandResult synced = SearchAs(dir.reader_dn, dir.reader_password,
                                  {"-E", "!sync=ro", "-b", dir.base_dn, "(uid=sort-*)", "uid",
                                   "danhbaPersonId"});
  ASSERT_TRUE(synced.ok()) << synced.output;
  EXPECT_THAT(synced.output, HasSubstr("uid: " + a));
  EXPECT_THAT(synced.output, Not(HasSubstr("danhbaPersonId")));
}

}  // namespace
}  // namespace danhba::testing
