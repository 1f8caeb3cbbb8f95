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
