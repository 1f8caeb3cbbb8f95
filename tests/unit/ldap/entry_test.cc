#include "danhba/ldap/entry.h"

#include <gtest/gtest.h>

namespace danhba::ldap {
namespace {

TEST(Entry, AttributeNamesIgnoreCase) {
  Entry entry;
  entry.dn = "uid=annv,ou=people,dc=dongnai,dc=gov,dc=vn";
  entry.Add("objectClass", "inetOrgPerson").Add("OBJECTCLASS", "top").Add("cn", "Nguyễn Văn An");
  EXPECT_EQ(entry.attributes.size(), 2u);
  EXPECT_EQ(entry.Get("objectclass").size(), 2u);
  EXPECT_TRUE(entry.HasValue("CN", "Nguyễn Văn An"));
  EXPECT_FALSE(entry.HasValue("cn", "nguyễn văn an"));
  EXPECT_EQ(entry.First("Cn"), "Nguyễn Văn An");
  EXPECT_FALSE(entry.First("mail").has_value());
  EXPECT_TRUE(entry.Get("mail").empty());
  entry.Set("CN", {"An"});
  EXPECT_EQ(entry.Get("cn"), Values{"An"});
  entry.Set("cn", {});
  EXPECT_FALSE(entry.Has("cn"));
}

TEST(Entry, CaseInsensitiveLessOrders) {
  CaseInsensitiveLess less;
  EXPECT_FALSE(less("CN", "cn"));
  EXPECT_FALSE(less("cn", "CN"));
  EXPECT_TRUE(less("cn", "mail"));
  EXPECT_TRUE(EqualsIgnoreCase("userPassword", "USERPASSWORD"));
  EXPECT_FALSE(EqualsIgnoreCase("uid", "uids"));
}

}  // namespace
}  // namespace danhba::ldap
