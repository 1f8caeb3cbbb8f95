// R15, identity by identity: the whole tree of a generated slapd enumerated as
// each identity that binds to it, with the exact entries and attributes each
// one sees, and what each may change. Each case runs its own private slapd
// (the generated ACLs differ with anonymous_read), so what it sees is exact.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "danhba/slapd/config.h"
#include "support/private_slapd.h"

namespace danhba::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using slapd::ServiceAccount;
using Attributes = std::set<std::string>;
using View = std::map<std::string, Attributes>;  // lower-case DN -> lower-case attribute names

constexpr std::string_view kBase = "dc=dongnai,dc=gov,dc=vn";
constexpr std::string_view kStaffPassword = "Staff-Passw0rd!";

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string People(std::string_view uid) { return "uid=" + std::string(uid) + "," + slapd::PeopleDn(kBase); }
std::string Former(std::string_view uid) { return "uid=" + std::string(uid) + "," + slapd::FormerDn(kBase); }
const std::string kAgency = "ou=skhcn," + slapd::AgenciesDn(kBase);
const std::string kDecision = "danhbaEventId=h-1," + slapd::DecisionsDn(kBase);

std::string PersonLdif(const std::string& dn, std::string_view uid, std::string_view name,
                       std::string_view folded, std::string_view id, bool home_phone) {
  std::string out = slapd::LdifLine("dn", dn);
  out += "objectClass: inetOrgPerson\nobjectClass: danhbaPerson\n";
  out += slapd::LdifLine("uid", uid);
  out += slapd::LdifLine("mail", std::string(uid) + "@dongnai.gov.vn");
  out += slapd::LdifLine("cn", name) + slapd::LdifLine("cn", folded);
  out += slapd::LdifLine("sn", "Nguyễn") + slapd::LdifLine("givenName", "An");
  out += slapd::LdifLine("displayName", name);
  out += slapd::LdifLine("title", "Chuyên viên");
  out += "telephoneNumber: 0251 3822 000\n";
  out += slapd::LdifLine("ou", "Sở Khoa học và Công nghệ");
  out += "departmentNumber: skhcn\n";
  out += slapd::LdifLine("o", "Ủy ban nhân dân tỉnh Đồng Nai");
  out += "danhbaAgencyDN: " + kAgency + "\n";
  out += "danhbaPersonId: " + std::string(id) + "\n";
  out += "danhbaStatus: active\ndanhbaBirthDate: 19900501000000Z\ndanhbaEventId: h-1\n";
  out += "danhbaDecisionDN: " + kDecision + "\n";
  out += "danhbaMailAlias: " + std::string(uid) + ".old@dongnai.gov.vn\n";
  if (home_phone) out += "homePhone: 0909 000 000\n";
  out += "userPassword: " + std::string(kStaffPassword) + "\n\n";
  return out;
}

// An agency, two people in service, one who left and a decision.
std::string FixtureLdif() {
  std::string out = slapd::LdifLine("dn", kDecision);
  out += "objectClass: danhbaDecision\ndanhbaEventId: h-1\ncn: 1/QD-SNV\n"
         "danhbaDecisionNumber: 1/QD-SNV\n";
  out += "danhbaSubjectDN: " + People("annv") + "\n\n";
  out += slapd::LdifLine("dn", kAgency);
  out += "objectClass: organizationalUnit\nobjectClass: danhbaAgency\nou: skhcn\n"
         "danhbaAgencyCode: skhcn\n";
  out += slapd::LdifLine("displayName", "Sở Khoa học và Công nghệ");
  out += slapd::LdifLine("cn", "Sở Khoa học và Công nghệ");
  out += slapd::LdifLine("o", "Ủy ban nhân dân tỉnh Đồng Nai");
  out += "mail: skhcn@dongnai.gov.vn\ndanhbaMailAlias: khcn@dongnai.gov.vn\n"
         "danhbaStatus: active\n";
  out += "danhbaHeadDN: " + People("annv") + "\n";
  out += "danhbaDelegateDN: " + People("binhnv") + "\n";
  out += "danhbaDecisionDN: " + kDecision + "\n";
  out += "userPassword: Agency-Mailbox-1\n\n";
  out += PersonLdif(People("annv"), "annv", "Nguyễn Văn An", "nguyen van an", "CB1", true);
  out += PersonLdif(People("binhnv"), "binhnv", "Nguyễn Văn Bình", "nguyen van binh", "CB2", false);
  out += PersonLdif(People("dungnv"), "dungnv", "Nguyễn Văn Dũng", "nguyen van dung", "CB4", false);
  out += PersonLdif(Former("cuongnv"), "cuongnv", "Nguyễn Văn Cường", "nguyen van cuong", "CB3",
                    false);
  return out;
}

