#include <gtest/gtest.h>

#include "danhba/journal/fault_env.h"
#include "danhba/journal/journal.h"
#include "unit/journal/test_util.h"

namespace danhba::journal {
namespace {

using testing::MakeEvent;
using testing::ReadAll;
using testing::SegmentPath;
using testing::TempDir;
using testing::WriteAll;

TimePoint Day(int day) { return TimePoint(std::chrono::hours(24 * (20'000 + day))); }

std::size_t SegmentFiles(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) n += entry.path().extension() == ".seg";
  return n;
}

class CompactionTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.SetNow(Day(0)); }

  std::unique_ptr<Journal> Open() {
    JournalOptions options;
    options.dir = dir_.path();
    options.env = &env_;
    options.segment_bytes = 1024;
    options.compact_after = std::chrono::hours(24 * 30);
    auto journal = Journal::Open(options);
    EXPECT_TRUE(journal.ok()) << (journal.ok() ? "" : journal.error().ToString());
    return journal.ok() ? std::move(journal).value() : nullptr;
  }

  // old-applied, old-rejected: final 40 days ago; waiting, scheduled: never
  // final; new-applied: final yesterday.
  void Populate(Journal& journal) {
    std::vector<NewEvent> events;
    for (const char* id : {"old-applied", "old-rejected", "waiting", "scheduled", "new-applied"}) {
      events.push_back(MakeEvent(id));
    }
    for (int i = 0; i < 30; ++i) events.push_back(MakeEvent("filler-" + std::to_string(i)));
    ASSERT_TRUE(journal.Append(std::move(events)).ok());
    ASSERT_TRUE(journal.MarkApplied("old-applied", "annv").ok());
    ASSERT_TRUE(journal.MarkRejected("old-rejected", "unknown agency").ok());
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(journal.MarkApplied("filler-" + std::to_string(i), "x").ok());
    env_.SetNow(Day(39));
    ASSERT_TRUE(journal.MarkScheduled("scheduled", Day(100), "effective 2027").ok());
    ASSERT_TRUE(journal.MarkApplied("new-applied", "anvb").ok());
    env_.SetNow(Day(40));
  }

  void CheckState(Journal& journal) {
    auto old_applied = journal.Lookup("old-applied");
    ASSERT_TRUE(old_applied.ok());
    EXPECT_TRUE(old_applied->compacted);
    EXPECT_EQ(old_applied->state, EventState::kApplied);
    EXPECT_EQ(old_applied->detail, "annv");
    EXPECT_EQ(journal.Lookup("old-rejected")->detail, "unknown agency");

    auto pending = journal.Pending();
    ASSERT_EQ(pending.size(), 2U);
    EXPECT_EQ(pending[0].info.id, "waiting");
    EXPECT_EQ(pending[0].payload, MakeEvent("waiting").payload);
    EXPECT_EQ(pending[1].info.id, "scheduled");
    EXPECT_EQ(pending[1].info.not_before, Day(100));
    EXPECT_EQ(pending[1].info.detail, "effective 2027");
    EXPECT_LT(pending[0].info.seq, pending[1].info.seq);

    auto recent = journal.Show("new-applied");
    ASSERT_TRUE(recent.ok()) << recent.error().ToString();
    EXPECT_FALSE(recent->info.compacted);
    EXPECT_EQ(recent->payload, MakeEvent("new-applied").payload);
    EXPECT_EQ(recent->info.detail, "anvb");

    // Ids stay known: sending one again is a duplicate, and nothing is written.
    auto again = journal.Append(MakeEvent("old-applied"));
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->duplicate);
    EXPECT_EQ(again->state, EventState::kApplied);
    EXPECT_EQ(journal.Count().total(), 35U);
  }

  TempDir dir_;
  FaultEnv env_;
};

TEST_F(CompactionTest, KeepsPendingEventsAndEveryId) {
  auto journal = Open();
  Populate(*journal);
  std::size_t files_before = SegmentFiles(dir_.path());
  ASSERT_GT(files_before, 2U);
  auto result = journal->Compact();
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->events_compacted, 32U);
  EXPECT_LT(result->bytes_after, result->bytes_before);
  EXPECT_EQ(SegmentFiles(dir_.path()), 2U);  // the compacted one and the one being written
  CheckState(*journal);

  Status retry = journal->Retry("old-rejected");
  ASSERT_FALSE(retry.ok());
  EXPECT_EQ(retry.error().code, ErrorCode::kConflict);
  EXPECT_NE(retry.error().detail.find("compacted"), std::string::npos);

