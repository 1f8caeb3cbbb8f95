// Group commit and crashes, with real threads.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "danhba/journal/fault_env.h"
#include "danhba/journal/journal.h"
#include "unit/journal/test_util.h"

namespace danhba::journal {
namespace {

using testing::MakeEvent;
using testing::TempDir;
using testing::WaitFor;

Result<std::unique_ptr<Journal>> OpenIn(const std::string& dir, Env& env, std::uint64_t segment_bytes = 1 << 20) {
  JournalOptions options;
  options.dir = dir;
  options.env = &env;
  options.segment_bytes = segment_bytes;
  return Journal::Open(options);
}

TEST(GroupCommitTest, ManyThreadsShareFsyncsAndEverythingIsDurableAndOrdered) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  TempDir dir;
  FaultEnv env;
  auto opened = OpenIn(dir.path(), env);
  ASSERT_TRUE(opened.ok());
  Journal& journal = **opened;

  // Each fsync waits until every thread still appending is queued behind it, so
  // the next group holds one append from each: the count below does not
  // depend on how fast the disk is.
  std::atomic<int> running{kThreads};
  env.SetSyncHook([&] {
    WaitFor([&] { return journal.Stats().writers_waiting >= static_cast<std::size_t>(running.load()); });
  });
  const auto syncs_before = env.file_syncs();

  std::vector<std::vector<std::uint64_t>> seqs(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = journal.Append(MakeEvent("t" + std::to_string(t) + "-" + std::to_string(i)));
        if (!r.ok() || r->duplicate) {
          ++failures;
        } else {
          seqs[static_cast<std::size_t>(t)].push_back(r->seq);
        }
      }
      --running;
    });
  }
  for (auto& thread : threads) thread.join();
  env.SetSyncHook(nullptr);

  EXPECT_EQ(failures.load(), 0);
  const auto syncs = env.file_syncs() - syncs_before;
  const int appends = kThreads * kPerThread;
  EXPECT_LT(syncs * 4, static_cast<std::uint64_t>(appends)) << syncs << " fsyncs for " << appends << " appends";
  EXPECT_EQ(journal.Stats().commits, syncs);
  for (const auto& mine : seqs) {
    for (std::size_t i = 1; i < mine.size(); ++i) EXPECT_LT(mine[i - 1], mine[i]);
  }

  opened->reset();
  FaultEnv after;
  auto reopened = OpenIn(dir.path(), after);
  ASSERT_TRUE(reopened.ok());
  auto pending = (*reopened)->Pending();
  ASSERT_EQ(pending.size(), static_cast<std::size_t>(appends));
  std::set<std::uint64_t> all;
  for (const Event& e : pending) all.insert(e.info.seq);
  EXPECT_EQ(all.size(), pending.size());
  for (std::size_t i = 1; i < pending.size(); ++i) EXPECT_LT(pending[i - 1].info.seq, pending[i].info.seq);
}