// Every entry of the tree and the attributes `dn` reads on it (all user
// attributes and the password-policy state).
View Enumerate(const PrivateSlapd& slapd, const std::string& dn, const std::string& password) {
  CommandResult found = slapd.Search(dn, password,
                                     {"-b", std::string(kBase), "-s", "sub", "-z", "0",
                                      "(objectClass=*)", "*", "pwdChangedTime", "pwdReset",
                                      "pwdFailureTime", "pwdPolicySubentry"});
  // 32: no such object (the base entry itself is hidden).
  EXPECT_TRUE(found.exit_code == 0 || found.exit_code == 32) << dn << ": " << found.output;
  View view;
  std::istringstream lines(found.output);
  std::string line;
  std::string current;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = Lower(line.substr(0, colon));
    if (name == "dn") {
      std::string value = line.substr(colon + 1);
      if (!value.empty() && value[0] == ':') value = "(base64) " + value.substr(1);
      current = Lower(value.substr(value.find_first_not_of(' ')));
      view[current];
    } else if (!current.empty()) {
      std::size_t semicolon = name.find(';');
      view[current].insert(semicolon == std::string::npos ? name : name.substr(0, semicolon));
    }
  }
  return view;
}

Attributes Set(std::initializer_list<const char*> names) {
  Attributes out;
  for (const char* name : names) out.insert(Lower(name));
  return out;
}

Attributes Union(Attributes a, const Attributes& b) {
  a.insert(b.begin(), b.end());
  return a;
}

const Attributes kPublicPerson =
    Set({"objectClass", "uid", "mail", "cn", "sn", "givenName", "displayName", "title",
         "telephoneNumber", "ou", "departmentNumber", "o", "danhbaAgencyDN"});
const Attributes kPrivatePerson =
    Set({"danhbaPersonId", "danhbaStatus", "danhbaBirthDate", "danhbaEventId",
         "danhbaDecisionDN", "danhbaMailAlias", "userPassword", "pwdChangedTime"});
const Attributes kPublicAgency =
    Set({"objectClass", "ou", "danhbaAgencyCode", "displayName", "cn", "o", "mail",
         "danhbaHeadDN", "danhbaDelegateDN"});
const Attributes kPrivateAgency =
    Set({"danhbaMailAlias", "danhbaStatus", "danhbaDecisionDN", "userPassword", "pwdChangedTime"});
const Attributes kUnit = Set({"objectClass", "ou", "description"});
const Attributes kBaseEntry = Set({"objectClass", "dc", "o"});

// What mail clients, the read model and mail servers see: the address book.
View AddressBook(bool with_aliases) {
  Attributes person = kPublicPerson;
  Attributes agency = kPublicAgency;
  if (with_aliases) {
    person.insert("danhbamailalias");
    agency.insert("danhbamailalias");
  }
  return {
      {Lower(std::string(kBase)), kBaseEntry},
      {Lower(slapd::PeopleDn(kBase)), kUnit},
      {Lower(slapd::AgenciesDn(kBase)), kUnit},
      {Lower(kAgency), agency},
      {Lower(People("annv")), person},
      {Lower(People("binhnv")), person},
      {Lower(People("dungnv")), person},
  };
}

