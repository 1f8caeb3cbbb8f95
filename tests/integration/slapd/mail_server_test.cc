// The generated Postfix LDAP tables and Dovecot passdb/userdb, used by the real
// servers (Debian's postfix-ldap and dovecot-ldap) against a generated slapd:
// postmap -q looks addresses up, and a private dovecot (its own base_dir, no
// protocols, not the system service) answers doveadm auth test.
#include "danhba/slapd/mail.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "danhba/slapd/config.h"
#include "support/private_slapd.h"

namespace danhba::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using slapd::ServiceAccount;

constexpr std::string_view kBase = "dc=dongnai,dc=gov,dc=vn";
constexpr std::string_view kPassword = "Mailbox-Passw0rd";

std::string Person(const std::string& parent, const std::string& uid, const std::string& extra) {
  return "dn: uid=" + uid + "," + parent +
         "\nobjectClass: inetOrgPerson\nobjectClass: danhbaPerson\nuid: " + uid +
         "\ncn: " + uid + "\nsn: " + uid + "\nmail: " + uid +
         "@dongnai.gov.vn\ndanhbaPersonId: ID-" + uid + "\ndanhbaStatus: active\n" + extra + "\n";
}

class MailServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = PrivateSlapd::Start();
    ASSERT_TRUE(started.ok()) << started.error();
    slapd_ = std::move(started).value().release();
    const std::string people = slapd::PeopleDn(kBase);
    const std::string pw = "userPassword: " + std::string(kPassword) + "\n";
    std::string ldif =
        Person(people, "annv", pw + "danhbaMailAlias: an.nguyen@dongnai.gov.vn\n") +
        Person(people, "locked", pw) + Person(people, "fresh", "") +
        Person(slapd::FormerDn(kBase), "cunv", pw) + "dn: ou=skhcn," + slapd::AgenciesDn(kBase) +
        "\nobjectClass: organizationalUnit\nobjectClass: danhbaAgency\nou: skhcn\n"
        "danhbaAgencyCode: skhcn\ncn: skhcn\nmail: skhcn@dongnai.gov.vn\n"
        "danhbaMailAlias: khcn@dongnai.gov.vn\n" + pw + "\n";
    CommandResult added = slapd_->ModifyAsRoot(ldif, true);
    ASSERT_TRUE(added.ok()) << added.output;
    // fresh: an initial password set by the operator, never changed (pwdReset).
    const auto& op = slapd_->account(ServiceAccount::kOperator);
    CommandResult reset = slapd_->ModifyAs(op.dn, op.password,
                                           "dn: uid=fresh," + people +
                                               "\nchangetype: modify\nreplace: userPassword\n"
                                               "userPassword: " + std::string(kPassword) + "\n");
    ASSERT_TRUE(reset.ok()) << reset.output;

    dir_ = slapd_->root() / "mail";
    slapd::MailServerOptions options;
    options.base_dn = std::string(kBase);
    options.ldap_url = slapd_->instance().url();
    options.password = slapd_->account(ServiceAccount::kMailServer).password;
    options.dovecot_ldap_file = (dir_ / "dovecot/dovecot-ldap-danhba.conf.ext").string();
    auto files = slapd::PostfixLdapTables(options);
    for (auto& file : slapd::DovecotLdapConfig(options)) files.push_back(std::move(file));
    for (const auto& file : files) {
      fs::create_directories((dir_ / file.path).parent_path());
      std::ofstream(dir_ / file.path) << file.content;
    }
  }

  static void TearDownTestSuite() {
    delete slapd_;
    slapd_ = nullptr;
  }

  static CommandResult Postmap(const std::string& table, const std::string& address) {
    return RunCommand({"/usr/sbin/postmap", "-q", address, "ldap:" + (dir_ / "postfix" / table).string()});
  }

  static PrivateSlapd* slapd_;
  static fs::path dir_;
};

PrivateSlapd* MailServerTest::slapd_ = nullptr;
fs::path MailServerTest::dir_;

TEST_F(MailServerTest, PostfixFindsMailboxesAndAliasesButNotPeopleWhoLeft) {
  const std::string mailbox = "ldap-virtual-mailbox-maps.cf";
  const std::string alias = "ldap-virtual-alias-maps.cf";
  CommandResult an = Postmap(mailbox, "annv@dongnai.gov.vn");
  EXPECT_EQ(an.exit_code, 0) << an.output;
  EXPECT_EQ(an.output, "dongnai.gov.vn/annv/\n");
  CommandResult agency = Postmap(mailbox, "skhcn@dongnai.gov.vn");
  EXPECT_EQ(agency.output, "dongnai.gov.vn/skhcn/\n");
  // Old addresses are rewritten to the mailbox that has them now.
  EXPECT_EQ(Postmap(alias, "an.nguyen@dongnai.gov.vn").output, "annv@dongnai.gov.vn\n");
  EXPECT_EQ(Postmap(alias, "khcn@dongnai.gov.vn").output, "skhcn@dongnai.gov.vn\n");
  // Someone who left, an unknown address, another domain: not found (exit 1).
  for (const std::string address :
       {"cunv@dongnai.gov.vn", "nobody@dongnai.gov.vn", "annv@example.com"}) {
    for (const std::string& table : {mailbox, alias}) {  // NOLINT: two strings
      CommandResult missing = Postmap(table, address);
      EXPECT_EQ(missing.exit_code, 1) << table << " " << address << ": " << missing.output;
      EXPECT_EQ(missing.output, "") << table << " " << address;
    }
  }
}

