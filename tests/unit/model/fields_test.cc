#include "danhba/model/fields.h"

#include <gtest/gtest.h>

namespace danhba::model {
namespace {

TEST(FieldsTest, Ids) {
  EXPECT_TRUE(CheckId("CB000123").ok());
  EXPECT_TRUE(CheckId("hr-2026-000123").ok());
  EXPECT_TRUE(CheckId(std::string(128, 'x')).ok());
  EXPECT_TRUE(CheckId("!~").ok());
  for (const std::string& bad : {std::string(), std::string(129, 'x'), std::string("a b"),
                                std::string("tab\there"), std::string("Mã"), std::string("a\0b", 3)}) {
    auto s = CheckId(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.error().detail.find("is not a valid id (1-128 printable ASCII characters, no spaces)"),
              std::string::npos);
  }
  EXPECT_EQ(CheckId("a b").error().detail,
            "\"a b\" is not a valid id (1-128 printable ASCII characters, no spaces)");
}

TEST(FieldsTest, AgencyCodes) {
  for (const char* good : {"stttt", "ubnd", "p.tanphong", "x.123", "s1", "a"}) {
    EXPECT_TRUE(CheckAgencyCode(good).ok()) << good;
  }
  for (const std::string& bad : {std::string(), std::string("STTTT"), std::string("1abc"),
                                std::string(".abc"), std::string("abc."), std::string("a..b"),
                                std::string("a-b"), std::string("a b"), std::string("sở"),
                                std::string(65, 'a')}) {
    auto s = CheckAgencyCode(bad);
    ASSERT_FALSE(s.ok()) << bad;
  }
  EXPECT_EQ(CheckAgencyCode("STTTT").error().detail,
            "\"STTTT\" is not an agency code (lower-case a-z, 0-9 and '.', starting with a "
            "letter, at most 64)");
}

TEST(FieldsTest, Phones) {
  for (const char* good : {"0251 3822 000", "+84 (251) 382-2000", "0251.3822.000", "113"}) {
    EXPECT_TRUE(CheckPhone(good).ok()) << good;
  }
  for (const char* bad : {"", "12", "abc", "0251 3822 000 ext 5", "0912/345678",
                          "012345678901234567890123456789012"}) {
    EXPECT_FALSE(CheckPhone(bad).ok()) << bad;
  }
  EXPECT_EQ(CheckPhone("abc").error().detail,
            "\"abc\" is not a phone number (3-32 of digits, spaces, '+', '-', '.', '(' and ')')");
}

TEST(FieldsTest, NamesAreCleanedNfcAndProperCased) {
  // NFD input: "Nguyễn Văn An" with combining marks, extra spaces, upper case.
  EXPECT_EQ(NormalizeName("  NGUYE\xCC\x82\xCC\x83N   VA\xCC\x86N  AN ", 128).value(),
            "Nguy\xE1\xBB\x85n V\xC4\x83n An");
  EXPECT_EQ(NormalizeName("nguyễn văn an", 128).value(), "Nguyễn Văn An");
  EXPECT_EQ(NormalizeName("   ", 128).error().detail, "must not be empty");
  EXPECT_EQ(NormalizeName("Nguyễn Văn An", 5).error().detail, "is longer than 5 characters");
  // Counted in characters, not bytes: 13 characters, 17 bytes.
  EXPECT_TRUE(NormalizeName("Nguyễn Văn An", 13).ok());
  EXPECT_EQ(NormalizeName("An\xFF", 128).error().detail,
            "is not valid UTF-8 (at byte offset 2)");
}

TEST(FieldsTest, TextKeepsItsCase) {
  EXPECT_EQ(NormalizeText(" Phó  Trưởng phòng ", 256).value(), "Phó Trưởng phòng");
  EXPECT_EQ(NormalizeText("123/QĐ-SNV", 64).value(), "123/QĐ-SNV");
  EXPECT_EQ(NormalizeText("\t\n", 256).error().detail, "must not be empty");
}

}  // namespace
}  // namespace danhba::model
