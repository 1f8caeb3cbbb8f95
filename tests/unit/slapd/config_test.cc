#include "danhba/slapd/config.h"
#include "danhba/slapd/mail.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace danhba::slapd {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kBase = "dc=dongnai,dc=gov,dc=vn";

ConfigOptions Options() {
  ConfigOptions options;
  options.data_directory = "/var/lib/test/data";
  return options;
}

std::string Config(const ConfigOptions& options = Options()) {
  Result<std::string> ldif = ConfigLdif(options);
  EXPECT_TRUE(ldif.ok()) << ldif.error();
  return ldif.ok() ? *ldif : std::string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

TEST(ConfigTest, LoadsModulesSchemasAndOverlays) {
  std::string ldif = Config();
  EXPECT_THAT(ldif, HasSubstr("olcModulePath: /usr/lib/ldap\n"));
  for (std::string_view module : {"back_mdb", "syncprov", "ppolicy", "unique", "refint", "sssvlv"}) {
    EXPECT_THAT(ldif, HasSubstr(std::string(module) + "\n")) << module;
  }
  for (std::string_view schema : {"core", "cosine", "inetorgperson"}) {
    EXPECT_THAT(ldif, HasSubstr("include: file:///etc/ldap/schema/" + std::string(schema) + ".ldif"));
  }
  EXPECT_THAT(ldif, HasSubstr("dn: cn=danhba,cn=schema,cn=config\n"));
  for (std::string_view overlay :
       {"{0}syncprov", "{1}ppolicy", "{2}unique", "{3}refint", "{4}sssvlv"}) {
    EXPECT_THAT(ldif, HasSubstr("olcOverlay: " + std::string(overlay) + "\n")) << overlay;
  }
  EXPECT_THAT(ldif, HasSubstr("olcPPolicyDefault: cn=password-policy,ou=system," +
                              std::string(kBase) + "\n"));
  EXPECT_THAT(ldif, HasSubstr("olcUniqueURI: ldap:///?uid?sub\n"));
  EXPECT_THAT(ldif, HasSubstr("olcUniqueURI: ldap:///?mail?sub\n"));
  EXPECT_THAT(ldif, HasSubstr("olcRefintAttribute: danhbaHeadDN\n"));
}

TEST(ConfigTest, DatabaseIsLargeDurableAndIndexedForMailClients) {
  std::string ldif = Config();
  EXPECT_THAT(ldif, HasSubstr("olcSuffix: dc=dongnai,dc=gov,dc=vn\n"));
  EXPECT_THAT(ldif, HasSubstr("olcDbDirectory: /var/lib/test/data\n"));
  EXPECT_THAT(ldif, HasSubstr("olcDbMaxSize: 8589934592\n"));
  EXPECT_THAT(ldif, Not(HasSubstr("olcDbNoSync")));
  EXPECT_THAT(ldif, HasSubstr("olcDbIndex: cn,sn,givenName,uid,displayName eq,sub\n"));
  EXPECT_THAT(ldif, HasSubstr("olcDbIndex: entryCSN,entryUUID eq\n"));
  EXPECT_THAT(ldif, HasSubstr("olcDbIndex: mail eq,sub,pres\n"));
  EXPECT_THAT(ldif, HasSubstr("danhbaPersonId"));
  EXPECT_THAT(ldif, HasSubstr("olcIndexSubstrIfMinLen: 2\n"));
  ConfigOptions fast = Options();
  fast.durable = false;
  EXPECT_THAT(Config(fast), HasSubstr("olcDbNoSync: TRUE\n"));
}

TEST(ConfigTest, RootIsLocalRootOverLdapiForDataAndConfig) {
  std::string ldif = Config();
  EXPECT_THAT(ldif, HasSubstr("olcRootDN: gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth\n"));
  EXPECT_THAT(ldif, HasSubstr("olcAccess: {0}to * by dn.exact=\"gidNumber=0+uidNumber=0,cn=peercred,"
                              "cn=external,cn=auth\" manage by * none\n"));
  EXPECT_THAT(ldif, Not(HasSubstr("olcRootPW")));
}

TEST(ConfigTest, RootCanBeAnotherLocalUser) {
  EXPECT_EQ(PeercredIdentity(1000, 100),
            "gidNumber=100+uidNumber=1000,cn=peercred,cn=external,cn=auth");
  ConfigOptions options = Options();
  options.root_identity = PeercredIdentity(1000, 100);
  std::string ldif = Config(options);
  EXPECT_THAT(ldif, HasSubstr("olcRootDN: " + options.root_identity + "\n"));
  EXPECT_THAT(ldif, HasSubstr("by dn.exact=\"" + options.root_identity + "\" manage"));
  EXPECT_THAT(ldif, Not(HasSubstr("uidNumber=0")));
  options.root_identity = "cn=x\"";
  EXPECT_FALSE(ConfigLdif(options).ok());
}

TEST(ConfigTest, AclsHidePrivateDataAndPublishTheAddressBook) {
  std::string ldif = Config();
  std::string base(kBase);
  // ou=former before userPassword: people who left cannot bind.
  std::size_t former = ldif.find("to dn.subtree=\"ou=former," + base + "\"");
  std::size_t password = ldif.find("to attrs=userPassword");
  ASSERT_NE(former, std::string::npos);
  ASSERT_NE(password, std::string::npos);
  EXPECT_LT(former, password);
  // Owners change their password but never read it back.
  EXPECT_THAT(ldif, HasSubstr("by self =wx by anonymous auth by * none"));
  EXPECT_THAT(ldif, Not(HasSubstr("by self write")));
  EXPECT_THAT(ldif, HasSubstr("to attrs=danhbaPersonId,danhbaBirthDate,danhbaStatus"));
  // The address book: public attributes only, for every bound identity; not
  // anonymous ones unless asked for.
  EXPECT_THAT(ldif, HasSubstr("to dn.subtree=\"ou=people," + base + "\" attrs=entry,objectClass,uid,mail,"));
  EXPECT_THAT(ldif, HasSubstr(" by self read by users read by * none\n"));
  EXPECT_THAT(ldif, Not(HasSubstr("by anonymous read")));
  EXPECT_THAT(ldif, Not(HasSubstr("write by * read")));
  // The read model (reader) sees whether an entry is active; nobody else outside the writers.
  EXPECT_THAT(ldif, HasSubstr("to attrs=danhbaStatus by dn.exact=\"cn=operator,ou=system," + base +
                              "\" manage by dn.exact=\"cn=sync,ou=system," + base +
                              "\" write by dn.exact=\"cn=reader,ou=system," + base + "\" read by * none"));
  // ... and that a person left: the bare entry in ou=former, nothing of it.
  EXPECT_THAT(ldif, HasSubstr("to dn.subtree=\"ou=former," + base + "\" attrs=entry,entryUUID "));
  EXPECT_THAT(ldif, HasSubstr("to dn.subtree=\"ou=decisions," + base + "\""));
  EXPECT_THAT(ldif, HasSubstr("olcLimits: {2}dn.exact=\"cn=reader,ou=system," + base +
                              "\" size=unlimited time=unlimited\n"));
  EXPECT_THAT(ldif, HasSubstr("olcLimits: {4}users size.soft=100 size.hard=100 time.soft=10 "
                              "time.hard=10\n"));
  EXPECT_THAT(ldif, HasSubstr("olcLimits: {5}anonymous size.soft=100"));
  ConfigOptions open = Options();
  open.anonymous_read = true;
  open.size_limit = 50;
  std::string published = Config(open);
  EXPECT_THAT(published, HasSubstr(" by users read by anonymous read by * none\n"));
  EXPECT_THAT(published, HasSubstr("olcLimits: {4}users size.soft=50 size.hard=50"));
}

TEST(ConfigTest, OutputIsDeterministic) {
  EXPECT_EQ(Config(), Config());
  Result<std::string> first = BaseTreeLdif(ExampleBaseTreeOptions());
  Result<std::string> second = BaseTreeLdif(ExampleBaseTreeOptions());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
}

TEST(ConfigTest, OtherBaseDnIsUsedEverywhere) {
  ConfigOptions options = Options();
  options.base_dn = "o=Bien Hoa";
  std::string ldif = Config(options);
  EXPECT_THAT(ldif, HasSubstr("olcSuffix: o=Bien Hoa\n"));
  EXPECT_THAT(ldif, Not(HasSubstr("dc=dongnai")));
}

TEST(ConfigTest, BadOptionsAreClearErrors) {
  ConfigOptions options = Options();
  options.base_dn = "dongnai.gov.vn";
  Result<std::string> bad = ConfigLdif(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  EXPECT_THAT(bad.error().detail, HasSubstr("dongnai.gov.vn"));

  options = Options();
  options.base_dn = "cn=x,dc=vn";
  bad = ConfigLdif(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().detail, HasSubstr("must start with dc=, o= or ou="));

  options = Options();
  options.data_directory = "relative/data";
  bad = ConfigLdif(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().detail, HasSubstr("absolute"));

  for (std::string_view dn : {"", "dc=a,,dc=b", "dc=a+o=b", "dc=\"a\"", "dc=a\ndn: cn=evil"}) {
    EXPECT_FALSE(ValidateBaseDn(dn).ok()) << dn;
  }
  EXPECT_TRUE(ValidateBaseDn("dc=a\\,b,dc=vn").ok());
}

TEST(ConfigTest, BaseTreeHasTheSubtreesPoliciesAndAccounts) {
  BaseTreeOptions options;
  options.password_hashes[ServiceAccount::kOperator] = "{SSHA}op";
  options.password_hashes[ServiceAccount::kSync] = "{SSHA}sync";
  Result<std::string> tree = BaseTreeLdif(options);
  ASSERT_TRUE(tree.ok()) << tree.error();
  std::string base(kBase);
  for (std::string_view ou : {"agencies", "people", "former", "decisions", "system"}) {
    EXPECT_THAT(*tree, HasSubstr("dn: ou=" + std::string(ou) + "," + base + "\n"));
  }
  EXPECT_THAT(*tree, HasSubstr("dn: dc=dongnai,dc=gov,dc=vn\nobjectClass: top\nobjectClass: "
                               "dcObject\nobjectClass: organization\ndc: dongnai\no: dongnai\n"));
  EXPECT_THAT(*tree, HasSubstr("dn: cn=operator,ou=system," + base + "\n"));
  EXPECT_THAT(*tree, HasSubstr("userPassword: {SSHA}op\n"));
  EXPECT_THAT(*tree, HasSubstr("userPassword: {SSHA}sync\n"));
  EXPECT_THAT(*tree, Not(HasSubstr("cn=reader")));  // no hash, no account
  EXPECT_THAT(*tree, HasSubstr("pwdMustChange: TRUE\n"));
  EXPECT_THAT(*tree, HasSubstr("pwdMaxAge: 7776000\n"));
  EXPECT_THAT(*tree, HasSubstr("pwdInHistory: 5\n"));
  EXPECT_THAT(*tree, HasSubstr("pwdLockout: TRUE\n"));
  EXPECT_THAT(*tree, HasSubstr("pwdPolicySubentry: cn=service-policy,ou=system," + base + "\n"));
  // Parents come before children.
  EXPECT_LT(tree->find("dn: ou=system,"), tree->find("dn: cn=operator,"));
  EXPECT_LT(tree->find("dn: " + base), tree->find("dn: ou=people,"));
}

TEST(ConfigTest, NonAsciiValuesAreBase64Encoded) {
  BaseTreeOptions options;
  options.organization = "Ủy ban nhân dân tỉnh Đồng Nai";
  Result<std::string> tree = BaseTreeLdif(options);
  ASSERT_TRUE(tree.ok());
  EXPECT_THAT(*tree, HasSubstr("o:: 4bumeSBiYW4gbmjDom4gZMOibiB04buJbmggxJDhu5NuZyBOYWk=\n"));
}

TEST(ConfigTest, LdifLineEscapesWhatRfc2849Requires) {
  EXPECT_EQ(LdifLine("cn", "An"), "cn: An\n");
  EXPECT_EQ(LdifLine("cn", ""), "cn: \n");
  EXPECT_EQ(LdifLine("cn", "a: b"), "cn: a: b\n");  // a colon inside is fine
  EXPECT_EQ(LdifLine("cn", " lead"), "cn:: IGxlYWQ=\n");
  EXPECT_EQ(LdifLine("cn", "trail "), "cn:: dHJhaWwg\n");
  EXPECT_EQ(LdifLine("cn", ":x"), "cn:: Ong=\n");
  EXPECT_EQ(LdifLine("cn", "<x"), "cn:: PHg=\n");
  EXPECT_EQ(LdifLine("cn", "a\nb"), "cn:: YQpi\n");
  EXPECT_EQ(LdifLine("cn", std::string("a\0b", 3)), "cn:: YQBi\n");
  EXPECT_EQ(LdifLine("cn", "Tuấn"), "cn:: VHXhuqVu\n");
}

// Regenerate with:
//   danhba-slapd-config --config deploy/slapd-config.ldif --base-tree deploy/base-tree.ldif.example
//       --mail deploy
TEST(ConfigTest, CheckedInDeployFilesAreTheGeneratorsOutput) {
  Result<std::string> config = ConfigLdif(ProductionConfigOptions());
  Result<std::string> tree = BaseTreeLdif(ExampleBaseTreeOptions());
  ASSERT_TRUE(config.ok() && tree.ok());
  EXPECT_EQ(ReadFile(DANHBA_SOURCE_DIR "/deploy/slapd-config.ldif"), *config);
  EXPECT_EQ(ReadFile(DANHBA_SOURCE_DIR "/deploy/base-tree.ldif.example"), *tree);
  // Production: nobody reads the tree without binding.
  EXPECT_THAT(*config, Not(HasSubstr("by anonymous read")));
  auto files = PostfixLdapTables(MailServerOptions{});
  for (auto& file : DovecotLdapConfig(MailServerOptions{})) files.push_back(std::move(file));
  ASSERT_EQ(files.size(), 4u);
  for (const auto& file : files) {
    EXPECT_EQ(ReadFile(DANHBA_SOURCE_DIR "/deploy/" + file.path), file.content) << file.path;
  }
  for (std::size_t i : {0, 1, 2}) {
    EXPECT_THAT(files[i].content, HasSubstr("cn=mailserver,ou=system,dc=dongnai,dc=gov,dc=vn"))
        << files[i].path;
  }
}

TEST(MailServerTest, TablesNameTheBaseDnAccountAndDomain) {
  MailServerOptions options;
  options.base_dn = "o=Bien Hoa";
  options.domain = "bienhoa.gov.vn";
  options.password = "s3cret";
  auto postfix = PostfixLdapTables(options);
  ASSERT_EQ(postfix.size(), 2u);
  EXPECT_THAT(postfix[0].content, HasSubstr("search_base = o=Bien Hoa\n"));
  EXPECT_THAT(postfix[0].content, HasSubstr("bind_dn = cn=mailserver,ou=system,o=Bien Hoa\n"));
  EXPECT_THAT(postfix[0].content, HasSubstr("bind_pw = s3cret\n"));
  EXPECT_THAT(postfix[0].content, HasSubstr("domain = bienhoa.gov.vn\n"));
  EXPECT_THAT(postfix[1].content, HasSubstr("(danhbaMailAlias=%s)"));
  auto dovecot = DovecotLdapConfig(options);
  EXPECT_THAT(dovecot[0].content, HasSubstr("auth_bind = yes\n"));
  EXPECT_THAT(dovecot[0].content, HasSubstr("(!(pwdReset=TRUE))"));
  EXPECT_THAT(dovecot[0].content, HasSubstr("dnpass = s3cret\n"));
}

// What a reused directory is brought to: exactly the ACLs and limits of a new
// one, as one modify of the data database.
TEST(ConfigTest, AccessChangeReplacesTheDataDatabasesAclsAndLimitsWithTheGeneratedOnes) {
  for (bool anonymous_read : {false, true}) {
    ConfigOptions options = Options();
    options.anonymous_read = anonymous_read;
    const std::string change = AccessChangeLdif(options);
    EXPECT_TRUE(change.starts_with(
        "dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\nreplace: olcAccess\n"));
    EXPECT_THAT(change, HasSubstr("-\nreplace: olcLimits\n"));
    const std::string config = Config(options);
    std::size_t lines = 0;
    for (std::size_t at = change.find("\nolc"); at != std::string::npos;
         at = change.find("\nolc", at + 1)) {
      std::string line = change.substr(at + 1, change.find('\n', at + 1) - at);
      EXPECT_THAT(config, HasSubstr(line)) << line;
      ++lines;
    }
    EXPECT_GT(lines, 10u);
    EXPECT_EQ(change.find("by anonymous read") != std::string::npos, anonymous_read);
  }
}

}  // namespace
}  // namespace danhba::slapd
