// `danhba run` end to end: senders limited to some agencies may change only
// their own staff (the person's agency comes from the directory, and when the
// directory is down the event is answered `unavailable`, not taken nor refused),
// and the journal is compacted on schedule and on demand.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "daemon.h"
#include "danhba/base/clock.h"
#include "danhba/model/date.h"
#include "danhba/slapd/instance.h"
#include "e2e_test_util.h"
#include "support/http_client.h"

namespace danhba::e2e {

using support::HttpClient;
using support::HttpReply;
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Json = nlohmann::json;

const std::string kDecision =
    R"("decision":{"number":"7/QĐ-SNV","date":"2026-02-01","issuer":"Sở Nội vụ"})";

std::string AgencyCreate(const std::string& id, const std::string& code, const std::string& name) {
  return R"({"id":")" + id + R"(","type":"agency.create",)" + kDecision + R"(,"agency":{"code":")" +
         code + R"(","name":")" + name + R"(","parent":null}})";
}

std::string Hire(const std::string& id, const std::string& person, const std::string& name,
                 const std::string& agency, const std::string& effective_date = {}) {
  std::string date =
      effective_date.empty() ? "" : R"("effective_date":")" + effective_date + R"(",)";
  return R"({"id":")" + id + R"(","type":"hire",)" + kDecision + "," + date +
         R"("person":{"id":")" + person + R"(","full_name":")" + name +
         R"(","birth_date":"1990-05-01","title":"Chuyên viên","agency":")" + agency + R"("}})";
}

std::string Update(const std::string& id, const std::string& person, const std::string& title) {
  return R"({"id":")" + id + R"(","type":"update",)" + kDecision + R"(,"person":{"id":")" + person +
         R"(","title":")" + title + R"("}})";
}

std::string Leave(const std::string& id, const std::string& person) {
  return R"({"id":")" + id + R"(","type":"leave",)" + kDecision + R"(,"person":{"id":")" + person +
         R"("}})";
}

// POSTs `body` and returns the reply, failing the test on a transport error.
HttpReply Post(HttpClient& client, const std::string& body) {
  auto reply = client.PostJson("/api/v1/events", body);
  EXPECT_TRUE(reply.ok()) << reply.error().detail;
  return reply.ok() ? std::move(reply).value() : HttpReply{};
}

// Polls GET /api/v1/events/{id} until the event is applied; false on timeout
// (or when it was rejected).
bool WaitApplied(HttpClient& client, const std::string& id, std::string* last = nullptr) {
  return PollUntil(seconds(60), [&] {
    auto reply = client.Get("/api/v1/events/" + id);
    if (!reply.ok()) return false;
    if (last) *last = reply->body;
    return reply->status == 200 && Json::parse(reply->body).value("status", "") == "applied";
  });
}

