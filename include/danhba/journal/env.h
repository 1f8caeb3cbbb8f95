// The journal's only way to the operating system. Every file and directory
// operation the journal makes goes through an Env, so tests can count fsyncs,
// inject faults (short writes, failed fsyncs) and simulate a crash that loses
// whatever was not made durable (see fault_env.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/clock.h"
#include "danhba/base/result.h"

namespace danhba::journal {

// Wall-clock time with microsecond precision, as stored on disk.
using TimePoint = base::TimePoint;

// A file opened for writing at its end. Not safe for concurrent use.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes all of `data` at the end of the file, or fails; after a failure the
  // file may hold any prefix of `data`.
  virtual Status Append(std::string_view data) = 0;
  // Makes every byte appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

// Held while a process owns a directory; released when destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// Safe for concurrent use.
class Env {
 public:
  virtual ~Env() = default;

  // The POSIX implementation. Lives for the whole program.
  static Env& Default();

  // Creates `path`, or empties it if it exists.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens `path` for writing at its end; the file must exist.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Up to `length` bytes from `offset`; fewer only at the end of the file.
  virtual Result<std::string> ReadRange(const std::string& path, std::uint64_t offset,
                                        std::size_t length) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual Result<bool> FileExists(const std::string& path) = 0;
  // Creates `dir` and its parents if missing.
  virtual Status CreateDir(const std::string& dir) = 0;
  // Makes creations, renames and removals of entries in `dir` durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Atomically replaces `to` with `from`.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Cuts `path` to `size` bytes and makes the new size durable.
  virtual Status Truncate(const std::string& path, std::uint64_t size) = 0;
  // An exclusive lock on `path` (created if missing); a conflict error when
  // another holder, in this process or another, has it.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
  virtual TimePoint Now() = 0;
};

}  // namespace danhba::journal
