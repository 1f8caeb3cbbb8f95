#include "danhba/base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "danhba/base/unique_fd.h"

namespace danhba {
namespace {

Error Failed(const std::string& what, const std::filesystem::path& file, int error) {
  return Internal("cannot " + what + " " + file.string() + ": " + std::strerror(error));
}

Status WriteAll(int fd, std::string_view content, const std::filesystem::path& file) {
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Failed("write", file, errno);
    if (n == 0) return Internal("cannot write " + file.string() + ": the write wrote nothing");
    done += static_cast<std::size_t>(n);
  }
  return Ok();
}

Status WriteSyncRename(const std::filesystem::path& temp, const std::filesystem::path& path,
                       std::string_view content, mode_t mode, FileSync sync) {
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd.valid()) return Failed("create", temp, errno);
  if (::fchmod(fd.get(), mode) != 0) return Failed("chmod", temp, errno);
  DANHBA_RETURN_IF_ERROR(WriteAll(fd.get(), content, temp));
  if (sync != FileSync::kNone && ::fsync(fd.get()) != 0) return Failed("fsync", temp, errno);
  if (::close(fd.release()) != 0) return Failed("close", temp, errno);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int error = errno;
    return Internal("cannot rename " + temp.string() + " to " + path.string() + ": " +
                    std::strerror(error));
  }
  return Ok();
}

}  // namespace

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content, mode_t mode,
                           FileSync sync) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  if (Status written = WriteSyncRename(temp, path, content, mode, sync); !written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  if (sync == FileSync::kNone) return Ok();
  std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) return Failed("open directory", dir, errno);
  if (::fsync(dir_fd.get()) != 0) return Failed("fsync directory", dir, errno);
  return Ok();
}

}  // namespace danhba