// A dovecot of the test's own: base_dir in a temp directory, no protocols.
class Dovecot {
 public:
  explicit Dovecot(const fs::path& dir) : dir_(dir) {
    fs::create_directories(dir_ / "run");
    fs::create_directories(dir_ / "state");
    // Dovecot's auth process runs as the dovecot user: it must reach the files.
    for (fs::path p = dir_; p != p.root_path(); p = p.parent_path()) {
      struct stat st{};
      if (::stat(p.c_str(), &st) == 0) ::chmod(p.c_str(), (st.st_mode & 07777) | 0711);
    }
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      ::chmod(entry.path().c_str(), entry.is_directory() ? 0755 : 0644);
    }
    std::ofstream(conf()) << "base_dir = " << (dir_ / "run").string() << "\n"
                          << "state_dir = " << (dir_ / "state").string() << "\n"
                          << "log_path = " << (dir_ / "dovecot.log").string() << "\n"
                          << "protocols =\nlisten = 127.0.0.1\nssl = no\n"
                             "auth_mechanisms = plain\ndisable_plaintext_auth = no\n"
                             "auth_cache_size = 0\nauth_failure_delay = 0\n"
                             // No growing delay after failures from one address.
                             "service anvil {\n  unix_listener anvil-auth-penalty {\n"
                             "    mode = 0\n  }\n}\n"
                             "default_login_user = dovenull\ndefault_internal_user = dovecot\n"
                          << "!include " << (dir_ / "dovecot/auth-danhba.conf.ext").string()
                          << "\n";
    // It forks into the background: its output must not hold our pipe open
    // (its own errors go to dovecot.log).
    CommandResult started = RunCommand(
        {"/bin/sh", "-c", "exec /usr/sbin/dovecot -c \"$0\" </dev/null >/dev/null 2>&1", conf()});
    EXPECT_TRUE(started.ok()) << started.output << Log();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!fs::exists(dir_ / "run/auth-client") && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(fs::exists(dir_ / "run/auth-client")) << Log();
  }
  ~Dovecot() { RunCommand({"/usr/sbin/dovecot", "-c", conf(), "stop"}); }

  std::string conf() const { return (dir_ / "dovecot.conf").string(); }
  std::string Log() const {
    std::ifstream in(dir_ / "dovecot.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  CommandResult Auth(const std::string& user, const std::string& password) const {
    return RunCommand({"/usr/bin/doveadm", "-c", conf(), "auth", "test", user, password});
  }

 private:
  fs::path dir_;
};

TEST_F(MailServerTest, DovecotLogsInWithTheDirectoryPasswordAndRespectsThePolicy) {
  Dovecot dovecot(dir_);
  CommandResult an = dovecot.Auth("annv@dongnai.gov.vn", std::string(kPassword));
  EXPECT_EQ(an.exit_code, 0) << an.output << dovecot.Log();
  EXPECT_THAT(an.output, HasSubstr("auth succeeded"));
  CommandResult agency = dovecot.Auth("skhcn@dongnai.gov.vn", std::string(kPassword));
  EXPECT_EQ(agency.exit_code, 0) << agency.output;
  CommandResult wrong = dovecot.Auth("annv@dongnai.gov.vn", "not-the-password");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_THAT(wrong.output, HasSubstr("auth failed"));
  // Someone who left: no such user for the mail server.
  CommandResult left = dovecot.Auth("cunv@dongnai.gov.vn", std::string(kPassword));
  EXPECT_NE(left.exit_code, 0) << left.output;
  // An initial password never changed opens no mailbox.
  CommandResult fresh = dovecot.Auth("fresh@dongnai.gov.vn", std::string(kPassword));
  EXPECT_NE(fresh.exit_code, 0) << fresh.output;
  // Locked by too many failures (slapo-ppolicy): even the right password fails.
  CommandResult before = dovecot.Auth("locked@dongnai.gov.vn", std::string(kPassword));
  EXPECT_EQ(before.exit_code, 0) << before.output << dovecot.Log();
  for (int i = 0; i < slapd::PasswordPolicy{}.max_failures; ++i) {
    EXPECT_NE(dovecot.Auth("locked@dongnai.gov.vn", "guess-" + std::to_string(i)).exit_code, 0);
  }
  CommandResult locked = dovecot.Auth("locked@dongnai.gov.vn", std::string(kPassword));
  EXPECT_NE(locked.exit_code, 0) << locked.output;
  EXPECT_THAT(locked.output, HasSubstr("auth failed"));
}

}  // namespace
}  // namespace danhba::testing
