// The read model's entries and indexes, built from LDAP entries as the
// follower receives them.
#include "danhba/readmodel/snapshot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>
#include <sstream>

#include "unit/readmodel/test_entries.h"

namespace danhba::readmodel {
namespace {

using testing::AgencyLdap;
using testing::PersonLdap;

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = text::Collator::Vietnamese();
    ASSERT_TRUE(made.ok());
    collator_.emplace(std::move(made).value());
    context_.domain = "dongnai.gov.vn";
    context_.collator = &*collator_;
  }

  std::shared_ptr<const PersonEntry> Person(const ldap::Entry& e) {
    auto made = MakePerson(e, context_);
    EXPECT_TRUE(made.has_value()) << e.dn;
    return made ? *made : nullptr;
  }

  // The standard small province: UBND at the top, two departments, a ward under one.
  std::shared_ptr<const Snapshot> Province() {
    std::vector<AgencyEntry> agencies;
    for (const auto& e : {AgencyLdap("ubnd", "Ủy ban nhân dân tỉnh", ""),
                          AgencyLdap("stttt", "Sở Thông tin và Truyền thông", "ubnd", "annv"),
                          AgencyLdap("snv", "Sở Nội vụ", "ubnd"),
                          AgencyLdap("pcntt", "Phòng Công nghệ thông tin", "stttt")}) {
      agencies.push_back(*MakeAgency(e, context_));
    }
    std::vector<std::shared_ptr<const PersonEntry>> people = {
        Person(PersonLdap("annv", "Nguyễn Văn An", "Nguyễn", "An", "stttt", "Giám đốc")),
        Person(PersonLdap("tuyetlt", "Lê Thị Tuyết", "Lê", "Tuyết", "stttt", "Chuyên viên")),
        Person(PersonLdap("tuyetnt", "Nguyễn Thị Tuyệt", "Nguyễn", "Tuyệt", "snv", "Chuyên viên")),
        Person(PersonLdap("binhtt", "Tôn Thất Bình", "Tôn Thất", "Bình", "pcntt", "Trưởng phòng")),
        Person(PersonLdap("anhdv", "Đỗ Văn Ánh", "Đỗ", "Ánh", "snv", "")),
        Person(PersonLdap("annv2", "Ngô Văn An", "Ngô", "An", "pcntt", "Kỹ sư phần mềm")),
    };
    return Snapshot::Build(std::move(people), std::move(agencies), 1, {});
  }

  std::vector<std::string> Uids(const Snapshot& s, const Query& q) {
    std::vector<std::string> out;
    for (auto i : s.Search(q, "dongnai.gov.vn")) out.emplace_back(s.people()[i]->uid());
    return out;
  }
  std::vector<std::string> Find(const Snapshot& s, std::string text) { return Uids(s, Query{.text = std::move(text), .agency = std::nullopt, .sub_units = false}); }

  std::optional<text::Collator> collator_;
  EntryContext context_;
};

using List = std::vector<std::string>;

TEST_F(SnapshotTest, ListsEveryoneInVietnameseOrderGivenMiddleFamily) {
  auto s = Province();
  // An (Ngô Văn) < An (Nguyễn Văn) < Ánh < Bình < Tuyết < Tuyệt.
  EXPECT_EQ(Find(*s, ""), (List{"annv2", "annv", "anhdv", "binhtt", "tuyetlt", "tuyetnt"}));
}

TEST_F(SnapshotTest, FindsByWordPrefixWithOrWithoutDiacritics) {
  auto s = Province();
  EXPECT_EQ(Find(*s, "tuyet"), (List{"tuyetlt", "tuyetnt"}));
  EXPECT_EQ(Find(*s, "tuyết"), (List{"tuyetlt"}));  // typed with marks: only Tuyết
  EXPECT_EQ(Find(*s, "TUYỆT"), (List{"tuyetnt"}));
  EXPECT_EQ(Find(*s, "nguyen van"), (List{"annv"}));
  EXPECT_EQ(Find(*s, "van nguyen"), (List{"annv"}));  // any order
  EXPECT_EQ(Find(*s, "ngu"), (List{"annv", "tuyetnt"}));
  EXPECT_EQ(Find(*s, "an"), (List{"annv2", "annv", "anhdv"}));
  EXPECT_EQ(Find(*s, "  Nguyễn   Văn  An "), (List{"annv"}));
  EXPECT_EQ(Find(*s, "ton that"), (List{"binhtt"}));
  EXPECT_EQ(Find(*s, "xyz"), List{});
}

