#include "danhba/ops/backup_scheduler.h"

#include <algorithm>

#include "danhba/base/log.h"
#include "danhba/ops/backup.h"

namespace danhba::ops {

// Never wait longer than this after start for an overdue (or a first) backup.
constexpr std::chrono::minutes kMaxFirstDelay{10};

BackupScheduler::BackupScheduler(config::Config config, Clock now)
    : config_(std::move(config)), now_(std::move(now)) {}

BackupScheduler::~BackupScheduler() { Stop(); }

void BackupScheduler::Start() {
  auto log = log::Get("backup");
  if (!config_.backup.enabled) {
    log->info("scheduled backups are off (backup.enabled: false)");
    return;
  }
  if (!config_.ldap.managed) {
    log->warn("scheduled backups need the managed slapd (ldap.managed: true); back up the external slapd there");
    return;
  }
  thread_ = std::thread([this] { Loop(); });
}

void BackupScheduler::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

BackupScheduler::State BackupScheduler::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void BackupScheduler::Loop() {
  auto log = log::Get("backup");
  const auto interval = config_.backup.interval;
  const auto first_delay = std::min<std::chrono::milliseconds>(interval, kMaxFirstDelay);
  const std::filesystem::path dir = config_.BackupDir();
  auto now = now_();
  auto due = now + first_delay;
  if (auto last = FindLastBackup(dir)) {
    due = std::clamp(last->taken + interval, now, now + first_delay);
    std::lock_guard lock(mutex_);
    state_.last_success = last->taken;
    state_.last_archive = last->archive;
  }
  log->info("next backup to {} in {} s, then every {} s", dir.string(),
            std::chrono::duration_cast<std::chrono::seconds>(due - now).count(),
            std::chrono::duration_cast<std::chrono::seconds>(interval).count());
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - now_());
    if (wait.count() > 0) {
      wake_.wait_for(lock, wait, [this] { return stopping_; });
      continue;
    }
    lock.unlock();
    BackupOptions options;
    options.now = now_();
    auto made = CreateBackup(config_, options);
    std::vector<std::filesystem::path> removed;
    if (made.ok()) removed = PruneBackups(dir, config_.backup.keep);
    lock.lock();
    if (made.ok()) {
      state_.last_success = options.now;
      state_.last_archive = made->archive;
      ++state_.successes;
      log->info("backup {} taken in {} ms: {} entries, {} journal events, {} bytes; {} old archive(s) removed",
                made->archive.string(), made->took.count(), made->directory_entries, made->journal_events,
                made->archive_bytes, removed.size());
      due = options.now + interval;
    } else {
      state_.last_failure = options.now;
      state_.last_error = made.error().detail;
      ++state_.failures;
      // A failed backup is tried again sooner than a whole interval later.
      auto retry = std::min<std::chrono::milliseconds>(interval, std::chrono::minutes(15));
      log->error("backup failed (next try in {} s): {}", std::chrono::duration_cast<std::chrono::seconds>(retry).count(),
                 made.error().detail);
      due = options.now + retry;
    }
  }
}

}  // namespace danhba::ops
