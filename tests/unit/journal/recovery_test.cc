// Opening after damage: torn tails are cut, damage followed by intact records
// is reported, never skipped.
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

class RecoveryTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Journal>> Open(std::uint64_t segment_bytes = 16 * 1024 * 1024) {
    JournalOptions options;
    options.dir = dir_.path();
    options.env = &env_;
    options.segment_bytes = segment_bytes;
    return Journal::Open(options);
  }

  // Appends a, b, c one by one; returns the file size before c.
  std::uint64_t WriteThree() {
    auto journal = Open();
    EXPECT_TRUE(journal.ok());
    EXPECT_TRUE((*journal)->Append(MakeEvent("a")).ok());
    EXPECT_TRUE((*journal)->Append(MakeEvent("b")).ok());
    std::uint64_t before_c = ReadAll(SegmentPath(dir_.path(), 1)).size();
    EXPECT_TRUE((*journal)->Append(MakeEvent("c")).ok());
    return before_c;
  }

  TempDir dir_;
  FaultEnv env_;
};

TEST_F(RecoveryTest, TornTailOfEveryLengthIsCut) {
  std::uint64_t before_c = WriteThree();
  const std::string path = SegmentPath(dir_.path(), 1);
  const std::string whole = ReadAll(path);
  ASSERT_GT(whole.size(), before_c);
  for (std::size_t length = before_c; length < whole.size(); ++length) {
    WriteAll(path, whole.substr(0, length));
    auto journal = Open();
    ASSERT_TRUE(journal.ok()) << "length " << length << ": " << journal.error().ToString();
    EXPECT_TRUE((*journal)->Lookup("a").ok()) << length;
    EXPECT_TRUE((*journal)->Lookup("b").ok()) << length;
    EXPECT_FALSE((*journal)->Lookup("c").ok()) << length;
    journal->reset();
    EXPECT_EQ(ReadAll(path).size(), before_c) << "length " << length;
  }
}

TEST_F(RecoveryTest, GarbageTailOfEveryLengthIsCut) {
  // A crash may also leave the file longer than what was written, filled with
  // zeros, or with stale bytes.
  std::uint64_t before_c = WriteThree();
  const std::string path = SegmentPath(dir_.path(), 1);
  const std::string whole = ReadAll(path);
  for (std::size_t from = before_c; from < whole.size(); ++from) {
    for (char fill : {'\0', '\xA5'}) {
      std::string damaged = whole;
      for (std::size_t i = from; i < damaged.size(); ++i) damaged[i] = fill;
      WriteAll(path, damaged);
      auto journal = Open();
      ASSERT_TRUE(journal.ok()) << "from " << from << ": " << journal.error().ToString();
      EXPECT_EQ((*journal)->Count().total(), 2U) << from;
      journal->reset();
      EXPECT_EQ(ReadAll(path).size(), before_c);
    }
  }
}

TEST_F(RecoveryTest, JournalIsWritableAfterACut) {
  std::uint64_t before_c = WriteThree();
  const std::string path = SegmentPath(dir_.path(), 1);
  WriteAll(path, ReadAll(path).substr(0, before_c + 3));
  {
    auto journal = Open();
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Append(MakeEvent("c")).ok());
    ASSERT_TRUE((*journal)->Append(MakeEvent("d")).ok());
  }
  auto journal = Open();
  ASSERT_TRUE(journal.ok());
  EXPECT_EQ((*journal)->Count().total(), 4U);
}

TEST_F(RecoveryTest, DamageInTheMiddleIsReportedWithFileAndOffset) {
  WriteThree();
  const std::string path = SegmentPath(dir_.path(), 1);
  std::string damaged = ReadAll(path);
  const std::size_t first_record = 36;
  damaged[first_record + 20] ^= 0x01;
  WriteAll(path, damaged);
  auto journal = Open();
  ASSERT_FALSE(journal.ok());
  EXPECT_EQ(journal.error().code, ErrorCode::kInternal);
  EXPECT_NE(journal.error().detail.find(path), std::string::npos) << journal.error().detail;
  EXPECT_NE(journal.error().detail.find("offset 36"), std::string::npos) << journal.error().detail;
  // Nothing was cut or rewritten.
  EXPECT_EQ(ReadAll(path), damaged);
}

