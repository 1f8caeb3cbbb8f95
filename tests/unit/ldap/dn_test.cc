#include "danhba/ldap/dn.h"

#include <gtest/gtest.h>

#include <string>

namespace danhba::ldap {
namespace {

using namespace std::string_literals;

Dn MustParse(std::string_view text) {
  auto dn = Dn::Parse(text);
  EXPECT_TRUE(dn.ok()) << text << ": " << (dn.ok() ? "" : dn.error().ToString());
  return dn.ok() ? *dn : Dn();
}

// RFC 4514 section 4.
TEST(DnRfc4514, SimpleDn) {
  const Dn dn = MustParse("UID=jsmith,DC=example,DC=net");
  ASSERT_EQ(dn.size(), 3u);
  EXPECT_EQ(dn.rdns()[0][0].type, "UID");
  EXPECT_EQ(dn.rdns()[0][0].value, "jsmith");
  EXPECT_EQ(dn.rdns()[2][0].value, "net");
  EXPECT_EQ(dn.ToString(), "UID=jsmith,DC=example,DC=net");
}

TEST(DnRfc4514, MultiValuedRdn) {
  const Dn dn = MustParse("OU=Sales+CN=J.  Smith,DC=example,DC=net");
  ASSERT_EQ(dn.size(), 3u);
  ASSERT_EQ(dn.rdns()[0].size(), 2u);
  EXPECT_EQ(dn.rdns()[0][0].type, "OU");
  EXPECT_EQ(dn.rdns()[0][0].value, "Sales");
  EXPECT_EQ(dn.rdns()[0][1].type, "CN");
  EXPECT_EQ(dn.rdns()[0][1].value, "J.  Smith");
  EXPECT_EQ(dn.ToString(), "OU=Sales+CN=J.  Smith,DC=example,DC=net");
  // The order of the AVAs in an RDN does not matter.
  EXPECT_EQ(dn, MustParse("cn=J.  Smith+ou=Sales,dc=example,dc=net"));
}

TEST(DnRfc4514, EscapedQuotesAndComma) {
  const Dn dn = MustParse(R"(CN=James \"Jim\" Smith\, III,DC=example,DC=net)");
  ASSERT_EQ(dn.size(), 3u);
  EXPECT_EQ(dn.rdns()[0][0].value, R"(James "Jim" Smith, III)");
  EXPECT_EQ(dn.ToString(), R"(CN=James \"Jim\" Smith\, III,DC=example,DC=net)");
}

TEST(DnRfc4514, EscapedCarriageReturn) {
  const Dn dn = MustParse(R"(CN=Before\0dAfter,DC=example,DC=net)");
  EXPECT_EQ(dn.rdns()[0][0].value, "Before\rAfter");
  EXPECT_EQ(dn.ToString(), R"(CN=Before\0dAfter,DC=example,DC=net)");
}

TEST(DnRfc4514, HexStringValue) {
  const Dn dn = MustParse("1.3.6.1.4.1.1466.0=#04024869,DC=example,DC=com");
  ASSERT_EQ(dn.size(), 3u);
  EXPECT_EQ(dn.rdns()[0][0].type, "1.3.6.1.4.1.1466.0");
  EXPECT_TRUE(dn.rdns()[0][0].ber_encoded);
  EXPECT_EQ(dn.rdns()[0][0].value, "\x04\x02Hi");
  EXPECT_EQ(dn.ToString(), "1.3.6.1.4.1.1466.0=#04024869,DC=example,DC=com");
}

TEST(DnRfc4514, EscapedUtf8) {
  const Dn dn = MustParse(R"(CN=Lu\C4\8Di\C4\87)");
  EXPECT_EQ(dn.rdns()[0][0].value, "Lu\xc4\x8di\xc4\x87");
  EXPECT_EQ(dn.ToString(), "CN=Lučić");
}

TEST(DnEscape, SpecialCharacters) {
  EXPECT_EQ(EscapeDnValue(R"(a,b+c"d\e<f>g;h=i)"), R"(a\,b\+c\"d\\e\<f\>g\;h\=i)");
  EXPECT_EQ(EscapeDnValue("#hash # inside"), R"(\#hash # inside)");
  EXPECT_EQ(EscapeDnValue("  two spaces  "), R"(\  two spaces \ )");
  EXPECT_EQ(EscapeDnValue(" "), R"(\ )");
  EXPECT_EQ(EscapeDnValue("nul\0x"s), R"(nul\00x)");
  EXPECT_EQ(EscapeDnValue("bad\xff"), R"(bad\ff)");
  EXPECT_EQ(EscapeDnValue(""), "");
}

TEST(DnEscape, VietnameseIsKeptReadable) {
  EXPECT_EQ(EscapeDnValue("Nguyễn Văn An"), "Nguyễn Văn An");
}

// Whatever the value, escaping then parsing gives it back, in one RDN.
TEST(DnEscape, HostileValuesRoundTrip) {
  const std::string values[] = {
      "*)(uid=*",
      "nul\0byte"s,
      "back\\slash",
      "#leading hash",
      " leading space",
      "trailing space ",
      "  ",
      "a,b=c+d;e",
      "\"quoted\"",
      "<tag>",
      "Nguyễn Văn An",
      "tab\there",
      "Đặng Thị Ánh Tuyết, Phó Giám đốc",
  };
  const Dn base = MustParse("ou=people,dc=dongnai,dc=gov,dc=vn");
  for (const std::string& value : values) {
    auto child = base.Child("cn", value);
    ASSERT_TRUE(child.ok());
    const std::string text = child->ToString();
    auto parsed = Dn::Parse(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error();
    ASSERT_EQ(parsed->size(), 5u) << text;
    ASSERT_EQ(parsed->rdns()[0].size(), 1u) << text;
    EXPECT_EQ(parsed->rdns()[0][0].value, value) << text;
    EXPECT_TRUE(parsed->IsDescendantOf(base)) << text;
  }
}

TEST(DnParse, VietnameseValue) {
  const Dn dn = MustParse("cn=Nguyễn Văn An,ou=people,dc=dongnai,dc=gov,dc=vn");
  EXPECT_EQ(dn.RdnValue("CN"), "Nguyễn Văn An");
  EXPECT_EQ(dn.RdnValue("uid"), "");
  EXPECT_EQ(dn.ToString(), "cn=Nguyễn Văn An,ou=people,dc=dongnai,dc=gov,dc=vn");
}

TEST(DnParse, EmptyIsTheRoot) {
  const Dn dn = MustParse("");
  EXPECT_TRUE(dn.empty());
  EXPECT_EQ(dn.ToString(), "");
  EXPECT_TRUE(dn.Parent().empty());
}

TEST(DnParse, MalformedIsAClearError) {
  for (std::string_view bad :
       {"uid", "uid=a,", "=a", "uid=a,,dc=x", "uid=a\\", "1uid=a", "uid=a\\zz"}) {
    auto dn = Dn::Parse(bad);
    ASSERT_FALSE(dn.ok()) << bad;
    EXPECT_EQ(dn.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(dn.error().detail.find("is not a distinguished name"), std::string::npos);
  }
}

TEST(DnWalk, ParentAndChild) {
  const Dn people = MustParse("ou=people,dc=dongnai,dc=gov,dc=vn");
  auto annv = people.Child("uid", "annv");
  ASSERT_TRUE(annv.ok());
  EXPECT_EQ(annv->ToString(), "uid=annv,ou=people,dc=dongnai,dc=gov,dc=vn");
  EXPECT_EQ(annv->Parent(), people);
  EXPECT_EQ(annv->RdnValue("uid"), "annv");
  EXPECT_FALSE(people.Child("u id", "x").ok());
  EXPECT_FALSE(people.Child("cn;lang-vi", "x").ok());
  EXPECT_EQ(people.Child("u id", "x").error().code, ErrorCode::kInvalidInput);
}

TEST(DnCompare, TypesAndAsciiValuesIgnoreCase) {
  const Dn base = MustParse("dc=dongnai,dc=gov,dc=vn");
  EXPECT_EQ(MustParse("DC=DongNai,DC=GOV,dc=vn"), base);
  EXPECT_TRUE(MustParse("UID=annv,OU=People,DC=DongNai,DC=gov,DC=vn").IsDescendantOf(base));
  EXPECT_TRUE(base.IsDescendantOf(Dn()));
  EXPECT_FALSE(base.IsDescendantOf(base));
  EXPECT_FALSE(Dn().IsDescendantOf(Dn()));
  EXPECT_FALSE(MustParse("uid=annv,dc=hanoi,dc=gov,dc=vn").IsDescendantOf(base));
  EXPECT_FALSE(base.IsDescendantOf(MustParse("uid=annv,dc=dongnai,dc=gov,dc=vn")));
  // Same value only after escaping: still the same DN.
  EXPECT_EQ(MustParse(R"(cn=a\,b,dc=x)"), MustParse(R"(cn=a\2cb,dc=x)"));
  EXPECT_FALSE(MustParse("cn=a+sn=b,dc=x") == MustParse("cn=a,dc=x"));
}

}  // namespace
}  // namespace danhba::ldap
