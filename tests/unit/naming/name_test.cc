// Parsing names: labels, titles, K'/H' prefixes, structured fields, errors.
#include "danhba/naming/name.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "danhba/naming/address.h"
#include "unit/naming/forms.h"

// Cases name only the fields they set; g++ 12 warns about the others (GCC bug 96868).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace danhba::naming {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct LabelCase {
  const char* input;
  const char* family;
  std::vector<std::string> middle;
  const char* given;
  const char* local_part;
};

const LabelCase kLabels[] = {
    {"Nguyễn Văn An", "Nguyễn", {"Văn"}, "An", "annv"},
    {"Lê Lợi", "Lê", {}, "Lợi", "loil"},
    {"Nguyễn Thị Minh Khai", "Nguyễn", {"Thị", "Minh"}, "Khai", "khaintm"},
    {"Hùng", "", {}, "Hùng", "hung"},
    // Compound family names: labelled as one family name; the address is the same
    // as if the second word were a middle name.
    {"Tôn Thất Thuyết", "Tôn Thất", {}, "Thuyết", "thuyettt"},
    {"Tôn Nữ Thị Ninh", "Tôn Nữ", {"Thị"}, "Ninh", "ninhtnt"},
    {"Hoàng Phủ Ngọc Tường", "Hoàng Phủ", {"Ngọc"}, "Tường", "tuonghpn"},
    {"Âu Dương Lân", "Âu Dương", {}, "Lân", "lanad"},
    // Two words only: never a compound family name.
    {"Tôn Thất", "Tôn", {}, "Thất", "thatt"},
    // Nguyễn Phúc is left to the syllable rule (Phúc is a common middle name).
    {"Nguyễn Phúc Vĩnh Lộc", "Nguyễn", {"Phúc", "Vĩnh"}, "Lộc", "locnpv"},
    // Family names that are also words are not titles without a period.
    {"Ông Văn Ích", "Ông", {"Văn"}, "Ích", "ichov"},
    {"Bà Thị Tư", "Bà", {"Thị"}, "Tư", "tubt"},
    // K' and H' prefixes.
    {"Điểu K' Nam", "Điểu", {}, "K'Nam", "knamd"},
    {"Điểu K'Nam", "Điểu", {}, "K'Nam", "knamd"},
    {"Điểu K’Nam", "Điểu", {}, "K'Nam", "knamd"},
    {"điểu k' nam", "Điểu", {}, "K'Nam", "knamd"},
    {"H' Lan Niê", "H'Lan", {}, "Niê", "nieh"},
    {"Điểu Thị H' Lan", "Điểu", {"Thị"}, "H'Lan", "hlandt"},
    {"K' Bảo Ka", "K'Bảo", {}, "Ka", "kak"},
    {"Nguyễn Văn K'", "Nguyễn", {"Văn"}, "K'", "knv"},
    // Hyphenated words stay one word.
    {"Nguyễn Văn-An", "Nguyễn", {}, "Văn-An", "vanann"},
    // Upper case, doubled spaces.
    {"NGUYỄN  VĂN   AN", "Nguyễn", {"Văn"}, "An", "annv"},
};

TEST(ParseName, LabelsFamilyMiddleAndGivenNames) {
  for (const auto& c : kLabels) {
    SCOPED_TRACE(c.input);
    auto name = ParseName(c.input);
    ASSERT_TRUE(name.ok()) << name.error();
    EXPECT_EQ(name->family_name, c.family);
    EXPECT_THAT(name->middle_names, ElementsAreArray(c.middle));
    EXPECT_EQ(name->given_name, c.given);
    EXPECT_EQ(name->source, NameSource::kParsed);
    auto local = MakeLocalPart(*name);
    ASSERT_TRUE(local.ok()) << local.error();
    EXPECT_EQ(local->value, c.local_part);
  }
}

struct TitleCase {
  const char* input;
  std::vector<std::string> titles;
  const char* full_name;
  const char* local_part;
};

