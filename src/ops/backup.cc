#include "danhba/ops/backup.h"

#include <sys/stat.h>
#include <fcntl.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "danhba/base/files.h"
#include "danhba/journal/journal.h"
#include "danhba/sync/engine.h"
#include "ops/backup_files.h"

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using SteadyClock = std::chrono::steady_clock;
using namespace backup_files;

// Copies the journal's segment files. Compaction may replace segments while
// this runs: the copy is made again (up to a few times) until the listing
// before and after it agree.
Status CopyJournal(const fs::path& from, const fs::path& to) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::error_code ec;
    fs::remove_all(to, ec);
    fs::create_directories(to, ec);
    if (ec) return Internal("cannot create " + to.string() + ": " + ec.message());
    auto segments = [&] {
      std::vector<std::string> names;
      std::error_code list_ec;
      for (const auto& each : fs::directory_iterator(from, list_ec)) {
        std::string name = each.path().filename().string();
        if (name.ends_with(".seg")) names.push_back(name);
      }
      std::sort(names.begin(), names.end());
      return names;
    };
    std::vector<std::string> before = segments();
    bool vanished = false;
    for (const std::string& name : before) {
      fs::copy_file(from / name, to / name, ec);
      if (ec) {
        vanished = true;
        break;
      }
    }
    if (!vanished && segments() == before) return Ok();
  }
  return Transient("the journal in " + from.string() + " kept changing (compaction) while it was copied; try again");
}

}  // namespace

