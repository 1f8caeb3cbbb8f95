// LdapDirectory against a real slapd: the entries it writes, and that every
// operation can be repeated.
#include "danhba/directory/ldap_directory.h"

#include <gtest/gtest.h>

#include <set>

#include "danhba/ldap/client.h"
#include "danhba/ldap/error.h"
#include "support/ldap_fixture.h"
#include "support/test_directory.h"

namespace danhba::directory {
namespace {

using danhba::testing::Directory;
using danhba::testing::TestConnectOptions;

class LdapDirectoryTest : public danhba::testing::LdapTest {
 protected:
  void SetUp() override {
    LdapTest::SetUp();
    if (HasFatalFailure()) return;
    layout_ = Layout::ForBase(subtree());
    for (const char* ou : {"people", "former", "agencies", "decisions"}) {
      ldap::Entry e;
      e.dn = std::string("ou=") + ou + "," + subtree();
      e.Add("objectClass", "organizationalUnit").Add("ou", ou);
      ASSERT_TRUE(root_connection().Add(e).ok());
    }
    const auto& dir = Directory();
    auto client = std::make_unique<ldap::Client>(
        TestConnectOptions(dir.url), ldap::Credentials::Simple(dir.sync_dn, dir.sync_password));
    directory_ = std::make_unique<LdapDirectory>(std::move(client),
                                                 LdapDirectoryOptions{layout_, "dongnai.gov.vn"});
  }

  NewPerson Hire(const std::string& uid, const std::string& id, const std::string& event) {
    NewPerson np;
    PersonRecord& p = np.person;
    p.uid = uid;
    p.dn = layout_.PersonDn(uid);
    p.mail = uid + "@dongnai.gov.vn";
    p.person_id = id;
    p.full_name = "Nguyễn Văn An";
    p.family_name = "Nguyễn";
    p.given_name = "An";
    p.agency_code = "stttt";
    p.decision_dns = {layout_.DecisionDn(event)};
    p.created_by_event = event;
    np.initial_password = "Xk4mP9qLw2Zr7tNb";
    return np;
  }

  Layout layout_;
  std::unique_ptr<LdapDirectory> directory_;
};

TEST_F(LdapDirectoryTest, CreatePeopleIsIdempotentAndAnotherPersonConflicts) {
  NewPerson np = Hire("annvdir", "CBD1", "d-1");
  ASSERT_TRUE(directory_->CreatePeople({np}).front().ok());
  // Repeated (a replay): the entry is ours, so it counts as done.
  Status again = directory_->CreatePeople({np}).front();
  EXPECT_TRUE(again.ok()) << again.error();
  auto found = directory_->FindPerson("CBD1");
  ASSERT_TRUE(found.ok()) << found.error();
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->uid, "annvdir");
  EXPECT_TRUE((*found)->has_password);
  EXPECT_TRUE((*found)->HasDecision(layout_.DecisionDn("d-1")));
  EXPECT_EQ((*found)->created_by_event, "d-1");
  auto taken = directory_->AddressTaken("annvdir");
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(*taken);
  EXPECT_FALSE(*directory_->AddressTaken("annvdir1"));

  Status other = directory_->CreatePeople({Hire("annvdir", "CBD2", "d-2")}).front();
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(*directory_->FindPerson("CBD2"));
  // The same person made by another hire is not a replay of this one.
  Status other_hire = directory_->CreatePeople({Hire("annvdir", "CBD1", "d-1b")}).front();
  ASSERT_FALSE(other_hire.ok());
  EXPECT_EQ(other_hire.error().code, ErrorCode::kConflict);