const TitleCase kTitles[] = {
    {"TS. Nguyễn Văn An", {"TS."}, "Nguyễn Văn An", "annv"},
    {"ThS. Trần Thị Lan", {"ThS."}, "Trần Thị Lan", "lantt"},
    {"Ths. Trần Thị Lan", {"Ths."}, "Trần Thị Lan", "lantt"},
    {"Th.S. Trần Thị Lan", {"Th.S."}, "Trần Thị Lan", "lantt"},
    {"PGS.TS. Lê Văn Tám", {"PGS.", "TS."}, "Lê Văn Tám", "tamlv"},
    {"PGS. TS. Lê Văn Tám", {"PGS.", "TS."}, "Lê Văn Tám", "tamlv"},
    {"PGS.TS Lê Văn Tám", {"PGS.", "TS"}, "Lê Văn Tám", "tamlv"},
    {"ThS.BS Lê Thị Hồng", {"ThS.", "BS"}, "Lê Thị Hồng", "honglt"},
    {"GS. Ngô Bảo Châu", {"GS."}, "Ngô Bảo Châu", "chaunb"},
    {"GS.TSKH. Nguyễn Văn Đạo", {"GS.", "TSKH."}, "Nguyễn Văn Đạo", "daonv"},
    {"BS. Phạm Ngọc Thạch", {"BS."}, "Phạm Ngọc Thạch", "thachpn"},
    {"BSCKII. Phạm Ngọc Thạch", {"BSCKII."}, "Phạm Ngọc Thạch", "thachpn"},
    {"KS. Đỗ Mười", {"KS."}, "Đỗ Mười", "muoid"},
    {"CN. Hồ Văn Lâm", {"CN."}, "Hồ Văn Lâm", "lamhv"},
    {"ts. nguyễn văn an", {"ts."}, "Nguyễn Văn An", "annv"},
    {"TS.Nguyễn Văn An", {"TS."}, "Nguyễn Văn An", "annv"},
    {"NGƯT. Nguyễn Thị Hoa", {"NGƯT."}, "Nguyễn Thị Hoa", "hoant"},
    {"ThS.BS. Lê Thị Hồng", {"ThS.", "BS."}, "Lê Thị Hồng", "honglt"},
    {"  TS.   Nguyễn Văn An  ", {"TS."}, "Nguyễn Văn An", "annv"},
    {"Dr. Nguyễn Văn An", {"Dr."}, "Nguyễn Văn An", "annv"},
    // No period: not a title.
    {"Ông Văn Ích", {}, "Ông Văn Ích", "ichov"},
};

TEST(ParseName, StripsTitlesWrittenWithAPeriod) {
  for (const auto& c : kTitles) {
    SCOPED_TRACE(c.input);
    auto result = AddressFor(c.input);
    ASSERT_TRUE(result.ok()) << result.error();
    EXPECT_THAT(result->name.titles, ElementsAreArray(c.titles));
    EXPECT_EQ(result->name.full_name, c.full_name);
    EXPECT_EQ(result->local_part.value, c.local_part);
  }
}

TEST(ParseName, TitlesAreStrippedInEveryForm) {
  for (const auto& form : testing::AllForms()) {
    SCOPED_TRACE(form.name);
    auto result = AddressFor(form.make("PGS.TS. Nguyễn Thị Ánh Tuyết"));
    ASSERT_TRUE(result.ok()) << result.error();
    EXPECT_EQ(result->name.titles.size(), 2u);
    EXPECT_EQ(result->local_part.value, "tuyetnta");
  }
}

struct ErrorCase {
  const char* input;
  const char* message;
};

const ErrorCase kErrors[] = {
    {"", "name is empty"},
    {"   \t ", "name is empty"},
    {"\xEF\xBB\xBF", "name is empty"},
    {"'", "name ''' has no letters"},
    {"- '", "has no letters"},
    {"Nguyễn Văn 2", "'2' cannot be part of a name"},
    {"Nguyễn Văn An!", "'!' cannot be part of a name"},
    {"Nguyễn Văn An (B)", "'(' cannot be part of a name"},
    {"Nguyễn@Văn", "'@' cannot be part of a name"},
    {"TS.", "has no name after its titles"},
    {"PGS. TS.", "has no name after its titles"},
    {"Nguyễn V. An", "'V.' is not a known title"},
    {"XY. Nguyễn Văn An", "'XY.' is not a known title"},
    {"Nguyễn Văn An.", "'An.' is not a known title"},
    {"Nguyễn - An", "'-' has no letters"},
    {"Nguyễn \xFF An", "name: invalid UTF-8 at byte offset 9"},
};