  journal.reset();
  journal = Open();
  CheckState(*journal);
}

TEST_F(CompactionTest, CompactingTwiceAndAppendingBetween) {
  auto journal = Open();
  Populate(*journal);
  ASSERT_TRUE(journal->Compact().ok());
  ASSERT_TRUE(journal->Append(MakeEvent("later")).ok());
  ASSERT_TRUE(journal->MarkApplied("waiting", "anvc").ok());
  env_.SetNow(Day(80));
  auto second = journal->Compact();
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->events_compacted, 2U);  // new-applied and waiting
  journal.reset();
  journal = Open();
  EXPECT_TRUE(journal->Lookup("old-applied")->compacted);
  EXPECT_TRUE(journal->Lookup("waiting")->compacted);
  EXPECT_EQ(journal->Lookup("waiting")->detail, "anvc");
  ASSERT_EQ(journal->Pending().size(), 2U);
  EXPECT_EQ(journal->Pending()[1].info.id, "later");
  EXPECT_TRUE(journal->Append(MakeEvent("new-applied"))->duplicate);
  auto fresh = journal->Append(MakeEvent("brand-new"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_GT(fresh->seq, journal->Lookup("later")->seq);
}

TEST_F(CompactionTest, CrashBetweenRenameAndRemovalLeavesAConsistentJournal) {
  auto journal = Open();
  Populate(*journal);
  std::map<std::string, std::string> old_files;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    if (entry.path().extension() == ".seg") old_files[entry.path().string()] = ReadAll(entry.path().string());
  }
  ASSERT_TRUE(journal->Compact().ok());
  journal.reset();
  // Put back the segments compaction removed, as if it died before removing
  // them; and a half-written temporary file from another attempt.
  for (const auto& [path, data] : old_files) {
    if (!std::filesystem::exists(path)) WriteAll(path, data);
  }
  WriteAll(dir_.Sub("00000099.seg.tmp"), "half");
  journal = Open();
  CheckState(*journal);
  EXPECT_EQ(SegmentFiles(dir_.path()), 2U);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("00000099.seg.tmp")));
}

TEST_F(CompactionTest, ManyIdsSpanSeveralKnownIdsRecords) {
  auto journal = Open();
  std::vector<NewEvent> events;
  for (int i = 0; i < 2500; ++i) events.push_back(MakeEvent("bulk-" + std::to_string(i), "p"));
  ASSERT_TRUE(journal->Append(std::move(events)).ok());
  std::vector<StatusChange> changes;
  for (int i = 0; i < 2500; ++i) changes.push_back({"bulk-" + std::to_string(i), EventState::kApplied, "u", {}});
  ASSERT_TRUE(journal->Update(std::move(changes)).ok());
  env_.SetNow(Day(31));
  auto result = journal->Compact();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->events_compacted, 2500U);
  journal.reset();
  journal = Open();
  EXPECT_EQ(journal->Count().applied, 2500U);
  EXPECT_TRUE(journal->Append(MakeEvent("bulk-2499"))->duplicate);
  EXPECT_TRUE(journal->Append(MakeEvent("bulk-0"))->duplicate);
}

TEST_F(CompactionTest, NothingToCompactChangesNothing) {
  auto journal = Open();
  ASSERT_TRUE(journal->Append(MakeEvent("a")).ok());
  ASSERT_TRUE(journal->Compact().ok());
  std::string compacted = ReadAll(SegmentPath(dir_.path(), 1));
  auto again = journal->Compact();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->segments_removed, 0U);
  EXPECT_EQ(ReadAll(SegmentPath(dir_.path(), 1)), compacted);
  EXPECT_EQ(journal->Pending().size(), 1U);
}

TEST_F(CompactionTest, FailedFsyncOfTheNewFileLeavesTheJournalAsItWas) {
  auto journal = Open();
  Populate(*journal);
  ASSERT_TRUE(journal->Compact().ok());  // the segment being written is now empty
  ASSERT_TRUE(journal->MarkApplied("waiting", "anvd").ok());
  ASSERT_TRUE(journal->Compact().ok());
  env_.SetNow(Day(80));
  env_.FailSyncs(true);
  auto failed = journal->Compact();
  env_.FailSyncs(false);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().detail.find("fsync"), std::string::npos) << failed.error().detail;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
  EXPECT_FALSE(journal->Lookup("waiting")->compacted);
  EXPECT_EQ(journal->Show("waiting")->payload, MakeEvent("waiting").payload);
  ASSERT_TRUE(journal->Append(MakeEvent("after")).ok());
  journal.reset();
  journal = Open();
  EXPECT_EQ(journal->Lookup("waiting")->detail, "anvd");
  EXPECT_TRUE(journal->Lookup("after").ok());
  auto retried = journal->Compact();
  ASSERT_TRUE(retried.ok()) << retried.error().ToString();
  EXPECT_TRUE(journal->Lookup("waiting")->compacted);
}

}  // namespace
}  // namespace danhba::journal