// What the writers see: everything but the hidden parts they are denied.
View Everything(const View& system) {
  View view = {
      {Lower(std::string(kBase)), kBaseEntry},
      {Lower(slapd::PeopleDn(kBase)), kUnit},
      {Lower(slapd::AgenciesDn(kBase)), kUnit},
      {Lower(slapd::FormerDn(kBase)), kUnit},
      {Lower(slapd::DecisionsDn(kBase)), kUnit},
      {Lower(slapd::SystemDn(kBase)), kUnit},
      {Lower(kAgency), Union(kPublicAgency, kPrivateAgency)},
      {Lower(People("annv")), Union(Union(kPublicPerson, kPrivatePerson), Set({"homePhone"}))},
      {Lower(People("binhnv")), Union(kPublicPerson, kPrivatePerson)},
      {Lower(People("dungnv")), Union(kPublicPerson, kPrivatePerson)},
      {Lower(Former("cuongnv")), Union(kPublicPerson, kPrivatePerson)},
      {Lower(kDecision),
       Set({"objectClass", "danhbaEventId", "cn", "danhbaDecisionNumber", "danhbaSubjectDN"})},
  };
  view.insert(system.begin(), system.end());
  return view;
}

std::string Describe(const View& view) {
  std::string out;
  for (const auto& [dn, attributes] : view) {
    out += dn + ":";
    for (const auto& a : attributes) out += " " + a;
    out += "\n";
  }
  return out;
}

class AccessTest : public ::testing::Test {
 protected:
  void Start(bool anonymous_read) {
    auto started = PrivateSlapd::Start(
        [&](slapd::InstanceOptions& options) { options.anonymous_read = anonymous_read; });
    ASSERT_TRUE(started.ok()) << started.error();
    slapd_ = std::move(started).value();
    CommandResult added = slapd_->ModifyAsRoot(FixtureLdif(), true);
    ASSERT_TRUE(added.ok()) << added.output;
  }

  const slapd::AccountSecret& Account(ServiceAccount account) { return slapd_->account(account); }
  View As(ServiceAccount account) {
    return Enumerate(*slapd_, Account(account).dn, Account(account).password);
  }

  // The entries of ou=system as the operator reads them, and the sync account.
  View System(bool with_secrets) {
    View all = As(ServiceAccount::kOperator);
    View system;
    for (auto& [dn, attributes] : all) {
      if (dn.find(Lower(slapd::SystemDn(kBase))) == std::string::npos ||
          dn == Lower(slapd::SystemDn(kBase))) {
        continue;
      }
      Attributes seen = attributes;
      if (!with_secrets) seen.erase("userpassword");
      system[dn] = seen;
    }
    return system;
  }

  std::unique_ptr<PrivateSlapd> slapd_;
};

TEST_F(AccessTest, EachIdentitySeesExactlyItsPartOfTheTree) {
  Start(/*anonymous_read=*/false);
  if (HasFatalFailure()) return;

  View anonymous = Enumerate(*slapd_, "", "");
  EXPECT_TRUE(anonymous.empty()) << Describe(anonymous);

  View staff = Enumerate(*slapd_, People("annv"), std::string(kStaffPassword));
  EXPECT_EQ(staff, AddressBook(false)) << Describe(staff);

  // The reader and the mail server: the address book with the aliases, and
  // their own account entry.
  const Attributes own_account = Set({"objectClass", "cn", "pwdPolicySubentry"});
  View reader = As(ServiceAccount::kReader);
  View expected = AddressBook(true);
  expected[Lower(Account(ServiceAccount::kReader).dn)] = own_account;
  EXPECT_EQ(reader, expected) << Describe(reader);
  View mail = As(ServiceAccount::kMailServer);
  expected = AddressBook(true);
  expected[Lower(Account(ServiceAccount::kMailServer).dn)] = own_account;
  EXPECT_EQ(mail, expected) << Describe(mail);

  // The writers: people, agencies, decisions, former staff and private data;
  // the operator also the service accounts' secrets.
  View system_with_secrets = System(true);
  ASSERT_EQ(system_with_secrets.size(), 6u) << Describe(system_with_secrets);
  EXPECT_TRUE(system_with_secrets.at(Lower(Account(ServiceAccount::kSync).dn)).count("userpassword"));
  View op = As(ServiceAccount::kOperator);
  EXPECT_EQ(op, Everything(system_with_secrets)) << Describe(op);
  View sync = As(ServiceAccount::kSync);
  EXPECT_EQ(sync, Everything(System(false))) << Describe(sync);
}

