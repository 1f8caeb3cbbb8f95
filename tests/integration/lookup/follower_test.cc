// The read model against a real slapd: loaded through content sync as the
// reader account, kept current as the directory changes, and served on while
// the directory is away.
#include "danhba/readmodel/follower.h"

#include <gtest/gtest.h>

#include <thread>

#include "danhba/directory/ldap_directory.h"
#include "danhba/ldap/client.h"
#include "support/ldap_fixture.h"
#include "support/test_directory.h"

namespace danhba::readmodel {
namespace {

using danhba::testing::Directory;
using danhba::testing::TestConnectOptions;
using danhba::testing::UniqueName;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// Polls `check` until it holds or `timeout` passes; returns how long it took.
std::optional<milliseconds> PollUntil(milliseconds timeout, const std::function<bool()>& check) {
  auto start = Clock::now();
  while (true) {
    if (check()) return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    if (Clock::now() - start >= timeout) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

class FollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& dir = Directory();
    layout_ = directory::Layout::ForBase(dir.base_dn);
    auto client = std::make_unique<ldap::Client>(TestConnectOptions(dir.url),
                                                 ldap::Credentials::Simple(dir.sync_dn, dir.sync_password));
    directory_ = std::make_unique<directory::LdapDirectory>(std::move(client),
                                                            directory::LdapDirectoryOptions{layout_, "dongnai.gov.vn"});
    agency_ = UniqueName("ag");
    std::erase(agency_, '-');
    directory::AgencyRecord agency;
    agency.dn = layout_.AgencyDn(agency_);
    agency.code = agency_;
    agency.name = "Sở Thông tin và Truyền thông " + agency_;
    agency.mail = agency_ + "@dongnai.gov.vn";
    ASSERT_TRUE(directory_->AddAgency(agency).ok());
  }

  std::unique_ptr<Follower> StartFollower() {
    const auto& dir = Directory();
    FollowerOptions options;
    options.connect = TestConnectOptions(dir.url);
    options.credentials = ldap::Credentials::Simple(dir.reader_dn, dir.reader_password);
    options.base_dn = dir.base_dn;
    options.retry_initial = milliseconds(50);
    options.retry_max = milliseconds(200);
    auto follower = Follower::Create(options);
    EXPECT_TRUE(follower.ok());
    (*follower)->Start();
    EXPECT_TRUE((*follower)->WaitUntilLoaded(seconds(20)));
    return std::move(follower).value();
  }

  // Hires `uid` with a private id and birth date, as the sync engine would.
  std::string Hire(const std::string& name, const std::string& family, const std::string& given) {
    std::string uid = UniqueName("p");
    std::erase(uid, '-');
    directory::NewPerson np;
    auto& p = np.person;
    p.uid = uid;
    p.dn = layout_.PersonDn(uid);
    p.mail = uid + "@dongnai.gov.vn";
    p.person_id = "SECRET-" + uid;
    p.full_name = name;
    p.family_name = family;
    p.given_name = given;
    p.title = "Chuyên viên";
    p.phone = "0251 3822 000";
    p.agency_code = agency_;
    p.agency_dn = layout_.AgencyDn(agency_);
    p.birth_date = model::Date::FromYmd(1977, 7, 7).value();
    p.created_by_event = "ev-" + uid;
    np.initial_password = "Xk4mP9qLw2Zr7tNb";
    auto created = directory_->CreatePeople({np});
    EXPECT_TRUE(created.at(0).ok()) << created.at(0).error().detail;
    return uid;
  }

  directory::Layout layout_;
  std::unique_ptr<directory::LdapDirectory> directory_;
  std::string agency_;
};

TEST_F(FollowerTest, LoadsPublicAttributesOnlyFollowsChangesAndForgetsWhoLeaves) {
  std::string an = Hire("Nguyễn Văn An", "Nguyễn", "An");
  auto follower = StartFollower();
  auto snapshot = follower->snapshot();
  const PersonEntry* person = snapshot->FindPerson(an, "dongnai.gov.vn");
  ASSERT_NE(person, nullptr);
  std::string json;
  snapshot->AppendPersonJson(*person, json);
  EXPECT_NE(json.find("\"name\":\"Sở Thông tin và Truyền thông " + agency_ + "\""), std::string::npos) << json;
  EXPECT_EQ(json.find("SECRET"), std::string::npos) << json;
  EXPECT_EQ(json.find("1977"), std::string::npos) << json;
  EXPECT_TRUE(follower->state().connected);

  // A new person appears, found without diacritics.
  std::string tuyet = Hire("Lê Thị Tuyết", "Lê", "Tuyết");
  auto seen = PollUntil(seconds(10), [&] {
    auto s = follower->snapshot();
    auto found = s->Search({.text = "le thi tuyet", .agency = agency_, .sub_units = false}, "dongnai.gov.vn");
    return found.size() == 1 && s->people()[found[0]]->uid() == tuyet;
  });
  ASSERT_TRUE(seen) << "a hire did not reach the read model";
  std::cout << "a hire was visible after " << seen->count() << " ms\n";

  // A change of title.
  auto before = directory_->FindPerson("SECRET-" + an);
  ASSERT_TRUE(before.ok() && before->has_value());
  auto after = **before;
  after.title = "Phó Giám đốc";
  ASSERT_TRUE(directory_->UpdatePerson(**before, after).ok());
  seen = PollUntil(seconds(10), [&] {
    const PersonEntry* p = follower->snapshot()->FindPerson(an, "");
    return p != nullptr && p->title() == "Phó Giám đốc";
  });
  ASSERT_TRUE(seen) << "a change of title did not reach the read model";
  std::cout << "a change was visible after " << seen->count() << " ms\n";

  // Leaving: the entry moves to ou=former and disappears from the read model.
  ASSERT_TRUE(directory_->MovePerson(an, /*to_former=*/true).ok());
  ASSERT_TRUE(PollUntil(seconds(10), [&] { return follower->snapshot()->FindPerson(an, "") == nullptr; }))
      << "a person who left is still published";
  EXPECT_NE(follower->snapshot()->FindPerson(tuyet, ""), nullptr);

  // The agency's new name shows in its people's JSON; a dissolved agency goes.
  auto agency = directory_->FindAgency(agency_);
  ASSERT_TRUE(agency.ok() && agency->has_value());
  auto renamed = **agency;
  renamed.name = "Sở Khoa học " + agency_;
  ASSERT_TRUE(directory_->UpdateAgency(**agency, renamed).ok());
  ASSERT_TRUE(PollUntil(seconds(10), [&] {
    auto s = follower->snapshot();
    const PersonEntry* p = s->FindPerson(tuyet, "");
    std::string j;
    if (p != nullptr) s->AppendPersonJson(*p, j);
    return j.find("Sở Khoa học " + agency_) != std::string::npos;
  }));
  auto dissolved = renamed;
  dissolved.status = "dissolved";
  ASSERT_TRUE(directory_->UpdateAgency(renamed, dissolved).ok());
  ASSERT_TRUE(PollUntil(seconds(10), [&] { return follower->snapshot()->FindAgency(agency_) == nullptr; }))
      << "a dissolved agency is still published";
}

TEST_F(FollowerTest, ServesTheLastSnapshotWhileTheDirectoryIsDownAndResyncs) {
  std::string an = Hire("Trần Văn Bền", "Trần", "Bền");
  auto follower = StartFollower();
  ASSERT_NE(follower->snapshot()->FindPerson(an, ""), nullptr);

  ASSERT_TRUE(danhba::testing::KillSlapd().ok());
  ASSERT_TRUE(PollUntil(seconds(10), [&] { return !follower->state().connected; }))
      << "the follower did not notice the directory was gone";
  EXPECT_NE(follower->snapshot()->FindPerson(an, ""), nullptr) << "the last snapshot must stay served";
  EXPECT_FALSE(follower->state().last_error.empty());

  ASSERT_TRUE(danhba::testing::StartSlapd().ok());
  ASSERT_TRUE(PollUntil(seconds(20), [&] { return follower->state().connected; })) << "no resync";
  EXPECT_GE(follower->state().reconnects, 1u);
  std::string later = Hire("Phạm Thị Hậu", "Phạm", "Hậu");
  ASSERT_TRUE(PollUntil(seconds(10), [&] { return follower->snapshot()->FindPerson(later, "") != nullptr; }));
  EXPECT_NE(follower->snapshot()->FindPerson(an, ""), nullptr);
}

TEST_F(FollowerTest, WrongCredentialsKeepItNotLoadedAndSayWhy) {
  const auto& dir = Directory();
  FollowerOptions options;
  options.connect = TestConnectOptions(dir.url);
  options.credentials = ldap::Credentials::Simple(dir.reader_dn, "wrong-password");
  options.base_dn = dir.base_dn;
  auto follower = Follower::Create(options);
  ASSERT_TRUE(follower.ok());
  (*follower)->Start();
  EXPECT_FALSE((*follower)->WaitUntilLoaded(milliseconds(500)));
  EXPECT_TRUE(PollUntil(seconds(5), [&] { return !(*follower)->state().last_error.empty(); }));
  EXPECT_FALSE((*follower)->state().loaded);
  EXPECT_TRUE((*follower)->snapshot()->people().empty());
}

}  // namespace
}  // namespace danhba::readmodel