TEST_F(SnapshotTest, FindsByTitleAndByAddress) {
  auto s = Province();
  EXPECT_EQ(Find(*s, "chuyen vien"), (List{"tuyetlt", "tuyetnt"}));
  EXPECT_EQ(Find(*s, "giám đốc"), (List{"annv"}));
  EXPECT_EQ(Find(*s, "annv"), (List{"annv2", "annv"}));  // address prefix
  EXPECT_EQ(Find(*s, "annv@dongnai.gov.vn"), (List{"annv"}));
  EXPECT_EQ(Find(*s, "ANNV@"), (List{"annv2", "annv"}));
  EXPECT_EQ(Find(*s, "annv@example.com"), List{});
}

TEST_F(SnapshotTest, InjectionLookingAndBrokenQueriesFindNothingAndDoNotFail) {
  auto s = Province();
  EXPECT_EQ(Find(*s, "*)(uid=*"), List{});
  EXPECT_EQ(Find(*s, "\xff\xfe"), List{});
  EXPECT_EQ(Find(*s, std::string(10000, 'a')), List{});
  EXPECT_EQ(Find(*s, "*"), List{});
}

TEST_F(SnapshotTest, ListsAnAgencyWithOrWithoutSubUnits) {
  auto s = Province();
  EXPECT_EQ(Uids(*s, {.text = {}, .agency = "stttt", .sub_units = false}), (List{"annv", "tuyetlt"}));
  EXPECT_EQ(Uids(*s, {.text = {}, .agency = "stttt", .sub_units = true}), (List{"annv2", "annv", "binhtt", "tuyetlt"}));
  EXPECT_EQ(Uids(*s, {.text = {}, .agency = "ubnd", .sub_units = true}).size(), 6u);
  EXPECT_EQ(Uids(*s, {.text = "an", .agency = "stttt", .sub_units = true}), (List{"annv2", "annv"}));
  EXPECT_EQ(Uids(*s, {.text = {}, .agency = "nope", .sub_units = false}), List{});
  ASSERT_EQ(s->Children("stttt").size(), 1u);
  EXPECT_EQ(s->Children("stttt")[0]->code, "pcntt");
}

TEST_F(SnapshotTest, ExactLookupByUidOrEmail) {
  auto s = Province();
  ASSERT_NE(s->FindPerson("annv", "dongnai.gov.vn"), nullptr);
  EXPECT_EQ(s->FindPerson("AnNv@DongNai.gov.vn", "dongnai.gov.vn")->uid(), "annv");
  EXPECT_EQ(s->FindPerson("annv@example.com", "dongnai.gov.vn"), nullptr);
  EXPECT_EQ(s->FindPerson("ann", "dongnai.gov.vn"), nullptr);
  EXPECT_EQ(s->FindAgency("STTTT")->name, "Sở Thông tin và Truyền thông");
  EXPECT_EQ(s->FindAgency("stttt")->head_uid, "annv");
}

TEST_F(SnapshotTest, PersonJsonCarriesTheAgencysCurrentName) {
  auto s = Province();
  std::string json;
  s->AppendPersonJson(*s->FindPerson("annv", ""), json);
  EXPECT_EQ(json,
            R"({"uid":"annv","email":"annv@dongnai.gov.vn","full_name":"Nguyễn Văn An","family_name":"Nguyễn",)"
            R"("middle_names":["Văn"],"given_name":"An","title":"Giám đốc",)"
            R"("agency":{"code":"stttt","name":"Sở Thông tin và Truyền thông"},"phone":"0251 3822 000"})");
  json.clear();
  s->AppendPersonJson(*s->FindPerson("binhtt", ""), json);
  EXPECT_NE(json.find(R"("family_name":"Tôn Thất","middle_names":[],"given_name":"Bình")"), std::string::npos) << json;
}

