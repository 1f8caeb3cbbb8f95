#include "danhba/ldap/filter.h"

#include <gtest/gtest.h>

#include <string>

namespace danhba::ldap {
namespace {

using namespace std::string_literals;

// Decodes every \xx escape, so a filter that escapes more (or less) than an RFC
// example can be compared with it by meaning.
std::string DecodeEscapes(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// RFC 4515 section 4, the examples that need escaping.
TEST(FilterRfc4515, ParenthesesAreEscaped) {
  EXPECT_EQ(Filter::Eq("o", "Parens R Us (for all your parenthetical needs)").ToString(),
            R"((o=Parens R Us \28for all your parenthetical needs\29))");
}

TEST(FilterRfc4515, AsteriskInsideSubstring) {
  EXPECT_EQ(Filter::Contains("cn", "*").ToString(), R"((cn=*\2a*))");
}

TEST(FilterRfc4515, Backslash) {
  EXPECT_EQ(Filter::Eq("filename", "C:\\MyFile").ToString(), R"((filename=C:\5cMyFile))");
}

TEST(FilterRfc4515, Utf8IsKeptAndMeansTheSameAsTheEscapedForm) {
  const std::string built = Filter::Eq("sn", "Lu\xc4\x8di\xc4\x87").ToString();
  EXPECT_EQ(built, "(sn=Lučić)");
  EXPECT_EQ(DecodeEscapes(built), DecodeEscapes(R"((sn=Lu\c4\8di\c4\87))"));
}

TEST(FilterRfc4515, ControlBytesAreEscaped) {
  const std::string built = Filter::Eq("1.3.6.1.4.1.1466.0", "\x04\x02\x48\x69").ToString();
  EXPECT_EQ(built, R"((1.3.6.1.4.1.1466.0=\04\02Hi))");
  EXPECT_EQ(DecodeEscapes(built), DecodeEscapes(R"((1.3.6.1.4.1.1466.0=\04\02\48\69))"));
}

TEST(FilterRfc4515, OtherSection4Examples) {
  EXPECT_EQ(Filter::Eq("cn", "Babs Jensen").ToString(), "(cn=Babs Jensen)");
  EXPECT_EQ(Filter::Not(Filter::Eq("cn", "Tim Howes")).ToString(), "(!(cn=Tim Howes))");
  EXPECT_EQ(
      Filter::And({Filter::Eq("objectClass", "Person"),
                   Filter::Or({Filter::Eq("sn", "Jensen"), Filter::StartsWith("cn", "Babs J")})})
          .ToString(),
      "(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))");
  EXPECT_EQ(Filter::Substring("o", "univ", {"of", "mich"}, "").ToString(), "(o=univ*of*mich*)");
  EXPECT_EQ(Filter::Substring("seeAlso", "", {}, "").ToString(), "(seeAlso=*)");
}

TEST(FilterEscape, RequiredCharacters) {
  EXPECT_EQ(EscapeFilterValue("a*b(c)d\\e"), R"(a\2ab\28c\29d\5ce)");
  EXPECT_EQ(EscapeFilterValue("nul\0here"s), R"(nul\00here)");
}

TEST(FilterEscape, InjectionStaysALiteralValue) {
  EXPECT_EQ(Filter::Eq("uid", "*)(uid=*").ToString(), R"((uid=\2a\29\28uid=\2a))");
  EXPECT_EQ(
      Filter::And({Filter::Eq("uid", "x)(|(objectClass=*"), Filter::Present("mail")}).ToString(),
      R"((&(uid=x\29\28|\28objectClass=\2a)(mail=*)))");
}

TEST(FilterEscape, VietnameseIsKeptReadable) {
  EXPECT_EQ(Filter::Contains("cn", "Nguyễn Văn An").ToString(), "(cn=*Nguyễn Văn An*)");
}

TEST(FilterEscape, InvalidUtf8BytesAreEscaped) {
  // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate.
  EXPECT_EQ(EscapeFilterValue("a\x80z"), R"(a\80z)");
  EXPECT_EQ(EscapeFilterValue("\xe1\xba"), R"(\e1\ba)");
  EXPECT_EQ(EscapeFilterValue("\xc0\xaf"), R"(\c0\af)");
  EXPECT_EQ(EscapeFilterValue("\xed\xa0\x80"), R"(\ed\a0\80)");
}

TEST(FilterBuild, Comparisons) {
  EXPECT_EQ(Filter::Ge("createTimestamp", "20261128000000Z").ToString(),
            "(createTimestamp>=20261128000000Z)");
  EXPECT_EQ(Filter::Le("uidNumber", "1000").ToString(), "(uidNumber<=1000)");
  EXPECT_EQ(Filter::Approx("sn", "Nguyen").ToString(), "(sn~=Nguyen)");
  EXPECT_EQ(Filter::Substring("cn", "Ng*", {"", "V(an"}, "An)").ToString(),
            R"((cn=Ng\2a*V\28an*An\29))");
  EXPECT_TRUE(Filter::Eq("cn;lang-vi", "An").Check().ok());
}

TEST(FilterBuild, BadAttributeFailsClosed) {
  const Filter bad = Filter::Eq("uid=*)(cn", "x");
  EXPECT_FALSE(bad.Check().ok());
  EXPECT_EQ(bad.Check().error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(bad.Check().error().detail.find("not an attribute description"), std::string::npos);
  EXPECT_EQ(bad.ToString(), "(!(objectClass=*))");
  // The error travels up through And/Or/Not.
  const Filter nested = Filter::Or({Filter::Present("mail"), Filter::Not(Filter::Present("1cn"))});
  EXPECT_FALSE(nested.Check().ok());
  EXPECT_EQ(nested.ToString(), "(!(objectClass=*))");
  EXPECT_FALSE(Filter::And({}).Check().ok());
  EXPECT_FALSE(Filter::Present("").Check().ok());
}

TEST(FilterBuild, AttributeDescriptions) {
  EXPECT_TRUE(IsAttributeDescription("cn"));
  EXPECT_TRUE(IsAttributeDescription("userCertificate;binary"));
  EXPECT_TRUE(IsAttributeDescription("2.5.4.3"));
  EXPECT_TRUE(IsAttributeDescription("x-danhba-agency"));
  EXPECT_FALSE(IsAttributeDescription("2.05.4"));
  EXPECT_FALSE(IsAttributeDescription("2"));
  EXPECT_FALSE(IsAttributeDescription("cn;"));
  EXPECT_FALSE(IsAttributeDescription("-cn"));
  EXPECT_FALSE(IsAttributeDescription("c n"));
  EXPECT_FALSE(IsAttributeDescription("tên"));
}

}  // namespace
}  // namespace danhba::ldap