TEST_F(RecoveryTest, DamagedLengthInTheMiddleIsNotMistakenForATornTail) {
  std::uint64_t before_c = WriteThree();
  const std::string path = SegmentPath(dir_.path(), 1);
  std::string damaged = ReadAll(path);
  // b's length now points past the end of the file.
  std::size_t b = 36 + (before_c - 36) / 2;
  damaged[b + 7] = '\x7F';
  WriteAll(path, damaged);
  auto journal = Open();
  ASSERT_FALSE(journal.ok());
  EXPECT_NE(journal.error().detail.find("offset " + std::to_string(b)), std::string::npos) << journal.error().detail;
  EXPECT_EQ(ReadAll(path), damaged);
}

TEST_F(RecoveryTest, DamageAtTheEndOfAnEarlierSegmentIsCorruption) {
  {
    auto journal = Open(300);
    ASSERT_TRUE(journal.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*journal)->Append(MakeEvent("e" + std::to_string(i))).ok());
    ASSERT_GE((*journal)->Stats().segments, 2U);
  }
  const std::string path = SegmentPath(dir_.path(), 1);
  std::string first = ReadAll(path);
  WriteAll(path, first.substr(0, first.size() - 1));
  auto journal = Open(300);
  ASSERT_FALSE(journal.ok());
  EXPECT_NE(journal.error().detail.find(path), std::string::npos) << journal.error().detail;
}

TEST_F(RecoveryTest, SegmentWithATornHeaderIsRemoved) {
  {
    auto journal = Open();
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Append(MakeEvent("a")).ok());
  }
  // As if the process died while starting segment 2.
  WriteAll(SegmentPath(dir_.path(), 2), std::string("DANHBAJ"));
  {
    auto journal = Open();
    ASSERT_TRUE(journal.ok()) << journal.error().ToString();
    EXPECT_TRUE((*journal)->Lookup("a").ok());
    ASSERT_TRUE((*journal)->Append(MakeEvent("b")).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(SegmentPath(dir_.path(), 2)));
  auto journal = Open();
  ASSERT_TRUE(journal.ok());
  EXPECT_EQ((*journal)->Count().total(), 2U);
}

TEST_F(RecoveryTest, ForeignFileIsReportedNotOverwritten) {
  WriteAll(SegmentPath(dir_.path(), 1), "this is not a journal segment, it is somebody's notes\n" + std::string(100, 'x'));
  WriteAll(SegmentPath(dir_.path(), 2), "");
  auto journal = Open();
  ASSERT_FALSE(journal.ok());
  EXPECT_NE(journal.error().detail.find("00000001.seg"), std::string::npos) << journal.error().detail;
  EXPECT_NE(journal.error().detail.find("magic"), std::string::npos) << journal.error().detail;
}

TEST_F(RecoveryTest, ReadOnlyOpenIgnoresATornTailWithoutCuttingIt) {
  std::uint64_t before_c = WriteThree();
  const std::string path = SegmentPath(dir_.path(), 1);
  std::string torn = ReadAll(path).substr(0, before_c + 11);
  WriteAll(path, torn);
  JournalOptions options;
  options.dir = dir_.path();
  options.read_only = true;
  auto journal = Journal::Open(options);
  ASSERT_TRUE(journal.ok()) << journal.error().ToString();
  EXPECT_EQ((*journal)->Count().total(), 2U);
  EXPECT_EQ(ReadAll(path), torn);
}

TEST(FaultEnvTest, CrashDropsWhatWasNotSynced) {
  TempDir dir;
  FaultEnv env;
  const std::string path = dir.Sub("f");
  auto file = env.NewWritableFile(path);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(env.SyncDir(dir.path()).ok());
  ASSERT_TRUE((*file)->Append("durable").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Append(" lost").ok());
  auto created = env.NewWritableFile(dir.Sub("never-synced-in-dir"));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE((*created)->Append("x").ok());
  ASSERT_TRUE((*created)->Sync().ok());
  env.Crash();
  EXPECT_EQ(ReadAll(path), "durable");
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("never-synced-in-dir")));
  EXPECT_FALSE((*file)->Append("more").ok());
  EXPECT_EQ(env.file_syncs(), 2U);
  EXPECT_EQ(env.dir_syncs(), 1U);
}

}  // namespace
}  // namespace danhba::journal