TEST(RunWiring, ScopedSenderMayChangeOnlyItsAgencysStaffAndIsToldToRetryWhileTheDirectoryIsDown) {
  auto dir = TempDir::Make("danhba-scoped");
  ASSERT_TRUE(dir.ok()) << dir.error().detail;
  // An unmanaged slapd of this test's own, so that it can be stopped under the daemon.
  auto created = CreateDaemonOnOwnSlapd(DANHBA_BINARY, dir->path());
  ASSERT_TRUE(created.ok()) << created.error().detail;
  slapd::Instance& slapd = *created->slapd;
  Daemon& daemon = *created->daemon;
  auto all_token = daemon.AddSender("hr-snv");
  ASSERT_TRUE(all_token.ok()) << all_token.error().detail;
  auto scoped_token = daemon.AddSender("hr-stttt", "stttt");
  ASSERT_TRUE(scoped_token.ok()) << scoped_token.error().detail;
  ASSERT_TRUE(daemon.Start().ok());
  ASSERT_TRUE(daemon.WaitReady(seconds(60)).ok()) << daemon.LogTail();

  HttpClient all("127.0.0.1", daemon.ingest_port());
  all.SetBearerToken(*all_token);
  HttpClient scoped("127.0.0.1", daemon.ingest_port());
  scoped.SetBearerToken(*scoped_token);

  // A sender added while the daemon runs is let in at once, not a second later.
  auto late_token = daemon.AddSender("hr-late");
  ASSERT_TRUE(late_token.ok()) << late_token.error().detail;
  HttpClient late("127.0.0.1", daemon.ingest_port());
  late.SetBearerToken(*late_token);
  HttpReply first = Post(late, AgencyCreate("a-0", "sgtvt", "Sở Giao thông Vận tải"));
  EXPECT_EQ(first.status, 202) << first.body;

  // The provincial department sets up two agencies and one person in each.
  HttpReply setup = Post(all, "[" + AgencyCreate("a-1", "stttt", "Sở Thông tin và Truyền thông") +
                                  "," + AgencyCreate("a-2", "skhcn", "Sở Khoa học và Công nghệ") +
                                  "," + Hire("h-1", "CB001", "Nguyễn Văn An", "stttt") + "," +
                                  Hire("h-2", "CB002", "Trần Thị Bình", "skhcn") + "]");
  ASSERT_EQ(setup.status, 202) << setup.body;
  std::string last;
  ASSERT_TRUE(WaitApplied(all, "h-1", &last)) << last << daemon.LogTail();
  ASSERT_TRUE(WaitApplied(all, "h-2", &last)) << last << daemon.LogTail();

  // Its own staff: taken and applied.
  HttpReply update = Post(scoped, Update("s-1", "CB001", "Phó Trưởng phòng"));
  ASSERT_EQ(update.status, 202) << update.body;
  EXPECT_TRUE(WaitApplied(scoped, "s-1", &last)) << last << daemon.LogTail();

  // Another agency's staff: refused, per event, naming the person's agency.
  HttpReply other = Post(scoped, Leave("s-2", "CB002"));
  ASSERT_EQ(other.status, 403) << other.body;
  Json refused = Json::parse(other.body)["results"][0];
  EXPECT_EQ(refused["error"]["code"], "forbidden");
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("belongs to 'skhcn'"),
            std::string::npos)
      << other.body;
  auto absent = scoped.Get("/api/v1/events/s-2");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(absent->status, 404) << "a refused event is not journaled";

  // Someone nobody knows: refused, saying so.
  HttpReply unknown = Post(scoped, Leave("s-3", "CB999"));
  ASSERT_EQ(unknown.status, 403) << unknown.body;
  EXPECT_NE(unknown.body.find("not known"), std::string::npos) << unknown.body;

  // Hired by an event still waiting (effective in the future): its agency counts.
  // The daemon's clock is the system's: a year from today lies ahead on any date.
  const std::string next_year =
      model::ProvinceDate(base::SystemNow() + std::chrono::days(366)).ToString();
  HttpReply future = Post(all, Hire("h-3", "CB003", "Lê Văn Cường", "stttt", next_year));
  ASSERT_EQ(future.status, 202) << future.body;
  HttpReply early = Post(scoped, Update("s-4", "CB003", "Chuyên viên chính"));
  EXPECT_EQ(early.status, 202) << early.body;

  // The directory stops: the daemon cannot tell CB001's agency, so the sender
  // is told to send again; nothing is journaled.
  ASSERT_TRUE(slapd.Stop().ok());
  ASSERT_TRUE(PollUntil(seconds(30), [&] {
    HttpClient public_api("127.0.0.1", daemon.public_port(), seconds(2));
    auto ready = public_api.Get("/readyz");
    return ready.ok() && ready->status == 503;
  })) << daemon.LogTail();
  HttpReply down = Post(scoped, Leave("s-5", "CB001"));
  ASSERT_EQ(down.status, 503) << down.body;
  Json down_body = Json::parse(down.body);
  EXPECT_EQ(down_body["results"][0]["status"], "unavailable") << down.body;
  EXPECT_EQ(down.headers["retry-after"], "10");
  auto not_taken = scoped.Get("/api/v1/events/s-5");
  ASSERT_TRUE(not_taken.ok());
  EXPECT_EQ(not_taken->status, 404);

  // Back: the same event, sent again, is taken and applied.
  ASSERT_TRUE(slapd.Start().ok());
  HttpReply again;
  ASSERT_TRUE(PollUntil(seconds(60),
                        [&] {
                          again = Post(scoped, Leave("s-5", "CB001"));
                          return again.status == 202;
                        }))
      << again.status << " " << again.body << daemon.LogTail();
  EXPECT_TRUE(WaitApplied(scoped, "s-5", &last)) << last << daemon.LogTail();

  auto stopped = daemon.Stop(seconds(15));
  ASSERT_TRUE(stopped.ok()) << stopped.error().detail;
  EXPECT_EQ(*stopped, 0) << daemon.LogTail();
}

