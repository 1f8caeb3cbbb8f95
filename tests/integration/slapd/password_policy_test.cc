// R13 with real binds: the default password policy generated from
// password_policy.* (forced change of the initial password, minimum length,
// history, expiry warning, lockout that expires), and `danhba passwd reset`
// run as the operator does. A private slapd with a short lockout.
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
constexpr int kMaxFailures = 3;
constexpr int kLockoutSeconds = 2;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class PasswordPolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = PrivateSlapd::Start([](slapd::InstanceOptions& options) {
      options.password_policy.max_failures = kMaxFailures;
      options.password_policy.lockout_seconds = kLockoutSeconds;
      options.password_policy.history = 3;
      options.password_policy.min_length = 10;
      // Always within the warning period: every bind says when it expires.
      options.password_policy.max_age_seconds = 86400;
      options.password_policy.expire_warning_seconds = 2 * 86400;
    });
    ASSERT_TRUE(started.ok()) << started.error();
    slapd_ = std::move(started).value().release();
  }
  static void TearDownTestSuite() {
    delete slapd_;
    slapd_ = nullptr;
  }

  // A person in service whose password the operator has just set (as a hire).
  static std::string Hire(const std::string& uid, const std::string& password,
                          const std::string& parent = slapd::PeopleDn(kBase)) {
    const std::string dn = "uid=" + uid + "," + parent;
    CommandResult added = slapd_->ModifyAsRoot(
        "dn: " + dn + "\nobjectClass: inetOrgPerson\nobjectClass: danhbaPerson\nuid: " + uid +
            "\ncn: " + uid + "\nsn: " + uid + "\nmail: " + uid +
            "@dongnai.gov.vn\ndepartmentNumber: skhcn\ndanhbaPersonId: ID-" + uid + "\n",
        true);
    EXPECT_TRUE(added.ok()) << added.output;
    const auto& op = slapd_->account(ServiceAccount::kOperator);
    CommandResult set = RunCommand({"ldappasswd", "-x", "-H", slapd_->instance().url(), "-D",
                                    op.dn, "-w", op.password, "-s", password, dn});
    EXPECT_TRUE(set.ok()) << set.output;
    return dn;
  }

  static CommandResult Bind(const std::string& dn, const std::string& password) {
    return RunCommand({"ldapwhoami", "-x", "-e", "ppolicy", "-H", slapd_->instance().url(), "-D",
                       dn, "-w", password});
  }
  // A search after the bind: refused while the password must be changed.
  static CommandResult Search(const std::string& dn, const std::string& password) {
    return RunCommand({"ldapsearch", "-x", "-e", "ppolicy", "-H", slapd_->instance().url(), "-D",
                       dn, "-w", password, "-b", std::string(kBase), "-s", "base", "1.1"});
  }
  static CommandResult Change(const std::string& dn, const std::string& old_password,
                              const std::string& new_password) {
    return RunCommand({"ldappasswd", "-x", "-e", "ppolicy", "-H", slapd_->instance().url(), "-D",
                       dn, "-w", old_password, "-a", old_password, "-s", new_password});
  }

  static PrivateSlapd* slapd_;
};

PrivateSlapd* PasswordPolicyTest::slapd_ = nullptr;

TEST_F(PasswordPolicyTest, TheInitialPasswordOnlyChangesItself) {
  const std::string dn = Hire("first", "Initial-Pass-1");
  CommandResult search = Search(dn, "Initial-Pass-1");
  EXPECT_FALSE(search.ok());
  EXPECT_THAT(search.output, HasSubstr("Password must be changed"));
  CommandResult changed = Change(dn, "Initial-Pass-1", "My-Own-Passw0rd");
  ASSERT_TRUE(changed.ok()) << changed.output;
  EXPECT_TRUE(Search(dn, "My-Own-Passw0rd").ok());
  CommandResult old = Bind(dn, "Initial-Pass-1");
  EXPECT_FALSE(old.ok());
  EXPECT_THAT(old.output, HasSubstr("Invalid credentials"));
}

TEST_F(PasswordPolicyTest, ShortAndReusedPasswordsAreRefused) {
  const std::string dn = Hire("second", "Initial-Pass-2");
  CommandResult shorter = Change(dn, "Initial-Pass-2", "Short-1");
  EXPECT_FALSE(shorter.ok());
  EXPECT_THAT(shorter.output, HasSubstr("too short"));
  ASSERT_TRUE(Change(dn, "Initial-Pass-2", "Second-Passw0rd-A").ok());
  ASSERT_TRUE(Change(dn, "Second-Passw0rd-A", "Second-Passw0rd-B").ok());
  CommandResult reused = Change(dn, "Second-Passw0rd-B", "Second-Passw0rd-A");
  EXPECT_FALSE(reused.ok());
  EXPECT_THAT(reused.output, HasSubstr("in history"));
  EXPECT_TRUE(Bind(dn, "Second-Passw0rd-B").ok());
}