TEST_F(SnapshotTest, LeavesOutWhatMustNotBePublished) {
  std::string why;
  auto left = PersonLdap("leftv", "Lê Văn Left", "Lê", "Left", "snv", "");
  left.Set("danhbaStatus", {"left"});
  EXPECT_FALSE(MakePerson(left, context_, &why).has_value());
  EXPECT_NE(why.find("not active"), std::string::npos);

  auto outside = PersonLdap("ext", "Trần Văn Ngoài", "Trần", "Ngoài", "snv", "");
  outside.Set("mail", {"ext@gmail.com"});
  EXPECT_FALSE(MakePerson(outside, context_, &why).has_value());
  EXPECT_NE(why.find("dongnai.gov.vn"), std::string::npos);

  // A private attribute in the entry never reaches the published person.
  auto planted = PersonLdap("annv", "Nguyễn Văn An", "Nguyễn", "An", "stttt", "");
  planted.Set("danhbaPersonId", {"CB-SECRET-1"});
  planted.Set("danhbaBirthDate", {"19900501000000Z"});
  auto person = MakePerson(planted, context_);
  ASSERT_TRUE(person);
  EXPECT_EQ((*person)->json().find("SECRET"), std::string::npos);
  EXPECT_EQ((*person)->json().find("1990"), std::string::npos);

  // Only entries directly under ou=people and ou=agencies (the follower's context).
  context_.people_dn = "ou=people,dc=dongnai,dc=gov,dc=vn";
  context_.agencies_dn = "ou=agencies,dc=dongnai,dc=gov,dc=vn";
  EXPECT_TRUE(MakePerson(PersonLdap("annv", "Nguyễn Văn An", "Nguyễn", "An", "stttt", ""), context_).has_value());
  auto moved = PersonLdap("annv", "Nguyễn Văn An", "Nguyễn", "An", "stttt", "");
  moved.dn = "uid=annv,ou=former,dc=dongnai,dc=gov,dc=vn";
  EXPECT_FALSE(MakePerson(moved, context_, &why).has_value());
  EXPECT_NE(why.find("not under ou=people"), std::string::npos) << why;

  auto dissolved = AgencyLdap("old", "Sở Cũ", "");
  dissolved.Set("danhbaStatus", {"dissolved"});
  EXPECT_FALSE(MakeAgency(dissolved, context_).has_value());
}

TEST_F(SnapshotTest, PublishPolicyLeavesOutTitleAndPhone) {
  context_.publish = {.title = false, .phone = false};
  auto person = MakePerson(PersonLdap("annv", "Nguyễn Văn An", "Nguyễn", "An", "stttt", "Giám đốc"), context_);
  ASSERT_TRUE(person);
  EXPECT_FALSE((*person)->title());
  EXPECT_FALSE((*person)->phone());
  EXPECT_EQ((*person)->json().find("Giám"), std::string::npos);
  EXPECT_EQ((*person)->json().find("3822"), std::string::npos);
}

TEST_F(SnapshotTest, MiddleNamesOfEdeNamesWrittenGivenFirst) {
  auto person = MakePerson(PersonLdap("hhenn", "H'Hen Niê", "Niê", "H'Hen", "snv", ""), context_);
  ASSERT_TRUE(person);
  EXPECT_TRUE((*person)->MiddleNames().empty());
  auto three = MakePerson(PersonLdap("x", "Y Moan Ê Nuôl", "Ê Nuôl", "Y", "snv", ""), context_);
  EXPECT_EQ((*three)->MiddleNames(), std::vector<std::string>{"Moan"});
}

