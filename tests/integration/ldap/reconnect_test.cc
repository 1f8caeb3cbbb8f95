// Client against a slapd that is killed and started again.
#include <gtest/gtest.h>

#include <future>

#include "danhba/ldap/client.h"
#include "danhba/ldap/error.h"
#include "support/ldap_fixture.h"
#include "support/test_directory.h"

namespace danhba::ldap {
namespace {

using testing::Directory;

class ReconnectTest : public testing::LdapTest {
 protected:
  Client MakeClient() {
    RetryPolicy policy;
    policy.max_attempts = 50;
    policy.initial_backoff = std::chrono::milliseconds(50);
    policy.max_backoff = std::chrono::milliseconds(500);
    policy.max_total = std::chrono::seconds(60);
    return Client(testing::TestConnectOptions(Directory().url),
                  Credentials::Simple(Directory().operator_dn, Directory().operator_password),
                  policy);
  }
  Entry Person(std::string uid) {
    Entry e;
    e.dn = DnUnder("uid", uid);
    e.Add("objectClass", "inetOrgPerson")
        .Add("uid", uid)
        .Add("cn", "Lê Văn " + uid)
        .Add("sn", "Lê");
    return e;
  }
};

TEST_F(ReconnectTest, NextRequestAfterACrashSucceeds) {
  Client client = MakeClient();
  ASSERT_TRUE(client.Add(Person("before")).ok());
  ASSERT_TRUE(testing::KillSlapd().ok());
  ASSERT_TRUE(testing::StartSlapd().ok());
  Status added = client.Add(Person("after"));
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(client.reconnects(), 1);
  auto found = client.Read(DnUnder("uid", "after"));
  ASSERT_TRUE(found.ok()) << found.error();
  EXPECT_TRUE(found->has_value());
}

TEST_F(ReconnectTest, RequestMadeWhileServerIsDownSucceedsOnceItIsBack) {
  Client client = MakeClient();
  ASSERT_TRUE(client.Connect().ok());
  ASSERT_TRUE(testing::KillSlapd().ok());
  auto pending =
      std::async(std::launch::async, [&client, this] { return client.Add(Person("during")); });
  // The request keeps retrying while the server is down; bring it back.
  ASSERT_TRUE(testing::StartSlapd().ok());
  Status added = pending.get();
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_GE(client.reconnects(), 1);
  auto again = client.Compare(DnUnder("uid", "during"), "uid", "during");
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_TRUE(*again);
}

TEST_F(ReconnectTest, GivesUpWithinItsBudgetWhileTheServerStaysDown) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.initial_backoff = std::chrono::milliseconds(10);
  Client client(testing::TestConnectOptions(Directory().url),
                Credentials::Simple(Directory().operator_dn, Directory().operator_password),
                policy);
  ASSERT_TRUE(client.Connect().ok());
  ASSERT_TRUE(testing::StopSlapd().ok());
  auto who = client.WhoAmI();
  ASSERT_TRUE(testing::StartSlapd().ok());
  ASSERT_FALSE(who.ok());
  EXPECT_TRUE(who.error().transient()) << who.error();
  EXPECT_NE(who.error().detail.find("gave up after 3 attempts"), std::string::npos) << who.error();
}

}  // namespace
}  // namespace danhba::ldap
