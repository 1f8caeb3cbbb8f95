#include "support/ldap_fixture.h"

#include "danhba/ldap/dn.h"
#include "danhba/ldap/operations.h"
#include "support/test_directory.h"

namespace danhba::testing {

ldap::ConnectOptions TestConnectOptions(std::string url) {
  ldap::ConnectOptions options;
  options.url = std::move(url);
  options.network_timeout = std::chrono::seconds(5);
  options.operation_timeout = std::chrono::seconds(30);
  return options;
}

Result<ldap::Connection> ConnectAsRoot() {
  return ldap::Connection::Open(TestConnectOptions(Directory().ldapi_url),
                                ldap::Credentials::SaslExternal());
}

Result<ldap::Connection> ConnectAsOperator() {
  const TestDirectory& dir = Directory();
  return ldap::Connection::Open(TestConnectOptions(dir.url),
                                ldap::Credentials::Simple(dir.operator_dn, dir.operator_password));
}

void LdapTest::SetUp() {
  auto root = ConnectAsRoot();
  ASSERT_TRUE(root.ok()) << root.error();
  root_.emplace(std::move(*root));
  auto op = ConnectAsOperator();
  ASSERT_TRUE(op.ok()) << op.error();
  operator_.emplace(std::move(*op));

  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string ou = UniqueName(std::string(info->test_suite_name()) + "-" + info->name());
  auto base = ldap::Dn::Parse(Directory().base_dn);
  ASSERT_TRUE(base.ok()) << base.error();
  auto dn = base->Child("ou", ou);
  ASSERT_TRUE(dn.ok()) << dn.error();
  subtree_ = dn->ToString();
  ldap::Entry entry;
  entry.dn = subtree_;
  entry.Add("objectClass", "organizationalUnit").Add("ou", ou);
  Status added = root_->Add(entry);
  ASSERT_TRUE(added.ok()) << added.error();
}

void LdapTest::TearDown() {
  if (subtree_.empty()) return;
  auto root = ConnectAsRoot();
  ASSERT_TRUE(root.ok()) << root.error();
  Status deleted = ldap::DeleteSubtree(*root, subtree_);
  EXPECT_TRUE(deleted.ok()) << deleted.error();
}

std::string LdapTest::DnUnder(std::string_view type, std::string_view value) const {
  return std::string(type) + "=" + ldap::EscapeDnValue(value) + "," + subtree_;
}

}  // namespace danhba::testing
