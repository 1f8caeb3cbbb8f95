#include "danhba/model/public.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace danhba::model {
namespace {

// No private attribute can be put into the public types (R3, R15): these fail
// to compile if someone adds one.
template <class T>
concept HasPrivateField = requires(T t) { t.id; } || requires(T t) { t.birth_date; } ||
                          requires(T t) { t.person_id; } || requires(T t) { t.citizen_id; } ||
                          requires(T t) { t.status; };
static_assert(!HasPrivateField<Person>);
static_assert(!HasPrivateField<Agency>);
static_assert(!HasPrivateField<AgencyRef>);

std::set<std::string> Keys(const nlohmann::json& j) {
  std::set<std::string> keys;
  for (const auto& item : j.items()) keys.insert(item.key());
  return keys;
}

Person SamplePerson() {
  Person p;
  p.uid = "annv";
  p.email = "annv@dongnai.gov.vn";
  p.full_name = "Nguyễn Văn An";
  p.family_name = "Nguyễn";
  p.middle_names = {"Văn"};
  p.given_name = "An";
  p.title = "Chuyên viên";
  p.agency = {"stttt", "Sở Thông tin và Truyền thông"};
  p.phone = "0251 3822 000";
  return p;
}

TEST(PublicJsonTest, PersonHasExactlyTheContractKeysInOrder) {
  const std::string json = ToJson(SamplePerson());
  EXPECT_EQ(json,
            R"({"uid":"annv","email":"annv@dongnai.gov.vn","full_name":"Nguyễn Văn An",)"
            R"("family_name":"Nguyễn","middle_names":["Văn"],"given_name":"An",)"
            R"("title":"Chuyên viên","agency":{"code":"stttt",)"
            R"("name":"Sở Thông tin và Truyền thông"},"phone":"0251 3822 000"})");
  const auto j = nlohmann::json::parse(json);
  EXPECT_EQ(Keys(j), (std::set<std::string>{"uid", "email", "full_name", "family_name",
                                            "middle_names", "given_name", "title", "agency",
                                            "phone"}));
  EXPECT_EQ(Keys(j["agency"]), (std::set<std::string>{"code", "name"}));
}

TEST(PublicJsonTest, AbsentValuesAreNullAndKeysStay) {
  Person p = SamplePerson();
  p.title.reset();
  p.phone.reset();
  p.middle_names.clear();
  const auto j = nlohmann::json::parse(ToJson(p));
  EXPECT_EQ(Keys(j).size(), 9u);
  EXPECT_TRUE(j["title"].is_null());
  EXPECT_TRUE(j["phone"].is_null());
  EXPECT_TRUE(j["middle_names"].is_array());
  EXPECT_TRUE(j["middle_names"].empty());
}

TEST(PublicJsonTest, AgencyHasExactlyTheContractKeysInOrder) {
  Agency a{"stttt", "Sở Thông tin và Truyền thông", "stttt@dongnai.gov.vn", "ubnd", "annv"};
  EXPECT_EQ(ToJson(a),
            R"({"code":"stttt","name":"Sở Thông tin và Truyền thông",)"
            R"("email":"stttt@dongnai.gov.vn","parent":"ubnd","head_uid":"annv"})");
  Agency top{"ubnd", "Ủy ban nhân dân tỉnh Đồng Nai", "ubnd@dongnai.gov.vn", std::nullopt,
             std::nullopt};
  const auto j = nlohmann::json::parse(ToJson(top));
  EXPECT_EQ(Keys(j), (std::set<std::string>{"code", "name", "email", "parent", "head_uid"}));
  EXPECT_TRUE(j["parent"].is_null());
  EXPECT_TRUE(j["head_uid"].is_null());
}

TEST(PublicJsonTest, EscapesAndSurvivesBadBytes) {
  Person p = SamplePerson();
  p.title = "A \"quoted\"\n\\ title";
  p.full_name = "An\xFF";
  const std::string json = ToJson(p);
  const auto j = nlohmann::json::parse(json);  // still valid JSON
  EXPECT_EQ(j["title"], "A \"quoted\"\n\\ title");
  EXPECT_EQ(j["full_name"], "An\xEF\xBF\xBD");
}

TEST(PublicJsonTest, AppendBuildsListings) {
  std::string out = "[";
  AppendJson(SamplePerson(), out);
  out += ",";
  AppendJson(SamplePerson(), out);
  out += "]";
  const auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["uid"], "annv");
}

}  // namespace
}  // namespace danhba::model

#include <random>

#include "model/json_writer.h"

namespace danhba::model {
namespace {

// The hand-written writer says the same as the JSON library for every valid
// string, and gives valid JSON (with U+FFFD) for every invalid one.
TEST(JsonWriterTest, AgreesWithTheJsonLibrary) {
  std::mt19937 rng(5);
  const std::vector<std::string> pieces = {
      "a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\r", "\b", "\f", std::string(1, '\0'), "\x01",
      "\x1f", "\x7f", "ễ", "Đ", "é", "\xE2\x80\x8B", "😀", "\xEF\xBF\xBD"};
  const std::vector<std::string> bad = {"\xFF", "\xC3", "\xC0\xAF", "\xED\xA0\x80",
                                        "\xF4\x90\x80\x80", "\xE0\x80\x80", "\x80"};
  for (int round = 0; round < 5000; ++round) {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
    std::string ours;
    internal::AppendJsonString(s, ours);
    EXPECT_EQ(ours, nlohmann::json(s).dump()) << s;
    // Damage it: still valid JSON, and decodes to valid UTF-8.
    s.insert(rng() % (s.size() + 1), bad[rng() % bad.size()]);
    std::string damaged;
    internal::AppendJsonString(s, damaged);
    const auto parsed = nlohmann::json::parse(damaged, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << damaged;
    EXPECT_NE(parsed.get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
  }
}

TEST(JsonWriterTest, EachBadByteIsOneReplacementCharacter) {
  std::string out;
  internal::AppendJsonString("a\xFF\xFE" "b\xC3", out);
  EXPECT_EQ(out, "\"a\xEF\xBF\xBD\xEF\xBF\xBD" "b\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace danhba::model
