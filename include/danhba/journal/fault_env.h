// An Env for tests: forwards to a real Env, counts what the journal does, and
// injects the failures a disk and a crash produce.
//
// Crash model: the bytes appended to a file since its last Sync(), and files
// created since the last SyncDir() of their directory, are what a power cut
// may lose. Crash() loses all of them at once and makes every later call fail,
// as if the process had died. Renames and removals are taken as durable at
// once (not modelled).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "danhba/journal/env.h"

namespace danhba::journal {

class FaultEnv : public Env {
 public:
  // `base` must outlive this env.
  explicit FaultEnv(Env& base = Env::Default());
  ~FaultEnv() override;

  // --- counters ---
  std::uint64_t file_syncs() const { return file_syncs_.load(); }
  std::uint64_t dir_syncs() const { return dir_syncs_.load(); }
  std::uint64_t appends() const { return appends_.load(); }

  // --- faults ---
  // Every file Sync() from now on fails (with EIO) while `fail` holds.
  void FailSyncs(bool fail) { fail_syncs_ = fail; }
  // The next Append() writes only its first `keep` bytes, then fails.
  void ShortWriteNext(std::size_t keep);
  // Called (outside any lock of this env) at the start of every file Sync();
  // lets a test hold a sync back while other threads queue up.
  void SetSyncHook(std::function<void()> hook);
  // Drops what was not durable (see above) and fails every later call.
  void Crash();
  bool crashed() const { return crashed_.load(); }

  // --- clock ---
  // Now() answers `now` from here on (the real clock until set).
  void SetNow(TimePoint now);
  // Now() asks `clock` from here on, so the journal keeps a test's own time.
  void SetClock(base::Clock clock);

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::string> ReadRange(const std::string& path, std::uint64_t offset,
                                std::size_t length) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Result<bool> FileExists(const std::string& path) override;
  Status CreateDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status Truncate(const std::string& path, std::uint64_t size) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  TimePoint Now() override;

 private:
  class File;
  friend class File;

  struct FileState {
    std::uint64_t size = 0;
    std::uint64_t synced_size = 0;
  };

  Status CheckAlive() const;
  Status FileAppend(const std::string& path, WritableFile& base, std::string_view data);
  Status FileSync(const std::string& path, WritableFile& base);

  Env& base_;
  mutable std::mutex mutex_;
  std::map<std::string, FileState> files_;  // guarded by mutex_
  std::set<std::string> unsynced_created_;  // guarded by mutex_
  std::optional<std::size_t> short_write_;  // guarded by mutex_
  std::function<void()> sync_hook_;         // guarded by mutex_
  base::Clock clock_;                       // guarded by mutex_; empty: base_.Now()
  std::atomic<bool> fail_syncs_{false};
  std::atomic<bool> crashed_{false};
  std::atomic<std::uint64_t> file_syncs_{0};
  std::atomic<std::uint64_t> dir_syncs_{0};
  std::atomic<std::uint64_t> appends_{0};
};

}  // namespace danhba::journal