TEST_F(AccessTest, AnonymousReadShowsTheAddressBookOnly) {
  Start(/*anonymous_read=*/true);
  if (HasFatalFailure()) return;
  View anonymous = Enumerate(*slapd_, "", "");
  EXPECT_EQ(anonymous, AddressBook(false)) << Describe(anonymous);
  // Filtering on a private attribute reveals nothing.
  CommandResult probe = slapd_->Search("", "", {"-b", std::string(kBase), "(danhbaPersonId=CB1)", "1.1"});
  EXPECT_THAT(probe.output, Not(HasSubstr("uid=annv")));
  CommandResult former = slapd_->Search("", "", {"-b", std::string(kBase), "(uid=cuongnv)", "1.1"});
  EXPECT_THAT(former.output, Not(HasSubstr("cuongnv")));
}

TEST_F(AccessTest, StaffChangeTheirOwnPasswordButNeverReadItOrChangeOthers) {
  Start(/*anonymous_read=*/false);
  if (HasFatalFailure()) return;
  const std::string self = People("annv");
  CommandResult read = slapd_->Search(self, std::string(kStaffPassword),
                                      {"-b", self, "-s", "base", "(objectClass=*)", "userPassword"});
  ASSERT_TRUE(read.ok()) << read.output;
  EXPECT_THAT(read.output, HasSubstr("dn: " + self));
  EXPECT_THAT(read.output, Not(HasSubstr("userPassword")));
  // Nor can a compare confirm a guess of the stored value.
  CommandResult compare = RunCommand({"ldapcompare", "-x", "-H", slapd_->instance().url(), "-D",
                                      self, "-w", std::string(kStaffPassword), self,
                                      "userPassword:" + std::string(kStaffPassword)});
  EXPECT_THAT(compare.output, Not(HasSubstr("TRUE"))) << compare.output;

  // Another person's password, or their own title: refused, nothing changed.
  CommandResult other = slapd_->ModifyAs(self, std::string(kStaffPassword),
                                         "dn: " + People("binhnv") +
                                             "\nchangetype: modify\nreplace: userPassword\n"
                                             "userPassword: Taken-0ver-pw\n");
  EXPECT_FALSE(other.ok());
  EXPECT_THAT(other.output, HasSubstr("Insufficient access"));
  CommandResult title = slapd_->ModifyAs(self, std::string(kStaffPassword),
                                         "dn: " + self + "\nchangetype: modify\nreplace: title\n"
                                                         "title: Giám đốc\n");
  EXPECT_FALSE(title.ok());
  EXPECT_THAT(title.output, HasSubstr("Insufficient access"));
  CommandResult binh = RunCommand({"ldapwhoami", "-x", "-H", slapd_->instance().url(), "-D",
                                   People("binhnv"), "-w", std::string(kStaffPassword)});
  EXPECT_TRUE(binh.ok()) << binh.output;

  // Their own, with the password-modify operation as mail clients and webmail do.
  CommandResult changed = RunCommand({"ldappasswd", "-x", "-H", slapd_->instance().url(), "-D",
                                      self, "-w", std::string(kStaffPassword), "-a",
                                      std::string(kStaffPassword), "-s", "Brand-New-Passw0rd"});
  ASSERT_TRUE(changed.ok()) << changed.output;
  CommandResult now = RunCommand({"ldapwhoami", "-x", "-H", slapd_->instance().url(), "-D", self,
                                  "-w", "Brand-New-Passw0rd"});
  EXPECT_TRUE(now.ok()) << now.output;
  CommandResult old = RunCommand({"ldapwhoami", "-x", "-H", slapd_->instance().url(), "-D", self,
                                  "-w", std::string(kStaffPassword)});
  EXPECT_FALSE(old.ok());
}

