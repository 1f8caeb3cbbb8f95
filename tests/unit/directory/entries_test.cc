#include "directory/entries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "danhba/directory/ldap_directory.h"

namespace danhba::directory {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

PersonRecord An() {
  const Layout layout = Layout::ForBase("dc=example,dc=org");
  PersonRecord p;
  p.dn = layout.PersonDn("annv");
  p.uid = "annv";
  p.mail = "annv@dongnai.gov.vn";
  p.person_id = "CB000123";
  p.full_name = "Nguyễn Văn An";
  p.family_name = "Nguyễn";
  p.given_name = "An";
  p.title = "Chuyên viên";
  p.phone = "0251 3822 000";
  p.agency_code = "stttt";
  p.agency_name = "Sở Thông tin và Truyền thông";
  p.agency_dn = layout.AgencyDn("stttt");
  p.birth_date = model::Date::Parse("1990-05-01").value();
  p.decision_dns = {layout.DecisionDn("hr-1")};
  p.created_by_event = "hr-1";
  return p;
}

std::vector<std::string> Names(const std::vector<ldap::Modification>& mods) {
  std::vector<std::string> names;
  for (const auto& m : mods) names.push_back(m.attribute);
  return names;
}

TEST(EntriesTest, PersonEntryReadsBackAsTheSameRecord) {
  const PersonRecord p = An();
  const ldap::Entry e = PersonEntry(p);
  EXPECT_EQ(e.dn, p.dn);
  EXPECT_EQ(e.Get("title"), ldap::Values{"Chuyên viên"});
  EXPECT_EQ(e.Get("telephoneNumber"), ldap::Values{"0251 3822 000"});
  EXPECT_EQ(e.Get("danhbaBirthDate"), ldap::Values{"19900501000000Z"});
  // cn: the full name, its fold, then given name first and its fold.
  EXPECT_THAT(e.Get("cn"),
              ElementsAre("Nguyễn Văn An", "nguyen van an", "An Nguyễn Văn", "an nguyen van"));
  EXPECT_EQ(e.Get("ou"), ldap::Values{"Sở Thông tin và Truyền thông"});
  EXPECT_EQ(e.Get("departmentNumber"), ldap::Values{"stttt"});
  PersonRecord back = PersonFromEntry(e);
  EXPECT_EQ(back.title, p.title);
  EXPECT_EQ(back.phone, p.phone);
  EXPECT_EQ(back.birth_date, p.birth_date);
  EXPECT_EQ(back.agency_code, "stttt");
  EXPECT_EQ(back.created_by_event, "hr-1");
  EXPECT_FALSE(back.has_password);
  // An empty optional text is no attribute at all.
  PersonRecord no_title = p;
  no_title.title = "";
  EXPECT_FALSE(PersonEntry(no_title).Has("title"));
  EXPECT_EQ(PersonFromEntry(PersonEntry(no_title)).title, std::nullopt);
}

TEST(EntriesTest, TheAttributesReadAreThoseTheMappingUses) {
  const auto& attributes = internal::PersonAttributes();
  for (const char* name : {"uid", "title", "telephoneNumber", "departmentNumber", "userPassword"}) {
    EXPECT_NE(std::find(attributes.begin(), attributes.end(), name), attributes.end()) << name;
  }
  const ldap::Entry e = internal::NewPersonEntry(NewPerson{An(), "secret"});
  EXPECT_EQ(e.Get("userPassword"), ldap::Values{"secret"});
  EXPECT_EQ(e.Get("pwdReset"), ldap::Values{"TRUE"});
  EXPECT_FALSE(internal::NewPersonEntry(NewPerson{An(), ""}).Has("userPassword"));
}

TEST(EntriesTest, NoChangeIsNoModification) {
  EXPECT_THAT(internal::PersonModifications(An(), An(), ""), IsEmpty());
  AgencyRecord a;
  a.code = "stttt";
  a.name = "Sở";
  EXPECT_THAT(internal::AgencyModifications(a, a), IsEmpty());
}

TEST(EntriesTest, ChangedAttributesAreReplacedWholeWithDecisionsLast) {
  const PersonRecord before = An();
  PersonRecord after = before;
  after.title = std::nullopt;  // cleared
  after.phone = "0251 1";
  after.decision_dns.push_back("danhbaEventId=hr-2,ou=decisions,dc=example,dc=org");
  const auto mods = internal::PersonModifications(before, after, "");
  EXPECT_THAT(Names(mods), ElementsAre("title", "telephoneNumber", "danhbaDecisionDN"));
  EXPECT_EQ(mods[0].op, ldap::Modification::Op::kReplace);
  EXPECT_THAT(mods[0].values, IsEmpty());
  EXPECT_EQ(mods[1].values, ldap::Values{"0251 1"});
  EXPECT_EQ(mods[2].values.size(), 2u);
}

TEST(EntriesTest, DnValuedAttributesCompareIgnoringCase) {
  const PersonRecord before = An();
  PersonRecord after = before;
  after.agency_dn = "OU=STTTT,ou=agencies,dc=example,dc=org";
  after.decision_dns = {"danhbaEventId=HR-1,ou=decisions,dc=example,dc=org"};
  EXPECT_FALSE(internal::AgencyChanged(before, after));
  EXPECT_THAT(internal::PersonModifications(before, after, ""), IsEmpty());
}

TEST(EntriesTest, ANewAgencyShowsItsNameOrElseItsCode) {
  const PersonRecord before = An();
  PersonRecord after = before;
  after.agency_code = "skhcn";
  after.agency_dn = "ou=skhcn,ou=agencies,dc=example,dc=org";
  ASSERT_TRUE(internal::AgencyChanged(before, after));
  auto mods = internal::PersonModifications(before, after, "Sở Khoa học và Công nghệ");
  EXPECT_THAT(Names(mods), ElementsAre("ou", "departmentNumber", "danhbaAgencyDN"));
  EXPECT_EQ(mods[0].values, ldap::Values{"Sở Khoa học và Công nghệ"});
  mods = internal::PersonModifications(before, after, "");
  EXPECT_EQ(mods[0].values, ldap::Values{"skhcn"});
}

TEST(EntriesTest, AnAgencyRenamedByNameGetsDisplayNameAndCnWithFold) {
  AgencyRecord before;
  before.code = "stttt";
  before.name = "Sở Thông tin";
  AgencyRecord after = before;
  after.name = "Sở Khoa học";
  after.mail = std::nullopt;
  after.status = std::string(kStatusMerged);
  const auto mods = internal::AgencyModifications(before, after);
  EXPECT_THAT(Names(mods), ElementsAre("displayName", "cn", "danhbaStatus"));
  EXPECT_THAT(mods[1].values, ElementsAre("Sở Khoa học", "so khoa hoc"));
  const AgencyRecord read = AgencyFromEntry(AgencyEntry(after));
  EXPECT_EQ(read.name, "Sở Khoa học");
  EXPECT_EQ(read.status, "merged");
  EXPECT_EQ(AgencyEntry(after).Get("title"), ldap::Values{std::string(kAgencyMailboxTitle)});
}

}  // namespace
}  // namespace danhba::directory
