#include "danhba/text/legacy.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "danhba/text/syllable.h"
#include "danhba/text/text.h"
#include "unit/text/names.h"
#include "unit/text/vietnamese_letters.h"

namespace danhba::text {
namespace {

using testing::AllVietnameseLetters;

// --- Names of encodings ------------------------------------------------------

TEST(ParseEncodingTest, AcceptsNamesAndAliases) {
  const std::vector<std::pair<std::string, std::optional<Encoding>>> cases = {
      {"auto", std::nullopt},
      {"AUTO", std::nullopt},
      {"utf-8", Encoding::kUtf8},
      {"UTF8", Encoding::kUtf8},
      {"tcvn3", Encoding::kTcvn3},
      {"abc", Encoding::kTcvn3},
      {"vni", Encoding::kVni},
      {"VNI-Windows", Encoding::kVni},
      {"viscii", Encoding::kViscii},
      {"cp1258", Encoding::kCp1258},
      {"windows-1258", Encoding::kCp1258},
      {"tcvn3+cp1252", Encoding::kTcvn3AsCp1252},
  };
  for (const auto& [name, expected] : cases) {
    auto parsed = ParseEncoding(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, expected) << name;
  }
  for (Encoding encoding : AllEncodings()) {
    auto parsed = ParseEncoding(EncodingName(encoding));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, encoding);
  }
}

TEST(ParseEncodingTest, RejectsUnknownNamesListingTheAccepted) {
  auto parsed = ParseEncoding("latin1");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(parsed.error().detail.find("'latin1'"), std::string::npos);
  EXPECT_NE(parsed.error().detail.find("auto, utf-8, tcvn3, vni, viscii, cp1258"),
            std::string::npos);
}

// --- Decoding known samples --------------------------------------------------

struct Sample {
  std::string bytes;
  Encoding encoding;
  std::string expected;
};

TEST(DecodeTest, KnownSamples) {
  const std::vector<Sample> samples = {
      {"Nguy\xD4n V\xA8n An", Encoding::kTcvn3, "Nguyễn Văn An"},
      {"\xA7\xC6ng Th\xDE Ng\xE4"
       "c",
       Encoding::kTcvn3, "Đặng Thị Ngọc"},
      {"NGUY\xD4N V\xA8N AN", Encoding::kTcvn3, "NGUYỄN VĂN AN"},  // .VnTimeH capitals
      {"Tr\xAD\xEAng \x93"
       "A\x94",
       Encoding::kTcvn3, "Trường “A”"},  // Windows quotes
      {"NguyÔn V¨n An", Encoding::kTcvn3AsCp1252, "Nguyễn Văn An"},
      {"\xA2\xCA"
       "p A\xB5 \xA3\xD4 U\xF2",
       Encoding::kTcvn3, "Ấp À Ễ Ũ"},                       // capital + toned small
      {"L\xA3 V\xA8N AN", Encoding::kTcvn3, "LÊ VĂN AN"},   // a text all in capitals
      {"L\xAA H\xB5", Encoding::kTcvn3, "Lê Hà"},           // too few capitals to tell
      {"Tr\u00ADêng", Encoding::kTcvn3AsCp1252, "Trường"},  // ư is a soft hyphen in CP1252
      {"Nguye\xE3n Va\xEAn An", Encoding::kVni, "Nguyễn Văn An"},
      {"\xD1\xE6ng Th\xF2 Ngo\xEF"
       "c",
       Encoding::kVni, "Đỉng Thị Ngọc"},
      {"\xD1"
       "a\xEBng Tr\xF6\xF4\xF8ng",
       Encoding::kVni, "Đặng Trường"},
      {"NGUYE\xC3N VA\xCAN \xD1\xD6\xD4\xD9"
       "C",
       Encoding::kVni, "NGUYỄN VĂN ĐƯỚC"},
      {"Vie\xE4t Nam", Encoding::kVni, "Việt Nam"},
      {"Nguyeãn Vaên An", Encoding::kVniAsCp1252, "Nguyễn Văn An"},
      {"Nguyá»…n VÄƒn An", Encoding::kUtf8AsCp1252, "Nguyễn Văn An"},
      {"Nguy\xEA\xDEn V\xE3n An", Encoding::kCp1258, "Nguyễn Văn An"},
      {"Nguy\xEA\xDEn V\xE3n An", Encoding::kCp1258, "Nguyễn Văn An"},
      {"Nguye\xCC\x82n", Encoding::kUtf8, "Nguyên"},
      {"plain ASCII", Encoding::kVni, "plain ASCII"},
  };
  for (const auto& s : samples) {
    auto decoded = Decode(s.bytes, s.encoding);
    ASSERT_TRUE(decoded.ok()) << EncodingName(s.encoding) << ": " << decoded.error();
    EXPECT_EQ(*decoded, s.expected) << EncodingName(s.encoding);
  }
}

TEST(DecodeTest, UndecodableInputNamesEncodingAndOffset) {
  const std::vector<Sample> samples = {
      {"An\x81", Encoding::kCp1258,
       "cannot read text as cp1258: byte 0x81 is not defined in "
       "Windows-1258 at byte offset 2"},
      {"V\xF9n", Encoding::kVni,
       "cannot read text as vni: byte 0xF9 is a VNI diacritic with no "
       "vowel before it to take it at byte offset 1"},
      {"Hoa \xFD", Encoding::kVni,
       "cannot read text as vni: byte 0xFD is not defined in VNI at "
       "byte offset 4"},
      {"Nguyễn", Encoding::kTcvn3AsCp1252,
       "cannot read text as tcvn3+cp1252: character U+1EC5 'ễ' cannot come from Windows-1252 "
       "text at byte offset 4"},
      {"Nguy\xC3", Encoding::kUtf8, "cannot read text as utf-8: invalid UTF-8 at byte offset 4"},
      {"Va\xEAn V\xF9", Encoding::kVniAsCp1252, ""},  // invalid UTF-8 under the mojibake reading
      {"VaÃªn Vù", Encoding::kVniAsCp1252,
       "cannot read text as vni+cp1252: byte 0xF9 is a VNI diacritic with no vowel before it to "
       "take it at byte offset 9"},
  };
  for (const auto& s : samples) {
    auto decoded = Decode(s.bytes, s.encoding);
    ASSERT_FALSE(decoded.ok()) << EncodingName(s.encoding) << ": " << *decoded;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidInput);
    if (!s.expected.empty()) {
      EXPECT_EQ(decoded.error().detail, s.expected);
    }
  }
}

