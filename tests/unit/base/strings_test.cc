#include "danhba/base/strings.h"

#include <gtest/gtest.h>

#include <string>

namespace danhba {
namespace {

TEST(StringsTest, AsciiLowerChangesOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("AnNV@DongNai.GOV.vn"), "annv@dongnai.gov.vn");
  // UTF-8 bytes of "Đ" and "Ấ" are left as they are.
  EXPECT_EQ(AsciiLower("ĐẤT Z[`"), "ĐẤt z[`");
  EXPECT_EQ(AsciiLowerChar('@'), '@');
  EXPECT_EQ(AsciiLowerChar('Z'), 'z');
}

TEST(StringsTest, HexRoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string hex = HexEncode(all);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(hex.size() - 4), "feff");
  EXPECT_EQ(HexDecode(hex), all);
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexDecode(""), "");
}

TEST(StringsTest, HexDecodeRefusesWhatHexEncodeNeverWrites) {
  EXPECT_EQ(HexDecode("abc"), std::nullopt);  // odd length
  EXPECT_EQ(HexDecode("AB"), std::nullopt);   // upper case
  EXPECT_EQ(HexDecode("0g"), std::nullopt);   // not a digit
  EXPECT_TRUE(IsLowerHex("00ff", 4));
  EXPECT_FALSE(IsLowerHex("00ff", 6));
  EXPECT_FALSE(IsLowerHex("00FF", 4));
}

TEST(StringsTest, AppendHexByteUpperAndLower) {
  std::string out;
  AppendHexByte(0xAB, out);
  AppendHexByte(0xAB, out, /*upper=*/true);
  EXPECT_EQ(out, "abAB");
}

TEST(StringsTest, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("\xff\xfe"), "//4=");
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00\x01"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(text)), text) << text;
  }
}

TEST(StringsTest, Base64DecodeRefusesMalformedText) {
  EXPECT_EQ(Base64Decode("Zg="), std::nullopt);   // not a multiple of 4
  EXPECT_EQ(Base64Decode("Z=g="), std::nullopt);  // '=' inside
  EXPECT_EQ(Base64Decode("Zg-_"), std::nullopt);  // base64url letters
  EXPECT_EQ(Base64Decode("===="), std::nullopt);
}

TEST(StringsTest, Base64UrlHasNoPaddingAndUrlLetters) {
  EXPECT_EQ(Base64UrlEncode("\xff\xfe"), "__4");
  EXPECT_EQ(Base64UrlDecode("__4"), "\xff\xfe");
  EXPECT_EQ(Base64UrlDecode("//4"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9vYmFy"), "foobar");
}

TEST(StringsTest, PercentEncodeKeepsUnreservedOnly) {
  EXPECT_EQ(PercentEncode("a-Z_0.~"), "a-Z_0.~");
  EXPECT_EQ(PercentEncode("a b/c?"), "a%20b%2Fc%3F");
  EXPECT_EQ(PercentEncode("Đ"), "%C4%90");
}

TEST(StringsTest, EscapeHtmlReplacesTheFiveSpecialCharacters) {
  EXPECT_EQ(EscapeHtml(R"(<a href="x?a=1&b='2'">)"),
            "&lt;a href=&quot;x?a=1&amp;b=&#39;2&#39;&quot;&gt;");
  EXPECT_EQ(EscapeHtml("Phòng Công nghệ"), "Phòng Công nghệ");
  EXPECT_EQ(EscapeHtml("&amp;"), "&amp;amp;");
  EXPECT_EQ(EscapeHtml(""), "");
}

}  // namespace
}  // namespace danhba
