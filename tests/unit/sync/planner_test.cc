// The planner alone: no directory, no journal file; events as the journal
// returns them.
#include "sync/planner.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "danhba/model/event.h"

namespace danhba::sync {
namespace {

using journal::EventState;

constexpr char kDecision[] =
    R"("decision":{"number":"1/QĐ-SNV","date":"2026-11-20","issuer":"Sở Nội vụ"})";

TimePoint Day(int y, int m, int d) {
  return TimePoint(model::Date::FromYmd(y, m, d).value().ToSysDays());
}

journal::Event Stored(const std::string& json, std::optional<TimePoint> not_before = std::nullopt,
                      EventState state = EventState::kQueued) {
  journal::Event e;
  auto parsed = model::ParseEvent(json);
  EXPECT_TRUE(parsed.ok()) << parsed.error() << "\n" << json;
  e.info.id = parsed.ok() ? parsed->id : "?";
  e.info.not_before = not_before;
  e.info.state = state;
  e.payload = parsed.ok() ? model::ToJson(*parsed) : json;
  return e;
}

std::string Hire(const std::string& id, const std::string& person, const std::string& agency = "stttt",
                 const std::string& effective = "") {
  std::string json = "{\"id\":\"" + id + "\",\"type\":\"hire\"," + kDecision;
  if (!effective.empty()) json += ",\"effective_date\":\"" + effective + "\"";
  return json + ",\"person\":{\"id\":\"" + person +
         "\",\"full_name\":\"Nguyễn Văn An\",\"agency\":\"" + agency + "\"}}";
}

std::string Leave(const std::string& id, const std::string& person) {
  return "{\"id\":\"" + id + "\",\"type\":\"leave\"," + kDecision + ",\"person\":{\"id\":\"" +
         person + "\"}}";
}

std::string Dissolve(const std::string& id, const std::string& code) {
  return "{\"id\":\"" + id + "\",\"type\":\"agency.dissolve\"," + kDecision +
         ",\"agency\":{\"code\":\"" + code + "\"}}";
}

PlanLimits Limits(std::size_t workers = 1, std::size_t max_events = 100) {
  return {max_events, workers, [](const model::Date& d) { return TimePoint(d.ToSysDays()); }};
}

std::vector<std::string> Ids(const RoundPlan& plan, const std::vector<std::size_t>& indexes) {
  std::vector<std::string> out;
  for (std::size_t i : indexes) out.push_back(plan.events[i].id());
  return out;
}

TEST(PlannerTest, AgencyEventsAreBarriersBetweenRunsOfPersonEvents) {
  std::vector<journal::Event> pending;
  pending.push_back(Stored(Hire("h1", "CB1")));
  pending.push_back(Stored(Hire("h2", "CB2", "skhcn")));
  pending.push_back(Stored(Dissolve("d1", "sgtvt")));
  pending.push_back(Stored(Leave("l1", "CB1")));
  RoundPlan plan = Plan(std::move(pending), Day(2026, 12, 1), Limits());
  ASSERT_EQ(plan.events.size(), 4u);
  ASSERT_EQ(plan.stages.size(), 3u);
  EXPECT_FALSE(plan.stages[0].barrier);
  EXPECT_EQ(Ids(plan, plan.stages[0].partitions.at(0)), (std::vector<std::string>{"h1", "h2"}));
  EXPECT_TRUE(plan.stages[1].barrier);
  EXPECT_EQ(Ids(plan, plan.stages[1].partitions.at(0)), std::vector<std::string>{"d1"});
  EXPECT_EQ(Ids(plan, plan.stages[2].partitions.at(0)), std::vector<std::string>{"l1"});
  EXPECT_TRUE(plan.decided.empty());
}

TEST(PlannerTest, OnePersonStaysOnOneWorkerInOrder) {
  std::vector<journal::Event> pending;
  for (int i = 0; i < 20; ++i) pending.push_back(Stored(Hire("h" + std::to_string(i), "P" + std::to_string(i))));
  pending.push_back(Stored(Leave("l7", "P7")));
  RoundPlan plan = Plan(std::move(pending), Day(2026, 12, 1), Limits(3));
  ASSERT_EQ(plan.stages.size(), 1u);
  ASSERT_EQ(plan.stages[0].partitions.size(), 3u);
  std::size_t total = 0;
  for (const auto& partition : plan.stages[0].partitions) {
    total += partition.size();
    auto ids = Ids(plan, partition);
    auto hire = std::find(ids.begin(), ids.end(), "h7");
    auto leave = std::find(ids.begin(), ids.end(), "l7");
    EXPECT_EQ(hire == ids.end(), leave == ids.end()) << "h7 and l7 on different workers";
    if (hire != ids.end()) {
      EXPECT_LT(hire, leave);
    }
  }
  EXPECT_EQ(total, 21u);
}

TEST(PlannerTest, FutureEffectiveDateIsScheduledAndLaterEventsOfThePersonWait) {
  std::vector<journal::Event> pending;
  pending.push_back(Stored(Hire("h1", "CB1", "stttt", "2027-01-01")));
  pending.push_back(Stored(Leave("l1", "CB1")));
  pending.push_back(Stored(Hire("h2", "CB2")));
  RoundPlan plan = Plan(std::move(pending), Day(2026, 12, 1), Limits());
  ASSERT_EQ(plan.outcomes.size(), 3u);
  EXPECT_EQ(plan.outcomes[0].state, EventState::kScheduled);
  EXPECT_EQ(plan.outcomes[0].detail, "effective 2027-01-01");
  EXPECT_EQ(plan.outcomes[1].state, EventState::kQueued);
  EXPECT_EQ(plan.outcomes[1].detail, "waits for an earlier event");
  EXPECT_EQ(Ids(plan, plan.stages.at(0).partitions.at(0)), std::vector<std::string>{"h2"});
  ASSERT_EQ(plan.decided.size(), 1u);
  EXPECT_EQ(plan.decided[0].not_before, Day(2027, 1, 1));
  EXPECT_EQ(plan.next_due, Day(2027, 1, 1));
}

TEST(PlannerTest, AnAgencyEventWaitsForEarlierWaitingEventsAboutItsAgency) {
  std::vector<journal::Event> pending;
  pending.push_back(Stored(Hire("h1", "CB1", "stttt"), Day(2027, 1, 1), EventState::kScheduled));
  pending.push_back(Stored(Dissolve("d1", "stttt")));
  pending.push_back(Stored(Hire("h2", "CB2", "stttt")));
  pending.push_back(Stored(Hire("h3", "CB3", "skhcn")));
  RoundPlan plan = Plan(std::move(pending), Day(2026, 12, 1), Limits());
  EXPECT_EQ(plan.outcomes[1].detail, "waits for an earlier event");
  EXPECT_EQ(plan.outcomes[2].detail, "waits for an earlier event");  // behind the barrier
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].id(), "h3");
}