TEST(ParseName, RejectsBadNamesWithAClearMessage) {
  for (const auto& c : kErrors) {
    SCOPED_TRACE(c.input);
    auto result = ParseName(c.input);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
    EXPECT_THAT(result.error().detail, HasSubstr(c.message));
    std::string out = "kept";
    EXPECT_FALSE(AppendLocalPart(c.input, out).ok());
    EXPECT_EQ(out, "kept");
  }
}

TEST(MakeLocalPart, ANameWithNoLatinLettersHasNoAddress) {
  auto result = AddressFor("Иван Петров");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().detail, HasSubstr("has no letters a-z once diacritics are removed"));
}

TEST(MakeLocalPart, RejectsALocalPartLongerThanTheLimit) {
  auto result = AddressFor("Nguyễn Văn Anh", AddressOptions{.max_length = 4});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().detail, "name 'Nguyễn Văn Anh': local part 'anhnv' is longer than 4");
  EXPECT_TRUE(AddressFor("Nguyễn Văn An", AddressOptions{.max_length = 4}).ok());

  std::string long_name = "Nguyễn";
  for (int i = 0; i < 70; ++i) long_name += " Văn";
  long_name += " An";
  auto too_long = AddressFor(long_name);
  ASSERT_FALSE(too_long.ok());
  EXPECT_THAT(too_long.error().detail, HasSubstr("is longer than 64"));
}

TEST(NameFromFields, FieldsWinOverParsing) {
  // Ê Đê order: given name first, family name last.
  auto result = AddressFor(NameFields{.family = "Niê", .middle = "", .given = "H'Hen"});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->name.source, NameSource::kFields);
  EXPECT_EQ(result->name.family_name, "Niê");
  EXPECT_THAT(result->name.middle_names, IsEmpty());
  EXPECT_EQ(result->name.given_name, "H'Hen");
  EXPECT_EQ(result->name.full_name, "Niê H'Hen");
  EXPECT_EQ(result->local_part.value, "hhenn");
  // Parsed, the same words give another address.
  EXPECT_EQ(AddressFor("H'Hen Niê")->local_part.value, "nieh");
}

TEST(NameFromFields, CleansEachFieldAndSplitsMiddleNames) {
  auto result =
      AddressFor(NameFields{.family = " TÔN  THẤT ", .middle = "bách\tkhoa", .given = "an"});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->name.family_name, "Tôn Thất");
  EXPECT_THAT(result->name.middle_names, ElementsAre("Bách", "Khoa"));
  EXPECT_EQ(result->name.given_name, "An");
  EXPECT_EQ(result->name.full_name, "Tôn Thất Bách Khoa An");
  EXPECT_EQ(result->local_part.value, "anttbk");
}

TEST(NameFromFields, AGivenNameOfSeveralWordsIsKeptTogether) {
  auto result = AddressFor(NameFields{.family = "Ênuôl", .middle = "", .given = "Y Moan"});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->local_part.value, "ymoane");
}

TEST(NameFromFields, TitlesAreNotStrippedFromFields) {
  auto result = NameFromFields(NameFields{.family = "TS. Nguyễn", .middle = "", .given = "An"});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().detail, HasSubstr("family name field"));
}

TEST(NameFromFields, NamesTheBadField) {
  auto no_given = NameFromFields(NameFields{.family = "Nguyễn", .middle = "Văn", .given = " "});
  ASSERT_FALSE(no_given.ok());
  EXPECT_EQ(no_given.error().detail, "given name field is empty");
  auto bad_middle = NameFromFields(NameFields{.family = "Nguyễn", .middle = "V4n", .given = "An"});
  ASSERT_FALSE(bad_middle.ok());
  EXPECT_THAT(bad_middle.error().detail, HasSubstr("middle name field 'V4n'"));
}

TEST(Explain, SaysWhichTitlesWordsAndLettersWereUsed) {
  auto result = AddressFor("PGS.TS. Điểu K' Nam", AddressOptions{.explain = true});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->local_part.value, "knamd");
  ASSERT_EQ(result->name.explanation.size(), 3u);
  EXPECT_EQ(result->name.explanation[0], "removed titles 'PGS.' 'TS.'");
  EXPECT_EQ(result->name.explanation[1], "joined 'K'' to the next word 'Nam'");
  EXPECT_THAT(result->name.explanation[2], HasSubstr("the last is the given name"));
  ASSERT_EQ(result->local_part.explanation.size(), 1u);
  EXPECT_EQ(result->local_part.explanation[0],
            "tencbcc: given name 'K'Nam' -> 'knam', then the initials of the family and "
            "middle names: 'Điểu' -> 'd'; local part 'knamd'");
}

