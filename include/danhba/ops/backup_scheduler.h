// `danhba run`'s scheduled backups (docs/backup.md "Scheduled backups").
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
// state readable at any time (for `danhba check` and metrics).
class BackupScheduler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  struct State {
    std::optional<std::chrono::system_clock::time_point> last_success;
    std::filesystem::path last_archive;
    std::optional<std::chrono::system_clock::time_point> last_failure;
    std::string last_error;
    std::uint64_t successes = 0;
    std::uint64_t failures = 0;
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

}  // namespace danhba::ops