Result<BackupResult> CreateBackup(const config::Config& config, const BackupOptions& options) {
  auto began = SteadyClock::now();
  DANHBA_RETURN_IF_ERROR(MustBeManaged(config));
  const fs::path slapd_config = config.SlapdDir() / "slapd.d";
  std::error_code ec;
  if (!fs::exists(slapd_config, ec)) {
    return NotFound("there is no directory to back up in " + config.SlapdDir().string() +
                    " (no slapd.d); has `danhba run` been started on this data_dir?");
  }
  fs::path dir = options.to_dir.empty() ? config.BackupDir() : options.to_dir;
  fs::create_directories(dir, ec);
  if (ec) return ConfigError("cannot create the backup directory " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);  // archives hold secrets
  DANHBA_ASSIGN_OR_RETURN(auto staging, TempDir::Create(dir, ".staging-"));
  const fs::path root = staging.path();

  BackupResult result;
  Json manifest;
  manifest["format"] = kFormat;
  manifest["version"] = kFormatVersion;
  manifest["created_at"] = Iso(options.now);
  manifest["domain"] = config.domain;
  manifest["base_dn"] = config.ldap.base_dn;

  // 1. The journal position: a copy of the journal, taken before the dump.
  const fs::path journal_dir = sync::JournalDir(config.data_dir.string());
  if (fs::exists(journal_dir, ec)) {
    DANHBA_RETURN_IF_ERROR(CopyJournal(journal_dir, root / kJournalDir));
    auto copy = journal::Journal::Open({.dir = (root / kJournalDir).string(), .read_only = true});
    if (!copy.ok()) return Internal("the copy of the journal does not read back: " + copy.error().detail);
    journal::Counts counts = (*copy)->Count();
    result.journal_events = counts.total();
    result.journal_applied = counts.applied;
    manifest["journal"] = {{"events", counts.total()}, {"applied", counts.applied}};
  }

  // 2. The directory, dumped while slapd runs.
  const fs::path ldif = root / kDirectoryFile;
  DANHBA_RETURN_IF_ERROR(RunTool({options.slapcat_path.string(), "-F", slapd_config.string(), "-n", "1", "-l",
                                  ldif.string()},
                                 "dumping the directory with slapcat"));
  result.directory_entries = CountEntries(ldif);
  manifest["directory"] = {{"file", kDirectoryFile}, {"entries", result.directory_entries}};

  // 3. Senders, secrets, handed-over passwords, configuration.
  if (fs::path senders = config.SendersFile(); fs::exists(senders, ec)) {
    DANHBA_RETURN_IF_ERROR(CopyFile(senders, root / "senders.json", fs::perms::owner_read | fs::perms::owner_write));
  }
  auto copy_private_dir = [&](const fs::path& from, std::string_view name) -> Status {
    if (!fs::is_directory(from, ec)) return Ok();
    fs::create_directories(root / name, ec);
    for (const auto& each : fs::directory_iterator(from, ec)) {
      if (!each.is_regular_file(ec)) continue;
      DANHBA_RETURN_IF_ERROR(CopyFile(each.path(), root / name / each.path().filename(),
                                      fs::perms::owner_read | fs::perms::owner_write));
    }
    return Ok();
  };
  DANHBA_RETURN_IF_ERROR(copy_private_dir(config.SecretsDir(), "secrets"));
  DANHBA_RETURN_IF_ERROR(copy_private_dir(sync::HandoverDir(config.data_dir.string()), "handover"));
  if (!config.source.empty()) {
    fs::create_directories(root / "config", ec);
    DANHBA_RETURN_IF_ERROR(CopyFile(config.source, root / "config" / config.source.filename(),
                                    fs::perms::owner_read | fs::perms::owner_write));
  }

  // 4. The manifest: every file with its size and SHA-256.
  Json files = Json::array();
  for (const std::string& path : FilesUnder(root)) {
    std::uint64_t bytes = 0;
    DANHBA_ASSIGN_OR_RETURN(auto sum, Sha256File(root / path, &bytes));
    files.push_back({{"path", path}, {"bytes", bytes}, {"sha256", sum}});
  }
  manifest["files"] = std::move(files);
  DANHBA_RETURN_IF_ERROR(WriteFileAtomically(root / kManifestName, manifest.dump(2) + "\n", 0600));

  // 5. One archive, written under a temporary name, synced, then renamed.
  std::string name = std::string(kArchivePrefix) + Stamp(options.now) + std::string(kArchiveSuffix);
  fs::path archive = dir / name;
  if (fs::exists(archive, ec)) return Conflict("backup " + archive.string() + " already exists");
  fs::path partial = dir / ("." + name + ".part");
  std::vector<std::string> tar = {options.tar_path.string(), "-czf", partial.string(), "-C", root.string(),
                                  std::string(kManifestName)};
  for (const auto& each : fs::directory_iterator(root, ec)) {
    std::string entry = each.path().filename().string();
    if (entry != kManifestName) tar.push_back(entry);
  }
  if (Status packed = RunTool(tar, "writing the archive with tar"); !packed.ok()) {
    fs::remove(partial, ec);
    return packed.take_error();
  }
  ::chmod(partial.c_str(), 0600);
  if (Status synced = SyncPath(partial); !synced.ok()) {
    fs::remove(partial, ec);
    return synced.take_error();
  }
  fs::rename(partial, archive, ec);
  if (ec) {
    fs::remove(partial, ec);
    return Internal("cannot rename the archive to " + archive.string() + ": " + ec.message());
  }
  DANHBA_RETURN_IF_ERROR(SyncPath(dir, O_RDONLY | O_DIRECTORY));
  result.archive = archive;
  result.archive_bytes = fs::file_size(archive, ec);
  result.took = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - began);
  return result;
}

std::vector<fs::path> PruneBackups(const fs::path& dir, int keep) {
  std::vector<fs::path> archives;
  std::error_code ec;
  for (const auto& each : fs::directory_iterator(dir, ec)) {
    std::string name = each.path().filename().string();
    if (name.starts_with(kArchivePrefix) && name.ends_with(kArchiveSuffix)) archives.push_back(each.path());
  }
  std::sort(archives.begin(), archives.end());
  std::vector<fs::path> removed;
  while (archives.size() > static_cast<std::size_t>(std::max(keep, 1))) {
    if (fs::remove(archives.front(), ec)) removed.push_back(archives.front());
    archives.erase(archives.begin());
  }
  return removed;
}

std::optional<LastBackup> FindLastBackup(const fs::path& dir) {
  std::optional<LastBackup> last;
  std::error_code ec;
  for (const auto& each : fs::directory_iterator(dir, ec)) {
    std::string name = each.path().filename().string();
    if (!name.starts_with(kArchivePrefix) || !name.ends_with(kArchiveSuffix)) continue;
    auto taken = ParseStamp(std::string_view(name).substr(
        kArchivePrefix.size(), name.size() - kArchivePrefix.size() - kArchiveSuffix.size()));
    if (!taken) continue;
    if (!last || *taken > last->taken) last = LastBackup{each.path(), *taken};
  }
  return last;
}

}  // namespace danhba::ops
