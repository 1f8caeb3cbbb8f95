#include "support/test_directory.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "support/command.h"

namespace danhba::testing {
namespace {

namespace fs = std::filesystem;

struct State {
  std::unique_ptr<slapd::Instance> instance;
  TestDirectory directory;
};

State& GetState() {
  static State state;
  return state;
}

bool KeepDirectories() {
  const char* keep = std::getenv("DANHBA_KEEP_TEST_DIRS");
  return keep != nullptr && *keep != '\0' && std::string_view(keep) != "0";
}

class SlapdEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    // Short, because the ldapi socket path inside it is limited to 107 bytes.
    std::string templ = "/tmp/danhba-test-XXXXXX";
    ASSERT_NE(::mkdtemp(templ.data()), nullptr) << "cannot create a temporary directory";
    root_ = templ;
    slapd::InstanceOptions options;
    options.directory = root_ / "slapd";
    options.base_dn = "dc=dongnai,dc=gov,dc=vn";
    // Tests are not about durability; fsync per write only slows them down.
    options.durable = false;
    if (KeepDirectories()) options.log_level = "stats";
    auto instance = slapd::Instance::Create(options);
    ASSERT_TRUE(instance.ok()) << instance.error();
    Status started = (*instance)->Start();
    ASSERT_TRUE(started.ok()) << started.error();
    State& state = GetState();
    state.instance = std::move(instance).value();
    const slapd::Instance& slapd = *state.instance;
    TestDirectory& dir = state.directory;
    dir.url = slapd.url();
    dir.ldapi_url = slapd.ldapi_url();
    dir.base_dn = slapd.base_dn();
    dir.port = slapd.port();
    dir.root_identity = slapd.root_identity();
    auto credentials = [&](slapd::ServiceAccount account, std::string& dn, std::string& password) {
      dn = slapd.account(account).dn;
      password = slapd.account(account).password;
    };
    credentials(slapd::ServiceAccount::kOperator, dir.operator_dn, dir.operator_password);
    credentials(slapd::ServiceAccount::kSync, dir.sync_dn, dir.sync_password);
    credentials(slapd::ServiceAccount::kReader, dir.reader_dn, dir.reader_password);
    credentials(slapd::ServiceAccount::kMailServer, dir.mailserver_dn, dir.mailserver_password);
    dir.data_dir = slapd.directory();
    dir.secrets_dir = slapd.account(slapd::ServiceAccount::kOperator).password_file.parent_path();
    std::cerr << "[ slapd    ] " << dir.url << " " << dir.data_dir.string() << " (pid "
              << slapd.pid() << ", ready in " << slapd.last_start_duration().count() << " ms)\n";
  }

  void TearDown() override {
    State& state = GetState();
    if (state.instance) {
      Status stopped = state.instance->Stop();
      EXPECT_TRUE(stopped.ok()) << stopped.error();
      state.instance.reset();
    }
    if (root_.empty()) return;
    if (KeepDirectories()) {
      std::cerr << "[ slapd    ] kept " << root_.string() << "\n";
    } else {
      std::error_code ec;
      fs::remove_all(root_, ec);
    }
  }

 private:
  fs::path root_;
};

slapd::Instance& RequireInstance() {
  State& state = GetState();
  if (!state.instance) {
    std::cerr << "danhba::testing::Directory() used without a running test directory: link "
                 "danhba::test_support_main and declare the test with NO_GTEST_MAIN\n";
    std::abort();
  }
  return *state.instance;
}

}  // namespace

void AddSlapdEnvironment() {
  // GoogleTest takes ownership of environments.
  ::testing::AddGlobalTestEnvironment(std::make_unique<SlapdEnvironment>().release());
}

const TestDirectory& Directory() {
  RequireInstance();
  return GetState().directory;
}

slapd::Instance& Slapd() { return RequireInstance(); }

Status StopSlapd() { return RequireInstance().Stop(); }
Status StartSlapd() { return RequireInstance().Start(); }
Status KillSlapd() { return RequireInstance().Kill(); }
Status RestartSlapd() {
  DANHBA_RETURN_IF_ERROR(StopSlapd());
  return StartSlapd();
}

std::string UniqueName(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(++counter);
}

Result<std::string> AddTestSubtree(std::string_view name) {
  std::string ou = UniqueName(name);
  std::string dn = "ou=" + ou + "," + Directory().base_dn;
  CommandResult added = ModifyAsRoot(
      "dn: " + dn + "\nobjectClass: organizationalUnit\nou: " + ou + "\n", /*add=*/true);
  if (!added.ok()) return Internal("cannot add " + dn + ": " + added.output);
  return dn;
}

}  // namespace danhba::testing
