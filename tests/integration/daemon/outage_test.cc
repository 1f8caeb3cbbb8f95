// Outage test: the directory (an unmanaged slapd started here) stops while HR
// systems keep posting. The ingest API keeps acknowledging, /readyz says the
// directory is unreachable, and once slapd is back every event is applied in
// order: per-person final state, and hand-made order-sensitive lives
// (hire -> transfer -> update; hire -> leave -> re-hire) posted one request at
// a time during the outage.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "daemon.h"
#include "danhba/slapd/instance.h"
#include "e2e_test_util.h"
#include "scenario.h"
#include "sender.h"
#include "support/http_client.h"
#include "verify.h"

namespace danhba::e2e {

using support::HttpClient;
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Json = nlohmann::ordered_json;

std::string Decision(const std::string& number) {
  return R"({"number":")" + number + R"(","date":"2026-02-01","issuer":"Sở Nội vụ"})";
}

TEST(DaemonOutage, EventsPostedWhileTheDirectoryIsDownApplyInOrderWhenItReturns) {
  const std::size_t event_count = EnvSize("DANHBA_OUTAGE_EVENTS", 600);
  auto dir = TempDir::Make("danhba-outage");
  ASSERT_TRUE(dir.ok()) << dir.error().detail;

  auto created = CreateDaemonOnOwnSlapd(DANHBA_BINARY, dir->path());
  ASSERT_TRUE(created.ok()) << created.error().detail;
  slapd::Instance& slapd = *created->slapd;
  Daemon& daemon = *created->daemon;
  const auto& operator_account = slapd.account(slapd::ServiceAccount::kOperator);
  auto token = daemon.AddSender("hr-outage");
  ASSERT_TRUE(token.ok()) << token.error().detail;
  ASSERT_TRUE(daemon.Start().ok());
  ASSERT_TRUE(daemon.WaitReady(seconds(60)).ok()) << daemon.LogTail();

  province::Province province = MakeProvince(event_count + 10, 77);
  ASSERT_GT(province.people.size(), event_count);
  ScenarioOptions scenario_options;
  scenario_options.events = event_count;
  scenario_options.seed = 77;
  scenario_options.id_prefix = "outage";
  auto scenario = MakeScenario(province, scenario_options);
  ASSERT_TRUE(scenario.ok()) << scenario.error().detail;

  EventSender sender("127.0.0.1", daemon.ingest_port(), *token);
  auto post = [&](const std::vector<ScenarioEvent>& events, std::size_t begin, std::size_t end) {
    for (std::size_t at = begin; at < end; at += 20) {
      std::size_t stop = std::min(end, at + 20);
      auto sent =
          sender.SendBatch(BatchJson(events, at, stop), stop - at, Clock::now() + seconds(60));
      if (!sent.ok()) return sent;
    }
    return Status(Ok());
  };
  std::string agencies = "[";
  for (std::size_t i = 0; i < scenario->agency_events.size(); ++i) {
    agencies += (i > 0 ? "," : "") + scenario->agency_events[i];
  }
  agencies += "]";
  ASSERT_TRUE(
      sender.SendBatch(agencies, scenario->agency_events.size(), Clock::now() + seconds(60)).ok());

  const std::size_t n = scenario->events.size();
  auto first = post(scenario->events, 0, n / 3);
  ASSERT_TRUE(first.ok()) << first.error().detail;

  // The outage.
  ASSERT_TRUE(slapd.Stop().ok());
  HttpClient public_api("127.0.0.1", daemon.public_port(), seconds(5));
  EXPECT_TRUE(PollUntil(seconds(30), [&] {
    auto ready = public_api.Get("/readyz");
    return ready.ok() && ready->status == 503;
  })) << "/readyz did not report the directory as unreachable";

  auto second = post(scenario->events, n / 3, 2 * n / 3);
  ASSERT_TRUE(second.ok()) << "the ingest API must keep accepting during an outage: "
                           << second.error().detail;

  // Hand-made lives, one request per event, all during the outage. People not in the scenario.
  const province::PersonRow& a = province.people[province.people.size() - 1];
  const province::PersonRow& b = province.people[province.people.size() - 2];
  std::vector<std::string> codes;
  for (const auto& agency : province.agencies) {
    if (agency.merged_into.empty()) codes.push_back(agency.code);
  }
  ASSERT_GE(codes.size(), 3u);
  auto hire = [&](const std::string& id, const province::PersonRow& p, const std::string& agency,
                  const std::string& title) {
    Json person{{"id", p.id},     {"full_name", p.full_name}, {"birth_date", p.birth_date},
                {"title", title}, {"phone", p.phone},         {"agency", agency}};
    return Json{
        {"id", id}, {"type", "hire"}, {"decision", Json::parse(Decision(id))}, {"person", person}}
        .dump();
  };
  std::vector<ScenarioEvent> lives = {
      {"life-a-1", "hire", a.id, hire("life-a-1", a, codes[0], "Chuyên viên")},
      {"life-a-2", "transfer", a.id,
       Json{{"id", "life-a-2"},
            {"type", "transfer"},
            {"decision", Json::parse(Decision("life-a-2"))},
            {"person", {{"id", a.id}, {"title", "Phó Trưởng phòng"}}},
            {"to_agency", codes[1]}}
           .dump()},
      {"life-a-3", "update", a.id,
       Json{{"id", "life-a-3"},
            {"type", "update"},
            {"decision", Json::parse(Decision("life-a-3"))},
            {"person", {{"id", a.id}, {"title", "Trưởng phòng"}, {"phone", "0251 3999 111"}}}}
           .dump()},
      {"life-b-1", "hire", b.id, hire("life-b-1", b, codes[0], "Chuyên viên")},
      {"life-b-2", "leave", b.id,
       Json{{"id", "life-b-2"},
            {"type", "leave"},
            {"decision", Json::parse(Decision("life-b-2"))},
            {"person", {{"id", b.id}}}}
           .dump()},
      {"life-b-3", "hire", b.id, hire("life-b-3", b, codes[2], "Kế toán viên")},
  };
  for (std::size_t i = 0; i < lives.size(); ++i) {
    auto sent = sender.SendBatch(BatchJson(lives, i, i + 1), 1, Clock::now() + seconds(30));
    ASSERT_TRUE(sent.ok()) << lives[i].id << ": " << sent.error().detail;
  }
  // Nothing of it can have been applied: the directory is down.
  auto pending = sender.StatusOf("life-a-3");
  ASSERT_TRUE(pending.ok()) << pending.error().detail;
  EXPECT_NE(pending->first, "applied") << pending->second;
  EXPECT_NE(pending->first, "rejected") << pending->second;

  ASSERT_TRUE(slapd.Start().ok());
  auto third = post(scenario->events, 2 * n / 3, n);
  ASSERT_TRUE(third.ok()) << third.error().detail;

  std::map<std::string, ExpectedPerson> expected = scenario->expected;
  expected[a.id] = {a.id, true, codes[1], "Trưởng phòng", "0251 3999 111", 3};
  expected[b.id] = {b.id, true, codes[2], "Kế toán viên", b.phone, 3};
  std::vector<ScenarioEvent> all = scenario->events;
  all.insert(all.end(), lives.begin(), lives.end());
  std::vector<std::string> ids = scenario->agency_event_ids;
  for (const auto& event : all) ids.push_back(event.id);

  JournalTally tally;
  bool settled = PollUntil(
      seconds(150),
      [&] {
        auto counted = TallyJournal(daemon.journal_dir(), ids);
        if (counted.ok()) tally = *counted;
        return counted.ok() && tally.pending == 0 && tally.unknown == 0;
      },
      milliseconds(250));
  ASSERT_TRUE(settled) << "still pending: " << tally.pending << "\n" << daemon.LogTail();
  auto final_tally = TallyJournal(daemon.journal_dir(), ids, all);
  ASSERT_TRUE(final_tally.ok()) << final_tally.error().detail;
  EXPECT_EQ(final_tally->applied, ids.size());
  for (const auto& problem : final_tally->problems) ADD_FAILURE() << problem;

  auto status = sender.StatusOf("life-a-3");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->first, "applied") << status->second;

  auto people =
      ReadPeople({slapd.url(), operator_account.dn, operator_account.password, slapd.base_dn()});
  ASSERT_TRUE(people.ok()) << people.error().detail;
  auto differences = CompareWithDirectory(expected, *people);
  for (std::size_t i = 0; i < differences.size() && i < 30; ++i) ADD_FAILURE() << differences[i];
  EXPECT_TRUE(differences.empty()) << differences.size() << " differences";

  auto stopped = daemon.Stop(seconds(30));
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(*stopped, 0) << daemon.LogTail();
}

}  // namespace
}  // namespace danhba::e2e
