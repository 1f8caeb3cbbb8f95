#include "model/event_rules.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "danhba/model/event.h"

namespace danhba::model {
namespace {

constexpr std::string_view kBegin = "<!-- event-fields begin -->\n";
constexpr std::string_view kEnd = "<!-- event-fields end -->";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The docs' table of event fields is the table the code validates with.
TEST(EventRulesTest, IngestDocsShowTheRulesTable) {
  const std::string docs = ReadFile(std::string(DANHBA_SOURCE_DIR) + "/docs/ingest.md");
  const auto begin = docs.find(kBegin);
  const auto end = docs.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << "docs/ingest.md lacks " << kBegin;
  ASSERT_NE(end, std::string::npos) << "docs/ingest.md lacks " << kEnd;
  ASSERT_LT(begin, end);
  const std::string section = docs.substr(begin + kBegin.size(), end - begin - kBegin.size());
  EXPECT_EQ(section, internal::RenderEventFieldsTable())
      << "docs/ingest.md's event fields differ from src/model/event_rules.cc; the section "
         "between the markers should read:\n"
      << internal::RenderEventFieldsTable();
}

TEST(EventRulesTest, EveryTypeHasItsRowAndColumn) {
  for (const EventType type : kAllEventTypes) {
    const internal::TypeRule& rule = internal::RulesOf(type);
    EXPECT_EQ(rule.type, type) << ToString(type);
    const auto& types = rule.subject == internal::Subject::kPerson
                            ? std::vector<EventType>(internal::kPersonTypes.begin(),
                                                     internal::kPersonTypes.end())
                            : std::vector<EventType>(internal::kAgencyTypes.begin(),
                                                     internal::kAgencyTypes.end());
    ASSERT_LT(internal::ColumnOf(type), types.size());
    EXPECT_EQ(types[internal::ColumnOf(type)], type);
  }
}

std::string Agency(std::string_view type, std::string_view fields) {
  return R"({"id":"e1","type":")" + std::string(type) +
         R"(","decision":{"number":"1","date":"2026-11-20","issuer":"X"},"agency":{"code":"a")" +
         std::string(fields) + "}}";
}

// Every agency field a type refuses is refused by name, with the table's hint.
TEST(EventRulesTest, RefusedAgencyFieldsAreRefusedWithTheirHint) {
  const std::map<std::string_view, std::string> values = {
      {"new_code", R"("b")"}, {"name", R"("B")"}, {"parent", R"("p")"},
      {"head", R"("CB1")"},   {"delegates", R"(["CB2"])"}};
  int checked = 0;
  for (std::size_t column = 0; column < internal::kAgencyTypes.size(); ++column) {
    const EventType type = internal::kAgencyTypes[column];
    for (const internal::AgencyFieldRule& field : internal::AgencyFieldRules()) {
      const internal::Rule& rule = field.by_type[column];
      if (rule.presence != internal::Presence::kNo) continue;
      std::string extra = R"(,")" + std::string(field.name) + R"(":)" + values.at(field.name);
      auto parsed = ParseEvent(Agency(ToString(type), extra));
      ASSERT_FALSE(parsed.ok()) << ToString(type) << " " << field.name;
      const std::string expected = "agency." + std::string(field.name) + ": not allowed for";
      EXPECT_NE(parsed.error().detail.find(expected), std::string::npos) << parsed.error().detail;
      EXPECT_NE(parsed.error().detail.find(rule.hint), std::string::npos) << parsed.error().detail;
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

}  // namespace
}  // namespace danhba::model
