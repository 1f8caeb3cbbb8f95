#include "danhba/text/collation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace danhba::text {
namespace {

Collator Vi() {
  auto collator = Collator::Vietnamese();
  EXPECT_TRUE(collator.ok()) << collator.error();
  return std::move(collator).value();
}

TEST(CollatorTest, VietnameseLetterOrder) {
  const Collator vi = Vi();
  // Each word sorts before the next: base letters a < ă < â, d < đ, o < ô < ơ,
  // u < ư are separate letters; tones decide only between otherwise equal words.
  const std::vector<std::string> ordered = {
      "an", "anh", "ăn", "ân", "bình", "dũng", "đạt", "hà", "hạnh", "o", "ô", "ơn", "uy", "ưng",
  };
  for (std::size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_LT(vi.Compare(ordered[i], ordered[i + 1]), 0) << ordered[i] << " < " << ordered[i + 1];
    EXPECT_LT(vi.SortKey(ordered[i]), vi.SortKey(ordered[i + 1])) << ordered[i];
  }
  // Byte order would put "Đạt" after "Yến"; Vietnamese order puts it after "Dũng".
  EXPECT_LT(vi.Compare("Đạt", "Yến"), 0);
  EXPECT_GT(std::string("Đạt"), std::string("Yến"));
  EXPECT_EQ(vi.Compare("Nguyễn", "Nguyễn"), 0);
  EXPECT_EQ(vi.Compare("Nguye\u0302\u0303n", "Nguyễn"), 0);  // canonical equivalence
}

TEST(CollatorTest, TonesThenCaseOrderOtherwiseEqualWords) {
  const Collator vi = Vi();
  std::vector<std::string> words = {"mạ", "má", "MA", "mã", "mả", "Ma", "mà", "ma"};
  std::sort(words.begin(), words.end(), [&](const std::string& a, const std::string& b) {
    return vi.SortKey(a) < vi.SortKey(b);
  });
  const std::vector<std::string> expected = {"ma", "Ma", "MA", "mà", "mả", "mã", "má", "mạ"};
  EXPECT_EQ(words, expected);
}

TEST(CollatorTest, SortKeysAgreeWithCompare) {
  const Collator vi = Vi();
  std::vector<std::string> words = {"Thảo", "Thanh", "Thành", "thanh", "Thạnh", "Thắng",
                                    "Trâm", "Trang", "Đỗ",    "Dương", "Ánh",   "Anh"};
  for (const auto& a : words) {
    for (const auto& b : words) {
      const int by_compare = vi.Compare(a, b);
      const std::string ka = vi.SortKey(a);
      const std::string kb = vi.SortKey(b);
      const int by_key = ka < kb ? -1 : (ka == kb ? 0 : 1);
      EXPECT_EQ(by_compare < 0, by_key < 0) << a << " " << b;
      EXPECT_EQ(by_compare == 0, by_key == 0) << a << " " << b;
    }
  }
}

TEST(CollatorTest, PeopleAreListedByGivenThenMiddleThenFamilyName) {
  const Collator vi = Vi();
  struct Person {
    std::string family, middle, given;
  };
  std::vector<Person> people = {
      {"Trần", "Thị", "Bích"}, {"Nguyễn", "Văn", "An"}, {"Lê", "Văn", "An"}, {"Đặng", "Thị", "An"},
      {"Phạm", "Ngọc", "Ánh"}, {"Võ", "Minh", "Đạt"},   {"Bùi", "", "Dũng"}, {"Hồ", "Văn", "Anh"},
  };
  std::sort(people.begin(), people.end(), [&](const Person& a, const Person& b) {
    return vi.PersonSortKey(a.given, a.middle, a.family) <
           vi.PersonSortKey(b.given, b.middle, b.family);
  });
  std::vector<std::string> order;
  for (const auto& p : people) order.push_back(p.family + " " + p.middle + " " + p.given);
  const std::vector<std::string> expected = {
      "Đặng Thị An",   "Lê Văn An",     "Nguyễn Văn An", "Hồ Văn Anh",
      "Phạm Ngọc Ánh", "Trần Thị Bích", "Bùi  Dũng",     "Võ Minh Đạt",
  };
  EXPECT_EQ(order, expected);
}

TEST(CollatorTest, ClonesSortTheSame) {
  const Collator vi = Vi();
  auto copy = vi.Clone();
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->SortKey("Nguyễn Văn An"), vi.SortKey("Nguyễn Văn An"));
}

}  // namespace
}  // namespace danhba::text
