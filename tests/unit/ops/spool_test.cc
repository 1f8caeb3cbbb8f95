// The spool directory over a real journal and a fixed directory snapshot.
#include "danhba/ops/spool.h"

#include <unistd.h>

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("danhba-spool-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(root_);
    auto journal = journal::Journal::Open({.dir = (root_ / "journal").string()});
    ASSERT_TRUE(journal.ok()) << journal.error().detail;
    journal_ = std::move(journal).value();
    snapshot_.active_agencies = {"stttt"};
    snapshot_.taken = {"stttt"};
    SpoolServices services;
    services.journal = journal_.get();
    services.snapshot = [this]() -> Result<DirectorySnapshot> { return snapshot_; };
    services.on_appended = [this] { ++notified_; };
    services.today = [] { return *model::Date::Parse("2026-11-28"); };
    spool_.emplace(SpoolOptions{root_ / "spool", nullptr}, std::move(services));
    ASSERT_TRUE(spool_->Prepare().ok());
  }
  void TearDown() override {
    spool_.reset();
    journal_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  void Drop(const std::string& name, const std::string& content) {
    fs::path tmp = root_ / "spool" / "incoming" / ("." + name + ".tmp");
    std::ofstream(tmp, std::ios::binary) << content;
    fs::rename(tmp, root_ / "spool" / "incoming" / name);
  }

  fs::path root_;
  std::unique_ptr<journal::Journal> journal_;
  DirectorySnapshot snapshot_;
  std::optional<Spool> spool_;
  int notified_ = 0;
};

TEST_F(SpoolTest, StaffListIsJournaledAndMovedToDoneWithAReport) {
  Drop("stttt__2026-11.csv", "ma_can_bo,ho_ten\nCB1,Nguyễn Văn An\n,Trần Bình\n");
  auto results = spool_->ScanOnce();
  ASSERT_TRUE(results.ok()) << results.error().detail;
  ASSERT_EQ(results->size(), 1u);
  EXPECT_TRUE((*results)[0].ok);
  EXPECT_TRUE(fs::exists(root_ / "spool" / "done" / "stttt__2026-11.csv"));
  EXPECT_FALSE(fs::exists(root_ / "spool" / "incoming" / "stttt__2026-11.csv"));
  auto report = nlohmann::json::parse(Slurp(root_ / "spool" / "done" / "stttt__2026-11.csv.report.json"));
  EXPECT_EQ(report["agency"], "stttt");
  EXPECT_EQ(report["plan"]["counts"]["created"], 1);
  EXPECT_EQ(report["plan"]["counts"]["errors"], 1);
  EXPECT_EQ(report["plan"]["changes"][0]["status"], "queued");
  auto id = report["plan"]["changes"][0]["event_id"].get<std::string>();
  auto info = journal_->Lookup(id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->sender, "spool");
  EXPECT_EQ(notified_, 1);
}

TEST_F(SpoolTest, EventsFileIsJournaledAndInvalidOnesReported) {
  Drop("batch.json", R"([
    {"id":"hr-1","type":"leave","decision":{"number":"1/QĐ","date":"2026-11-20","issuer":"Sở Nội vụ"},
     "person":{"id":"CB1"}},
    {"id":"hr-2","type":"leave","decision":{"number":"1/QĐ","date":"2026-11-20","issuer":"Sở Nội vụ"}}
  ])");
  auto results = spool_->ScanOnce();
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_TRUE((*results)[0].ok);
  EXPECT_TRUE(journal_->Lookup("hr-1").ok());
  EXPECT_FALSE(journal_->Lookup("hr-2").ok());
  auto report = nlohmann::json::parse(Slurp(root_ / "spool" / "done" / "batch.json.report.json"));
  EXPECT_EQ(report["events"][0]["status"], "queued");
  EXPECT_EQ(report["events"][1]["status"], "invalid");
}

TEST_F(SpoolTest, BadFilesGoToFailedAndIncompleteOnesAreLeftAlone) {
  Drop("not json.json", "{oops");
  Drop("sxyz.csv", "ma_can_bo,ho_ten\nCB1,Nguyễn Văn An\n");  // unknown agency
  Drop("README.txt", "hello");
  std::ofstream(root_ / "spool" / "incoming" / "stttt.csv.tmp") << "ma_can_bo,ho_ten\n";
  std::ofstream(root_ / "spool" / "incoming" / ".stttt.csv") << "ma_can_bo,ho_ten\n";
  auto results = spool_->ScanOnce();
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 3u);
  for (const auto& r : *results) {
    EXPECT_FALSE(r.ok) << r.name;
    EXPECT_TRUE(fs::exists(r.report)) << r.name;
    EXPECT_EQ(r.moved_to.parent_path().filename(), "failed");
  }
  auto report = nlohmann::json::parse(Slurp(root_ / "spool" / "failed" / "sxyz.csv.report.json"));
  EXPECT_NE(report["summary"].get<std::string>().find("sxyz"), std::string::npos);
  EXPECT_TRUE(fs::exists(root_ / "spool" / "incoming" / "stttt.csv.tmp"));
  EXPECT_TRUE(fs::exists(root_ / "spool" / "incoming" / ".stttt.csv"));
  EXPECT_EQ(journal_->Count().total(), 0u);
  EXPECT_EQ(notified_, 0);
}

TEST_F(SpoolTest, TheSameListTwiceIsJournaledOnce) {
  const std::string list = "ma_can_bo,ho_ten\nCB1,Nguyễn Văn An\n";
  Drop("stttt.csv", list);
  ASSERT_TRUE(spool_->ScanOnce().ok());
  Drop("stttt.csv", list);
  auto again = spool_->ScanOnce();
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_TRUE(fs::exists((*again)[0].moved_to));
  EXPECT_NE((*again)[0].moved_to, root_ / "spool" / "done" / "stttt.csv");  // the first is kept
  EXPECT_EQ(journal_->Count().total(), 1u);
  EXPECT_EQ(notified_, 1);
}

TEST(SpoolNamesTest, AgencyAndCompleteness) {
  EXPECT_EQ(*SpoolAgencyOf("stttt.csv"), "stttt");
  EXPECT_EQ(*SpoolAgencyOf("p.tanphong__dot2.XLSX"), "p.tanphong");
  EXPECT_FALSE(SpoolAgencyOf("STTTT.csv").ok());
  EXPECT_FALSE(SpoolAgencyOf("stttt.txt").ok());
  EXPECT_TRUE(IsCompleteSpoolName("stttt.csv"));
  EXPECT_FALSE(IsCompleteSpoolName(".stttt.csv"));
  EXPECT_FALSE(IsCompleteSpoolName("stttt.csv.tmp"));
  EXPECT_FALSE(IsCompleteSpoolName("stttt.csv.part"));
}

}  // namespace
}  // namespace danhba::ops
