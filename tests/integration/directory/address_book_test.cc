// The tree as mail clients search it: entries written by LdapDirectory (the
// code the sync engine uses) into a generated slapd, searched with the exact
// filters Thunderbird, Outlook, macOS Contacts and Evolution send, bound as a
// member of staff (anonymous reading is off outside the demo).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "danhba/directory/ldap_directory.h"
#include "danhba/ldap/client.h"
#include "danhba/slapd/config.h"
#include "support/ldap_fixture.h"
#include "support/private_slapd.h"

namespace danhba::directory {
namespace {

using danhba::testing::CommandResult;
using danhba::testing::PrivateSlapd;
using danhba::testing::RunCommand;
using ::testing::HasSubstr;

constexpr std::string_view kBase = "dc=dongnai,dc=gov,dc=vn";
constexpr std::string_view kStaffPassword = "Staff-Passw0rd-2026";
const std::string kOrganization = "Ủy ban nhân dân tỉnh Đồng Nai";
using Found = std::set<std::string>;  // local parts of the mail of the entries found

struct Person {
  std::string uid, id, full_name, family, given, agency;
};

// Thunderbird's template language: %v1 the first word typed, %v2- the rest;
// "**" left by a missing word is one "*".
std::string Thunderbird(std::string filter, const std::string& typed) {
  std::istringstream words(typed);
  std::string first;
  std::string rest;
  words >> first;
  std::getline(words, rest);
  rest.erase(0, rest.find_first_not_of(' '));
  auto replace = [&](const std::string& token, const std::string& value) {
    for (std::size_t at = filter.find(token); at != std::string::npos; at = filter.find(token, at)) {
      filter.replace(at, token.size(), value);
      at += value.size();
    }
  };
  replace("%v2-", rest);
  replace("%v1", first);
  for (std::size_t at = filter.find("**"); at != std::string::npos; at = filter.find("**")) {
    filter.erase(at, 1);
  }
  return filter;
}

std::string Replace(std::string filter, const std::string& token, const std::string& value) {
  for (std::size_t at = filter.find(token); at != std::string::npos; at = filter.find(token, at)) {
    filter.replace(at, token.size(), value);
    at += value.size();
  }
  return filter;
}

// Client name -> how the client turns what is typed into a filter.
const std::vector<std::pair<std::string, std::function<std::string(const std::string&)>>>&
Clients() {
  static const std::vector<std::pair<std::string, std::function<std::string(const std::string&)>>>
      kClients = {
          {"Thunderbird autocomplete",
           [](const std::string& x) {
             return Thunderbird("(|(cn=%v1*%v2-*)(mail=%v1*%v2-*)(sn=%v1*%v2-*))", x);
           }},
          {"Thunderbird address book",
           [](const std::string& x) {
             return Replace("(&(objectclass=*)(|(mail=*X*)(cn=*X*)(givenName=*X*)(sn=*X*)))", "X",
                            x);
           }},
          {"Outlook",
           [](const std::string& x) {
             return Replace(
                 "(&(mail=*)(|(mail=%s*)(|(cn=%s*)(|(sn=%s*)(givenName=%s*)))))", "%s", x);
           }},
          {"macOS Contacts",
           [](const std::string& x) {
             return Replace("(|(givenname=*X*)(sn=*X*)(cn=*X*)(mail=*X*))", "X", x);
           }},
          {"Evolution any field",
           [](const std::string& x) {
             return Replace("(|(cn=*X*)(mail=*X*)(sn=*X*)(givenName=*X*)(title=*X*))", "X", x);
           }},
      };
  return kClients;
}

class AddressBookTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = PrivateSlapd::Start();
    ASSERT_TRUE(started.ok()) << started.error();
    slapd_ = std::move(started).value().release();
    const auto& sync = slapd_->account(slapd::ServiceAccount::kSync);
    auto client = std::make_unique<ldap::Client>(
        danhba::testing::TestConnectOptions(slapd_->instance().url()),
        ldap::Credentials::Simple(sync.dn, sync.password));
    LdapDirectoryOptions options{Layout::ForBase(kBase), "dongnai.gov.vn"};
    options.organization = kOrganization;
    directory_ = new LdapDirectory(std::move(client), options);
    const Layout& layout = directory_->layout();
    for (const auto& [code, name] : std::vector<std::pair<std::string, std::string>>{
             {"skhcn", "Sở Khoa học và Công nghệ"}, {"stttt", "Sở Thông tin và Truyền thông"}}) {
      AgencyRecord agency;
      agency.dn = layout.AgencyDn(code);
      agency.code = code;
      agency.name = name;
      agency.mail = code + "@dongnai.gov.vn";
      Status added = directory_->AddAgency(agency);
      ASSERT_TRUE(added.ok()) << added.error();
    }
    std::vector<NewPerson> hires;
    for (const Person& p : std::vector<Person>{
             {"annv", "AB1", "Nguyễn Văn An", "Nguyễn", "An", "skhcn"},
             {"anhnv", "AB2", "Nguyễn Văn Anh", "Nguyễn", "Anh", "stttt"},
             {"tuyetnt", "AB3", "Nguyễn Thị Tuyết", "Nguyễn", "Tuyết", "skhcn"},
             {"tuyetlta", "AB4", "Lê Thị Ánh Tuyết", "Lê", "Tuyết", "stttt"},
             {"nampv", "AB5", "Phạm Văn Nam", "Phạm", "Nam", "skhcn"},
             {"cunv", "AB6", "Nguyễn Văn Cũ", "Nguyễn", "Cũ", "skhcn"},
         }) {
      NewPerson hire;
      PersonRecord& r = hire.person;
      r.uid = p.uid;
      r.dn = layout.PersonDn(p.uid);
      r.mail = p.uid + "@dongnai.gov.vn";
      r.person_id = p.id;
      r.full_name = p.full_name;
      r.family_name = p.family;
      r.given_name = p.given;
      r.title = "Chuyên viên";
      r.phone = "0251 3822 000";
      r.agency_code = p.agency;
      r.agency_dn = layout.AgencyDn(p.agency);
      r.created_by_event = "h-" + p.id;
      hire.initial_password = "Initial-" + p.id + "-pw";
      hires.push_back(hire);
    }
    for (const Status& s : directory_->CreatePeople(hires)) ASSERT_TRUE(s.ok()) << s.error();
    // Nguyễn Văn Cũ left: never in an address book.
    auto moved = directory_->MovePerson("cunv", /*to_former=*/true);
    ASSERT_TRUE(moved.ok()) << moved.error();
    // The searching member of staff changes the initial password first (R13).
    CommandResult changed =
        RunCommand({"ldappasswd", "-x", "-H", slapd_->instance().url(), "-D",
                    layout.PersonDn("annv"), "-w", "Initial-AB1-pw", "-a", "Initial-AB1-pw", "-s",
                    std::string(kStaffPassword)});
    ASSERT_TRUE(changed.ok()) << changed.output;
  }

