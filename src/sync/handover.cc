#include "sync/handover.h"

#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "danhba/base/unique_fd.h"

namespace danhba::sync {
namespace {

Error SystemError(std::string what) {
  return Transient(std::move(what) + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return SystemError("cannot write " + path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok();
}

// The last field of a CSV line as written by CsvField (event ids hold no
// comma, quote or space, so they are never quoted).
std::string_view LastField(std::string_view line) {
  auto comma = line.rfind(',');
  return comma == std::string_view::npos ? line : line.substr(comma + 1);
}

}  // namespace

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string Handover::PathOf(std::string_view agency) const {
  return dir_ + "/" + std::string(agency) + ".csv";
}

Status Handover::EnsureDir() {
  if (dir_ready_) return Ok();
  if (dir_.empty()) return ConfigError("no handover directory is configured for initial passwords");
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    return SystemError("cannot create the handover directory " + dir_);
  }
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0) return SystemError("cannot stat " + dir_);
  if (!S_ISDIR(st.st_mode)) return ConfigError(dir_ + " is not a directory");
  if ((st.st_mode & 077) != 0 && ::chmod(dir_.c_str(), 0700) != 0) {
    return SystemError("cannot make " + dir_ + " private (0700)");
  }
  dir_ready_ = true;
  return Ok();
}

Status Handover::Write(const std::vector<HandoverLine>& lines) {
  if (lines.empty()) return Ok();
  std::lock_guard lock(mutex_);
  DANHBA_RETURN_IF_ERROR(EnsureDir());
  std::map<std::string, std::string> by_file;
  for (const auto& l : lines) {
    std::string& text = by_file[l.agency];
    text += CsvField(l.uid) + "," + CsvField(l.email) + "," + CsvField(l.full_name) + "," +
            CsvField(l.password) + "," + CsvField(l.event_id) + "\n";
  }
  for (const auto& [agency, text] : by_file) {
    const std::string path = PathOf(agency);
    UniqueFd file(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (!file.valid()) return SystemError("cannot open " + path);
    struct stat st {};
    if (::fstat(file.get(), &st) != 0) return SystemError("cannot stat " + path);
    if ((st.st_mode & 077) != 0 && ::fchmod(file.get(), 0600) != 0) {
      return SystemError("cannot make " + path + " private (0600)");
    }
    std::string data = st.st_size == 0 ? "uid,email,full_name,password,event_id\n" + text : text;
    DANHBA_RETURN_IF_ERROR(WriteAll(file.get(), data, path));
    if (::fsync(file.get()) != 0) return SystemError("cannot fsync " + path);
  }
  return Ok();
}

Result<bool> Handover::Has(std::string_view agency, std::string_view event_id) {
  std::lock_guard lock(mutex_);
  const std::string path = PathOf(agency);
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (LastField(line) == event_id) return true;
  }
  return false;
}

Result<std::string> GenerateInitialPassword() {
  // The alphabet and length of the engine's hires (engine.cc).
  constexpr std::string_view kAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  constexpr std::size_t kLength = 16;
  std::string out;
  while (out.size() < kLength) {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return Internal("OpenSSL RAND_bytes failed");
    // Rejection sampling keeps every character equally likely.
    const unsigned limit = 256 - 256 % kAlphabet.size();
    for (unsigned char b : bytes) {
      if (b < limit && out.size() < kLength) out += kAlphabet[b % kAlphabet.size()];
    }
  }
  return out;
}

}  // namespace danhba::sync
