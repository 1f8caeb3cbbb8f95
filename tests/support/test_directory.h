// A private slapd for integration tests: one per test binary, in a fresh temp
// directory, on a free loopback port, created and torn down by a GoogleTest
// environment. The directory is removed afterwards unless DANHBA_KEEP_TEST_DIRS
// is set (its path is printed either way); then slapd also runs with "-d stats",
// so <data_dir>/slapd.log shows every connection and operation. The database is
// created with olcDbNoSync (tests are not about durability).
//
// Use in a tests/integration/<area>/CMakeLists.txt:
//   danhba_test(ldap_integration_test SOURCES connection_test.cc
//               DEPS danhba::test_support_main danhba::test_support danhba::ldap
//               LABELS integration NO_GTEST_MAIN)
//
// and in a test:
//   #include "support/test_directory.h"
//   const auto& dir = danhba::testing::Directory();
//   Connect(dir.url, dir.sync_dn, dir.sync_password) ...   // simple bind over TCP
//   Connect(dir.ldapi_url) with SASL EXTERNAL             // root (manage) access
//   ASSERT_TRUE(danhba::testing::KillSlapd().ok());       // a crash
//   ASSERT_TRUE(danhba::testing::StartSlapd().ok());      // same port, same data
//
// Each test should work in its own subtree (AddTestSubtree) or with names made
// unique by UniqueName, since all tests of a binary share one server.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "danhba/base/result.h"
#include "danhba/slapd/instance.h"

namespace danhba::testing {

struct TestDirectory {
  std::string url;        // ldap://127.0.0.1:<port>
  std::string ldapi_url;  // ldapi://%2Ftmp%2F...%2Fldapi (root with SASL EXTERNAL)
  std::string base_dn;    // dc=dongnai,dc=gov,dc=vn
  std::uint16_t port = 0;
  // gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth when tests run as root.
  std::string root_identity;
  std::string operator_dn;    // cn=operator,ou=system,<base>
  std::string operator_password;
  std::string sync_dn;
  std::string sync_password;
  std::string reader_dn;
  std::string reader_password;
  std::string mailserver_dn;
  std::string mailserver_password;
  std::filesystem::path data_dir;     // the instance directory (slapd.d, data, slapd.log, ...)
  std::filesystem::path secrets_dir;  // <data_dir>/secrets
};

// Registers the environment that creates the slapd (main() of
// danhba::test_support_main does it; a binary with its own main can call it
// after InitGoogleTest).
void AddSlapdEnvironment();

// The running test directory. Aborts the test binary when the environment is
// not installed (the binary does not link danhba::test_support_main).
const TestDirectory& Directory();

// The slapd behind Directory(), for finer control (pid(), log_path(), ...).
slapd::Instance& Slapd();

// SIGTERM and wait; start again on the same port and data.
Status StopSlapd();
Status StartSlapd();
Status RestartSlapd();
// SIGKILL (a crash); StartSlapd brings it back.
Status KillSlapd();

// "<prefix>-<pid>-<n>": a name no other test in this run uses.
std::string UniqueName(std::string_view prefix);

// Adds ou=<UniqueName(name)>,<base> (as root) and returns its DN. Operator and
// sync accounts can write under it; anonymous users and the reader cannot read it.
Result<std::string> AddTestSubtree(std::string_view name);

}  // namespace danhba::testing
