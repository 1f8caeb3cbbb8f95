#include "danhba/text/text.h"

#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "text/utf8.h"
#include "unit/text/vietnamese_letters.h"

namespace danhba::text {
namespace {

using testing::AllVietnameseLetters;
using testing::PrecomposedVietnameseLetters;

std::string Nfd(const std::string& s) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  EXPECT_TRUE(U_SUCCESS(status));
  icu::UnicodeString u = nfd->normalize(icu::UnicodeString::fromUTF8(s), status);
  EXPECT_TRUE(U_SUCCESS(status));
  std::string out;
  u.toUTF8String(out);
  return out;
}

struct Case {
  std::string input;
  std::string expected;
};

// --- ToNfc ---------------------------------------------------------------

TEST(ToNfcTest, NfdCompositeAndMixedGiveTheSameNfc) {
  const std::vector<Case> cases = {
      {"Nguyễn Văn An", "Nguyễn Văn An"},                    // already NFC
      {"Nguye\u0302\u0303n Va\u0306n An", "Nguyễn Văn An"},  // NFD
      {"Nguyê\u0303n Vă\u0300n An", "Nguyễn Vằn An"},        // composite (UniKey, CP1258)
      {"Nguye\u0302\u0303n Vằn Ă\u0301", "Nguyễn Vằn Ắ"},    // mixed
      {"Tr\u01B0\u0323\u0301", "Trự\u0301"},                 // two tones: second stays
      {"Phu\u031B\u0301c", "Phức"},                          // u + horn + acute
      {"Đặng Thị Ngọc", "Đặng Thị Ngọc"},
      {"plain ascii", "plain ascii"},
      {"", ""},
  };
  for (const auto& c : cases) {
    auto got = ToNfc(c.input);
    ASSERT_TRUE(got.ok()) << c.input;
    EXPECT_EQ(*got, c.expected) << c.input;
  }
}

TEST(ToNfcTest, EveryLetterFromNfdAndCompositeForms) {
  for (const auto& l : AllVietnameseLetters()) {
    const std::string nfd = Nfd(l.letter);
    auto from_nfd = ToNfc(nfd);
    ASSERT_TRUE(from_nfd.ok());
    EXPECT_EQ(*from_nfd, l.letter);
    // Composite: the first two code points of the NFD composed, then the rest.
    char32_t cp = 0;
    const std::size_t first = internal::DecodeUtf8(nfd, 0, cp);
    if (first < nfd.size()) {
      const std::size_t second = internal::DecodeUtf8(nfd, first, cp);
      auto head = ToNfc(nfd.substr(0, first + second));
      ASSERT_TRUE(head.ok());
      auto composite = ToNfc(*head + nfd.substr(first + second));
      ASSERT_TRUE(composite.ok());
      EXPECT_EQ(*composite, l.letter);
    }
  }
}

TEST(ToNfcTest, InvalidUtf8NamesTheOffset) {
  const std::vector<std::pair<std::string, std::size_t>> cases = {
      {"abc\xC3", 3},            // truncated sequence
      {"a\xFF", 1},              // never valid
      {"\xE0\x80\x80", 0},       // overlong
      {"Nguy\xED\xA0\x80n", 4},  // surrogate
      {"\xF4\x90\x80\x80", 0},   // above U+10FFFF
      {"Văn\x80", 4},            // stray continuation byte after a 2-byte letter
      {"\xC0\xAF", 0},           // overlong '/'
  };
  for (const auto& [input, offset] : cases) {
    auto nfc = ToNfc(input);
    ASSERT_FALSE(nfc.ok());
    EXPECT_EQ(nfc.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(nfc.error().detail, "invalid UTF-8 at byte offset " + std::to_string(offset));
    auto clean = Clean(input);
    ASSERT_FALSE(clean.ok());
    EXPECT_EQ(clean.error().detail, nfc.error().detail);
    auto check = CheckUtf8(input);
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.error().detail, nfc.error().detail);
  }
  EXPECT_TRUE(CheckUtf8("Nguyễn 😀").ok());
}

// The fast path skips the normaliser for these code points; that is only right
// when each has NFC_Quick_Check=Yes and combining class 0.
TEST(ToNfcTest, FastPathRangesAreNfcSafe) {
  for (char32_t cp = 0; cp < 0x20000; ++cp) {
    if (!internal::IsNfcSafe(cp)) continue;
    const auto c = static_cast<UChar32>(cp);
    EXPECT_EQ(u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK), UNORM_YES)
        << std::hex << static_cast<std::uint32_t>(cp);
    EXPECT_EQ(u_getCombiningClass(c), 0) << std::hex << static_cast<std::uint32_t>(cp);
  }
}

// --- Clean -------------------------------------------------------------------