TEST(PlannerTest, UnreadableEventIsRejectedAndTheRoundIsCapped) {
  std::vector<journal::Event> pending;
  journal::Event bad;
  bad.info.id = "bad";
  bad.payload = R"({"id":"bad","type":"transfer"})";
  pending.push_back(bad);
  for (int i = 0; i < 4; ++i) pending.push_back(Stored(Hire("h" + std::to_string(i), "P" + std::to_string(i))));
  RoundPlan plan = Plan(std::move(pending), Day(2026, 12, 1), Limits(1, 3));
  EXPECT_EQ(plan.outcomes[0].state, EventState::kRejected);
  EXPECT_EQ(plan.outcomes[0].detail.rfind("not a valid event: ", 0), 0u) << plan.outcomes[0].detail;
  ASSERT_EQ(plan.decided.size(), 1u);
  EXPECT_EQ(plan.decided[0].state, EventState::kRejected);
  EXPECT_EQ(plan.events.size(), 3u);
  EXPECT_TRUE(plan.more);
  EXPECT_EQ(plan.outcomes[4].detail, "next round");
}

TEST(PlannerTest, KeysNameThePeopleAndAgenciesOfAnEvent) {
  auto merge = model::ParseStoredTypedEvent(
      std::string(R"({"id":"m1","type":"agency.merge",)") + kDecision +
      R"(,"agency":{"code":"stttt"},"into":"skhcn"})");
  ASSERT_TRUE(merge.ok()) << merge.error();
  Keys k = KeysOf(*merge);
  EXPECT_TRUE(k.agency_event);
  EXPECT_EQ(k.agencies, (std::vector<std::string>{"stttt", "skhcn"}));
  auto hire = model::ParseStoredTypedEvent(model::ToJson(model::ParseEvent(Hire("h1", "CB1")).value()));
  ASSERT_TRUE(hire.ok()) << hire.error();
  k = KeysOf(*hire);
  EXPECT_FALSE(k.agency_event);
  EXPECT_EQ(k.people, std::vector<std::string>{"CB1"});
  EXPECT_EQ(k.agencies, std::vector<std::string>{"stttt"});
}

}  // namespace
}  // namespace danhba::sync