  static void TearDownTestSuite() {
    delete directory_;
    directory_ = nullptr;
    delete slapd_;
    slapd_ = nullptr;
  }

  // What a member of staff finds with `filter` under the base DN, as
  // local part -> attribute name -> first value.
  static std::map<std::string, std::map<std::string, std::string>> Search(
      const std::string& filter, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"-b", std::string(kBase), "-s", "sub"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {filter, "mail", "cn", "displayName", "title", "ou", "o",
                             "telephoneNumber", "givenName", "sn"});
    CommandResult found =
        slapd_->Search(directory_->layout().PersonDn("annv"), std::string(kStaffPassword), args);
    EXPECT_TRUE(found.ok()) << filter << ": " << found.output;
    std::map<std::string, std::map<std::string, std::string>> out;
    std::istringstream lines(found.output + "\n");
    std::string line;
    std::map<std::string, std::string> entry;
    auto flush = [&] {
      if (entry.count("mail")) out[entry["mail"].substr(0, entry["mail"].find('@'))] = entry;
      entry.clear();
    };
    while (std::getline(lines, line)) {
      if (line.empty()) {
        flush();
        continue;
      }
      std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      if (!value.empty() && value[0] == ':') {
        CommandResult decoded = RunCommand({"/usr/bin/base64", "-d"}, value.substr(2));
        value = decoded.output;
      } else if (!value.empty()) {
        value = value.substr(1);
      }
      entry.emplace(name, value);  // the first value
    }
    flush();
    return out;
  }

  static Found Mails(const std::string& filter) {
    Found found;
    for (const auto& [local, attributes] : Search(filter)) found.insert(local);
    return found;
  }

  static PrivateSlapd* slapd_;
  static LdapDirectory* directory_;
};

PrivateSlapd* AddressBookTest::slapd_ = nullptr;
LdapDirectory* AddressBookTest::directory_ = nullptr;