  auto bound = ldap::Connection::Open(TestConnectOptions(Directory().url),
                                      ldap::Credentials::Simple(np.person.dn, np.initial_password));
  EXPECT_TRUE(bound.ok()) << bound.error();
  auto reset = root_connection().Read(np.person.dn, {"pwdReset"});
  ASSERT_TRUE(reset.ok() && *reset);
  EXPECT_EQ((*reset)->First("pwdReset"), "TRUE");
}

TEST_F(LdapDirectoryTest, ATakenAddressFailsOnlyItsOwnAdd) {
  ASSERT_TRUE(directory_->CreatePeople({Hire("thuylt", "CBT0", "t-0")}).front().ok());
  std::vector<Status> created =
      directory_->CreatePeople({Hire("binhtt", "CBT1", "t-1"), Hire("thuylt", "CBT2", "t-2"),
                                Hire("cuonglm", "CBT3", "t-3")});
  ASSERT_EQ(created.size(), 3u);
  EXPECT_TRUE(created[0].ok()) << created[0].error();
  ASSERT_FALSE(created[1].ok());
  EXPECT_EQ(created[1].error().code, ErrorCode::kConflict) << created[1].error();
  EXPECT_TRUE(created[2].ok()) << created[2].error();
  EXPECT_TRUE(*directory_->FindPerson("CBT1"));
  EXPECT_FALSE(*directory_->FindPerson("CBT2"));
  EXPECT_TRUE(*directory_->FindPerson("CBT3"));
  EXPECT_TRUE(directory_->CreatePeople({}).empty());
}

TEST_F(LdapDirectoryTest, ManyPeopleAndAddressesAreLookedUpAtOnce) {
  ASSERT_TRUE(directory_->CreatePeople({Hire("hoanm", "CBM1", "m-1")}).front().ok());
  ASSERT_TRUE(directory_->CreatePeople({Hire("lanttm", "CBM2", "m-2")}).front().ok());
  auto people = directory_->FindPeople({"CBM1", "CBM2", "CBM-none", "*)(danhbaPersonId=*"});
  ASSERT_TRUE(people.ok()) << people.error();
  std::set<std::string> ids;
  for (const auto& p : *people) ids.insert(p.person_id);
  EXPECT_EQ(ids, (std::set<std::string>{"CBM1", "CBM2"}));
  auto none = directory_->FindPeople({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // In use as a uid, as an agency's address, or as an agency's alias.
  ldap::Entry agency;
  agency.dn = "ou=sxdm," + layout_.agencies_dn;
  agency.Set("objectClass", {"top", "organizationalUnit", "danhbaAgency"});
  agency.Add("ou", "sxdm").Add("danhbaAgencyCode", "sxdm").Add("mail", "sxdm@dongnai.gov.vn");
  agency.Add("danhbaMailAlias", "Sxdcu@DongNai.gov.vn");
  ASSERT_TRUE(root_connection().Add(agency).ok());
  auto taken = directory_->TakenAddresses({"hoanm", "sxdm", "sxdcu", "lanttm1", "sxdm@other", "*"});
  ASSERT_TRUE(taken.ok()) << taken.error();
  EXPECT_EQ(*taken, (std::set<std::string>{"hoanm", "sxdm", "sxdcu"}));
}

TEST_F(LdapDirectoryTest, MoveAndUpdateCanBeRepeated) {
  NewPerson np = Hire("binhdir", "CBD3", "d-3");
  ASSERT_TRUE(directory_->CreatePeople({np}).front().ok());
  auto moved = directory_->MovePerson("binhdir", true);
  ASSERT_TRUE(moved.ok()) << moved.error();
  EXPECT_EQ(*moved, layout_.PersonDn("binhdir", true));
  auto again = directory_->MovePerson("binhdir", true);
  ASSERT_TRUE(again.ok()) << again.error();
  PersonRecord before = **directory_->FindPerson("CBD3");
  PersonRecord after = before;
  after.status = "left";
  after.has_password = false;
  ASSERT_TRUE(directory_->UpdatePerson(before, after).ok());
  // Repeated with the same view of the entry (a replay after a lost answer).
  Status repeated = directory_->UpdatePerson(before, after);
  ASSERT_TRUE(repeated.ok()) << repeated.error();
  PersonRecord now = **directory_->FindPerson("CBD3");
  EXPECT_EQ(now.status, "left");
  EXPECT_FALSE(now.has_password);
  EXPECT_EQ(now.dn, layout_.PersonDn("binhdir", true));
}

TEST_F(LdapDirectoryTest, RenameAgencyCanBeRepeatedAndListsFollow) {
  AgencyRecord a;
  a.code = "sttdir";
  a.dn = layout_.AgencyDn("sttdir");
  a.name = "Sở TT";
  a.mail = "sttdir@dongnai.gov.vn";
  ASSERT_TRUE(directory_->AddAgency(a).ok());
  AgencyRecord child;
  child.code = "sttdir.x";
  child.dn = layout_.AgencyDn("sttdir.x");
  child.name = "Phòng X";
  child.mail = "sttdir.x@dongnai.gov.vn";
  child.parent_dn = a.dn;
  ASSERT_TRUE(directory_->AddAgency(child).ok());
  NewPerson in_service = Hire("andir1", "CBR1", "d-r1");
  in_service.person.agency_code = "sttdir";
  in_service.person.agency_dn = a.dn;
  NewPerson former = Hire("andir2", "CBR2", "d-r2");
  former.person.agency_code = "sttdir";
  former.person.agency_dn = a.dn;
  for (const Status& s : directory_->CreatePeople({in_service, former})) ASSERT_TRUE(s.ok()) << s.error();
  ASSERT_TRUE(directory_->MovePerson("andir2", true).ok());

  auto members = directory_->MembersOfAgency(a.dn);
  ASSERT_TRUE(members.ok()) << members.error();
  EXPECT_EQ(members->size(), 2u);  // in service and former
  auto staff = directory_->PeopleOfAgency(a.dn);
  ASSERT_TRUE(staff.ok());
  EXPECT_EQ(staff->size(), 1u);
  auto subs = directory_->SubAgencies(a.dn);
  ASSERT_TRUE(subs.ok()) << subs.error();
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_EQ(subs->front().code, "sttdir.x");

  auto renamed = directory_->RenameAgency("sttdir", "skhdir");
  ASSERT_TRUE(renamed.ok()) << renamed.error();
  EXPECT_TRUE(ldap::EqualsIgnoreCase(renamed->dn, layout_.AgencyDn("skhdir")));
  EXPECT_EQ(renamed->code, "skhdir");
  EXPECT_EQ(renamed->mail, "sttdir@dongnai.gov.vn");  // left to UpdateAgency
  auto again = directory_->RenameAgency("sttdir", "skhdir");
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->code, "skhdir");
  auto found = directory_->FindAgency("skhdir");
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ((*found)->code, "skhdir");
  EXPECT_FALSE(*directory_->FindAgency("sttdir"));
  // Both there, or neither: refused. (The renamed entry still has the old mail.)
  AgencyRecord again_old = a;
  again_old.mail.reset();
  ASSERT_TRUE(directory_->AddAgency(again_old).ok());
  auto both = directory_->RenameAgency("sttdir", "skhdir");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code, ErrorCode::kConflict);
  auto neither = directory_->RenameAgency("nodir", "nodir2");
  ASSERT_FALSE(neither.ok());
  EXPECT_EQ(neither.error().code, ErrorCode::kNotFound);

  AgencyRecord with_alias = **found;
  with_alias.mail = "skhdir@dongnai.gov.vn";
  with_alias.aliases = {"sttdir.old@dongnai.gov.vn"};
  ASSERT_TRUE(directory_->UpdateAgency(**found, with_alias).ok());
  auto by_alias = directory_->FindAgencyByAddress("sttdir.old@dongnai.gov.vn");
  ASSERT_TRUE(by_alias.ok()) << by_alias.error();
  ASSERT_TRUE(*by_alias);
  EXPECT_EQ((*by_alias)->code, "skhdir");
  auto by_mail = directory_->FindAgencyByAddress("skhdir@dongnai.gov.vn");
  ASSERT_TRUE(by_mail.ok() && *by_mail);
  EXPECT_EQ((*by_mail)->code, "skhdir");
  EXPECT_FALSE(*directory_->FindAgencyByAddress("nobody@dongnai.gov.vn"));
}

TEST_F(LdapDirectoryTest, DecisionEntryHoldsTheDecision) {
  DecisionRecord d;
  d.event_id = "d-4";
  d.type = model::EventType::kLeave;
  d.decision = {"99/QĐ-UBND", model::Date::FromYmd(2026, 10, 1).value(), "UBND tỉnh", "Nghỉ hưu"};
  d.effective_date = model::Date::FromYmd(2026, 12, 1).value();
  d.subject_dns = {layout_.PersonDn("x", true)};
  ASSERT_TRUE(directory_->EnsureDecision(d).ok());
  ASSERT_TRUE(directory_->EnsureDecision(d).ok());
  auto entry = root_connection().Read(layout_.DecisionDn("d-4"));
  ASSERT_TRUE(entry.ok() && *entry);
  EXPECT_EQ((*entry)->First("danhbaDecisionNumber"), "99/QĐ-UBND");
  EXPECT_EQ((*entry)->First("danhbaDecisionType"), "leave");
  EXPECT_EQ((*entry)->First("danhbaEffectiveDate"), "20261201000000Z");
  EXPECT_EQ((*entry)->First("description"), "Nghỉ hưu");
  EXPECT_EQ((*entry)->Get("danhbaSubjectDN"), ldap::Values{layout_.PersonDn("x", true)});

  // Hires of one decision resumed one by one: each adds itself as a subject.
  DecisionRecord more = d;
  more.subject_dns = {layout_.PersonDn("y", true), layout_.PersonDn("x", true)};
  ASSERT_TRUE(directory_->EnsureDecision(more).ok());
  ASSERT_TRUE(directory_->EnsureDecision(more).ok());
  auto merged = root_connection().Read(layout_.DecisionDn("d-4"));
  ASSERT_TRUE(merged.ok() && *merged);
  EXPECT_EQ((*merged)->Get("danhbaSubjectDN"),
            (ldap::Values{layout_.PersonDn("x", true), layout_.PersonDn("y", true)}));
}

TEST_F(LdapDirectoryTest, DecisionEventIdReadsTheEventThatNamesTheEntry) {
  EXPECT_EQ(layout_.DecisionEventId(layout_.DecisionDn("hr-2026/7,a")), "hr-2026/7,a");
  EXPECT_EQ(layout_.DecisionEventId(layout_.PersonDn("annv")), "");
  EXPECT_EQ(layout_.DecisionEventId("danhbaEventId=x,ou=elsewhere,dc=vn"), "");
  EXPECT_EQ(layout_.DecisionEventId("not a dn"), "");
}

}  // namespace
}  // namespace danhba::directory