TEST(Explain, IsEmptyUnlessAskedFor) {
  auto result = AddressFor("TS. Nguyễn Văn An");
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result->name.explanation, IsEmpty());
  EXPECT_THAT(result->local_part.explanation, IsEmpty());
}

TEST(ValidateLocalPart, AcceptsDotAtomsOfTheDirectorysAlphabet) {
  for (const char* good : {"annv", "annv1", "an.nv", "hungnv.stttt", "nguyen-van_an", "a"}) {
    EXPECT_TRUE(ValidateLocalPart(good).ok()) << good;
  }
}

TEST(ValidateLocalPart, RejectsWithTheReason) {
  const ErrorCase cases[] = {
      {"", "local part is empty"},  {".annv", "starts with a dot"},
      {"annv.", "ends with a dot"}, {"an..nv", "has an empty part between dots"},
      {"AnNV", "has upper case"},   {"an nv", "has ' '"},
      {"an+nv", "has '+'"},         {"\xC3\xA2nnv", "has a non-ASCII character"},
      {"1234", "has no letter"},
  };
  for (const auto& c : cases) {
    auto status = ValidateLocalPart(c.input);
    ASSERT_FALSE(status.ok()) << c.input;
    EXPECT_THAT(status.error().detail, HasSubstr(c.message)) << c.input;
  }
  EXPECT_THAT(ValidateLocalPart(std::string(65, 'a')).error().detail, HasSubstr("longer than 64"));
  EXPECT_TRUE(ValidateLocalPart(std::string(64, 'a')).ok());
}

TEST(AppendLocalPart, AgreesWithAddressForOnEdgeCases) {
  const char* const inputs[] = {
      "K' Bảo Ka",
      "Điểu K' Nam",
      "K' H' Nam",
      "Nguyễn Văn K'",
      "Nguyễn K' Văn An",
      "O\xCC\x9B' Nam",  // NFD Ơ' as a prefix
      "Nam' Văn An",
      "Nguyễn\tVăn\tAn",
      "Nguyễn\u00A0Văn An",
      "Nguyễn Văn-An",
      "nguye\xCC\x82\xCC\x83n va\xCC\x86n an",
      "Nguyễn Văn A\xCC\x81nh",
      "\xCC\x81"
      "An Bình",
      "Nguyễn Văn \xC3\x97",
      "Nguyễn Văn \xFF",
      "Иван Петров",
      "A B C D E F G H I J K L M N O P Q",
      "Nguyễn ' An",
      "Nguyễn - An",
      "-An",
      "TS. Nguyễn Văn An",
      "Nguyễn Văn An.",
      "Tôn Thất Thuyết",
      "Nguyễn\xE2\x80\x8B Văn An",  // a zero-width space inside a word
  };
  for (const char* input : inputs) {
    SCOPED_TRACE(input);
    auto full = AddressFor(input);
    std::string fast;
    auto status = AppendLocalPart(input, fast);
    ASSERT_EQ(full.ok(), status.ok());
    if (full.ok()) {
      EXPECT_EQ(fast, full->local_part.value);
    } else {
      EXPECT_EQ(status.error().detail, full.error().detail);
      EXPECT_EQ(fast, "");
    }
  }
  std::string long_name = "Nguyễn";
  for (int i = 0; i < 70; ++i) long_name += " Văn";
  std::string out;
  EXPECT_FALSE(AppendLocalPart(long_name + " An", out).ok());
  EXPECT_EQ(out, "");
  EXPECT_TRUE(AppendLocalPart("Nguyễn Văn An", out, 4).ok());
  EXPECT_EQ(out, "annv");
}

TEST(KnownTitles, AreFoldedWithoutPeriods) {
  for (const auto& t : KnownTitles()) {
    EXPECT_EQ(t.find('.'), std::string::npos) << t;
    for (const char c : t) EXPECT_TRUE(c >= 'a' && c <= 'z') << t;
  }
}

}  // namespace
}  // namespace danhba::naming