Result<CommandOutput> Danhba(const Daemon& daemon, std::vector<std::string> args) {
  std::vector<std::string> argv = {daemon.options().binary.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--config");
  argv.push_back(daemon.config_file().string());
  return RunToCompletion(argv);
}

TEST(RunWiring, JournalIsCompactedOnScheduleAndOnDemand) {
  auto dir = TempDir::Make("danhba-compact");
  ASSERT_TRUE(dir.ok()) << dir.error().detail;
  DaemonOptions options;
  options.binary = DANHBA_BINARY;
  options.dir = dir->path();
  options.extra_yaml = "journal:\n  compact_after: 1s\n  compact_interval: 1s\n";
  auto created = Daemon::Create(options);
  ASSERT_TRUE(created.ok()) << created.error().detail;
  Daemon& daemon = **created;
  auto token = daemon.AddSender("hr-snv");
  ASSERT_TRUE(token.ok()) << token.error().detail;
  ASSERT_TRUE(daemon.Start().ok());
  ASSERT_TRUE(daemon.WaitReady(seconds(60)).ok()) << daemon.LogTail();

  HttpClient client("127.0.0.1", daemon.ingest_port());
  client.SetBearerToken(*token);
  HttpReply posted =
      Post(client, "[" + AgencyCreate("a-1", "stttt", "Sở Thông tin và Truyền thông") + "," +
                       Hire("h-1", "CB001", "Nguyễn Văn An", "stttt") + "]");
  ASSERT_EQ(posted.status, 202) << posted.body;
  std::string last;
  ASSERT_TRUE(WaitApplied(client, "h-1", &last)) << last << daemon.LogTail();

  // The daemon drops the payload within a few compaction rounds; the id stays.
  std::string shown;
  EXPECT_TRUE(PollUntil(seconds(30),
                        [&] {
                          auto ran = Danhba(daemon, {"events", "show", "h-1"});
                          if (!ran.ok() || ran->exit_code != 0) return false;
                          shown = ran->out;
                          return shown.find("payload: (removed by compaction)") !=
                                 std::string::npos;
                        }))
      << shown << daemon.LogTail();
  EXPECT_NE(shown.find("state: applied"), std::string::npos) << shown;
  std::ifstream log(daemon.log_file());
  std::string log_text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(log_text.find("journal compacted in"), std::string::npos) << daemon.LogTail();

  // The same id sent again is still known: applied once, not journaled anew.
  HttpReply resent = Post(client, Hire("h-1", "CB001", "Nguyễn Văn An", "stttt"));
  ASSERT_EQ(resent.status, 202) << resent.body;
  EXPECT_EQ(Json::parse(resent.body)["results"][0].value("duplicate", false), true) << resent.body;

  // On demand: not while the daemon holds the journal...
  auto refused = Danhba(daemon, {"events", "compact"});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->exit_code, 1);
  EXPECT_NE(refused->err.find("held by a running `danhba run`"), std::string::npos) << refused->err;
  EXPECT_NE(refused->err.find("every 1s"), std::string::npos) << refused->err;

  // ...and SIGTERM stops the compaction thread with the rest, promptly.
  auto began = Clock::now();
  auto stopped = daemon.Stop(seconds(15));
  ASSERT_TRUE(stopped.ok()) << stopped.error().detail;
  EXPECT_EQ(*stopped, 0) << daemon.LogTail();
  EXPECT_LT(Clock::now() - began, seconds(10));

  // ...but once it has stopped.
  auto compacted = Danhba(daemon, {"events", "compact"});
  ASSERT_TRUE(compacted.ok());
  EXPECT_EQ(compacted->exit_code, 0) << compacted->err;
  EXPECT_NE(compacted->out.find("compacted: "), std::string::npos) << compacted->out;
  auto still = Danhba(daemon, {"events", "show", "h-1"});
  ASSERT_TRUE(still.ok());
  EXPECT_NE(still->out.find("state: applied"), std::string::npos) << still->out << still->err;
}

// With the default schedule (the first compaction 10 s after start), SIGTERM
// wakes the waiting compaction thread at once.
TEST(RunWiring, StopsPromptlyWhileWaitingToCompact) {
  auto dir = TempDir::Make("danhba-compact-stop");
  ASSERT_TRUE(dir.ok()) << dir.error().detail;
  DaemonOptions options;
  options.binary = DANHBA_BINARY;
  options.dir = dir->path();
  auto created = Daemon::Create(options);
  ASSERT_TRUE(created.ok()) << created.error().detail;
  Daemon& daemon = **created;
  ASSERT_TRUE(daemon.Start().ok());
  ASSERT_TRUE(daemon.WaitReady(seconds(60)).ok()) << daemon.LogTail();
  auto began = Clock::now();
  auto stopped = daemon.Stop(seconds(15));
  ASSERT_TRUE(stopped.ok()) << stopped.error().detail;
  EXPECT_EQ(*stopped, 0) << daemon.LogTail();
  EXPECT_LT(Clock::now() - began, seconds(5)) << daemon.LogTail();
}

}  // namespace
}  // namespace danhba::e2e
