// Crash test of the whole daemon: the real `danhba run` (managed slapd) is
// killed with SIGKILL at random moments while two HR systems stream personnel
// events in batches, and restarted on the same data_dir. A sender whose batch
// got no reply sends it again. At the end every acknowledged event must be
// applied exactly once and the directory must equal the state computed from
// the event stream alone.
//
// Knobs (environment): DANHBA_CRASH_ROUNDS (kills, default 10),
// DANHBA_CRASH_EVENTS (default 5000), DANHBA_CRASH_SEED (default 2026).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "daemon.h"
#include "e2e_test_util.h"
#include "scenario.h"
#include "sender.h"
#include "verify.h"

namespace danhba::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::size_t kBatch = 25;

// What the senders may send: round r allows each sender the first
// (r + 1) / (rounds + 1) of its events; the round after the last kill allows all.
struct Progress {
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t round = 0;
  std::size_t acked = 0;  // events acknowledged, both senders
  bool failed = false;
  std::string failure;
};

struct SenderPlan {
  std::string token;
  std::vector<ScenarioEvent> events;  // this sender's people only, in scenario order
};

TEST(DaemonCrash, AcknowledgedEventsSurviveSigkillOfDaemonAndSlapd) {
  const std::size_t rounds = EnvSize("DANHBA_CRASH_ROUNDS", 10);
  const std::size_t event_count = EnvSize("DANHBA_CRASH_EVENTS", 5000);
  const std::uint64_t seed = EnvSize("DANHBA_CRASH_SEED", 2026);
  std::printf("[ e2e      ] %zu kills, %zu events, seed %llu\n", rounds, event_count,
              static_cast<unsigned long long>(seed));

  auto dir = TempDir::Make("danhba-crash");
  ASSERT_TRUE(dir.ok()) << dir.error().detail;
  province::Province province = MakeProvince(event_count, seed);
  ASSERT_FALSE(province.people.empty());
  ScenarioOptions scenario_options;
  scenario_options.events = event_count;
  scenario_options.seed = seed;
  scenario_options.id_prefix = "crash";
  auto scenario = MakeScenario(province, scenario_options);
  ASSERT_TRUE(scenario.ok()) << scenario.error().detail;

  DaemonOptions daemon_options;
  daemon_options.binary = DANHBA_BINARY;
  daemon_options.dir = dir->path();
  auto created = Daemon::Create(daemon_options);
  ASSERT_TRUE(created.ok()) << created.error().detail;
  Daemon& daemon = **created;
  std::vector<SenderPlan> plans(2);
  for (std::size_t s = 0; s < plans.size(); ++s) {
    auto token = daemon.AddSender("hr-" + std::to_string(s));
    ASSERT_TRUE(token.ok()) << token.error().detail;
    plans[s].token = *token;
  }
  // People are split between the senders, so each person's events keep their order.
  std::map<std::string, std::size_t> owner;
  for (const ScenarioEvent& event : scenario->events) {
    auto [it, inserted] = owner.emplace(event.person_id, owner.size() % plans.size());
    plans[it->second].events.push_back(event);
  }

  ASSERT_TRUE(daemon.Start().ok());
  ASSERT_TRUE(daemon.WaitReady(seconds(60)).ok()) << daemon.LogTail();
  {
    EventSender agencies("127.0.0.1", daemon.ingest_port(), plans[0].token);
    std::string body = "[";
    for (std::size_t i = 0; i < scenario->agency_events.size(); ++i) {
      body += (i > 0 ? "," : "") + scenario->agency_events[i];
    }
    body += "]";
    auto sent = agencies.SendBatch(body, scenario->agency_events.size(), Clock::now() + seconds(60));
    ASSERT_TRUE(sent.ok()) << sent.error().detail;
  }

  const auto deadline = Clock::now() + milliseconds(EnvSize("DANHBA_CRASH_DEADLINE_MS", 170'000) + rounds * 2000);
  Progress progress;
  std::atomic<bool> cancel{false};
  std::vector<SenderStats> stats(plans.size());
  std::vector<std::thread> senders;
  // An assertion that ends the test early stops and joins the senders first.
  struct JoinGuard {
    std::vector<std::thread>& threads;
    Progress& progress;
    std::atomic<bool>& cancel;
    ~JoinGuard() {
      cancel = true;
      {
        std::lock_guard lock(progress.mutex);
        progress.failed = true;
        progress.changed.notify_all();
      }
      for (auto& thread : threads) {
        if (thread.joinable()) thread.join();
      }
    }
  } join_guard{senders, progress, cancel};
  auto limit_of = [&](std::size_t s, std::size_t round) {
    return round >= rounds ? plans[s].events.size() : plans[s].events.size() * (round + 1) / (rounds + 1);
  };
  for (std::size_t s = 0; s < plans.size(); ++s) {
    senders.emplace_back([&, s] {
      const SenderPlan& plan = plans[s];
      EventSender sender("127.0.0.1", daemon.ingest_port(), plan.token);
      sender.SetCancel(&cancel);
      std::size_t next = 0;
      while (next < plan.events.size()) {
        std::size_t allowed;
        {
          std::unique_lock lock(progress.mutex);
          progress.changed.wait(lock, [&] { return progress.failed || limit_of(s, progress.round) > next; });
          if (progress.failed) break;
          allowed = limit_of(s, progress.round);
        }
        std::size_t end = std::min({next + kBatch, allowed, plan.events.size()});
        auto sent = sender.SendBatch(BatchJson(plan.events, next, end), end - next, deadline);
        std::lock_guard lock(progress.mutex);
        if (!sent.ok()) {
          if (progress.failed) break;
          progress.failed = true;
          progress.failure = "sender hr-" + std::to_string(s) + ": " + sent.error().detail;
          progress.changed.notify_all();
          break;
        }
        progress.acked += end - next;
        progress.changed.notify_all();
        next = end;
      }
      stats[s] = sender.stats();
    });
  }

  // The killer: each round, SIGKILL at a random moment, sometimes while the
  // daemon is still starting (recovering the journal, starting slapd), mostly
  // while batches are in flight.
  std::mt19937_64 rng(seed ^ 0x5eedULL);
  auto ldap_port = static_cast<std::uint16_t>(std::stoi(daemon.ldap_url().substr(daemon.ldap_url().rfind(':') + 1)));
  std::size_t kills_while_starting = 0;
  for (std::size_t round = 0; round < rounds; ++round) {
    bool during_start = round > 0 && std::uniform_int_distribution<int>(0, 3)(rng) == 0;
    if (during_start) {
      ++kills_while_starting;
      std::unique_lock lock(progress.mutex);
      progress.changed.wait_for(lock, milliseconds(std::uniform_int_distribution<int>(0, 400)(rng)),
                                [&] { return progress.failed; });
    } else {
      auto serving = daemon.WaitServing(seconds(60));
      ASSERT_TRUE(serving.ok()) << serving.error().detail;
      std::unique_lock lock(progress.mutex);
      std::size_t before = progress.acked;
      progress.round = round;
      progress.changed.notify_all();
      // Kill once a random part of this round's share is acknowledged, then
      // after a random few milliseconds more: mid-batch, mid-apply, anywhere.
      std::size_t allowed = 0;
      for (std::size_t s = 0; s < plans.size(); ++s) allowed += limit_of(s, round);
      std::size_t share = allowed > before ? allowed - before : 0;
      std::size_t trigger = before + std::uniform_int_distribution<std::size_t>(share / 4, share)(rng);
      bool reached = progress.changed.wait_until(lock, deadline, [&] { return progress.failed || progress.acked >= trigger; });
      ASSERT_FALSE(progress.failed) << progress.failure;
      ASSERT_TRUE(reached) << "round " << round << ": only " << progress.acked << " of " << trigger
                           << " events acknowledged before the deadline\n" << daemon.LogTail();
      progress.changed.wait_for(lock, milliseconds(std::uniform_int_distribution<int>(0, 40)(rng)),
                                [&] { return progress.failed; });
    }
    ASSERT_TRUE(daemon.Kill().ok());
    // The managed slapd gets its parent-death signal; it must be gone before restart.
    auto closed = WaitPortClosed(ldap_port, seconds(30));
    ASSERT_TRUE(closed.ok()) << closed.error().detail;
    ASSERT_TRUE(daemon.Start().ok());
  }
  {
    auto serving = daemon.WaitServing(seconds(60));
    ASSERT_TRUE(serving.ok()) << serving.error().detail;
    std::lock_guard lock(progress.mutex);
    progress.round = rounds;
    progress.changed.notify_all();
  }
  for (auto& thread : senders) thread.join();
  {
    std::lock_guard lock(progress.mutex);
    ASSERT_FALSE(progress.failed) << progress.failure;
  }
  ASSERT_EQ(progress.acked, scenario->events.size());

  SenderStats total;
  for (const auto& s : stats) {
    total.batches += s.batches;
    total.posts += s.posts;
    total.resent += s.resent;
    total.duplicates += s.duplicates;
    total.rate_limited += s.rate_limited;
    total.unavailable += s.unavailable;
  }
  std::printf("[ e2e      ] %zu kills (%zu while starting); %zu batches in %zu POSTs, %zu re-sent after a lost "
              "reply, %zu events already recorded, %zu x 429, %zu x 503; %zu order-sensitive events\n",
              rounds, kills_while_starting, total.batches, total.posts, total.resent, total.duplicates,
              total.rate_limited, total.unavailable, scenario->order_sensitive);

  // Everything acknowledged is applied: poll the journal (read-only, beside the daemon).
  std::vector<std::string> ids = scenario->agency_event_ids;
  for (const auto& event : scenario->events) ids.push_back(event.id);
  JournalTally tally;
  std::string last_error;
  bool settled = PollUntil(seconds(120), [&] {
    auto counted = TallyJournal(daemon.journal_dir(), ids);
    if (!counted.ok()) {
      last_error = counted.error().detail;
      return false;
    }
    tally = *counted;
    return tally.pending == 0 && tally.unknown == 0;
  }, milliseconds(250));
  ASSERT_TRUE(settled) << "still pending " << tally.pending << ", unknown " << tally.unknown << " " << last_error
                       << "\n" << daemon.LogTail();
  auto final_tally = TallyJournal(daemon.journal_dir(), ids, scenario->events);
  ASSERT_TRUE(final_tally.ok()) << final_tally.error().detail;
  EXPECT_EQ(final_tally->applied, ids.size());
  EXPECT_EQ(final_tally->rejected, 0u);
  // Nothing doubled in the journal: exactly the events sent, each once.
  EXPECT_EQ(final_tally->total_in_journal, ids.size());
  for (const auto& problem : final_tally->problems) ADD_FAILURE() << problem;

  // The directory equals the state computed from the stream alone.
  auto password = daemon.OperatorPassword();
  ASSERT_TRUE(password.ok()) << password.error().detail;
  auto people = ReadPeople({daemon.ldap_url(), daemon.operator_dn(), *password, daemon.options().base_dn});
  ASSERT_TRUE(people.ok()) << people.error().detail;
  EXPECT_EQ(people->size(), scenario->expected.size());
  auto differences = CompareWithDirectory(scenario->expected, *people);
  for (std::size_t i = 0; i < differences.size() && i < 30; ++i) ADD_FAILURE() << differences[i];
  EXPECT_TRUE(differences.empty()) << differences.size() << " differences";

  // A batch re-sent long after its 202 changes nothing: every event is a duplicate.
  {
    EventSender late("127.0.0.1", daemon.ingest_port(), plans[1].token);
    ASSERT_TRUE(late.SendBatch(BatchJson(plans[1].events, 0, kBatch), kBatch, Clock::now() + seconds(30)).ok());
    EXPECT_EQ(late.stats().duplicates, kBatch);
    auto status = late.StatusOf(plans[1].events.front().id);
    ASSERT_TRUE(status.ok()) << status.error().detail;
    EXPECT_EQ(status->first, "applied") << status->second;
    auto after = TallyJournal(daemon.journal_dir(), ids);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->total_in_journal, ids.size());
  }

  auto stopped = daemon.Stop(seconds(30));
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(*stopped, 0) << daemon.LogTail();
  EXPECT_TRUE(WaitPortClosed(ldap_port, seconds(10)).ok()) << "the managed slapd outlived danhba";
}

}  // namespace
}  // namespace danhba::e2e