TEST_F(AccessTest, ServiceAccountSecretsAreTheOperatorsAlone) {
  Start(/*anonymous_read=*/false);
  if (HasFatalFailure()) return;
  const auto& sync = Account(ServiceAccount::kSync);
  const auto& reader = Account(ServiceAccount::kReader);
  // The sync engine resets people's passwords, never a service account's.
  CommandResult taken = slapd_->ModifyAs(sync.dn, sync.password,
                                         "dn: " + reader.dn +
                                             "\nchangetype: modify\nreplace: userPassword\n"
                                             "userPassword: Stolen-Passw0rd\n");
  EXPECT_FALSE(taken.ok());
  EXPECT_THAT(taken.output, HasSubstr("Insufficient access"));
  CommandResult still = RunCommand({"ldapwhoami", "-x", "-H", slapd_->instance().url(), "-D",
                                    reader.dn, "-w", reader.password});
  EXPECT_TRUE(still.ok()) << still.output;
  // Staff cannot list ou=system or ou=decisions at all.
  for (const std::string& base : {slapd::SystemDn(kBase), slapd::DecisionsDn(kBase)}) {
    CommandResult hidden = slapd_->Search(People("annv"), std::string(kStaffPassword),
                                          {"-b", base, "(objectClass=*)", "1.1"});
    EXPECT_THAT(hidden.output, Not(HasSubstr("dn:"))) << base;
  }
}

// People get a page that suits an address book; service accounts everything.
TEST_F(AccessTest, PeopleGetAtMostOneHundredEntriesServiceAccountsAll) {
  Start(/*anonymous_read=*/false);
  if (HasFatalFailure()) return;
  std::string many;
  for (int i = 0; i < 120; ++i) {
    const std::string uid = "many" + std::to_string(i);
    many += "dn: " + People(uid) + "\nobjectClass: inetOrgPerson\nuid: " + uid + "\ncn: " + uid +
            "\nsn: many\nmail: " + uid + "@dongnai.gov.vn\n\n";
  }
  CommandResult added = slapd_->ModifyAsRoot(many, true);
  ASSERT_TRUE(added.ok()) << added.output;
  auto count = [](const std::string& output) {
    std::size_t n = 0;
    for (std::size_t at = output.find("dn: "); at != std::string::npos; at = output.find("dn: ", at + 1)) ++n;
    return n;
  };
  const std::vector<std::string> all = {"-b", slapd::PeopleDn(kBase), "(sn=many)", "1.1"};
  CommandResult staff = slapd_->Search(People("annv"), std::string(kStaffPassword), all);
  EXPECT_EQ(staff.exit_code, 4) << staff.output;  // sizeLimitExceeded
  EXPECT_THAT(staff.output, HasSubstr("Size limit exceeded"));
  EXPECT_EQ(count(staff.output), 100u);
  // Asking for more does not lift it.
  std::vector<std::string> more = {"-z", "500"};
  more.insert(more.end(), all.begin(), all.end());
  EXPECT_EQ(count(slapd_->Search(People("annv"), std::string(kStaffPassword), more).output), 100u);
  for (ServiceAccount account : {ServiceAccount::kOperator, ServiceAccount::kReader}) {
    CommandResult found = slapd_->Search(Account(account).dn, Account(account).password, all);
    EXPECT_TRUE(found.ok()) << found.output;
    EXPECT_EQ(count(found.output), 120u);
  }
}