// --- Round trips of every letter ---------------------------------------------

TEST(DecodeTest, EveryLetterRoundTripsThroughEveryEncoding) {
  for (Encoding encoding : AllEncodings()) {
    for (const auto& l : AllVietnameseLetters()) {
      const std::string text = "x" + l.letter + "y";
      auto encoded = Encode(text, encoding);
      ASSERT_TRUE(encoded.ok()) << EncodingName(encoding) << " " << l.letter << ": "
                                << encoded.error();
      auto decoded = Decode(*encoded, encoding);
      ASSERT_TRUE(decoded.ok()) << EncodingName(encoding) << " " << l.letter << ": "
                                << decoded.error();
      EXPECT_EQ(*decoded, text) << EncodingName(encoding) << " " << l.letter;
    }
  }
}

TEST(DecodeTest, EncodeWritesTheBytesOfEachTable) {
  const std::vector<Sample> samples = {
      {"Nguy\xD4n V\xA8n An", Encoding::kTcvn3, "Nguyễn Văn An"},
      {"NGUY\xA3\xD4N \xA7\xA1\xC6NG", Encoding::kTcvn3, "NGUYỄN ĐẶNG"},
      {"Nguye\xE3n Va\xEAn An", Encoding::kVni, "Nguyễn Văn An"},
      {"\xD1"
       "a\xEBng Tr\xF6\xF4\xF8ng",
       Encoding::kVni, "Đặng Trường"},
  };
  for (const auto& s : samples) {
    auto encoded = Encode(s.expected, s.encoding);
    ASSERT_TRUE(encoded.ok());
    EXPECT_EQ(*encoded, s.bytes) << EncodingName(s.encoding);
  }
  auto cannot = Encode("Hà Nội €", Encoding::kViscii);
  ASSERT_FALSE(cannot.ok());
  EXPECT_EQ(
      cannot.error().detail,
      "cannot write text as viscii: character U+20AC '€' cannot be written at byte offset 10");
}

