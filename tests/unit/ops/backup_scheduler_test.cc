// What /metrics and `danhba check` say of the backups: the metrics text of a
// scheduler's state, and the assessment of backup.dir at an injected time.
#include "danhba/ops/backup_scheduler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;
using TimePoint = std::chrono::system_clock::time_point;

// 2026-12-06T02:33:00Z.
constexpr TimePoint kTaken{std::chrono::seconds(1796524380)};

class BackupHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("danhba-backup-health-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(rd()));
    fs::create_directories(root_);
    config_.ldap.managed = true;
    config_.data_dir = root_;
    config_.backup.interval = hours(24);
    fs::create_directories(config_.BackupDir());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  void Archive(const std::string& stamp) {
    std::ofstream(config_.BackupDir() / ("danhba-backup-" + stamp + ".tar.gz")) << "x";
  }
  void LastAttempt(const std::string& json) { std::ofstream(LastAttemptFile(config_)) << json; }

  fs::path root_;
  config::Config config_;
};

TEST_F(BackupHealthTest, NoArchiveIsANote) {
  BackupHealth health = AssessBackups(config_, kTaken);
  EXPECT_EQ(health.level, BackupHealth::Level::kNone);
  EXPECT_NE(health.summary.find("none yet in " + config_.BackupDir().string()), std::string::npos)
      << health.summary;
  EXPECT_FALSE(health.failing);
}

TEST_F(BackupHealthTest, RecentArchiveIsOkWithItsAge) {
  Archive("20261206T023300Z");
  Archive("20261205T023300Z");
  BackupHealth health = AssessBackups(config_, kTaken + minutes(90));
  EXPECT_EQ(health.level, BackupHealth::Level::kOk);
  EXPECT_EQ(health.summary, "last success danhba-backup-20261206T023300Z.tar.gz, 90 min ago");
  EXPECT_FALSE(health.failing);
}

TEST_F(BackupHealthTest, ArchiveOlderThanTwiceTheIntervalIsStale) {
  Archive("20261206T023300Z");
  EXPECT_EQ(AssessBackups(config_, kTaken + hours(48)).level, BackupHealth::Level::kOk);
  BackupHealth health = AssessBackups(config_, kTaken + hours(49));
  EXPECT_EQ(health.level, BackupHealth::Level::kStale);
  EXPECT_EQ(health.summary, "last success danhba-backup-20261206T023300Z.tar.gz, 2 days ago");
}

TEST_F(BackupHealthTest, AFailedAttemptAfterTheNewestArchiveIsToldWithItsReason) {
  Archive("20261206T023300Z");
  // 2026-12-06T03:33:00Z, an hour after the archive.
  LastAttempt(R"({"at": "2026-12-06T03:33:00.000000Z", "at_unix": 1796527980, "ok": false,
                  "error": "dumping the directory with slapcat failed"})");
  BackupHealth health = AssessBackups(config_, kTaken + hours(2));
  EXPECT_EQ(health.level, BackupHealth::Level::kOk);
  ASSERT_TRUE(health.failing);
  EXPECT_EQ(*health.failing,
            "the last attempt, 60 min ago (2026-12-06T03:33:00.000000Z), failed: dumping the directory with "
            "slapcat failed");
}

TEST_F(BackupHealthTest, AFailureBeforeTheNewestArchiveOrASuccessIsNotTold) {
  Archive("20261206T023300Z");
  LastAttempt(R"({"at": "2026-12-06T01:33:00.000000Z", "at_unix": 1796520780, "ok": false, "error": "x"})");
  EXPECT_FALSE(AssessBackups(config_, kTaken).failing);
  LastAttempt(R"({"at": "2026-12-06T02:33:00.000000Z", "at_unix": 1796524380, "ok": true,
                  "archive": "danhba-backup-20261206T023300Z.tar.gz"})");
  EXPECT_FALSE(AssessBackups(config_, kTaken).failing);
}

TEST_F(BackupHealthTest, AnUnreadableAttemptFileIsSaid) {
  LastAttempt("{not json");
  BackupHealth health = AssessBackups(config_, kTaken);
  ASSERT_TRUE(health.failing);
  EXPECT_NE(health.failing->find(LastAttemptFile(config_).string() + " does not read back"), std::string::npos)
      << *health.failing;
}

TEST(BackupMetrics, NothingYetIsZero) {
  std::string text = BackupMetrics({});
  EXPECT_NE(text.find("\ndanhba_backup_scheduled 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndanhba_backup_last_success_timestamp_seconds 0.000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndanhba_backup_failures_total 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE danhba_backup_failures_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE danhba_backup_last_success_timestamp_seconds gauge\n"), std::string::npos) << text;
}

TEST(BackupMetrics, StateIsShownAsUnixTimesAndCounters) {
  BackupScheduler::State state;
  state.scheduled = true;
  state.last_success = kTaken;
  state.last_attempt = kTaken + minutes(1);
  state.last_failure = kTaken + minutes(1);
  state.successes = 3;
  state.failures = 2;
  state.last_duration = std::chrono::milliseconds(1500);
  state.last_bytes = 4096;
  std::string text = BackupMetrics(state);
  EXPECT_NE(text.find("\ndanhba_backup_scheduled 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndanhba_backup_last_success_timestamp_seconds 1796524380.000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndanhba_backup_last_attempt_timestamp_seconds 1796524440.000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndanhba_backup_last_failure_timestamp_seconds 1796524440.000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndanhba_backup_successes_total 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndanhba_backup_failures_total 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndanhba_backup_last_duration_seconds 1.500\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndanhba_backup_last_size_bytes 4096\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace danhba::ops
