#include "danhba/journal/journal.h"

#include <gtest/gtest.h>

#include "danhba/journal/fault_env.h"
#include "unit/journal/test_util.h"

namespace danhba::journal {
namespace {

using testing::MakeEvent;
using testing::TempDir;

TimePoint At(int seconds) { return TimePoint(std::chrono::seconds(1'800'000'000 + seconds)); }

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.SetNow(At(0)); }

  std::unique_ptr<Journal> Open() {
    JournalOptions options;
    options.dir = dir_.Sub("journal");
    options.env = &env_;
    auto journal = Journal::Open(options);
    EXPECT_TRUE(journal.ok()) << (journal.ok() ? "" : journal.error().ToString());
    return journal.ok() ? std::move(journal).value() : nullptr;
  }

  TempDir dir_;
  FaultEnv env_;
};

TEST_F(JournalTest, RequeueQueuesAppliedEventsAgainWithTheirPayloadAcrossReopen) {
  {
    auto journal = Open();
    ASSERT_TRUE(journal->Append({MakeEvent("hr-1", "one"), MakeEvent("hr-2", "two"), MakeEvent("hr-3", "three")}).ok());
    ASSERT_TRUE(journal->MarkApplied("hr-1", "annv").ok());
    ASSERT_TRUE(journal->MarkApplied("hr-2", "binhtt").ok());
    ASSERT_TRUE(journal->MarkRejected("hr-3", "bad").ok());
    // Not applied: refused, and nothing of the batch is written.
    auto refused = journal->Requeue({"hr-1", "hr-3"}, "restore");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    EXPECT_EQ(journal->Lookup("hr-1")->state, EventState::kApplied);
    ASSERT_TRUE(journal->Requeue({"hr-2"}, "restored from a backup").ok());
    auto pending = journal->Pending();
    ASSERT_EQ(pending.size(), 1U);
    EXPECT_EQ(pending[0].info.id, "hr-2");
    EXPECT_EQ(pending[0].payload, "two");
  }
  auto journal = Open();
  auto pending = journal->Pending();
  ASSERT_EQ(pending.size(), 1U);
  EXPECT_EQ(pending[0].payload, "two");
  EXPECT_EQ(pending[0].info.detail, "restored from a backup");
  ASSERT_TRUE(journal->MarkApplied("hr-2", "binhtt").ok());
  EXPECT_TRUE(journal->Pending().empty());
}

TEST_F(JournalTest, AppendAndReplayRoundTrip) {
  {
    auto journal = Open();
    auto first = journal->Append(MakeEvent("hr-1", "one"));
    ASSERT_TRUE(first.ok());
    EXPECT_FALSE(first->duplicate);
    EXPECT_EQ(first->state, EventState::kQueued);
    auto batch = journal->Append({MakeEvent("hr-2", "two"), MakeEvent("hr-3", std::string("th\0ree", 6))});
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->size(), 2U);
    EXPECT_LT(first->seq, (*batch)[0].seq);
    EXPECT_LT((*batch)[0].seq, (*batch)[1].seq);
  }
  auto journal = Open();
  auto pending = journal->Pending();
  ASSERT_EQ(pending.size(), 3U);
  EXPECT_EQ(pending[0].info.id, "hr-1");
  EXPECT_EQ(pending[0].payload, "one");
  EXPECT_EQ(pending[1].info.id, "hr-2");
  EXPECT_EQ(pending[2].payload, std::string("th\0ree", 6));
  EXPECT_EQ(pending[0].info.sender, "hr-test");
  EXPECT_EQ(pending[0].info.received_at, At(0));
  // Sequence numbers continue after a reopen.
  auto next = journal->Append(MakeEvent("hr-4"));
  ASSERT_TRUE(next.ok());
  EXPECT_GT(next->seq, pending[2].info.seq);
}

TEST_F(JournalTest, BatchIsOneWriteAndOneFsync) {
  auto journal = Open();
  auto syncs = env_.file_syncs();
  auto appends = env_.appends();
  std::vector<NewEvent> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(MakeEvent("hr-" + std::to_string(i)));
  ASSERT_TRUE(journal->Append(std::move(batch)).ok());
  EXPECT_EQ(env_.file_syncs() - syncs, 1U);
  EXPECT_EQ(env_.appends() - appends, 1U);
}

TEST_F(JournalTest, DuplicateIdWritesNothingAndAnswersTheExistingStatus) {
  auto journal = Open();
  auto first = journal->Append(MakeEvent("hr-1", "original"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(journal->MarkApplied("hr-1", "annv").ok());
  auto appends = env_.appends();
  auto syncs = env_.file_syncs();

  auto again = journal->Append(MakeEvent("hr-1", "a different body"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->seq, first->seq);
  EXPECT_EQ(again->state, EventState::kApplied);
  EXPECT_EQ(again->detail, "annv");
  EXPECT_EQ(env_.appends(), appends);
  EXPECT_EQ(env_.file_syncs(), syncs);
  auto shown = journal->Show("hr-1");
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->payload, "original");
}

TEST_F(JournalTest, DuplicateWithinOneBatch) {
  auto journal = Open();
  auto results = journal->Append({MakeEvent("a", "1"), MakeEvent("b"), MakeEvent("a", "2")});
  ASSERT_TRUE(results.ok());
  EXPECT_FALSE((*results)[0].duplicate);
  EXPECT_TRUE((*results)[2].duplicate);
  EXPECT_EQ((*results)[2].seq, (*results)[0].seq);
  EXPECT_EQ(journal->Count().total(), 2U);
  EXPECT_EQ(journal->Show("a")->payload, "1");
}

TEST_F(JournalTest, InvalidEventsFailTheCallAndWriteNothing) {
  auto journal = Open();
  auto appends = env_.appends();
  auto empty = journal->Append({MakeEvent("ok"), MakeEvent("")});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(empty.error().detail.find("event 2 of 2"), std::string::npos) << empty.error().detail;
  auto long_id = journal->Append(MakeEvent(std::string(kMaxIdBytes + 1, 'x')));
  ASSERT_FALSE(long_id.ok());
  EXPECT_EQ(long_id.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(env_.appends(), appends);
  EXPECT_EQ(journal->Count().total(), 0U);
}

TEST_F(JournalTest, StatusesSurviveReopen) {
  {
    auto journal = Open();
    ASSERT_TRUE(journal->Append({MakeEvent("applied"), MakeEvent("rejected"), MakeEvent("scheduled"),
                                 MakeEvent("queued"), MakeEvent("retried")})
                    .ok());
    ASSERT_TRUE(journal->MarkApplied("applied", "annv").ok());
    ASSERT_TRUE(journal->MarkRejected("rejected", "unknown agency 'xyz'").ok());
    ASSERT_TRUE(journal->MarkScheduled("scheduled", At(3600), "LDAP down, back-off").ok());
    ASSERT_TRUE(journal->MarkRejected("retried", "LDAP refused").ok());
    ASSERT_TRUE(journal->Retry("retried").ok());
  }
  auto journal = Open();
  auto check = [&](const std::string& id, EventState state, const std::string& detail) {
    auto info = journal->Lookup(id);
    ASSERT_TRUE(info.ok()) << id;
    EXPECT_EQ(info->state, state) << id;
    EXPECT_EQ(info->detail, detail) << id;
  };
  check("applied", EventState::kApplied, "annv");
  check("rejected", EventState::kRejected, "unknown agency 'xyz'");
  check("scheduled", EventState::kScheduled, "LDAP down, back-off");
  check("queued", EventState::kQueued, "");
  check("retried", EventState::kQueued, "retried by operator");
  EXPECT_EQ(journal->Lookup("scheduled")->not_before, At(3600));

  Counts counts = journal->Count();
  EXPECT_EQ(counts.applied, 1U);
  EXPECT_EQ(counts.rejected, 1U);
  EXPECT_EQ(counts.scheduled, 1U);
  EXPECT_EQ(counts.queued, 2U);

  auto pending = journal->Pending();
  ASSERT_EQ(pending.size(), 3U);
  EXPECT_EQ(pending[0].info.id, "scheduled");
  EXPECT_EQ(pending[1].info.id, "queued");
  EXPECT_EQ(pending[2].info.id, "retried");
  EXPECT_FALSE(pending[2].payload.empty());
  EXPECT_EQ(journal->Due(At(0)).size(), 2U);
  EXPECT_EQ(journal->Due(At(3600)).size(), 3U);

  auto rejected = journal->List(EventState::kRejected);
  ASSERT_EQ(rejected.size(), 1U);
  EXPECT_EQ(rejected[0].id, "rejected");
  EXPECT_EQ(journal->List().size(), 5U);
  // The payload of an applied event is read back from disk.
  auto shown = journal->Show("applied");
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->payload, MakeEvent("applied").payload);
}

TEST_F(JournalTest, FutureEffectiveDateStartsScheduled) {
  auto journal = Open();
  NewEvent later = MakeEvent("transfer-1");
  later.not_before = At(86400);
  auto result = journal->Append(later);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->state, EventState::kScheduled);
  NewEvent past = MakeEvent("transfer-2");
  past.not_before = At(-86400);
  EXPECT_EQ(journal->Append(past)->state, EventState::kQueued);
  EXPECT_EQ(journal->Due(At(1)).size(), 1U);
}

TEST_F(JournalTest, ForbiddenTransitionsChangeNothing) {
  auto journal = Open();
  ASSERT_TRUE(journal->Append({MakeEvent("a"), MakeEvent("b")}).ok());
  ASSERT_TRUE(journal->MarkApplied("a", "annv").ok());
  auto appends = env_.appends();

  Status unknown = journal->MarkApplied("nope", "x");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  Status twice = journal->MarkRejected("a", "late");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_NE(twice.error().detail.find("applied"), std::string::npos);
  Status retry_queued = journal->Retry("b");
  ASSERT_FALSE(retry_queued.ok());
  EXPECT_EQ(retry_queued.error().code, ErrorCode::kConflict);
  Status no_time = journal->Update({StatusChange{"b", EventState::kScheduled, "", std::nullopt}});
  EXPECT_EQ(no_time.error().code, ErrorCode::kInvalidInput);
  // One bad change makes the whole batch fail: "b" stays queued.
  Status mixed = journal->Update({StatusChange{"b", EventState::kApplied, "anvb", std::nullopt},
                                  StatusChange{"a", EventState::kApplied, "again", std::nullopt}});
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(journal->Lookup("b")->state, EventState::kQueued);
  EXPECT_EQ(env_.appends(), appends);
}

TEST_F(JournalTest, SecondOpenOfTheSameDirectoryIsRefused) {
  auto journal = Open();
  JournalOptions options;
  options.dir = dir_.Sub("journal");
  auto second = Journal::Open(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_NE(second.error().detail.find("LOCK"), std::string::npos);
}

TEST_F(JournalTest, ReadOnlyOpenSeesEverythingAndWritesNothing) {
  auto journal = Open();
  ASSERT_TRUE(journal->Append(MakeEvent("a")).ok());
  JournalOptions options;
  options.dir = dir_.Sub("journal");
  options.read_only = true;
  auto reader = Journal::Open(options);
  ASSERT_TRUE(reader.ok()) << reader.error().ToString();
  EXPECT_EQ((*reader)->Count().queued, 1U);
  auto write = (*reader)->Append(MakeEvent("b"));
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.error().code, ErrorCode::kConflict);
}

TEST_F(JournalTest, FsyncFailureIsReportedAndStopsLaterWrites) {
  auto journal = Open();
  ASSERT_TRUE(journal->Append(MakeEvent("before")).ok());
  env_.FailSyncs(true);
  auto failed = journal->Append(MakeEvent("during"));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().detail.find("fsync"), std::string::npos) << failed.error().detail;
  env_.FailSyncs(false);
  // The index did not take the unacknowledged event, and the journal refuses to
  // go on writing over a tail whose state is unknown.
  EXPECT_FALSE(journal->Lookup("during").ok());
  auto after = journal->Append(MakeEvent("after"));
  ASSERT_FALSE(after.ok());
  EXPECT_NE(after.error().detail.find("reopen"), std::string::npos);
  journal.reset();
  journal = Open();
  EXPECT_TRUE(journal->Lookup("before").ok());
  EXPECT_TRUE(journal->Append(MakeEvent("after")).ok());
}

TEST_F(JournalTest, ShortWriteIsCutOnReopen) {
  auto journal = Open();
  ASSERT_TRUE(journal->Append(MakeEvent("kept")).ok());
  env_.ShortWriteNext(5);
  ASSERT_FALSE(journal->Append(MakeEvent("torn")).ok());
  journal.reset();
  journal = Open();
  EXPECT_TRUE(journal->Lookup("kept").ok());
  EXPECT_FALSE(journal->Lookup("torn").ok());
  EXPECT_TRUE(journal->Append(MakeEvent("torn")).ok());
  journal.reset();
  journal = Open();
  EXPECT_EQ(journal->Count().queued, 2U);
}

TEST_F(JournalTest, SegmentsRollAtTheirSize) {
  JournalOptions options;
  options.dir = dir_.Sub("journal");
  options.env = &env_;
  options.segment_bytes = 1024;
  {
    auto journal = Journal::Open(options);
    ASSERT_TRUE(journal.ok());
    for (int i = 0; i < 40; ++i) ASSERT_TRUE((*journal)->Append(MakeEvent("hr-" + std::to_string(i))).ok());
    ASSERT_TRUE((*journal)->MarkApplied("hr-0", "annv").ok());
    EXPECT_GT((*journal)->Stats().segments, 3U);
    // A record larger than a segment still gets written, alone in its segment.
    ASSERT_TRUE((*journal)->Append(MakeEvent("big", std::string(4000, 'x'))).ok());
  }
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(options.dir)) {
    if (entry.path().extension() == ".seg") {
      ++files;
      EXPECT_LE(entry.file_size(), 1024U + 4100U);
    }
  }
  EXPECT_GT(files, 3U);
  auto journal = Journal::Open(options);
  ASSERT_TRUE(journal.ok());
  EXPECT_EQ((*journal)->Count().total(), 41U);
  EXPECT_EQ((*journal)->Lookup("hr-0")->state, EventState::kApplied);
  EXPECT_EQ((*journal)->Show("hr-0")->payload, MakeEvent("hr-0").payload);
  EXPECT_EQ((*journal)->Show("big")->payload.size(), 4000U);
  auto pending = (*journal)->Pending();
  ASSERT_EQ(pending.size(), 40U);
  for (std::size_t i = 1; i < pending.size(); ++i) EXPECT_LT(pending[i - 1].info.seq, pending[i].info.seq);
}

TEST_F(JournalTest, StateNamesParse) {
  for (EventState s : {EventState::kQueued, EventState::kScheduled, EventState::kApplied, EventState::kRejected}) {
    auto parsed = ParseEventState(ToString(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  auto bad = ParseEventState("dead");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().detail.find("rejected"), std::string::npos);
}

}  // namespace
}  // namespace danhba::journal