TEST(GroupCommitTest, ConcurrentDuplicatesAreWrittenOnce) {
  TempDir dir;
  FaultEnv env;
  auto journal = OpenIn(dir.path(), env);
  ASSERT_TRUE(journal.ok());
  std::atomic<int> fresh{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 30; ++i) {
        auto r = (*journal)->Append(MakeEvent("same-" + std::to_string(i)));
        if (r.ok() && !r->duplicate) ++fresh;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(fresh.load(), 30);
  EXPECT_EQ((*journal)->Count().total(), 30U);
}

TEST(CrashTest, NoAcknowledgedRecordIsLost) {
  for (int round = 0; round < 5; ++round) {
    TempDir dir;
    auto env = std::make_unique<FaultEnv>();
    auto opened = OpenIn(dir.path(), *env, 4096);  // small segments: crashes also hit rolls
    ASSERT_TRUE(opened.ok());
    Journal& journal = **opened;

    std::mutex mutex;
    std::vector<std::string> acknowledged;
    std::vector<std::string> applied;
    std::atomic<int> acked_count{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0;; ++i) {
          std::string id = "r" + std::to_string(round) + "-t" + std::to_string(t) + "-" + std::to_string(i);
          auto r = journal.Append(MakeEvent(id));
          if (!r.ok()) return;
          {
            std::lock_guard lock(mutex);
            acknowledged.push_back(id);
          }
          ++acked_count;
          if (i % 3 == 0) {
            if (!journal.MarkApplied(id, "uid-" + id).ok()) return;
            std::lock_guard lock(mutex);
            applied.push_back(id);
          }
        }
      });
    }
    ASSERT_TRUE(WaitFor([&] { return acked_count.load() >= 100 + 37 * round; }));
    env->Crash();
    for (auto& thread : threads) thread.join();
    opened->reset();

    FaultEnv fresh;
    auto reopened = OpenIn(dir.path(), fresh, 4096);
    ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
    for (const std::string& id : acknowledged) {
      EXPECT_TRUE((*reopened)->Lookup(id).ok()) << "lost acknowledged event " << id;
    }
    for (const std::string& id : applied) {
      auto info = (*reopened)->Lookup(id);
      ASSERT_TRUE(info.ok());
      EXPECT_EQ(info->state, EventState::kApplied) << id;
      EXPECT_EQ(info->detail, "uid-" + id);
    }
    EXPECT_TRUE((*reopened)->Append(MakeEvent("after-crash")).ok());
  }
}

TEST(CompactionRaceTest, CompactingWhileWritingLosesNothing) {
  TempDir dir;
  FaultEnv env;
  env.SetNow(TimePoint(std::chrono::hours(24 * 20'000)));
  JournalOptions options;
  options.dir = dir.path();
  options.env = &env;
  options.segment_bytes = 2048;
  options.compact_after = std::chrono::seconds(0);  // every applied event is old enough
  auto opened = Journal::Open(options);
  ASSERT_TRUE(opened.ok());
  Journal& journal = **opened;

  std::mutex mutex;
  std::map<std::string, EventState> expected;
  std::atomic<int> writing{4};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!journal.Append(MakeEvent(id)).ok()) ++errors;
        bool apply = i % 2 == 0;
        if (apply && !journal.MarkApplied(id, "uid").ok()) ++errors;
        std::lock_guard lock(mutex);
        expected[id] = apply ? EventState::kApplied : EventState::kQueued;
      }
      --writing;
    });
  }
  // After each compaction, what is on disk (read by a second, read-only
  // journal) holds every event acknowledged before it started.
  JournalOptions reader_options = options;
  reader_options.read_only = true;
  int compactions = 0;
  while (writing.load() > 0) {
    std::map<std::string, EventState> before;
    {
      std::lock_guard lock(mutex);
      before = expected;
    }
    auto result = journal.Compact();
    if (!result.ok()) {
      ADD_FAILURE() << result.error().ToString();
      break;
    }
    ++compactions;
    auto reader = Journal::Open(reader_options);
    ASSERT_TRUE(reader.ok()) << reader.error().ToString();
    for (const auto& [id, state] : before) {
      auto info = (*reader)->Lookup(id);
      ASSERT_TRUE(info.ok()) << "compaction " << compactions << " lost " << id;
      if (state == EventState::kApplied) {
        EXPECT_EQ(info->state, state) << id;
      }
    }
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(errors.load(), 0);
  EXPECT_GT(compactions, 0);
  ASSERT_TRUE(journal.Compact().ok());

  auto check = [&](Journal& j) {
    for (const auto& [id, state] : expected) {
      auto info = j.Lookup(id);
      ASSERT_TRUE(info.ok()) << "lost " << id;
      EXPECT_EQ(info->state, state) << id;
    }
    EXPECT_EQ(j.Pending().size(), expected.size() / 2);
    for (const Event& e : j.Pending()) EXPECT_EQ(e.payload, MakeEvent(e.info.id).payload);
  };
  check(journal);
  opened->reset();
  auto reopened = Journal::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
  check(**reopened);
}

}  // namespace
}  // namespace danhba::journal
