// AdmitBatch: the verdict on each event of a batch, before any journal write.
#include "api/admission.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/api/test_util.h"

namespace danhba::api {
namespace {

using ::testing::HasSubstr;
using Kind = EventVerdict::Kind;

base::TimePoint At(std::string_view date, int hour = 12) {
  return model::ProvinceStartOfDay(*model::Date::Parse(date)) + std::chrono::hours(hour);
}

Sender Named(std::string name, std::vector<std::string> agencies = {}) {
  Sender sender;
  sender.name = std::move(name);
  sender.agencies = std::move(agencies);
  return sender;
}

model::ParsedBatch Parse(const std::string& body) {
  auto batch = model::ParseEvents(body);
  EXPECT_TRUE(batch.ok()) << batch.error();
  return std::move(batch).value();
}

TEST(AdmitBatchTest, AdmitsValidEventsWithTheSenderAndCanonicalPayload) {
  model::ParsedBatch batch = Parse("[" + testing::HireJson("h1") + "]");
  auto verdicts = AdmitBatch(batch, Named("hr"), {}, At("2026-11-28"));
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].kind, Kind::kAdmitted);
  EXPECT_EQ(verdicts[0].id, "h1");
  EXPECT_EQ(verdicts[0].entry.id, "h1");
  EXPECT_EQ(verdicts[0].entry.sender, "hr");
  auto reparsed = model::ParseEvents(verdicts[0].entry.payload);
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->events.at(0).id, "h1");
  EXPECT_EQ(verdicts[0].entry.not_before, std::nullopt);
}

TEST(AdmitBatchTest, AFutureEffectiveDateIsDueAtTheStartOfThatDay) {
  model::ParsedBatch batch = Parse(testing::HireJson("h1", "stttt", "2026-12-01"));
  auto verdicts = AdmitBatch(batch, Named("hr"), {}, At("2026-11-28"));
  ASSERT_EQ(verdicts.at(0).kind, Kind::kAdmitted);
  EXPECT_EQ(verdicts[0].entry.not_before, At("2026-12-01", 0));
  // The same day, already begun: at once.
  verdicts = AdmitBatch(batch, Named("hr"), {}, At("2026-12-01", 9));
  EXPECT_EQ(verdicts.at(0).entry.not_before, std::nullopt);
}

TEST(AdmitBatchTest, RefusesInvalidEventsNamingWhere) {
  std::string long_id(300, 'x');  // longer than any id may be
  model::ParsedBatch batch =
      Parse("[" + testing::HireJson("ok") + R"(,{"id":"bad","type":"hire"},)" +
            testing::HireJson(long_id) + "]");
  auto verdicts = AdmitBatch(batch, Named("hr"), {}, At("2026-11-28"));
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_EQ(verdicts[0].kind, Kind::kAdmitted);
  EXPECT_EQ(verdicts[1].kind, Kind::kInvalid);
  EXPECT_EQ(verdicts[1].id, "bad");
  EXPECT_FALSE(verdicts[1].message.empty());
  EXPECT_EQ(verdicts[2].kind, Kind::kInvalid);
  EXPECT_THAT(verdicts[2].message, HasSubstr("events[2].id"));
}

TEST(AdmitBatchTest, RefusesEventsOutsideTheSendersAgencies) {
  model::ParsedBatch batch =
      Parse("[" + testing::HireJson("in", "stttt") + "," + testing::HireJson("out", "snv") + "]");
  auto verdicts = AdmitBatch(batch, Named("scoped", {"stttt"}), {}, At("2026-11-28"));
  EXPECT_EQ(verdicts.at(0).kind, Kind::kAdmitted);
  EXPECT_EQ(verdicts.at(1).kind, Kind::kForbidden);
  EXPECT_EQ(verdicts[1].id, "out");
  EXPECT_THAT(verdicts[1].message, HasSubstr("'snv'"));
}

TEST(AdmitBatchTest, AnUncheckableScopeIsUnavailableNotRefused) {
  model::ParsedBatch batch = Parse(testing::LeaveJson("l1", "CB-h1"));
  PersonAgencyFn down = [](std::string_view) -> Result<std::optional<std::string>> {
    return Transient("ldap://127.0.0.1:1 does not answer");
  };
  auto verdicts = AdmitBatch(batch, Named("scoped", {"stttt"}), down, At("2026-11-28"));
  ASSERT_EQ(verdicts.at(0).kind, Kind::kUnavailable);
  EXPECT_EQ(verdicts[0].id, "l1");
  EXPECT_EQ(verdicts[0].message, "ldap://127.0.0.1:1 does not answer");
}

}  // namespace
}  // namespace danhba::api
