// Integration-test helpers over danhba::ldap: connections to the test directory
// (test_directory.h) and a fixture that gives each test its own subtree.
//
//   class PeopleTest : public danhba::testing::LdapTest {};
//   TEST_F(PeopleTest, Adds) {
//     ldap::Entry e; e.dn = DnUnder("uid", "annv"); ...
//     ASSERT_TRUE(operator_connection().Add(e).ok());
//   }
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "danhba/base/result.h"
#include "danhba/ldap/connection.h"

namespace danhba::testing {

// Options for the test directory at `url`, with timeouts short enough that a
// hung test fails rather than waits.
ldap::ConnectOptions TestConnectOptions(std::string url);

// Root (manage) access: ldapi:// with SASL EXTERNAL.
Result<ldap::Connection> ConnectAsRoot();
// cn=operator,ou=system,<base> over ldap:// with a simple bind.
Result<ldap::Connection> ConnectAsOperator();

// Each test gets ou=<suite>-<test>-<pid>-<n>,<base>, created as root in SetUp and
// deleted with everything below it in TearDown (over a fresh root connection, so
// a test that restarted slapd is cleaned up too).
class LdapTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The test's subtree.
  const std::string& subtree() const { return subtree_; }
  // "<type>=<escaped value>,<subtree>".
  std::string DnUnder(std::string_view type, std::string_view value) const;

  ldap::Connection& root_connection() { return *root_; }
  ldap::Connection& operator_connection() { return *operator_; }

 private:
  std::optional<ldap::Connection> root_;
  std::optional<ldap::Connection> operator_;
  std::string subtree_;
};

}  // namespace danhba::testing