// R20: the head and the delegates manage the agency mailbox; nobody else.
TEST_F(AccessTest, HeadAndDelegatesManageTheAgencyMailboxOutsidersCannot) {
  Start(/*anonymous_read=*/false);
  if (HasFatalFailure()) return;
  const std::string url = slapd_->instance().url();
  const std::string staff(kStaffPassword);
  auto set_password = [&](const std::string& who, const std::string& password) {
    return RunCommand({"ldappasswd", "-x", "-H", url, "-D", who, "-w", staff, "-s", password, kAgency});
  };
  auto mailbox_works = [&](const std::string& password) {
    // Binds and may search (a password it must change first would refuse that).
    return RunCommand({"ldapsearch", "-x", "-H", url, "-D", kAgency, "-w", password, "-b",
                       kAgency, "-s", "base", "1.1"})
        .ok();
  };
  auto set_delegates = [&](const std::string& who, const std::string& delegate) {
    return slapd_->ModifyAs(who, staff,
                            "dn: " + kAgency + "\nchangetype: modify\nreplace: danhbaDelegateDN\n"
                            "danhbaDelegateDN: " + delegate + "\n");
  };
  EXPECT_TRUE(mailbox_works("Agency-Mailbox-1"));
  // The head sets the password; the mailbox works with it.
  CommandResult by_head = set_password(People("annv"), "Agency-Mailbox-2");
  ASSERT_TRUE(by_head.ok()) << by_head.output;
  EXPECT_TRUE(mailbox_works("Agency-Mailbox-2"));
  EXPECT_FALSE(mailbox_works("Agency-Mailbox-1"));
  // The delegate too.
  CommandResult by_delegate = set_password(People("binhnv"), "Agency-Mailbox-3");
  ASSERT_TRUE(by_delegate.ok()) << by_delegate.output;
  EXPECT_TRUE(mailbox_works("Agency-Mailbox-3"));
  // An outsider can do neither, and nothing changes.
  CommandResult by_outsider = set_password(People("dungnv"), "Agency-Mailbox-4");
  EXPECT_FALSE(by_outsider.ok());
  EXPECT_THAT(by_outsider.output, HasSubstr("Insufficient access"));
  EXPECT_TRUE(mailbox_works("Agency-Mailbox-3"));
  CommandResult outsider_delegates = set_delegates(People("dungnv"), People("dungnv"));
  EXPECT_FALSE(outsider_delegates.ok());
  EXPECT_THAT(outsider_delegates.output, HasSubstr("Insufficient access"));
  // The head changes the delegates: the new one manages, the old one no longer.
  CommandResult delegated = set_delegates(People("annv"), People("dungnv"));
  ASSERT_TRUE(delegated.ok()) << delegated.output;
  EXPECT_TRUE(set_password(People("dungnv"), "Agency-Mailbox-5").ok());
  CommandResult former_delegate = set_password(People("binhnv"), "Agency-Mailbox-6");
  EXPECT_FALSE(former_delegate.ok());
  EXPECT_TRUE(mailbox_works("Agency-Mailbox-5"));
  // Mail servers read the delegates to authorise the shared mailbox; nobody
  // reads its password.
  const auto& mail = Account(ServiceAccount::kMailServer);
  CommandResult read = slapd_->Search(mail.dn, mail.password,
                                      {"-b", kAgency, "-s", "base", "(objectClass=*)",
                                       "danhbaDelegateDN", "danhbaHeadDN", "userPassword"});
  ASSERT_TRUE(read.ok()) << read.output;
  EXPECT_THAT(read.output, HasSubstr("danhbaDelegateDN: " + People("dungnv")));
  EXPECT_THAT(read.output, HasSubstr("danhbaHeadDN: " + People("annv")));
  EXPECT_THAT(read.output, Not(HasSubstr("userPassword")));
  CommandResult head_reads = slapd_->Search(People("annv"), staff,
                                            {"-b", kAgency, "-s", "base", "(objectClass=*)",
                                             "userPassword"});
  EXPECT_THAT(head_reads.output, Not(HasSubstr("userPassword")));
}

}  // namespace
}  // namespace danhba::testing
