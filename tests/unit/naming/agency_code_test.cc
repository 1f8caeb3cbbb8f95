// Agency codes (R4): validation, and the suggestion rule checked against every
// agency of the province's list.
#include "danhba/naming/agency_code.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "unit/naming/forms.h"

namespace danhba::naming {
namespace {

using ::testing::HasSubstr;

struct Agency {
  std::string code;
  std::string name;
};

// The code and name columns of a simple CSV (quoted fields may hold commas).
std::vector<Agency> ReadAgencies(const std::string& path) {
  std::ifstream in(path);
  std::vector<Agency> agencies;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (const char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.emplace_back();
      } else {
        fields.back().push_back(c);
      }
    }
    if (fields.size() >= 2 && !fields[0].empty()) agencies.push_back({fields[0], fields[1]});
  }
  return agencies;
}

TEST(SuggestAgencyCode, GivesEveryCodeOfTheProvincesList) {
  const auto agencies = ReadAgencies(DANHBA_SHARED_DIR "/data/dongnai-agencies.csv");
  ASSERT_GE(agencies.size(), 40u);
  for (const auto& agency : agencies) {
    SCOPED_TRACE(agency.name);
    auto suggestion = SuggestAgencyCode(agency.name);
    ASSERT_TRUE(suggestion.ok()) << suggestion.error();
    EXPECT_EQ(suggestion->code, agency.code);
    EXPECT_TRUE(ValidateAgencyCode(agency.code).ok()) << agency.code;
  }
}

TEST(SuggestAgencyCode, WorksInEveryFormOfTheName) {
  for (const auto& form : testing::AllForms()) {
    SCOPED_TRACE(form.name);
    auto stttt = SuggestAgencyCode(form.make("Sở Thông tin và Truyền thông"));
    ASSERT_TRUE(stttt.ok()) << stttt.error();
    EXPECT_EQ(stttt->code, "stttt");
    auto ward = SuggestAgencyCode(form.make("Ủy ban nhân dân phường Trấn Biên"));
    ASSERT_TRUE(ward.ok()) << ward.error();
    EXPECT_EQ(ward->code, "p.tranbien");
  }
}

TEST(SuggestAgencyCode, FollowsTheDocumentedRule) {
  const std::pair<const char*, const char*> cases[] = {
      {"UBND tỉnh Đồng Nai", "ubnd"},
      {"Văn phòng UBND tỉnh", "vpubnd"},
      {"Hội đồng nhân dân tỉnh Đồng Nai", "hdnd"},
      {"Hội đồng nhân dân xã Hàng Gòn", "hdnd.x.hanggon"},
      {"Văn phòng Ủy ban nhân dân phường Long Bình", "vp.p.longbinh"},
      {"Ủy ban nhân dân thị trấn Vĩnh An", "tt.vinhan"},
      {"Ủy ban nhân dân thành phố Biên Hòa", "tp.bienhoa"},
      {"Ủy ban nhân dân huyện Trảng Bom", "h.trangbom"},
      {"Sở GD&ĐT", "sgddt"},
      {"Công an tỉnh", "cat"},
      {"Trung tâm Công nghệ thông tin và Truyền thông", "ttcntttt"},
      {"Ban Quản lý các dự án của tỉnh", "bqldat"},
      // Ủy / Uỷ: either placement of the tone mark.
      {"Uỷ ban nhân dân tỉnh", "ubnd"},
  };
  for (const auto& [name, code] : cases) {
    auto suggestion = SuggestAgencyCode(name);
    ASSERT_TRUE(suggestion.ok()) << name << ": " << suggestion.error();
    EXPECT_EQ(suggestion->code, code) << name;
  }
}

TEST(SuggestAgencyCode, ExplainsEachLetter) {
  auto suggestion = SuggestAgencyCode("Sở Thông tin và Truyền thông");
  ASSERT_TRUE(suggestion.ok());
  EXPECT_THAT(suggestion->explanation,
              ::testing::ElementsAre("'Sở' -> 's'", "'Thông' -> 't'", "'tin' -> 't'",
                                     "'và': a linking word, no letter", "'Truyền' -> 't'",
                                     "'thông' -> 't'", "suggested code 'stttt'"));
}

TEST(SuggestAgencyCode, RejectsNamesWithoutLetters) {
  auto empty = SuggestAgencyCode("  ");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error().detail, HasSubstr("has no letters"));
  auto punctuation = SuggestAgencyCode("--, ()");
  ASSERT_FALSE(punctuation.ok());
  EXPECT_THAT(punctuation.error().detail, HasSubstr("has no letters"));
  EXPECT_FALSE(SuggestAgencyCode("S\xFF").ok());
}

TEST(ValidateAgencyCode, AcceptsCodesAndDottedLocalCodes) {
  for (const char* code : {"stttt", "ubnd", "p.tanmai", "x.bugiamap", "hdnd.x.hanggon", "s1"}) {
    EXPECT_TRUE(ValidateAgencyCode(code).ok()) << code;
  }
}

TEST(ValidateAgencyCode, RejectsWithTheReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "agency code is empty"},
      {"STTTT", "(lower case)"},
      {"p..tanmai", "empty part between dots"},
      {".stttt", "starts or ends with a dot"},
      {"p.", "starts or ends with a dot"},
      {"s-tttt", "may hold only a-z, 0-9 and dots"},
      {"sở", "may hold only"},
      {"123", "has no letter"},
      {"postmaster", "reserved role address"},
  };
  for (const auto& [code, message] : cases) {
    auto status = ValidateAgencyCode(code);
    ASSERT_FALSE(status.ok()) << code;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidInput);
    EXPECT_THAT(status.error().detail, HasSubstr(message)) << code;
  }
  EXPECT_THAT(ValidateAgencyCode(std::string(65, 's')).error().detail, HasSubstr("longer than 64"));
}

}  // namespace
}  // namespace danhba::naming