TEST(CleanTest, SpacesAndInvisibleCharacters) {
  const std::vector<Case> cases = {
      {"  Nguyễn   Văn  An  ", "Nguyễn Văn An"},
      {"Nguyễn\u00A0Văn\tAn", "Nguyễn Văn An"},          // NBSP, tab
      {"\uFEFFNguyễn Văn An", "Nguyễn Văn An"},          // BOM
      {"Nguy\u200Bễn V\u00ADăn An", "Nguyễn Văn An"},    // ZWSP, soft hyphen
      {"Nguyễn\r\nVăn\u2003An\u3000", "Nguyễn Văn An"},  // CRLF, em space, ideographic
      {"Nguyễn\u202FVăn\u2060An", "Nguyễn VănAn"},       // narrow NBSP; word joiner joins
      {"Nguye\u200D\u0302\u0303n", "Nguyễn"},            // ZWJ inside a letter: removed, then NFC
      {"Nguye\u0302\u0303n  Va\u0306n\u00A0An", "Nguyễn Văn An"},
      {"K’Nam", "K'Nam"},
      {"Hʼ Nhi", "H' Nhi"},
      {"K`Nam", "K'Nam"},
      {"a\x01"
       "b\x7F",
       "ab"},  // control characters
      {"\t \u00A0", ""},
      {"", ""},
  };
  for (const auto& c : cases) {
    auto got = Clean(c.input);
    ASSERT_TRUE(got.ok()) << c.input;
    EXPECT_EQ(*got, c.expected) << c.input;
  }
}

// --- ProperCase --------------------------------------------------------------

