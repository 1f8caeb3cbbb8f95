// `danhba check` and `danhba run` as a user runs them: the built binary, a
// temporary data_dir, ports chosen free at run time, 127.0.0.1 only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "danhba/slapd/instance.h"
#include "support/http_client.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using ::testing::HasSubstr;

constexpr auto kDeadline = std::chrono::seconds(60);

// The danhba under test: the build's own, or DANHBA_TEST_BINARY (e.g. a build
// with AddressSanitizer, as scripts/test.sh runs the daemon's early exits).
const char* DanhbaBinary() {
  const char* override = std::getenv("DANHBA_TEST_BINARY");
  return override != nullptr && *override != '\0' ? override : DANHBA_BINARY;
}

constexpr std::string_view kBaseDn = "dc=dongnai,dc=gov,dc=vn";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A socket bound to 127.0.0.1 on a free port, listening; closing it frees the port.
class PortHolder {
 public:
  PortHolder() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd_, 1) != 0) {
      ADD_FAILURE() << "cannot bind a free port";
      return;
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~PortHolder() { Release(); }
  void Release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A free port, released at once for danhba to take.
int FreePort() {
  PortHolder holder;
  return holder.port();
}

// A child process whose stdout and stderr go to one file.
class Child {
 public:
  // `extra_env`: "NAME=value" entries added to this process's environment.
  Child(std::vector<std::string> args, const fs::path& output, const fs::path& cwd,
        std::vector<std::string> extra_env = {})
      : output_(output) {
    std::vector<char*> env;
    for (char** entry = environ; *entry != nullptr; ++entry) env.push_back(*entry);
    for (auto& entry : extra_env) env.push_back(entry.data());
    env.push_back(nullptr);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), env.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Child() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      Wait(kDeadline);
    }
  }

  pid_t pid() const { return pid_; }
  std::string output() const { return ReadFile(output_); }

  // The exit status if the child has ended (reaped), without waiting.
  std::optional<int> Poll() {
    if (status_ || pid_ <= 0) return status_;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return status_;
  }

  // Waits for the exit status, up to `deadline`.
  std::optional<int> Wait(std::chrono::seconds deadline) {
    auto end = Clock::now() + deadline;
    while (!Poll() && Clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return status_;
  }

 private:
  fs::path output_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct Outcome {
  int exit_code = -1;
  std::string output;
};

// Runs a command to its end (stdout and stderr together).
Outcome RunToEnd(std::vector<std::string> args, const fs::path& dir) {
  fs::path output = dir / "command.out";
  Child child(std::move(args), output, dir);
  auto status = child.Wait(kDeadline);
  EXPECT_TRUE(status.has_value()) << "did not end in time";
  return {status.value_or(-1), child.output()};
}

// The status code of GET http://127.0.0.1:<port><path>, or 0 when nothing answers.
int HttpGetStatus(int port, const std::string& path) {
  danhba::support::HttpClient client("127.0.0.1", static_cast<std::uint16_t>(port), std::chrono::seconds(5));
  auto reply = client.Get(path);
  return reply.ok() ? reply->status : 0;
}

// POSTs `body` to http://127.0.0.1:<port><path> with a bearer token; the
// status code, or 0 when nothing answers.
int HttpPostStatus(int port, const std::string& path, const std::string& token,
                   const std::string& body) {
  danhba::support::HttpClient client("127.0.0.1", static_cast<std::uint16_t>(port), std::chrono::seconds(5));
  client.SetBearerToken(token);
  auto reply = client.PostJson(path, body);
  return reply.ok() ? reply->status : 0;
}


class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/danhba-cli-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path WriteConfig(const std::string& text, const std::string& name = "danhba.yaml") {
    fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  std::string GoodConfig(int ldap_port, int api_port, int ingest_port) {
    return "domain: dongnai.gov.vn\n"
           "data_dir: var\n"
           "ldap:\n"
           "  managed: true\n"
           "  url: ldap://127.0.0.1:" + std::to_string(ldap_port) + "\n"
           "  base_dn: " + std::string(kBaseDn) + "\n"
           "public_api:\n"
           "  listen: 127.0.0.1:" + std::to_string(api_port) + "\n"
           "ingest:\n"
           "  listen: 127.0.0.1:" + std::to_string(ingest_port) + "\n";
  }

  // Polls /readyz until 200, failing early if danhba exits.
  bool WaitReady(Child& child, int port) {
    auto end = Clock::now() + kDeadline;
    while (Clock::now() < end) {
      if (child.Poll()) return false;
      if (HttpGetStatus(port, "/readyz") == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  fs::path dir_;
};

TEST_F(CliTest, CheckRejectsBadConfigsWithKeyAndLineAndCreatesNothing) {
  struct Case {
    std::string yaml;
    std::string message;
  };
  const Case cases[] = {
      {"data_dir: var\nldap:\n  ur1: ldap://127.0.0.1:3890\n",
       "danhba: danhba.yaml:3: ldap.ur1: unknown key (did you mean ldap.url?)"},
      {"data_dir: var\nldap:\n  url:\n    - a\n    - b\n", "danhba: danhba.yaml:4: ldap.url: expected a string, got a sequence"},
      {"data_dir: var\npublic_api:\n  listen: 127.0.0.1:99999\n",
       "danhba: danhba.yaml:3: public_api.listen: '127.0.0.1:99999' is not host:port (the port must be 1-65535)"},
      {"data_dir: var\nnaming:\n  collision: random\n",
       "danhba: danhba.yaml:3: naming.collision: unknown policy 'random' (expected numeric, birth_year or agency)"},
      {"data_dir: var\nldap:\n  managed: false\n", "danhba: danhba.yaml:3: ldap.bind_dn: required when ldap.managed is false"},
      {"data_dir: var\nlog:\n  level: chatty\n", "danhba: danhba.yaml:3: log.level: unknown level 'chatty'"},
  };
  for (const auto& test : cases) {
    WriteConfig(test.yaml);
    for (const char* command : {"check", "run"}) {
      Outcome outcome = RunToEnd({DanhbaBinary(), command, "--config", "danhba.yaml"}, dir_);
      EXPECT_EQ(outcome.exit_code, 1) << command << "\n" << test.yaml << outcome.output;
      EXPECT_THAT(outcome.output, HasSubstr(test.message)) << command;
      EXPECT_FALSE(fs::exists(dir_ / "var")) << command << " created the data_dir for\n" << test.yaml;
    }
  }
}

TEST_F(CliTest, CheckConfigOnlyAcceptsAGoodFile) {
  WriteConfig(GoodConfig(FreePort(), FreePort(), FreePort()));
  Outcome outcome = RunToEnd({DanhbaBinary(), "check", "--config", "danhba.yaml", "--config-only"}, dir_);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("ok    configuration danhba.yaml"));
  EXPECT_FALSE(fs::exists(dir_ / "var"));
}

TEST_F(CliTest, CheckSaysWhenTheDirectoryIsUnreachable) {
  WriteConfig(GoodConfig(FreePort(), FreePort(), FreePort()));
  fs::create_directories(dir_ / "var/secrets");
  std::ofstream(dir_ / "var/secrets/operator.password") << "not-a-real-password\n";
  fs::permissions(dir_ / "var/secrets/operator.password", fs::perms::owner_read | fs::perms::owner_write);
  Outcome outcome = RunToEnd({DanhbaBinary(), "check", "--config", "danhba.yaml"}, dir_);
  EXPECT_EQ(outcome.exit_code, 1) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("FAIL  directory ldap://127.0.0.1:"));
  EXPECT_THAT(outcome.output, HasSubstr("unreachable"));
}

TEST_F(CliTest, RunServesReadinessAndStopsCleanly) {
  int ldap_port = FreePort();
  int api_port = FreePort();
  WriteConfig(GoodConfig(ldap_port, api_port, FreePort()));

  for (int start = 0; start < 2; ++start) {  // first start creates the instance, the second reuses it
    Child run({DanhbaBinary(), "run", "--config", "danhba.yaml"}, dir_ / "run.out", dir_);
    ASSERT_GT(run.pid(), 0);
    ASSERT_TRUE(WaitReady(run, api_port)) << run.output();
    EXPECT_EQ(HttpGetStatus(api_port, "/healthz"), 200);
    EXPECT_EQ(HttpGetStatus(api_port, "/nope"), 404);

    std::string log = run.output();
    fs::path password_file = dir_ / "var/secrets/operator.password";
    EXPECT_THAT(log, HasSubstr(password_file.string()));
    EXPECT_THAT(log, HasSubstr(start == 0 ? "created the managed slapd" : "reusing the managed slapd"));
    struct stat info {};
    ASSERT_EQ(::stat(password_file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);

    // The whole file is the password (no newline), as `ldapsearch -y` reads it.
    std::string password = ReadFile(password_file);
    EXPECT_EQ(password.find('\n'), std::string::npos);
    std::string operator_dn = "cn=operator,ou=system," + std::string(kBaseDn);
    Outcome search = RunToEnd({"/usr/bin/ldapsearch", "-x", "-LLL", "-H", "ldap://127.0.0.1:" + std::to_string(ldap_port),
                               "-D", operator_dn, "-y", password_file.string(), "-b",
                               "ou=people," + std::string(kBaseDn), "-s", "base", "1.1"},
                              dir_);
    EXPECT_EQ(search.exit_code, 0) << search.output;
    EXPECT_THAT(search.output, HasSubstr("dn: ou=people," + std::string(kBaseDn)));

    Outcome check = RunToEnd({DanhbaBinary(), "check", "--config", "danhba.yaml"}, dir_);
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_THAT(check.output, HasSubstr("ok    schema: objectClass danhbaPerson"));
    EXPECT_THAT(check.output, HasSubstr("ok    entry ou=former," + std::string(kBaseDn)));
    EXPECT_THAT(check.output, ::testing::Not(HasSubstr("FAIL")));
    EXPECT_THAT(check.output, ::testing::Not(HasSubstr(password)));

    std::smatch match;
    std::regex slapd_pid("managed slapd \\(pid ([0-9]+)\\)");
    ASSERT_TRUE(std::regex_search(log, match, slapd_pid)) << log;
    pid_t slapd = std::stoi(match[1]);
    EXPECT_EQ(::kill(slapd, 0), 0);

    ASSERT_EQ(::kill(run.pid(), SIGTERM), 0);
    auto status = run.Wait(kDeadline);
    ASSERT_TRUE(status.has_value()) << "danhba run did not stop on SIGTERM";
    EXPECT_EQ(*status, 0) << run.output();
    EXPECT_EQ(::kill(slapd, 0), -1) << "slapd " << slapd << " outlived danhba";
    EXPECT_EQ(errno, ESRCH);
    EXPECT_EQ(HttpGetStatus(api_port, "/healthz"), 0);
    EXPECT_THAT(run.output(), ::testing::Not(HasSubstr(password)));
  }

  // Once stopped, check says the directory is not there.
  Outcome check = RunToEnd({DanhbaBinary(), "check", "--config", "danhba.yaml"}, dir_);
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.output, HasSubstr("unreachable"));
}

TEST_F(CliTest, RunRestartsASlapdThatDied) {
  int api_port = FreePort();
  WriteConfig(GoodConfig(FreePort(), api_port, FreePort()));
  Child run({DanhbaBinary(), "run", "--config", "danhba.yaml"}, dir_ / "run.out", dir_);
  ASSERT_TRUE(WaitReady(run, api_port)) << run.output();
  std::smatch match;
  std::string log = run.output();
  ASSERT_TRUE(std::regex_search(log, match, std::regex("managed slapd \\(pid ([0-9]+)\\)"))) << log;
  pid_t first = std::stoi(match[1]);
  ASSERT_EQ(::kill(first, SIGKILL), 0);

  std::regex restarted("restarted the managed slapd \\(pid ([0-9]+)\\)");
  auto end = Clock::now() + kDeadline;
  while (!std::regex_search(log, match, restarted) && Clock::now() < end && !run.Poll()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = run.output();
  }
  ASSERT_TRUE(std::regex_search(log, match, restarted)) << log;
  pid_t second = std::stoi(match[1]);
  EXPECT_NE(second, first);
  EXPECT_THAT(log, HasSubstr("the managed slapd stopped on its own"));
  EXPECT_TRUE(WaitReady(run, api_port)) << run.output();

  ASSERT_EQ(::kill(run.pid(), SIGTERM), 0);
  auto status = run.Wait(kDeadline);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << run.output();
  EXPECT_EQ(::kill(second, 0), -1) << "slapd " << second << " outlived danhba";
}

// systemd's notify protocol: datagrams on the socket named by NOTIFY_SOCKET.
TEST_F(CliTest, RunTellsSystemdWhenReadyAndWhenStopping) {
  fs::path socket_path = dir_ / "notify.sock";
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  timeval timeout{60, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  auto receive = [fd] {
    char buffer[512];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  };

  int api_port = FreePort();
  WriteConfig(GoodConfig(FreePort(), api_port, FreePort()));
  Child run({DanhbaBinary(), "run", "--config", "danhba.yaml"}, dir_ / "run.out", dir_,
            {"NOTIFY_SOCKET=" + socket_path.string()});
  EXPECT_EQ(receive(), "READY=1") << run.output();
  EXPECT_EQ(HttpGetStatus(api_port, "/readyz"), 200);  // ready before it says so
  ASSERT_EQ(::kill(run.pid(), SIGTERM), 0);
  EXPECT_EQ(receive(), "STOPPING=1") << run.output();
  auto status = run.Wait(kDeadline);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << run.output();
  ::close(fd);
}

TEST_F(CliTest, RunRefusesATakenApiPortAndCreatesNothing) {
  PortHolder taken;
  WriteConfig(GoodConfig(FreePort(), taken.port(), FreePort()));
  Outcome outcome = RunToEnd({DanhbaBinary(), "run", "--config", "danhba.yaml"}, dir_);
  EXPECT_EQ(outcome.exit_code, 1) << outcome.output;
  EXPECT_THAT(outcome.output,
              HasSubstr("danhba: public_api.listen 127.0.0.1:" + std::to_string(taken.port()) + ": address already in use"));
  EXPECT_FALSE(fs::exists(dir_ / "var"));
}

TEST_F(CliTest, RunRefusesATakenLdapPort) {
  PortHolder taken;
  int api_port = FreePort();
  WriteConfig(GoodConfig(taken.port(), api_port, FreePort()));
  Outcome outcome = RunToEnd({DanhbaBinary(), "run", "--config", "danhba.yaml"}, dir_);
  EXPECT_EQ(outcome.exit_code, 1) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("danhba: ldap.url: "));
  EXPECT_THAT(outcome.output, HasSubstr("127.0.0.1:" + std::to_string(taken.port())));
  EXPECT_EQ(HttpGetStatus(api_port, "/healthz"), 0);  // the API listener was closed again
}

// An existing directory (here a slapd the test runs itself), reached as a
// configured identity with a password file.
TEST_F(CliTest, RunUnmanagedFollowsTheDirectoryReadiness) {
  danhba::slapd::InstanceOptions options;
  options.directory = dir_ / "external-slapd";
  options.base_dn = std::string(kBaseDn);
  auto created = danhba::slapd::Instance::Create(options);
  ASSERT_TRUE(created.ok()) << created.error();
  auto& directory = **created;
  ASSERT_TRUE(directory.Start().ok());
  const auto& account = directory.account(danhba::slapd::ServiceAccount::kOperator);

  int api_port = FreePort();
  std::string config = "data_dir: var\n"
                       "ldap:\n"
                       "  managed: false\n"
                       "  url: " + directory.url() + "\n"
                       "  bind_dn: " + account.dn + "\n"
                       "  password_file: " + account.password_file.string() + "\n"
                       "public_api:\n"
                       "  listen: 127.0.0.1:" + std::to_string(api_port) + "\n"
                       "ingest:\n"
                       "  listen: 127.0.0.1:" + std::to_string(FreePort()) + "\n";
  WriteConfig(config);
  Child run({DanhbaBinary(), "run", "--config", "danhba.yaml"}, dir_ / "run.out", dir_);
  ASSERT_TRUE(WaitReady(run, api_port)) << run.output();
  EXPECT_FALSE(fs::exists(dir_ / "var/slapd"));  // nothing managed

  // The directory goes away: not ready, but alive; it comes back: ready again.
  ASSERT_TRUE(directory.Stop().ok());
  auto end = Clock::now() + kDeadline;
  while (HttpGetStatus(api_port, "/readyz") != 503 && Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(HttpGetStatus(api_port, "/readyz"), 503);
  EXPECT_EQ(HttpGetStatus(api_port, "/healthz"), 200);
  ASSERT_TRUE(directory.Start().ok());
  EXPECT_TRUE(WaitReady(run, api_port)) << run.output();

  ASSERT_EQ(::kill(run.pid(), SIGTERM), 0);
  auto status = run.Wait(kDeadline);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << run.output();
  EXPECT_TRUE(directory.running());  // not ours to stop
  EXPECT_THAT(run.output(), ::testing::Not(HasSubstr(account.password)));
}

TEST_F(CliTest, RunUnmanagedWithAWrongPasswordStops) {
  danhba::slapd::InstanceOptions options;
  options.directory = dir_ / "external-slapd";
  options.base_dn = std::string(kBaseDn);
  auto created = danhba::slapd::Instance::Create(options);
  ASSERT_TRUE(created.ok()) << created.error();
  ASSERT_TRUE((*created)->Start().ok());
  std::ofstream(dir_ / "wrong.password") << "wrong-password\n";
  fs::permissions(dir_ / "wrong.password", fs::perms::owner_read | fs::perms::owner_write);
  WriteConfig("data_dir: var\n"
              "ldap:\n"
              "  managed: false\n"
              "  url: " + (*created)->url() + "\n"
              "  bind_dn: cn=operator,ou=system," + std::string(kBaseDn) + "\n"
              "  password_file: wrong.password\n"
              "public_api:\n"
              "  listen: 127.0.0.1:" + std::to_string(FreePort()) + "\n"
              "ingest:\n"
              "  listen: 127.0.0.1:" + std::to_string(FreePort()) + "\n");
  Outcome outcome = RunToEnd({DanhbaBinary(), "run", "--config", "danhba.yaml"}, dir_);
  EXPECT_EQ(outcome.exit_code, 1) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("as cn=operator,ou=system," + std::string(kBaseDn)));
  EXPECT_THAT(outcome.output, HasSubstr("nvalid credentials"));
  EXPECT_THAT(outcome.output, ::testing::Not(HasSubstr("wrong-password")));
}

// A start that fails late (here the spool directory, the last part built)
// while an HR system is posting: every part is torn down in order, the engine
// after the ingest listener whose threads wake it. Run against a build with
// AddressSanitizer by scripts/test.sh, where a use after free would show.
TEST_F(CliTest, RunThatFailsLateWhilePostsArriveStopsEverythingInOrder) {
  int ldap_port = FreePort();
  int api_port = FreePort();
  int ingest_port = FreePort();
  std::ofstream(dir_ / "blocked") << "a file where the spool directory's parent should be\n";
  WriteConfig(GoodConfig(ldap_port, api_port, ingest_port) + "spool:\n  dir: blocked/spool\n");
  Outcome added = RunToEnd({DanhbaBinary(), "sender", "add", "hr", "--config", "danhba.yaml"}, dir_);
  ASSERT_EQ(added.exit_code, 0) << added.output;
  std::smatch token;
  ASSERT_TRUE(std::regex_search(added.output, token, std::regex("token: (\\S+)"))) << added.output;
  const std::string bearer = token[1];

  Child run({DanhbaBinary(), "run", "--config", "danhba.yaml"}, dir_ / "run.out", dir_);
  ASSERT_GT(run.pid(), 0);
  int accepted = 0;
  const auto end = Clock::now() + kDeadline;
  for (int n = 0; !run.Poll(); ++n) {
    const std::string body =
        R"({"id":"early-)" + std::to_string(n) +
        R"(","type":"hire","decision":{"number":"1/QĐ-SNV","date":"2026-01-15","issuer":"Sở Nội vụ"},)"
        R"("person":{"id":"CB)" + std::to_string(n) +
        R"(","full_name":"Nguyễn Văn An","agency":"stttt"}})";
    const int answer = HttpPostStatus(ingest_port, "/api/v1/events", bearer, body);
    accepted += answer == 202;
    ASSERT_LT(Clock::now(), end) << "danhba run did not exit";
    if (answer == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // not listening yet
  }
  auto status = run.Wait(kDeadline);
  ASSERT_TRUE(status.has_value());
  const std::string log = run.output();
  EXPECT_EQ(*status, 1) << log;
  EXPECT_THAT(log, HasSubstr("danhba: spool.dir " + (dir_ / "blocked/spool").string()));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("Sanitizer")));
  EXPECT_GT(accepted, 0) << "no event was taken while the daemon started\n" << log;

  std::smatch match;
  ASSERT_TRUE(std::regex_search(log, match, std::regex("managed slapd \\(pid ([0-9]+)\\)"))) << log;
  pid_t slapd = std::stoi(match[1]);
  EXPECT_EQ(::kill(slapd, 0), -1) << "slapd " << slapd << " outlived danhba";
  EXPECT_EQ(HttpGetStatus(api_port, "/healthz"), 0);
  EXPECT_EQ(HttpPostStatus(ingest_port, "/api/v1/events", bearer, "{}"), 0);

  // What was acknowledged is in the journal: a good start applies it.
  fs::remove(dir_ / "blocked");
  Child again({DanhbaBinary(), "run", "--config", "danhba.yaml"}, dir_ / "again.out", dir_);
  ASSERT_TRUE(WaitReady(again, api_port)) << again.output();
  ASSERT_EQ(::kill(again.pid(), SIGTERM), 0);
  auto stopped = again.Wait(kDeadline);
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ(*stopped, 0) << again.output();
  EXPECT_THAT(again.output(), ::testing::Not(HasSubstr("Sanitizer")));
}

}  // namespace
