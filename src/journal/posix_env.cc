// The POSIX Env: plain file descriptors, fdatasync for files, fsync for
// directories, flock for the directory lock.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "danhba/base/unique_fd.h"
#include "danhba/journal/env.h"

namespace danhba::journal {
namespace {

Error IoError(std::string_view what, const std::string& path, int err) {
  std::string detail = std::string(what) + " " + path + ": " + std::strerror(err);
  // Missing files are the caller's to interpret; running out of space or a
  // failing disk may pass, everything else is a set-up problem.
  if (err == ENOENT) return NotFound(std::move(detail));
  if (err == EACCES || err == EPERM || err == EROFS) return ConfigError(std::move(detail));
  return Transient(std::move(detail));
}

using Fd = UniqueFd;

Result<int> OpenFd(const std::string& path, int flags, std::string_view what) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return IoError(what, path, errno);
  return fd;
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override { (void)Close(); }

  Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_.get(), data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("cannot write to", path_, errno);
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_.get()) != 0) return IoError("cannot fsync", path_, errno);
    return Ok();
  }

  Status Close() override {
    int fd = fd_.release();
    if (fd >= 0 && ::close(fd) != 0) return IoError("cannot close", path_, errno);
    return Ok();
  }

 private:
  std::string path_;
  Fd fd_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::flock(fd_.get(), LOCK_UN); }

 private:
  Fd fd_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    auto fd = OpenFd(path, O_WRONLY | O_CREAT | O_TRUNC, "cannot create");
    if (!fd) return fd.take_error();
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(path, *fd));
  }

  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    auto fd = OpenFd(path, O_WRONLY | O_APPEND, "cannot open");
    if (!fd) return fd.take_error();
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(path, *fd));
  }

  Result<std::string> ReadFile(const std::string& path) override {
    auto fd = OpenFd(path, O_RDONLY, "cannot open");
    if (!fd) return fd.take_error();
    Fd owner(*fd);
    std::string data;
    char buffer[1 << 16];
    for (;;) {
      ssize_t n = ::read(owner.get(), buffer, sizeof buffer);
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("cannot read", path, errno);
      }
      if (n == 0) break;
      data.append(buffer, static_cast<std::size_t>(n));
    }
    return data;
  }

  Result<std::string> ReadRange(const std::string& path, std::uint64_t offset,
                                std::size_t length) override {
    auto fd = OpenFd(path, O_RDONLY, "cannot open");
    if (!fd) return fd.take_error();
    Fd owner(*fd);
    std::string data(length, '\0');
    std::size_t got = 0;
    while (got < length) {
      ssize_t n =
          ::pread(owner.get(), data.data() + got, length - got, static_cast<off_t>(offset + got));
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("cannot read", path, errno);
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    data.resize(got);
    return data;
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir.c_str()), &::closedir);
    if (!handle) return IoError("cannot list", dir, errno);
    std::vector<std::string> names;
    while (dirent* entry = ::readdir(handle.get())) {
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    return names;
  }

  Result<bool> FileExists(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    return IoError("cannot stat", path, errno);
  }

  Status CreateDir(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return IoError("cannot create directory", dir, ec.value());
    return Ok();
  }

  Status SyncDir(const std::string& dir) override {
    auto fd = OpenFd(dir, O_RDONLY | O_DIRECTORY, "cannot open directory");
    if (!fd) return fd.take_error();
    Fd owner(*fd);
    if (::fsync(owner.get()) != 0) return IoError("cannot fsync directory", dir, errno);
    return Ok();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0)
      return IoError("cannot rename to " + to + ":", from, errno);
    return Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return IoError("cannot remove", path, errno);
    return Ok();
  }

  Status Truncate(const std::string& path, std::uint64_t size) override {
    auto fd = OpenFd(path, O_WRONLY, "cannot open");
    if (!fd) return fd.take_error();
    Fd owner(*fd);
    if (::ftruncate(owner.get(), static_cast<off_t>(size)) != 0)
      return IoError("cannot truncate", path, errno);
    if (::fsync(owner.get()) != 0) return IoError("cannot fsync", path, errno);
    return Ok();
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    auto fd = OpenFd(path, O_RDWR | O_CREAT, "cannot open lock file");
    if (!fd) return fd.take_error();
    Fd owner(*fd);
    if (::flock(owner.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK)
        return Conflict(path + " is locked: the journal is in use by another process");
      return IoError("cannot lock", path, errno);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(owner.release()));
  }

  TimePoint Now() override { return base::SystemNow(); }
};

}  // namespace

Env& Env::Default() {
  static PosixEnv env;
  return env;
}

}  // namespace danhba::journal