TEST(ProperCaseTest, VietnameseNames) {
  const std::vector<Case> cases = {
      {"NGUYỄN VĂN AN", "Nguyễn Văn An"},
      {"nguyễn văn an", "Nguyễn Văn An"},
      {"nGUYỄN vĂN aN", "Nguyễn Văn An"},
      {"ĐẶNG THỊ ÚT", "Đặng Thị Út"},
      {"đỗ ưng", "Đỗ Ưng"},
      {"ỨNG ỶNH ỌC ẤY", "Ứng Ỷnh Ọc Ấy"},
      {"K'NAM", "K'Nam"},
      {"k'nam", "K'Nam"},
      {"K'Nam", "K'Nam"},
      {"KSOR H'NHI", "Ksor H'Nhi"},
      {"h’nhi", "H’Nhi"},
      {"NAM'S", "Nam's"},
      {"TÔN THẤT-HÙNG", "Tôn Thất-Hùng"},
      {"PHẠM V. AN", "Phạm V. An"},
      {"NGUYE\u0302\u0303N", "Nguye\u0302\u0303n"},  // NFD: marks stay inside the word
      {"A2B", "A2b"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(ProperCase(c.input), c.expected) << c.input;
}

TEST(ProperCaseTest, EveryLetterUpperAndLower) {
  const auto letters = AllVietnameseLetters();
  const std::size_t half = (letters.size() - 2) / 2;  // lower rows, then upper rows, then đ Đ
  for (std::size_t i = 0; i < half; ++i) {
    const std::string& lower = letters[i].letter;
    const std::string& upper = letters[i + half].letter;
    EXPECT_EQ(ProperCase(lower + lower), upper + lower);
    EXPECT_EQ(ProperCase(upper + upper), upper + lower);
  }
  EXPECT_EQ(ProperCase("đĐ"), "Đđ");
}

// --- Folding -----------------------------------------------------------------

TEST(FoldTest, EveryPrecomposedLetterFoldsToItsAsciiBase) {
  const auto letters = PrecomposedVietnameseLetters();
  ASSERT_EQ(letters.size(), 134u);
  for (const auto& l : letters) {
    EXPECT_EQ(FoldWord(l.letter), std::string(1, l.ascii)) << l.letter;
    EXPECT_EQ(FoldWord(Nfd(l.letter)), std::string(1, l.ascii)) << l.letter;
    EXPECT_EQ(FoldForSearch(l.letter), std::string(1, l.ascii)) << l.letter;
  }
}

TEST(FoldTest, Words) {
  const std::vector<Case> cases = {
      {"Nguyễn", "nguyen"},
      {"Đặng", "dang"},
      {"K'Nam", "knam"},
      {"K’Nam", "knam"},
      {"Kʼ Nam", "knam"},
      {"K´Nam", "knam"},
      {"K`Nam", "knam"},
      {"Nguyễn Văn-An", "nguyenvanan"},
      {"Phòng 2", "phong2"},
      {"Trương (Hoa)", "truonghoa"},
      {"Nguye\u0302\u0303n", "nguyen"},
      {"Nguyê\u0303n", "nguyen"},
      {"李 Lý", "ly"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(FoldWord(c.input), c.expected) << c.input;
}

TEST(FoldTest, SearchKeys) {
  const std::vector<Case> cases = {
      {"Nguyễn  Văn-An", "nguyen van an"},
      {"  Trần\u00A0Thị\tBích  ", "tran thi bich"},
      {"K'Nam Ksor", "knam ksor"},
      {"H’Nhi, Ksor", "hnhi ksor"},
      {"Đỗ Ưng.", "do ung"},
      {"Nguye\u0302\u0303n Va\u0306n", "nguyen van"},
      {"--", ""},
      {"Nguy\u00ADễn\u200B Văn", "nguyen van"},  // soft hyphen, ZWSP: inside a word
      {"Phòng 2–3 © Sở", "phong 2 3 so"},        // en dash and symbols separate
      {"Nguyễn\tVăn\nAn", "nguyen van an"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(FoldForSearch(c.input), c.expected) << c.input;
}

TEST(FoldTest, AppendFormsAppend) {
  std::string out = "x:";
  AppendFoldWord("Đặng", out);
  EXPECT_EQ(out, "x:dang");
  out = "y:";
  AppendFoldForSearch(" Văn  An ", out);
  EXPECT_EQ(out, "y:van an");
}

TEST(FoldTest, InvalidUtf8BytesAreDropped) {
  EXPECT_EQ(FoldWord("Ng\xFFuy\xC3"), "nguy");
  EXPECT_EQ(FoldForSearch("a\xFF b"), "a b");
}

// --- Properties over generated names ------------------------------------------

std::vector<std::string> RandomNames(int count) {
  const auto letters = AllVietnameseLetters();
  const std::vector<std::string> others = {"n", "g", "h", "t", "r", "đ", "Đ", "ng", "ch", "-", "'"};
  std::mt19937 rng(20261128);
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    std::string name;
    const int words = 1 + static_cast<int>(rng() % 4);
    for (int w = 0; w < words; ++w) {
      if (w > 0) name += (rng() % 5 == 0) ? "\u00A0 " : " ";
      const int parts = 1 + static_cast<int>(rng() % 4);
      for (int p = 0; p < parts; ++p) {
        if (rng() % 2 == 0) {
          name += letters[rng() % letters.size()].letter;
        } else {
          name += others[rng() % others.size()];
        }
      }
    }
    names.push_back(name);
  }
  return names;
}

TEST(TextPropertyTest, FoldingIsIdempotent) {
  for (const auto& name : RandomNames(2000)) {
    const std::string word = FoldWord(name);
    EXPECT_EQ(FoldWord(word), word) << name;
    const std::string key = FoldForSearch(name);
    EXPECT_EQ(FoldForSearch(key), key) << name;
    for (char c : word) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << name;
  }
}

TEST(TextPropertyTest, NfcAndNfdFoldIdentically) {
  for (const auto& name : RandomNames(2000)) {
    const std::string nfd = Nfd(name);
    EXPECT_EQ(FoldWord(nfd), FoldWord(name)) << name;
    EXPECT_EQ(FoldForSearch(nfd), FoldForSearch(name)) << name;
    auto nfc = ToNfc(nfd);
    ASSERT_TRUE(nfc.ok());
    EXPECT_EQ(*nfc, name) << name;
  }
}

std::string IcuNfc(const std::string& s) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  std::string out;
  nfc->normalize(icu::UnicodeString::fromUTF8(s), status).toUTF8String(out);
  EXPECT_TRUE(U_SUCCESS(status));
  return out;
}

// Letters followed by Vietnamese combining marks in every order: whichever way
// ToNfc gets there (its own composition or ICU), the answer is ICU's NFC.
TEST(TextPropertyTest, ToNfcAgreesWithIcuOnLettersWithAnyMarks) {
  const std::vector<std::string> bases = {"a", "A", "e", "o", "u", "y", "i", "d", "n", "ê",
                                          "Ơ", "ư", "é", "ẹ", "ó", "ậ", "đ", " ", "1", "ç"};
  const std::vector<std::string> marks = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323",
                                          "\u0302", "\u0306", "\u031B", "\u0308"};
  std::mt19937 rng(7);
  int checked = 0;
  for (const auto& base : bases) {
    for (std::size_t m1 = 0; m1 <= marks.size(); ++m1) {
      for (std::size_t m2 = 0; m2 <= marks.size(); ++m2) {
        std::string s = "x" + base;
        if (m1 < marks.size()) s += marks[m1];
        if (m2 < marks.size()) s += marks[m2];
        if (rng() % 3 == 0) s += marks[rng() % marks.size()];
        s += "n";
        auto got = ToNfc(s);
        ASSERT_TRUE(got.ok());
        EXPECT_EQ(*got, IcuNfc(s)) << s;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(TextPropertyTest, CleanIsIdempotentAndProperCaseIsStable) {
  for (const auto& name : RandomNames(2000)) {
    auto once = Clean(Nfd(name));
    ASSERT_TRUE(once.ok());
    auto twice = Clean(*once);
    ASSERT_TRUE(twice.ok());
    EXPECT_EQ(*twice, *once) << name;
    const std::string proper = ProperCase(*once);
    EXPECT_EQ(ProperCase(proper), proper) << name;
    EXPECT_EQ(FoldForSearch(proper), FoldForSearch(*once)) << name;
  }
}

}  // namespace
}  // namespace danhba::text
