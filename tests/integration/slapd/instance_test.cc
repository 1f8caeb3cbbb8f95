// slapd::Instance on its own: creation, reuse, start/stop, and the errors a user
// meets. Each test makes its own instance (no harness environment).
#include "danhba/slapd/instance.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <functional>
#include <thread>

#include "slapd/process.h"

namespace danhba::slapd {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() {
    std::string templ = "/tmp/danhba-inst-XXXXXX";
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    if (::getenv("DANHBA_KEEP_TEST_DIRS") == nullptr) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

InstanceOptions Options(const fs::path& dir) {
  InstanceOptions options;
  options.directory = dir / "slapd";
  options.durable = false;
  return options;
}

ProcessOutput Exec(std::vector<std::string> argv, const std::string& input = {}) {
  Result<ProcessOutput> run = RunProcess(argv, input);
  EXPECT_TRUE(run.ok());
  return run.ok() ? *run : ProcessOutput{};
}

ProcessOutput RootSearch(const Instance& slapd, const std::string& base, const std::string& filter) {
  return Exec({"/usr/bin/ldapsearch", "-LLL", "-Q", "-Y", "EXTERNAL", "-H", slapd.ldapi_url(), "-b",
              base, filter, "1.1"});
}

bool ProcessGone(int pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

// Gone, or a zombie waiting for a reaper that is not us (after its parent died).
bool ProcessEnded(int pid) {
  if (ProcessGone(pid)) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  std::size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

TEST(InstanceTest, CreateStartSearchStopLeavesNoProcess) {
  TempDir dir;
  auto instance = Instance::Create(Options(dir.path()));
  ASSERT_TRUE(instance.ok()) << instance.error();
  Instance& slapd = **instance;
  EXPECT_TRUE(slapd.created());
  EXPECT_FALSE(slapd.running());
  EXPECT_NE(slapd.port(), 0);
  EXPECT_NE(slapd.port(), 389);
  ASSERT_TRUE(slapd.Start().ok());
  int pid = slapd.pid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(::kill(pid, 0), 0);
  EXPECT_EQ(slapd.url(), "ldap://127.0.0.1:" + std::to_string(slapd.port()));
  EXPECT_THAT(slapd.ldapi_url(), HasSubstr("%2Fslapd%2Fldapi"));
  EXPECT_TRUE(fs::exists(slapd.config_dir() / "cn=config.ldif"));
  EXPECT_TRUE(fs::exists(slapd.data_dir() / "data.mdb"));

  ProcessOutput found = RootSearch(slapd, slapd.base_dn(), "(objectClass=organizationalUnit)");
  EXPECT_EQ(found.exit_code, 0) << found.output;
  EXPECT_THAT(found.output, HasSubstr("dn: ou=people," + slapd.base_dn()));
  // Over TCP as a service account (anonymous reading is off unless asked for).
  const AccountSecret& reader = slapd.account(ServiceAccount::kReader);
  ProcessOutput tcp = Exec({"/usr/bin/ldapsearch", "-LLL", "-x", "-H", slapd.url(), "-D",
                            reader.dn, "-w", reader.password, "-b", PeopleDn(slapd.base_dn()),
                            "-s", "base", "1.1"});
  EXPECT_EQ(tcp.exit_code, 0) << tcp.output;
  ProcessOutput anonymous = Exec({"/usr/bin/ldapsearch", "-LLL", "-x", "-H", slapd.url(), "-b",
                                  PeopleDn(slapd.base_dn()), "-s", "base", "1.1"});
  EXPECT_EQ(anonymous.exit_code, 32) << anonymous.output;  // hidden: no such object

  const AccountSecret& op = slapd.account(ServiceAccount::kOperator);
  EXPECT_EQ(op.password_file, dir.path() / "slapd" / "secrets" / "operator.password");
  EXPECT_EQ(fs::status(op.password_file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  ASSERT_TRUE(slapd.Stop().ok());
  EXPECT_FALSE(slapd.running());
  EXPECT_EQ(slapd.pid(), 0);
  EXPECT_TRUE(ProcessGone(pid));  // reaped, not a zombie
  EXPECT_TRUE(slapd.Stop().ok());  // stopping twice is fine
}

TEST(InstanceTest, DestructorStopsSlapd) {
  TempDir dir;
  int pid = 0;
  {
    auto instance = Instance::Create(Options(dir.path()));
    ASSERT_TRUE(instance.ok()) << instance.error();
    ASSERT_TRUE((*instance)->Start().ok());
    pid = (*instance)->pid();
  }
  EXPECT_TRUE(ProcessGone(pid));
}

TEST(InstanceTest, ReuseKeepsDataAndSecrets) {
  TempDir dir;
  std::string password;
  std::uint16_t port = 0;
  {
    auto first = Instance::Create(Options(dir.path()));
    ASSERT_TRUE(first.ok()) << first.error();
    ASSERT_TRUE((*first)->Start().ok());
    password = (*first)->account(ServiceAccount::kOperator).password;
    port = (*first)->port();
    ProcessOutput added = Exec({"/usr/bin/ldapadd", "-Q", "-Y", "EXTERNAL", "-H",
                               (*first)->ldapi_url()},
                              "dn: ou=kept," + (*first)->base_dn() +
                                  "\nobjectClass: organizationalUnit\nou: kept\n");
    ASSERT_EQ(added.exit_code, 0) << added.output;
  }
  InstanceOptions options = Options(dir.path());
  options.port = port;
  auto second = Instance::Create(options);
  ASSERT_TRUE(second.ok()) << second.error();
  Instance& slapd = **second;
  EXPECT_FALSE(slapd.created());
  EXPECT_EQ(slapd.account(ServiceAccount::kOperator).password, password);
  ASSERT_TRUE(slapd.Start().ok());
  EXPECT_EQ(slapd.port(), port);
  ProcessOutput kept = RootSearch(slapd, "ou=kept," + slapd.base_dn(), "(objectClass=*)");
  EXPECT_EQ(kept.exit_code, 0) << kept.output;
  ProcessOutput bind = Exec({"/usr/bin/ldapwhoami", "-x", "-H", slapd.url(), "-D",
                            slapd.account(ServiceAccount::kOperator).dn, "-w", password});
  EXPECT_EQ(bind.exit_code, 0) << bind.output;
}

// The ACLs follow the configuration of the start, not that of the creation:
// anonymous reading turned on and off again on the same directory, and a
// directory made before the applied ACLs were kept (no access.ldif).
TEST(InstanceTest, ReuseBringsTheAclsUpToDateWithTheOptions) {
  TempDir dir;
  auto anonymous_sees_people = [](const Instance& slapd) {
    ProcessOutput out = Exec({"/usr/bin/ldapsearch", "-LLL", "-x", "-H", slapd.url(), "-b",
                              PeopleDn(slapd.base_dn()), "-s", "base", "1.1"});
    return out.exit_code == 0;
  };
  auto start = [&](bool anonymous_read) -> std::unique_ptr<Instance> {
    InstanceOptions options = Options(dir.path());
    options.anonymous_read = anonymous_read;
    auto instance = Instance::Create(options);
    EXPECT_TRUE(instance.ok()) << instance.error();
    if (!instance.ok()) return nullptr;
    Status started = (*instance)->Start();
    EXPECT_TRUE(started.ok()) << started.error();
    return std::move(instance).value();
  };
  const fs::path access = dir.path() / "slapd" / "access.ldif";
  {
    auto first = start(false);
    ASSERT_NE(first, nullptr);
    EXPECT_TRUE(first->created());
    EXPECT_FALSE(anonymous_sees_people(*first));
    ASSERT_TRUE(fs::exists(access));
  }
  {
    auto opened = start(true);
    ASSERT_NE(opened, nullptr);
    EXPECT_FALSE(opened->created());
    EXPECT_TRUE(anonymous_sees_people(*opened));
    std::ifstream in(access);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_THAT(text, HasSubstr("by anonymous read"));
  }
  {
    auto closed = start(false);
    ASSERT_NE(closed, nullptr);
    EXPECT_FALSE(anonymous_sees_people(*closed));
  }
  fs::remove(access);
  {
    auto older = start(true);
    ASSERT_NE(older, nullptr);
    EXPECT_TRUE(anonymous_sees_people(*older));
    EXPECT_TRUE(fs::exists(access));
  }
}

TEST(InstanceTest, ExistingSecretsAreUsedForANewDirectory) {
  TempDir dir;
  fs::create_directories(dir.path() / "secrets");
  Exec({"/bin/sh", "-c", "umask 077; echo preset-operator-password-0123 > " +
                            (dir.path() / "secrets" / "operator.password").string()});
  InstanceOptions options = Options(dir.path());
  options.secrets_dir = dir.path() / "secrets";
  auto instance = Instance::Create(options);
  ASSERT_TRUE(instance.ok()) << instance.error();
  EXPECT_EQ((*instance)->account(ServiceAccount::kOperator).password,
            "preset-operator-password-0123");
  EXPECT_TRUE(fs::exists(dir.path() / "secrets" / "sync.password"));
  ASSERT_TRUE((*instance)->Start().ok());
  ProcessOutput bind = Exec({"/usr/bin/ldapwhoami", "-x", "-H", (*instance)->url(), "-D",
                            (*instance)->account(ServiceAccount::kOperator).dn, "-w",
                            "preset-operator-password-0123"});
  EXPECT_EQ(bind.exit_code, 0) << bind.output;
}

TEST(InstanceTest, PortInUseIsAClearConflict) {
  TempDir dir;
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::uint16_t port = ntohs(address.sin_port);

  InstanceOptions options = Options(dir.path());
  options.port = port;
  auto instance = Instance::Create(options);
  ASSERT_TRUE(instance.ok()) << instance.error();
  Status started = (*instance)->Start();
  ::close(listener);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kConflict);
  EXPECT_EQ(started.error().detail, "127.0.0.1:" + std::to_string(port) + " is already in use");
  EXPECT_FALSE((*instance)->running());
}

TEST(InstanceTest, MissingSlapdIsAClearErrorAndCreatesNothing) {
  TempDir dir;
  InstanceOptions options = Options(dir.path());
  options.slapd_path = dir.path() / "no" / "slapd";
  auto instance = Instance::Create(options);
  ASSERT_FALSE(instance.ok());
  EXPECT_EQ(instance.error().code, ErrorCode::kConfig);
  EXPECT_EQ(instance.error().detail, "slapd not found at " + options.slapd_path.string() +
                                         ": install the Debian packages 'slapd' and 'ldap-utils'");
  EXPECT_FALSE(fs::exists(options.directory));
}

TEST(InstanceTest, RejectedConfigurationReportsSlapaddAndLeavesNoHalfInstance) {
  TempDir dir;
  InstanceOptions options = Options(dir.path());
  options.system_schema_dir = (dir.path() / "missing-schemas").string();
  auto instance = Instance::Create(options);
  ASSERT_FALSE(instance.ok());
  EXPECT_EQ(instance.error().code, ErrorCode::kConfig);
  EXPECT_THAT(instance.error().detail, HasSubstr("slapadd"));
  EXPECT_THAT(instance.error().detail, HasSubstr("missing-schemas"));
  EXPECT_FALSE(fs::exists(options.directory / "slapd.d"));
  EXPECT_FALSE(fs::exists(options.directory / "data"));
  // A second attempt with the right settings succeeds in the same place.
  auto retry = Instance::Create(Options(dir.path()));
  EXPECT_TRUE(retry.ok()) << retry.error();
}

TEST(InstanceTest, ReuseWithAnotherBaseDnIsRefused) {
  TempDir dir;
  ASSERT_TRUE(Instance::Create(Options(dir.path())).ok());
  InstanceOptions options = Options(dir.path());
  options.base_dn = "dc=example,dc=vn";
  auto other = Instance::Create(options);
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.error().detail,
              HasSubstr("holds dc=dongnai,dc=gov,dc=vn, not dc=example,dc=vn"));
}

TEST(InstanceTest, ReuseWorksWithALongBaseDn) {
  TempDir dir;
  InstanceOptions options = Options(dir.path());
  options.base_dn = "ou=sothongtinvatruyenthong,ou=uybannhandantinh,dc=dongnai,dc=gov,dc=vn";
  ASSERT_TRUE(Instance::Create(options).ok());
  auto again = Instance::Create(options);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_FALSE((*again)->created());
}

TEST(InstanceTest, ReuseWithoutSecretsIsRefused) {
  TempDir dir;
  ASSERT_TRUE(Instance::Create(Options(dir.path())).ok());
  fs::remove(dir.path() / "slapd" / "secrets" / "sync.password");
  auto again = Instance::Create(Options(dir.path()));
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.error().detail, HasSubstr("sync.password"));
  EXPECT_FALSE(fs::exists(dir.path() / "slapd" / "secrets" / "sync.password"));
}

TEST(InstanceTest, SlapdThatExitsEarlyReportsItsLog) {
  TempDir dir;
  auto instance = Instance::Create(Options(dir.path()));
  ASSERT_TRUE(instance.ok()) << instance.error();
  // Break the configuration after creation: slapd refuses to start.
  fs::remove_all(dir.path() / "slapd" / "data");
  Status started = (*instance)->Start();
  ASSERT_FALSE(started.ok());
  EXPECT_THAT(started.error().detail, HasSubstr("slapd exited during start-up"));
  EXPECT_THAT(started.error().detail, HasSubstr("slapd.log"));
  EXPECT_FALSE((*instance)->running());
}

TEST(InstanceTest, TooLongADirectoryForTheLdapiSocketIsRefused) {
  TempDir dir;
  InstanceOptions options = Options(dir.path());
  options.directory = dir.path() / std::string(120, 'd');
  auto instance = Instance::Create(options);
  ASSERT_FALSE(instance.ok());
  EXPECT_EQ(instance.error().code, ErrorCode::kConfig);
  EXPECT_THAT(instance.error().detail, HasSubstr("longer than 107 bytes"));
  EXPECT_FALSE(fs::exists(options.directory));
}

TEST(InstanceTest, CheckAliveNoticesACrashAndStartRecovers) {
  TempDir dir;
  auto instance = Instance::Create(Options(dir.path()));
  ASSERT_TRUE(instance.ok()) << instance.error();
  Instance& slapd = **instance;
  ASSERT_TRUE(slapd.Start().ok());
  EXPECT_TRUE(slapd.CheckAlive().ok());
  int pid = slapd.pid();
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  Status alive = Ok();
  EXPECT_TRUE(WaitUntil(
      [&] {
        alive = slapd.CheckAlive();
        return !alive.ok();
      },
      std::chrono::seconds(10)));
  ASSERT_FALSE(alive.ok());
  EXPECT_EQ(alive.error().code, ErrorCode::kTransient);
  EXPECT_THAT(alive.error().detail, HasSubstr("signal Killed"));
  EXPECT_FALSE(slapd.running());
  EXPECT_TRUE(ProcessGone(pid));
  ASSERT_TRUE(slapd.Start().ok());
  EXPECT_TRUE(slapd.CheckAlive().ok());
}

// schema/danhba.ldif is loaded by every Create; this checks its twin in
// slapd.conf format, for sites that still configure slapd that way.
TEST(InstanceTest, SchemaFileLoadsInSlaptest) {
  TempDir dir;
  std::string conf = (dir.path() / "slapd.conf").string();
  std::ofstream(conf) << "include /etc/ldap/schema/core.schema\n"
                         "include /etc/ldap/schema/cosine.schema\n"
                         "include /etc/ldap/schema/inetorgperson.schema\n"
                         "include " DANHBA_SOURCE_DIR "/schema/danhba.schema\n";
  ProcessOutput test = Exec({"/usr/sbin/slaptest", "-u", "-f", conf});
  EXPECT_EQ(test.exit_code, 0) << test.output;
  EXPECT_THAT(test.output, HasSubstr("config file testing succeeded"));
}

TEST(InstanceTest, OneInstancePerDirectory) {
  TempDir dir;
  auto first = Instance::Create(Options(dir.path()));
  ASSERT_TRUE(first.ok()) << first.error();
  auto second = Instance::Create(Options(dir.path()));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_THAT(second.error().detail, HasSubstr("is in use by another danhba process"));
  first->reset();
  auto third = Instance::Create(Options(dir.path()));
  EXPECT_TRUE(third.ok()) << third.error();
}

TEST(InstanceTest, StartingFromAShortLivedThreadKeepsSlapdRunning) {
  TempDir dir;
  auto instance = Instance::Create(Options(dir.path()));
  ASSERT_TRUE(instance.ok()) << instance.error();
  Status started = Internal("not run");
  std::thread starter([&] { started = (*instance)->Start(); });
  starter.join();
  ASSERT_TRUE(started.ok()) << started.error();
  // PR_SET_PDEATHSIG follows the forking thread; had slapd been forked from
  // `starter`, it would now be shutting down.
  for (int i = 0; i < 3; ++i) {
    ProcessOutput found = RootSearch(**instance, (*instance)->base_dn(), "(ou=people)");
    EXPECT_EQ(found.exit_code, 0) << found.output;
  }
  EXPECT_EQ(::kill((*instance)->pid(), 0), 0);
}

TEST(InstanceTest, SlapdDiesWithTheProcessThatStartedIt) {
  TempDir dir;
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t owner = ::fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    ::close(pipe_fds[0]);
    auto instance = Instance::Create(Options(dir.path()));
    int pid = instance.ok() && (*instance)->Start().ok() ? (*instance)->pid() : -1;
    [[maybe_unused]] auto written = ::write(pipe_fds[1], &pid, sizeof pid);
    while (true) ::pause();  // until killed
  }
  ::close(pipe_fds[1]);
  int slapd_pid = 0;
  ASSERT_EQ(::read(pipe_fds[0], &slapd_pid, sizeof slapd_pid),
            static_cast<ssize_t>(sizeof slapd_pid));
  ::close(pipe_fds[0]);
  ASSERT_GT(slapd_pid, 0);
  EXPECT_EQ(::kill(slapd_pid, 0), 0);
  ::kill(owner, SIGKILL);
  int status = 0;
  ::waitpid(owner, &status, 0);
  EXPECT_TRUE(WaitUntil([&] { return ProcessEnded(slapd_pid); }, std::chrono::seconds(20)))
      << "slapd " << slapd_pid << " outlived its parent";
}

}  // namespace
}  // namespace danhba::slapd