// --- Syllables ---------------------------------------------------------------

TEST(SyllableTest, ValidAndInvalid) {
  for (std::string_view word : {"Nguyễn",  "Văn",
                                "An",      "Trường",
                                "Quỳnh",   "Huỳnh",
                                "Ngọc",    "Bích",
                                "Thắng",   "Giang",
                                "giếng",   "Khuya",
                                "khuỷu",   "Thuở",
                                "Điểu",    "Yến",
                                "Vy",      "NGUYỄN",
                                "nghiêng", "Kiên",
                                "Oanh",    "Nguye\u0302\u0303n",
                                "Út",      "Ưng",
                                "quốc",    "gì"}) {
    EXPECT_TRUE(IsVietnameseSyllable(word)) << word;
  }
  for (std::string_view word :
       {"", "NguyÔn", "Nguyeãn", "Vaên", "Ksor", "nGuyễn", "Ngiên", "kan", "cim", "bac", "bàt",
        "Nguyễnn", "áà", "x1", "ngh", "Nguyệ\u0301n"}) {
    EXPECT_FALSE(IsVietnameseSyllable(word)) << word;
  }
}

TEST(SyllableTest, EveryNameInTheSharedTableIsMadeOfSyllables) {
  const auto table = testing::LoadNameTable();
  ASSERT_GT(table.family.size(), 20u);
  std::vector<std::string> all;
  for (const auto* list :
       {&table.family, &table.middle_m, &table.middle_f, &table.given_m, &table.given_f}) {
    all.insert(all.end(), list->begin(), list->end());
  }
  for (const auto& name : all) {
    std::size_t start = 0;
    while (start <= name.size()) {
      const std::size_t end = std::min(name.find(' ', start), name.size());
      EXPECT_TRUE(IsVietnameseSyllable(std::string_view(name).substr(start, end - start))) << name;
      start = end + 1;
    }
  }
}

// --- Detection ----------------------------------------------------------------

TEST(DetectEncodingTest, DecidesEachEncodingFromColumnsOfTwentyNames) {
  const auto table = testing::LoadNameTable();
  int exact = 0;
  int columns = 0;
  for (Encoding encoding : AllEncodings()) {
    for (unsigned seed = 1; seed <= 5; ++seed) {
      const auto names = testing::GenerateNames(table, 20, seed * 7919);
      std::vector<std::string> encoded;
      for (const auto& name : names) {
        auto e = Encode(name, encoding);
        ASSERT_TRUE(e.ok()) << name;
        encoded.push_back(*e);
      }
      std::vector<std::string_view> cells(encoded.begin(), encoded.end());
      const Detection detection = DetectEncoding(cells);
      ++columns;
      EXPECT_TRUE(detection.decided) << EncodingName(encoding) << ": " << detection.reason;
      EXPECT_GT(detection.confidence, 0.5) << detection.reason;
      if (detection.encoding == encoding) ++exact;
      // Encodings that read these cells identically are equally right.
      for (std::size_t i = 0; i < names.size(); ++i) {
        auto decoded = Decode(encoded[i], detection.encoding);
        ASSERT_TRUE(decoded.ok()) << EncodingName(encoding) << " read as "
                                  << EncodingName(detection.encoding);
        EXPECT_EQ(*decoded, names[i])
            << EncodingName(encoding) << " read as " << EncodingName(detection.encoding);
      }
    }
  }
  EXPECT_GE(exact, columns * 8 / 10);
}

