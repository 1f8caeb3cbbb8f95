// What backup, restore and verify share (private to src/ops): the archive's
// names and manifest, checksums, file IO and the tools they run.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/config/config.h"
#include "danhba/ops/backup.h"

namespace danhba::ops::backup_files {

constexpr std::string_view kArchivePrefix = "danhba-backup-";
constexpr std::string_view kArchiveSuffix = ".tar.gz";
constexpr std::string_view kManifestName = "manifest.json";
constexpr std::string_view kFormat = "danhba-backup";
constexpr int kFormatVersion = 1;
constexpr std::string_view kDirectoryFile = "directory.ldif";
constexpr std::string_view kJournalDir = "journal";

std::string Errno();

// 20261206T023300Z: names sort by time.
std::string Iso(std::chrono::system_clock::time_point at);
std::string Stamp(std::chrono::system_clock::time_point at);
std::optional<std::chrono::system_clock::time_point> ParseStamp(std::string_view stamp);

// Hex SHA-256 of a file; its size in *bytes when given.
Result<std::string> Sha256File(const std::filesystem::path& path, std::uint64_t* bytes);
Status SyncPath(const std::filesystem::path& path, int flags);
Status SyncPath(const std::filesystem::path& path);
Status CopyFile(const std::filesystem::path& from, const std::filesystem::path& to, std::filesystem::perms mode);
Status RunTool(const std::vector<std::string>& argv, std::string_view what);

// The regular files under `root`, as relative paths, sorted.
std::vector<std::string> FilesUnder(const std::filesystem::path& root);

// A temporary directory removed when this goes out of scope.
class TempDir {
 public:
  static Result<TempDir> Create(const std::filesystem::path& parent, std::string_view stem);
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// "dn:" lines of an LDIF file.
std::size_t CountEntries(const std::filesystem::path& ldif);

Status MustBeManaged(const config::Config& config);

struct ManifestFile {
  std::string path;
  std::uint64_t bytes = 0;
  std::string sha256;
};

struct Manifest {
  std::string created_at;
  std::string domain;
  std::string base_dn;
  std::size_t entries = 0;
  std::size_t journal_events = 0;
  std::size_t journal_applied = 0;
  bool has_journal = false;
  std::vector<ManifestFile> files;
};

Result<Manifest> ParseManifest(const std::filesystem::path& file, const std::string& archive);

// Extracts `archive` into `into` and checks every file against the manifest.
Result<Manifest> ExtractAndVerify(const std::filesystem::path& archive, const std::filesystem::path& into,
                                  const RestoreOptions& options);

}  // namespace danhba::ops::backup_files
