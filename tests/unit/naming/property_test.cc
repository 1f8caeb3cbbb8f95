// Properties over every name the province's name list can make: any form of a
// name gives one address, and the tencbcc is always plain a-z.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "danhba/naming/address.h"
#include "unit/naming/forms.h"

namespace danhba::naming {
namespace {

struct NameLists {
  std::vector<std::string> family, middle, given;
};

NameLists ReadNameLists() {
  std::ifstream in(DANHBA_SHARED_DIR "/data/vietnamese-names.csv");
  NameLists lists;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    const auto comma2 = line.find(',', comma + 1);
    if (comma == std::string::npos || comma2 == std::string::npos) continue;
    const std::string kind = line.substr(0, comma);
    std::string value = line.substr(comma + 1, comma2 - comma - 1);
    if (kind == "family") lists.family.push_back(value);
    if (kind.rfind("middle", 0) == 0) lists.middle.push_back(value);
    if (kind.rfind("given", 0) == 0) lists.given.push_back(value);
  }
  return lists;
}

// Every family x middle x given, and family x given, from the lists.
std::vector<std::string> GeneratedNames() {
  const NameLists lists = ReadNameLists();
  std::vector<std::string> names;
  for (const auto& f : lists.family) {
    for (const auto& g : lists.given) {
      names.push_back(f + " " + g);
      for (const auto& m : lists.middle) names.push_back(f + " " + m + " " + g);
    }
  }
  return names;
}

TEST(Properties, TheListsAreRead) {
  const NameLists lists = ReadNameLists();
  EXPECT_GE(lists.family.size(), 25u);
  EXPECT_GE(lists.middle.size(), 15u);
  EXPECT_GE(lists.given.size(), 30u);
}

TEST(Properties, EveryFormOfAGeneratedNameGivesOneAddress) {
  const std::regex plain("^[a-z0-9]+$");
  const auto names = GeneratedNames();
  ASSERT_GE(names.size(), 10000u);
  std::size_t checked = 0;
  for (const auto& name : names) {
    auto nfc = AddressFor(name);
    ASSERT_TRUE(nfc.ok()) << name << ": " << nfc.error();
    const std::string& expected = nfc->local_part.value;
    ASSERT_TRUE(std::regex_match(expected, plain)) << name << " -> " << expected;
    ASSERT_EQ(nfc->name.full_name, name);
    for (const auto& form : testing::AllForms()) {
      auto other = AddressFor(form.make(name));
      ASSERT_TRUE(other.ok()) << form.name << " " << name << ": " << other.error();
      ASSERT_EQ(other->local_part.value, expected) << form.name << " " << name;
      ASSERT_EQ(other->name.full_name, name) << form.name;
    }
    ++checked;
  }
  EXPECT_EQ(checked, names.size());
}

TEST(Properties, FieldsInNaturalOrderAgreeWithParsing) {
  const NameLists lists = ReadNameLists();
  for (const auto& f : lists.family) {
    for (const auto& m : lists.middle) {
      const std::string& g = lists.given[(f.size() + m.size()) % lists.given.size()];
      auto parsed = AddressFor(f + " " + m + " " + g);
      auto fields = AddressFor(NameFields{.family = f, .middle = m, .given = g});
      ASSERT_TRUE(parsed.ok() && fields.ok()) << f << " " << m << " " << g;
      EXPECT_EQ(parsed->local_part.value, fields->local_part.value);
      EXPECT_EQ(parsed->name.full_name, fields->name.full_name);
    }
  }
}

TEST(Properties, TheAddressIsTheGivenNameAndOneLetterPerEarlierWord) {
  for (const auto& name : GeneratedNames()) {
    auto result = AddressFor(name);
    ASSERT_TRUE(result.ok());
    const std::size_t words = static_cast<std::size_t>(std::count(name.begin(), name.end(), ' '));
    const std::string& given = result->name.given_name;
    std::string folded;
    auto given_only = AddressFor(given);
    ASSERT_TRUE(given_only.ok());
    EXPECT_EQ(result->local_part.value.size(), given_only->local_part.value.size() + words) << name;
    EXPECT_EQ(result->local_part.value.rfind(given_only->local_part.value, 0), 0u) << name;
  }
}

}  // namespace
}  // namespace danhba::naming