TEST_F(SnapshotTest, AHeadWhoIsNotPublishedIsNotNamed) {
  std::vector<AgencyEntry> agencies = {*MakeAgency(AgencyLdap("snv", "Sở Nội vụ", "", "gone"), context_)};
  auto s = Snapshot::Build({}, std::move(agencies), 1, {});
  EXPECT_FALSE(s->FindAgency("snv")->head_uid);
}

// The word index (rarest term first, bucket masks, per-person word numbers)
// finds exactly what scanning every person's words finds: thousands of people
// named from a small pool, so words repeat, prefixes overlap and every bucket
// holds many words; queries of one to three word prefixes, some from nobody.
TEST_F(SnapshotTest, WordSearchFindsWhatAScanFinds) {
  const std::vector<std::string> families = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
                                             "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"};
  const std::vector<std::string> middles = {"Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc"};
  const std::vector<std::string> givens = {"An", "Anh", "Ánh", "Bình", "Châu", "Dũng", "Hà", "Hải", "Hạnh",
                                           "Hùng", "Khoa", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc",
                                           "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Tuyết", "Vy"};
  const std::vector<std::string> titles = {"Chuyên viên", "Giám đốc", "Phó Giám đốc", "Trưởng phòng", ""};
  std::mt19937 random(2026);
  auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
  std::vector<std::shared_ptr<const PersonEntry>> people;
  for (int i = 0; i < 3000; ++i) {
    std::string family = pick(families), given = pick(givens);
    std::string full = family + " " + pick(middles) + (random() % 3 == 0 ? " " + pick(middles) : "") + " " + given;
    people.push_back(Person(PersonLdap("p" + std::to_string(i), full, family, given, "stttt", pick(titles))));
  }
  auto s = Snapshot::Build(std::move(people), {}, 1, {});
  auto words_of = [](std::string_view text) {
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    for (std::string w; in >> w;) out.push_back(w);
    return out;
  };
  // The whole vocabulary, folded, to draw query words from (and a word nobody has).
  std::vector<std::string> vocabulary = {"zzz"};
  for (const auto& person : s->people()) {
    for (auto& w : words_of(person->folded_words())) vocabulary.push_back(w);
  }
  std::sort(vocabulary.begin(), vocabulary.end());
  vocabulary.erase(std::unique(vocabulary.begin(), vocabulary.end()), vocabulary.end());
  for (int round = 0; round < 400; ++round) {
    std::vector<std::string> terms;
    std::string query;
    for (int t = 0, n = 1 + static_cast<int>(random() % 3); t < n; ++t) {
      std::string word = pick(vocabulary);
      word.resize(1 + random() % word.size());  // a prefix, down to one letter
      terms.push_back(word);
      query += (query.empty() ? "" : " ") + word;
    }
    std::vector<std::uint32_t> expected;
    for (std::uint32_t p = 0; p < s->people().size(); ++p) {
      auto words = words_of(s->people()[p]->folded_words());
      bool all = std::all_of(terms.begin(), terms.end(), [&](const std::string& term) {
        return std::any_of(words.begin(), words.end(), [&](const std::string& w) { return w.starts_with(term); });
      });
      if (all) expected.push_back(p);
    }
    EXPECT_EQ(s->Search({.text = query, .agency = std::nullopt, .sub_units = false}, "dongnai.gov.vn"), expected)
        << "query '" << query << "'";
  }
}

TEST_F(SnapshotTest, MemoryPerPersonIsUnderOneKibibyte) {
  std::vector<std::shared_ptr<const PersonEntry>> people;
  for (int i = 0; i < 1000; ++i) {
    people.push_back(Person(PersonLdap("annv" + std::to_string(i), "Nguyễn Văn An", "Nguyễn", "An", "stttt",
                                       "Phó Trưởng phòng Kế hoạch - Tài chính")));
  }
  auto s = Snapshot::Build(std::move(people), {}, 1, {});
  std::cout << "snapshot bytes per person: " << s->MemoryBytes() / 1000 << "\n";
  EXPECT_LT(s->MemoryBytes() / 1000, 1024u);
}

}  // namespace
}  // namespace danhba::readmodel