TEST_F(PasswordPolicyTest, BindsWarnBeforeThePasswordExpires) {
  const std::string dn = Hire("third", "Initial-Pass-3");
  ASSERT_TRUE(Change(dn, "Initial-Pass-3", "Third-Passw0rd-X").ok());
  CommandResult bind = Bind(dn, "Third-Passw0rd-X");
  ASSERT_TRUE(bind.ok()) << bind.output;
  EXPECT_THAT(bind.output, HasSubstr("Password expires in"));
}

TEST_F(PasswordPolicyTest, BadBindsLockTheAccountUntilTheLockoutEnds) {
  const std::string dn = Hire("fourth", "Initial-Pass-4");
  ASSERT_TRUE(Change(dn, "Initial-Pass-4", "Fourth-Passw0rd-X").ok());
  for (int i = 0; i < kMaxFailures; ++i) EXPECT_FALSE(Bind(dn, "guess-" + std::to_string(i)).ok());
  // Locked: the right password fails too, answered like a wrong one.
  CommandResult locked = Bind(dn, "Fourth-Passw0rd-X");
  EXPECT_FALSE(locked.ok());
  EXPECT_THAT(locked.output, HasSubstr("Invalid credentials"));
  // The lock expires after the configured duration.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kLockoutSeconds + 20);
  bool unlocked = false;
  while (!unlocked && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    unlocked = Bind(dn, "Fourth-Passw0rd-X").ok();
  }
  EXPECT_TRUE(unlocked);
}

// `danhba passwd reset` against this slapd, as configured for a system slapd.
class PasswdCommandTest : public PasswordPolicyTest {
 protected:
  void SetUp() override {
    data_ = slapd_->root() / ("data-" + std::to_string(++runs_));
    fs::create_directories(data_);
    const auto& op = slapd_->account(ServiceAccount::kOperator);
    config_ = data_ / "danhba.yaml";
    std::ofstream(config_) << "data_dir: " << data_.string() << "\nldap:\n  managed: false\n"
                           << "  url: " << slapd_->instance().url() << "\n"
                           << "  bind_dn: " << op.dn << "\n"
                           << "  password_file: " << op.password_file.string() << "\n";
  }
  CommandResult Reset(const std::string& uid) {
    return RunCommand({DANHBA_BINARY, "passwd", "reset", uid, "--config", config_.string()});
  }
  // The password handed over for `uid` in <agency>.csv (last line).
  std::string HandedOver(const std::string& agency, const std::string& uid) {
    std::string csv = ReadFile(data_ / "handover" / (agency + ".csv"));
    std::size_t at = csv.rfind("\n" + uid + ",");
    if (at == std::string::npos) return "";
    std::string line = csv.substr(at + 1, csv.find('\n', at + 1) - at - 1);
    // uid,email,full_name,password,event_id
    std::size_t comma = 0;
    for (int field = 0; field < 3; ++field) comma = line.find(',', comma) + 1;
    return line.substr(comma, line.find(',', comma) - comma);
  }

  static inline int runs_ = 0;
  fs::path data_;
  fs::path config_;
};

TEST_F(PasswdCommandTest, ResetIssuesANewInitialPasswordAndEndsALockout) {
  const std::string dn = Hire("fifth", "Initial-Pass-5");
  ASSERT_TRUE(Change(dn, "Initial-Pass-5", "Fifth-Passw0rd-X").ok());
  for (int i = 0; i < kMaxFailures; ++i) EXPECT_FALSE(Bind(dn, "guess-" + std::to_string(i)).ok());
  CommandResult reset = Reset("fifth");
  ASSERT_EQ(reset.exit_code, 0) << reset.output;
  EXPECT_THAT(reset.output, HasSubstr("handover/skhcn.csv"));
  const std::string password = HandedOver("skhcn", "fifth");
  ASSERT_EQ(password.size(), 16u) << ReadFile(data_ / "handover" / "skhcn.csv");
  EXPECT_THAT(reset.output, Not(HasSubstr(password)));  // handed over, never printed
  struct stat st{};
  ASSERT_EQ(::stat((data_ / "handover" / "skhcn.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(Bind(dn, "Fifth-Passw0rd-X").ok());
  // Like a hire's: it binds (the lockout is over) but must be changed first.
  CommandResult search = Search(dn, password);
  EXPECT_FALSE(search.ok());
  EXPECT_THAT(search.output, HasSubstr("Password must be changed"));
  ASSERT_TRUE(Change(dn, password, "Fifth-Passw0rd-Y").ok());
  EXPECT_TRUE(Search(dn, "Fifth-Passw0rd-Y").ok());
}

TEST_F(PasswdCommandTest, UnknownPeopleAndPeopleWhoLeftAreClearErrors) {
  CommandResult unknown = Reset("nobody");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, HasSubstr("no person 'nobody' in ou=people," + std::string(kBase)));
  Hire("gone", "Initial-Pass-6", slapd::FormerDn(kBase));
  CommandResult left = Reset("gone");
  EXPECT_EQ(left.exit_code, 1);
  EXPECT_THAT(left.output, HasSubstr("'gone' has left"));
  CommandResult bad = Reset("a,b");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.output, HasSubstr("not a mailbox name"));
  EXPECT_FALSE(fs::exists(data_ / "handover"));
}

}  // namespace
}  // namespace danhba::testing