TEST(DetectEncodingTest, DecidesUpperCaseColumns) {
  const auto table = testing::LoadNameTable();
  for (Encoding encoding : AllEncodings()) {
    std::vector<std::string> upper;
    std::vector<std::string> encoded;
    for (const auto& name : testing::GenerateNames(table, 20, 4242)) {
      upper.push_back(name);
    }
    // Upper-case through the alphabet table: each lower-case letter to its capital.
    const auto letters = AllVietnameseLetters();
    const std::size_t half = (letters.size() - 2) / 2;
    for (auto& name : upper) {
      for (std::size_t i = 0; i < half; ++i) {
        for (std::size_t at; (at = name.find(letters[i].letter)) != std::string::npos;) {
          name.replace(at, letters[i].letter.size(), letters[i + half].letter);
        }
      }
      for (std::size_t at; (at = name.find("đ")) != std::string::npos;) name.replace(at, 2, "Đ");
      for (char& c : name) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      auto e = Encode(name, encoding);
      ASSERT_TRUE(e.ok()) << name;
      encoded.push_back(*e);
    }
    std::vector<std::string_view> cells(encoded.begin(), encoded.end());
    const Detection detection = DetectEncoding(cells);
    EXPECT_TRUE(detection.decided) << EncodingName(encoding) << ": " << detection.reason;
    for (std::size_t i = 0; i < upper.size(); ++i) {
      auto decoded = Decode(encoded[i], detection.encoding);
      ASSERT_TRUE(decoded.ok());
      EXPECT_EQ(*decoded, upper[i]) << EncodingName(encoding);
    }
  }
}

// Capital-letter ABC fonts (.VnTimeH) show lower-case codes as capitals.
TEST(DetectEncodingTest, DecidesTcvn3CapitalFontColumns) {
  const auto table = testing::LoadNameTable();
  std::vector<std::string> encoded;
  for (const auto& name : testing::GenerateNames(table, 20, 99)) {
    auto e = Encode(name, Encoding::kTcvn3);
    ASSERT_TRUE(e.ok());
    for (char& c : *e) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    encoded.push_back(*e);
  }
  std::vector<std::string_view> cells(encoded.begin(), encoded.end());
  const Detection detection = DetectEncoding(cells);
  EXPECT_TRUE(detection.decided) << detection.reason;
  EXPECT_EQ(detection.encoding, Encoding::kTcvn3) << detection.reason;
}

TEST(DetectEncodingTest, AsciiIsDecidedAsUtf8) {
  const std::vector<std::string_view> cells = {"Nguyen Van An", "Tran Thi Binh"};
  const Detection detection = DetectEncoding(cells);
  EXPECT_TRUE(detection.decided);
  EXPECT_EQ(detection.encoding, Encoding::kUtf8);
}

TEST(DetectEncodingTest, TooLittleTextIsUndecided) {
  const std::vector<std::vector<std::string_view>> columns = {
      {"L\xEA"},          // one byte that many encodings read as a letter
      {"Nguyễn Văn An"},  // two words with Vietnamese letters
      {"An", "V\xA8n"},
      {},
  };
  for (const auto& column : columns) {
    const Detection detection = DetectEncoding(column);
    if (column.empty()) {
      EXPECT_TRUE(detection.decided);  // nothing to read: ASCII
      continue;
    }
    EXPECT_FALSE(detection.decided) << detection.reason;
    EXPECT_NE(detection.reason.find("too little text"), std::string::npos) << detection.reason;
  }
}

TEST(DetectEncodingTest, GarbageIsUndecided) {
  std::vector<std::string> garbage;
  unsigned x = 12345;
  for (int i = 0; i < 20; ++i) {
    std::string cell;
    for (int j = 0; j < 12; ++j) {
      x = x * 1103515245 + 12345;
      cell.push_back(static_cast<char>(j % 4 == 3 ? ' ' : 0x80 + (x >> 16) % 0x80));
    }
    garbage.push_back(cell);
  }
  std::vector<std::string_view> cells(garbage.begin(), garbage.end());
  const Detection detection = DetectEncoding(cells);
  EXPECT_FALSE(detection.decided) << detection.reason;
  EXPECT_LT(detection.confidence, 0.5);
}

}  // namespace
}  // namespace danhba::text
