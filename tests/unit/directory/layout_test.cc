#include <gtest/gtest.h>

#include "danhba/directory/directory.h"
#include "danhba/ldap/dn.h"

namespace danhba::directory {
namespace {

TEST(LayoutTest, ForBasePutsTheFourSubtreesUnderTheBase) {
  const Layout layout = Layout::ForBase("dc=dongnai,dc=gov,dc=vn");
  EXPECT_EQ(layout.base_dn, "dc=dongnai,dc=gov,dc=vn");
  EXPECT_EQ(layout.people_dn, "ou=people,dc=dongnai,dc=gov,dc=vn");
  EXPECT_EQ(layout.former_dn, "ou=former,dc=dongnai,dc=gov,dc=vn");
  EXPECT_EQ(layout.agencies_dn, "ou=agencies,dc=dongnai,dc=gov,dc=vn");
  EXPECT_EQ(layout.decisions_dn, "ou=decisions,dc=dongnai,dc=gov,dc=vn");
}

TEST(LayoutTest, KeepsTheConfiguredBaseAsWritten) {
  // The base is not re-rendered: existing entries keep their DNs.
  const Layout layout = Layout::ForBase("DC=Example, DC=org");
  EXPECT_EQ(layout.people_dn, "ou=people,DC=Example, DC=org");
  EXPECT_EQ(layout.PersonDn("an"), "uid=an,ou=people,DC=Example, DC=org");
}

TEST(LayoutTest, PersonDnIsInPeopleOrFormer) {
  const Layout layout = Layout::ForBase("dc=example,dc=org");
  EXPECT_EQ(layout.PersonDn("annv"), "uid=annv,ou=people,dc=example,dc=org");
  EXPECT_EQ(layout.PersonDn("annv", /*former=*/true), "uid=annv,ou=former,dc=example,dc=org");
  EXPECT_EQ(&layout.PeopleSubtree(false), &layout.people_dn);
  EXPECT_EQ(&layout.PeopleSubtree(true), &layout.former_dn);
}

TEST(LayoutTest, ValuesAreEscapedAsTheLdapModuleEscapes) {
  const Layout layout = Layout::ForBase("dc=example,dc=org");
  EXPECT_EQ(layout.PersonDn("a,b+c"), "uid=" + ldap::EscapeDnValue("a,b+c") + "," +
                                          layout.people_dn);
  EXPECT_EQ(Layout::PersonRdn(" x"), "uid=\\ x");
  EXPECT_EQ(Layout::AgencyRdn("stttt"), "ou=stttt");
  EXPECT_EQ(layout.AgencyDn("stttt"), "ou=stttt,ou=agencies,dc=example,dc=org");
  EXPECT_EQ(layout.DecisionDn("hr=1"), "danhbaEventId=hr\\=1,ou=decisions,dc=example,dc=org");
}

TEST(LayoutTest, DecisionEventIdReadsBackTheIdOfADecisionDn) {
  const Layout layout = Layout::ForBase("dc=example,dc=org");
  for (const char* id : {"hr-2026-000123", "a,b", "x=y", "Nguyễn"}) {
    EXPECT_EQ(layout.DecisionEventId(layout.DecisionDn(id)), id);
  }
  // Case of the parent does not matter; anything else is not a decision.
  EXPECT_EQ(layout.DecisionEventId("danhbaEventId=e1,OU=Decisions,DC=example,DC=org"), "e1");
  EXPECT_EQ(layout.DecisionEventId(layout.PersonDn("annv")), "");
  EXPECT_EQ(layout.DecisionEventId("danhbaEventId=e1,ou=x,ou=decisions,dc=example,dc=org"), "");
  EXPECT_EQ(layout.DecisionEventId(layout.decisions_dn), "");
  EXPECT_EQ(layout.DecisionEventId("not a dn"), "");
}

}  // namespace
}  // namespace danhba::directory
