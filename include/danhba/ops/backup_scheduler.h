// `danhba run`'s scheduled backups and what /metrics and `danhba check` say of
// them (docs/backup.md "Monitoring").
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "danhba/config/config.h"

namespace danhba::ops {

// `danhba run`'s scheduled backups (backup.enabled, backup.interval,
// backup.keep): on a thread of its own, one log line per backup, the last
// state readable at any time (for /metrics). Each attempt is also written to
// <backup.dir>/last-attempt.json, so that `danhba check` can tell a failing
// schedule with the daemon stopped.
class BackupScheduler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  struct State {
    bool scheduled = false;  // the thread runs (backup.enabled, managed slapd)
    std::optional<std::chrono::system_clock::time_point> last_attempt;
    std::optional<std::chrono::system_clock::time_point> last_success;
    std::filesystem::path last_archive;
    std::optional<std::chrono::system_clock::time_point> last_failure;
    std::string last_error;
    std::uint64_t successes = 0;
    std::uint64_t failures = 0;
    std::chrono::milliseconds last_duration{0};  // of the last success
    std::uint64_t last_bytes = 0;                // its archive's size
  };

  explicit BackupScheduler(config::Config config, Clock now = &std::chrono::system_clock::now);
  ~BackupScheduler();  // stops
  BackupScheduler(const BackupScheduler&) = delete;
  BackupScheduler& operator=(const BackupScheduler&) = delete;

  // Starts the thread; does nothing when backups are disabled or the
  // directory is not managed (logged once).
  void Start();
  void Stop();
  State state() const;
  // state() in the Prometheus text format (BackupMetrics).
  std::string Metrics() const;

 private:
  void Loop();

  config::Config config_;
  Clock now_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  State state_;
  std::thread thread_;
};

// The danhba_backup_* metrics of `state` in the Prometheus text format:
// last success, last attempt and last failure as Unix times (0: none yet),
// successes and failures since start, the last archive's size and the time
// it took.
std::string BackupMetrics(const BackupScheduler::State& state);

// What `danhba check` says of the backups, from backup.dir alone (the daemon
// may be stopped): the newest archive's age against backup.interval, and the
// last attempt when it failed after that archive.
struct BackupHealth {
  enum class Level {
    kNone,   // no archive yet: a note
    kOk,     // the newest archive is at most 2 x backup.interval old
    kStale,  // older: the check fails
  };
  Level level = Level::kNone;
  std::string summary;  // "last success danhba-backup-….tar.gz, 3 min ago"
  // When the last attempt failed after the newest archive: when and why.
  std::optional<std::string> failing;
};
BackupHealth AssessBackups(const config::Config& config, std::chrono::system_clock::time_point now);

// The file the scheduler writes after each attempt, in backup.dir.
std::filesystem::path LastAttemptFile(const config::Config& config);

}  // namespace danhba::ops