TEST_F(AddressBookTest, WhatPeopleTypeFindsTheRightPeopleInEveryClient) {
  const std::vector<std::pair<std::string, Found>> typed = {
      {"nguyen van", {"annv", "anhnv"}},
      {"Nguyễn Văn", {"annv", "anhnv"}},
      {"annv", {"annv"}},
      {"tuyet", {"tuyetnt", "tuyetlta"}},
      {"Tuyết", {"tuyetnt", "tuyetlta"}},
      {"nam", {"nampv"}},                 // a given name alone
      {"so khoa hoc", {"skhcn"}},         // an agency mailbox
      {"Sở Thông tin", {"stttt"}},
  };
  for (const auto& [client, make_filter] : Clients()) {
    for (const auto& [text, expected] : typed) {
      const std::string filter = make_filter(text);
      EXPECT_EQ(Mails(filter), expected) << client << " typing '" << text << "': " << filter;
    }
  }
}

TEST_F(AddressBookTest, NameFiltersAnchoredAtTheStartFindTheGivenNameToo) {
  // Evolution's and Thunderbird's default name filters start at the beginning
  // of cn: Vietnamese names end with the given name.
  const std::string evolution = "(|(cn=X*)(sn=X*))";
  EXPECT_EQ(Mails(Replace(evolution, "X", "tuyet")), (Found{"tuyetnt", "tuyetlta"}));
  EXPECT_EQ(Mails(Replace(evolution, "X", "nguyen van")), (Found{"annv", "anhnv"}));
  EXPECT_EQ(Mails(Replace(evolution, "X", "Phạm")), (Found{"nampv"}));
  // macOS Contacts' exact match on a whole given name, full name or address.
  const std::string macos = "(|(givenname=X)(sn=X)(cn=X)(mail=X))";
  EXPECT_EQ(Mails(Replace(macos, "X", "tuyet")), (Found{"tuyetnt", "tuyetlta"}));
  EXPECT_EQ(Mails(Replace(macos, "X", "nguyen van an")), (Found{"annv"}));
  EXPECT_EQ(Mails(Replace(macos, "X", "annv@dongnai.gov.vn")), (Found{"annv"}));
}

TEST_F(AddressBookTest, EveryListableEntryCarriesWhatClientsShow) {
  auto all = Search("(mail=*)");
  ASSERT_EQ(all.size(), 7u);  // five people in service, two agency mailboxes
  for (const auto& [local, attributes] : all) {
    for (const char* name : {"mail", "cn", "displayName", "title", "ou", "o"}) {
      EXPECT_TRUE(attributes.count(name)) << local << " lacks " << name;
    }
    EXPECT_EQ(attributes.at("o"), kOrganization) << local;
  }
  const auto& an = all.at("annv");
  EXPECT_EQ(an.at("cn"), "Nguyễn Văn An");  // the first value: what clients show
  EXPECT_EQ(an.at("displayName"), "Nguyễn Văn An");
  EXPECT_EQ(an.at("ou"), "Sở Khoa học và Công nghệ");  // Department: the agency's name
  EXPECT_EQ(an.at("title"), "Chuyên viên");
  EXPECT_EQ(an.at("telephoneNumber"), "0251 3822 000");
  const auto& agency = all.at("skhcn");
  EXPECT_EQ(agency.at("cn"), "Sở Khoa học và Công nghệ");
  EXPECT_EQ(agency.at("title"), kAgencyMailboxTitle);
}

TEST_F(AddressBookTest, ClientsGetAPageAndSortedBrowsingWorks) {
  // Outlook browses with server-side sorting and virtual list views.
  CommandResult vlv = slapd_->Search(
      directory_->layout().PersonDn("annv"), std::string(kStaffPassword),
      {"-b", slapd::PeopleDn(kBase), "-E", "!sss=cn:caseIgnoreOrderingMatch", "-E",
       "!vlv=0/2/1/0", "(mail=*)", "mail"});
  // ldapsearch then asks for the next window (stdin is empty): the first one.
  const std::string window = vlv.output.substr(0, vlv.output.find("Press ["));
  EXPECT_THAT(window, HasSubstr("vlvResultpos=1 count=5"));
  // Three entries from the first, sorted by cn ("an nguyen van" first).
  EXPECT_EQ(std::count(window.begin(), window.end(), '@'), 3) << window;
  EXPECT_THAT(window, HasSubstr("mail: annv@dongnai.gov.vn"));
}

}  // namespace
}  // namespace danhba::directory
