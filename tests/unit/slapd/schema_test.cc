#include "danhba/slapd/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace danhba::slapd {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Regenerate with: danhba-slapd-config --schema schema/danhba.schema --schema-ldif schema/danhba.ldif
TEST(SchemaTest, CheckedInSchemaFilesAreTheGeneratorsOutput) {
  EXPECT_EQ(ReadFile(DANHBA_SOURCE_DIR "/schema/danhba.schema"), SchemaText());
  EXPECT_EQ(ReadFile(DANHBA_SOURCE_DIR "/schema/danhba.ldif"), SchemaLdif());
}

TEST(SchemaTest, EveryOidIsUnderOurArcAndUnique) {
  std::string text = SchemaText();
  std::regex oid(R"(\( ([0-9.]+))");
  std::set<std::string> seen;
  int count = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), oid); it != std::sregex_iterator();
       ++it) {
    std::string value = (*it)[1];
    EXPECT_TRUE(value.starts_with(std::string(kOidArc) + ".1.") ||
                value.starts_with(std::string(kOidArc) + ".2."))
        << value;
    EXPECT_TRUE(seen.insert(value).second) << "duplicate OID " << value;
    ++count;
  }
  EXPECT_EQ(count, 20);  // 17 attribute types, 3 object classes
}

TEST(SchemaTest, NamesInHeadersAreDefined) {
  std::string text = SchemaText();
  for (std::string_view name :
       {attr::kPersonId, attr::kStatus, attr::kAgencyDn, attr::kDecisionDn, attr::kBirthDate,
        attr::kMailAlias, attr::kAgencyCode, attr::kParentDn, attr::kHeadDn, attr::kDelegateDn,
        attr::kEventId, attr::kDecisionNumber, attr::kDecisionDate, attr::kDecisionIssuer,
        attr::kDecisionType, attr::kSubjectDn, attr::kEffectiveDate, object_class::kPerson,
        object_class::kAgency, object_class::kDecision}) {
    EXPECT_THAT(text, HasSubstr("NAME '" + std::string(name) + "'")) << name;
  }
}

TEST(SchemaTest, ReferencesUseDnSyntaxForRefint) {
  std::string text = SchemaText();
  for (std::string_view name : {attr::kAgencyDn, attr::kDecisionDn, attr::kParentDn, attr::kHeadDn,
                                attr::kDelegateDn, attr::kSubjectDn}) {
    std::size_t at = text.find("NAME '" + std::string(name) + "'");
    ASSERT_NE(at, std::string::npos) << name;
    std::string definition = text.substr(at, text.find(')', at) - at);
    EXPECT_THAT(definition, HasSubstr("EQUALITY distinguishedNameMatch")) << name;
    EXPECT_THAT(definition, HasSubstr("SYNTAX 1.3.6.1.4.1.1466.115.121.1.12")) << name;
  }
}

TEST(SchemaTest, LdifContinuationLinesStartWithASpace) {
  std::istringstream lines(SchemaLdif());
  std::string line;
  bool in_entry = false;
  while (std::getline(lines, line)) {
    if (line.starts_with("dn: ")) in_entry = true;
    if (!in_entry || line.empty()) continue;
    bool attribute = line.find(": ") != std::string::npos && line.front() != ' ';
    EXPECT_TRUE(attribute || line.starts_with("  ")) << line;
  }
}

}  // namespace
}  // namespace danhba::slapd
