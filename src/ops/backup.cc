#include "danhba/ops/backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_set>

#include "danhba/base/clock.h"
#include "danhba/base/log.h"
#include "danhba/directory/ldap_directory.h"
#include "danhba/journal/journal.h"
#include "danhba/ldap/connection.h"
#include "danhba/slapd/instance.h"
#include "danhba/slapd/managed.h"
#include "danhba/sync/engine.h"
#include "slapd/process.h"

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kArchivePrefix = "danhba-backup-";
constexpr std::string_view kArchiveSuffix = ".tar.gz";
constexpr std::string_view kManifestName = "manifest.json";
constexpr std::string_view kFormat = "danhba-backup";
constexpr int kFormatVersion = 1;
constexpr std::string_view kDirectoryFile = "directory.ldif";
constexpr std::string_view kJournalDir = "journal";

std::string Errno() { return std::strerror(errno); }

// 20261206T023300Z: names sort by time.
// In UTC whatever the process's time zone (fmt 9 formats time points in local time).
std::string Iso(std::chrono::system_clock::time_point at) {
  return base::FormatUtc(std::chrono::time_point_cast<std::chrono::microseconds>(at));
}
std::string Stamp(std::chrono::system_clock::time_point at) {
  std::string iso = Iso(at);
  std::erase_if(iso, [](char c) { return c == '-' || c == ':'; });
  return iso;
}

std::optional<std::chrono::system_clock::time_point> ParseStamp(std::string_view stamp) {
  std::tm parts{};
  std::string text(stamp);
  const char* end = ::strptime(text.c_str(), "%Y%m%dT%H%M%SZ", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&parts));
}

Result<std::string> Sha256File(const fs::path& path, std::uint64_t* bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path.string() + ": " + Errno());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return Internal("SHA-256 is not available");
  std::vector<char> buffer(1 << 16);
  std::uint64_t total = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    auto got = in.gcount();
    if (got <= 0) break;
    total += static_cast<std::uint64_t>(got);
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(got));
  }
  if (in.bad()) return Internal("reading " + path.string() + " failed");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  if (bytes != nullptr) *bytes = total;
  return hex;
}

Status SyncPath(const fs::path& path, int flags = O_RDONLY) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Internal("cannot open " + path.string() + ": " + Errno());
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) return Internal("fsync " + path.string() + ": " + std::strerror(saved));
  return Ok();
}

Status WriteFile(const fs::path& path, std::string_view content, fs::perms mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return Internal("cannot write " + path.string() + ": " + Errno());
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) return Internal("cannot write " + path.string() + ": " + Errno());
  }
  std::error_code ec;
  fs::permissions(path, mode, ec);
  return SyncPath(path);
}

Status CopyFile(const fs::path& from, const fs::path& to, fs::perms mode) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Internal("cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
  fs::permissions(to, mode, ec);
  return Ok();
}

Status RunTool(const std::vector<std::string>& argv, std::string_view what) {
  auto run = slapd::RunProcess(argv);
  if (!run.ok()) return run.take_error();
  if (run->exit_code != 0) {
    return Internal(std::string(what) + " failed (" + argv[0] + " exit " + std::to_string(run->exit_code) +
                    "): " + slapd::LastLines(run->output, 6));
  }
  return Ok();
}

// The regular files under `root`, as relative paths, sorted.
std::vector<std::string> FilesUnder(const fs::path& root) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(fs::relative(it->path(), root, ec).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A temporary directory removed when this goes out of scope (unless kept).
class TempDir {
 public:
  static Result<TempDir> Create(const fs::path& parent, std::string_view stem) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    std::string pattern = (parent / (std::string(stem) + "XXXXXX")).string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
      return Internal("cannot create a temporary directory in " + parent.string() + ": " + Errno());
    }
    return TempDir(fs::path(buffer.data()));
  }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit TempDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

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

std::size_t CountEntries(const fs::path& ldif) {
  std::ifstream in(ldif);
  std::size_t count = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("dn:")) ++count;
  }
  return count;
}

Status MustBeManaged(const config::Config& config) {
  if (!config.ldap.managed) {
    return ConfigError(
        "backup and restore work on the managed slapd (ldap.managed: true); for an external slapd, "
        "back up its database with slapcat on that server");
  }
  return Ok();
}

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

bool SafeRelative(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  for (const auto& part : fs::path(path)) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

Result<Manifest> ParseManifest(const fs::path& file, const std::string& archive) {
  auto damaged = [&](const std::string& what) {
    return InvalidInput("backup " + archive + " is damaged or not a danhba backup: " + what +
                        "; nothing was restored");
  };
  std::ifstream in(file);
  if (!in) return damaged(std::string(kManifestName) + " is missing");
  Json json;
  try {
    json = Json::parse(in);
  } catch (const std::exception& e) {
    return damaged(std::string(kManifestName) + " is not valid JSON (" + e.what() + ")");
  }
  Manifest m;
  try {
    if (json.at("format").get<std::string>() != kFormat) return damaged("manifest format is not " + std::string(kFormat));
    if (json.at("version").get<int>() != kFormatVersion) {
      return InvalidInput("backup " + archive + " has format version " + std::to_string(json.at("version").get<int>()) +
                          "; this danhba reads version " + std::to_string(kFormatVersion) + "; nothing was restored");
    }
    m.created_at = json.at("created_at").get<std::string>();
    m.domain = json.at("domain").get<std::string>();
    m.base_dn = json.at("base_dn").get<std::string>();
    m.entries = json.at("directory").at("entries").get<std::size_t>();
    m.has_journal = json.contains("journal");
    if (m.has_journal) {
      m.journal_events = json.at("journal").at("events").get<std::size_t>();
      m.journal_applied = json.at("journal").at("applied").get<std::size_t>();
    }
    for (const auto& f : json.at("files")) {
      ManifestFile file_entry{f.at("path").get<std::string>(), f.at("bytes").get<std::uint64_t>(),
                              f.at("sha256").get<std::string>()};
      if (!SafeRelative(file_entry.path)) return damaged("the manifest names an unsafe path '" + file_entry.path + "'");
      m.files.push_back(std::move(file_entry));
    }
  } catch (const std::exception& e) {
    return damaged(std::string(kManifestName) + ": " + e.what());
  }
  return m;
}

// Extracts `archive` into `into` and checks every file against the manifest.
Result<Manifest> ExtractAndVerify(const fs::path& archive, const fs::path& into, const RestoreOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(archive, ec)) return NotFound("backup " + archive.string() + " does not exist");
  auto run = slapd::RunProcess({options.tar_path.string(), "-xzf", archive.string(), "-C", into.string(),
                                "--no-same-owner"});
  if (!run.ok()) return run.take_error();
  if (run->exit_code != 0) {
    return InvalidInput("backup " + archive.string() + " is damaged (it does not unpack: " +
                        slapd::LastLines(run->output, 2) + "); nothing was restored");
  }
  auto manifest = ParseManifest(into / kManifestName, archive.string());
  if (!manifest.ok()) return manifest;
  std::set<std::string> listed;
  for (const ManifestFile& f : manifest->files) {
    listed.insert(f.path);
    std::uint64_t bytes = 0;
    auto sum = Sha256File(into / f.path, &bytes);
    if (!sum.ok()) {
      return InvalidInput("backup " + archive.string() + " is damaged: " + f.path +
                          " is listed in the manifest but missing; nothing was restored");
    }
    if (bytes != f.bytes || *sum != f.sha256) {
      return InvalidInput("backup " + archive.string() + " is damaged: " + f.path +
                          " does not match its SHA-256 in the manifest (expected " + f.sha256 + ", " +
                          std::to_string(f.bytes) + " bytes; found " + *sum + ", " + std::to_string(bytes) +
                          " bytes); nothing was restored");
    }
  }
  for (const std::string& present : FilesUnder(into)) {
    if (present != kManifestName && !listed.contains(present)) {
      return InvalidInput("backup " + archive.string() + " holds " + present +
                          ", which its manifest does not list; nothing was restored");
    }
  }
  if (!listed.contains(std::string(kDirectoryFile))) {
    return InvalidInput("backup " + archive.string() + " has no " + std::string(kDirectoryFile) +
                        "; nothing was restored");
  }
  return manifest;
}

// Applies `ids` (queued again) one at a time, in this order: each is scheduled
// at its own microsecond from `start` on, and the engine (one worker on the
// restored slapd) runs a round at each of those times, so that exactly one
// more event is due per round. Should this process stop half-way, the rest are
// due already and `danhba run` applies them.
Status ReplayInOrder(const config::Config& config, slapd::Instance& instance, journal::Journal& journal,
                     const std::vector<std::string>& ids) {
  const auto start = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  std::vector<journal::StatusChange> turns;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    turns.push_back(journal::StatusChange{ids[i], journal::EventState::kScheduled, "its turn in a restore",
                                          start + std::chrono::microseconds(i)});
  }
  DANHBA_RETURN_IF_ERROR(journal.Update(std::move(turns)));
  DANHBA_RETURN_IF_ERROR(instance.Start());
  auto options = sync::OptionsFromConfig(config);
  if (!options.ok()) return options.take_error();
  ldap::ConnectOptions connect;
  connect.url = instance.url();
  connect.network_timeout = config.ldap.connect_timeout;
  connect.operation_timeout = config.ldap.operation_timeout;
  const auto& account = instance.account(slapd::ServiceAccount::kSync);
  auto directories = directory::MakeLdapDirectories(
      connect, ldap::Credentials::Simple(account.dn, account.password), sync::DirectoryOptionsFromConfig(config), 1);
  sync::Engine engine(journal, *directories.front(), std::move(options).value());
  DANHBA_RETURN_IF_ERROR(engine.Validate());
  auto run = [&](journal::TimePoint now) -> Result<sync::RoundResult> {
    for (int attempt = 0;; ++attempt) {
      sync::RoundResult round = engine.RunOnce(now);
      if (!round.transient_failure) return round;
      if (attempt >= 4) return Transient(round.transient_detail);
    }
  };
  // One round per event: the engine's line per round would say nothing more
  // than the summary at the end.
  auto sync_log = log::Get("sync");
  const auto level = sync_log->level();
  sync_log->set_level(std::max(level, spdlog::level::warn));
  struct RestoreLevel {
    std::shared_ptr<spdlog::logger> logger;
    spdlog::level::level_enum level;
    ~RestoreLevel() { logger->set_level(level); }
  } restore_level{sync_log, level};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto round = run(start + std::chrono::microseconds(i));
    if (!round.ok()) return round.take_error();
  }
  // Then whatever is due now (events that waited for an earlier one).
  while (true) {
    auto round = run(std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
    if (!round.ok()) return round.take_error();
    if (round->applied + round->rejected == 0 && !round->more) return Ok();
  }
}

// The order events were first applied in: by the time their result was
// written; within one journal write (concurrent workers), the address handed
// out first (annv before annv1 before annv2), then arrival.
void SortByFirstApplication(std::vector<journal::EventInfo>& events) {
  auto uid_of = [](const std::string& detail) {
    std::size_t at = detail.find("uid=");
    if (at == std::string::npos) return std::string();
    return detail.substr(at + 4, detail.find(' ', at) - at - 4);
  };
  std::sort(events.begin(), events.end(), [&](const journal::EventInfo& a, const journal::EventInfo& b) {
    std::string ua = uid_of(a.detail);
    std::string ub = uid_of(b.detail);
    return std::make_tuple(a.updated_at, ua.size(), ua, a.seq) < std::make_tuple(b.updated_at, ub.size(), ub, b.seq);
  });
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
  auto staging = TempDir::Create(dir, ".staging-");
  if (!staging.ok()) return staging.take_error();
  const fs::path root = staging->path();

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
    auto sum = Sha256File(root / path, &bytes);
    if (!sum.ok()) return sum.take_error();
    files.push_back({{"path", path}, {"bytes", bytes}, {"sha256", *sum}});
  }
  manifest["files"] = std::move(files);
  DANHBA_RETURN_IF_ERROR(WriteFile(root / kManifestName, manifest.dump(2) + "\n",
                                   fs::perms::owner_read | fs::perms::owner_write));

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

Result<std::string> VerifyBackup(const fs::path& archive, const RestoreOptions& options) {
  auto scratch = TempDir::Create(fs::temp_directory_path(), "danhba-verify-");
  if (!scratch.ok()) return scratch.take_error();
  auto manifest = ExtractAndVerify(archive, scratch->path(), options);
  if (!manifest.ok()) return manifest.take_error();
  return "backup " + archive.string() + " taken " + manifest->created_at + " is intact: " +
         std::to_string(manifest->files.size()) + " files, " + std::to_string(manifest->entries) + " entries, " +
         std::to_string(manifest->journal_events) + " journal events";
}

Result<RestoreResult> RestoreBackup(const config::Config& config, const fs::path& archive,
                                    const RestoreOptions& options) {
  DANHBA_RETURN_IF_ERROR(MustBeManaged(config));
  auto log = log::Get("restore");
  std::error_code ec;
  // 1. Unpack and verify, outside data_dir: a refused archive changes nothing.
  auto scratch = TempDir::Create(fs::temp_directory_path(), "danhba-restore-");
  if (!scratch.ok()) return scratch.take_error();
  const fs::path unpacked = scratch->path();
  auto manifest = ExtractAndVerify(archive, unpacked, options);
  if (!manifest.ok()) return manifest.take_error();
  if (manifest->base_dn != config.ldap.base_dn) {
    return ConfigError("backup " + archive.string() + " holds " + manifest->base_dn + ", but ldap.base_dn is " +
                       config.ldap.base_dn + "; nothing was restored");
  }

  // 2. The target must be empty but for a journal.
  const fs::path data_dir = config.data_dir;
  auto refuse = [&](const std::string& what) {
    return Conflict("data_dir " + data_dir.string() + " " + what +
                    "; restore only into an empty data_dir (move it away first); nothing was restored");
  };
  if (fs::exists(config.SlapdDir() / "slapd.d", ec) || fs::exists(config.SlapdDir() / "data" / "data.mdb", ec)) {
    return refuse("already holds a directory (" + config.SlapdDir().string() + ")");
  }
  if (fs::exists(config.SendersFile(), ec)) return refuse("already holds senders (" + config.SendersFile().string() + ")");
  if (fs::is_directory(config.SecretsDir(), ec) && !fs::is_empty(config.SecretsDir(), ec)) {
    return refuse("already holds secrets (" + config.SecretsDir().string() + ")");
  }

  // 3. The journal: the live one continues the backup's (events applied since
  // are queued again), or, when there is none, the backup's is put in place.
  RestoreResult result;
  result.taken_at = manifest->created_at;
  result.directory_entries = manifest->entries;
  const fs::path journal_dir = sync::JournalDir(data_dir.string());
  const bool live_journal = fs::is_directory(journal_dir, ec) && !fs::is_empty(journal_dir, ec);
  std::unique_ptr<journal::Journal> live;
  std::vector<std::string> requeue;
  if (live_journal) {
    auto opened = journal::Journal::Open({.dir = journal_dir.string()});
    if (!opened.ok()) {
      if (opened.error().code == ErrorCode::kConflict) {
        return Conflict("the journal in " + journal_dir.string() +
                        " is in use: stop `danhba run` before restoring; nothing was restored");
      }
      return opened.take_error();
    }
    live = std::move(opened).value();
    std::unordered_set<std::string> applied_in_backup;
    if (manifest->has_journal) {
      auto copy = journal::Journal::Open({.dir = (unpacked / kJournalDir).string(), .read_only = true});
      if (!copy.ok()) return Internal("the backup's journal does not read back: " + copy.error().detail);
      for (const journal::EventInfo& info : (*copy)->List(journal::EventState::kApplied)) {
        if (!live->Lookup(info.id).ok()) {
          return Conflict("the journal in " + journal_dir.string() + " does not continue the backup's (event '" +
                          info.id + "' is missing): it belongs to another installation; nothing was restored");
        }
        applied_in_backup.insert(info.id);
      }
    }
    std::size_t compacted = 0;
    std::vector<journal::EventInfo> after_backup;
    for (journal::EventInfo& info : live->List(journal::EventState::kApplied)) {
      if (applied_in_backup.contains(info.id)) continue;
      if (info.compacted) {
        ++compacted;
        continue;
      }
      after_backup.push_back(std::move(info));
    }
    SortByFirstApplication(after_backup);
    for (const journal::EventInfo& info : after_backup) requeue.push_back(info.id);
    if (compacted > 0) {
      return Conflict("the backup is older than what the journal keeps: " + std::to_string(compacted) +
                      " event(s) applied after it were compacted away (journal.compact_after) and could not be "
                      "applied again; restore a newer backup; nothing was restored");
    }
  }

  // 4. Files, then the directory; on failure what was written is removed.
  std::vector<fs::path> written;
  auto undo = [&] {
    std::error_code undo_ec;
    for (auto it = written.rbegin(); it != written.rend(); ++it) fs::remove_all(*it, undo_ec);
  };
  auto restore_private_dir = [&](std::string_view name, const fs::path& to) -> Status {
    if (!fs::is_directory(unpacked / name, ec)) return Ok();
    if (!fs::exists(to, ec)) {
      fs::create_directories(to, ec);
      if (ec) return Internal("cannot create " + to.string() + ": " + ec.message());
      written.push_back(to);
    }
    fs::permissions(to, fs::perms::owner_all, ec);
    for (const auto& each : fs::directory_iterator(unpacked / name, ec)) {
      fs::path target = to / each.path().filename();
      if (fs::exists(target, ec)) continue;
      DANHBA_RETURN_IF_ERROR(CopyFile(each.path(), target, fs::perms::owner_read | fs::perms::owner_write));
      written.push_back(target);
    }
    return Ok();
  };
  std::unique_ptr<slapd::Instance> instance;
  auto step = [&]() -> Status {
    fs::create_directories(data_dir, ec);
    if (ec) return ConfigError("cannot create data_dir " + data_dir.string() + ": " + ec.message());
    DANHBA_RETURN_IF_ERROR(restore_private_dir("secrets", config.SecretsDir()));
    DANHBA_RETURN_IF_ERROR(restore_private_dir("handover", sync::HandoverDir(data_dir.string())));
    if (fs::exists(unpacked / "senders.json", ec)) {
      fs::create_directories(config.SendersFile().parent_path(), ec);
      DANHBA_RETURN_IF_ERROR(CopyFile(unpacked / "senders.json", config.SendersFile(),
                                      fs::perms::owner_read | fs::perms::owner_write));
      written.push_back(config.SendersFile());
    }
    // The same instance as `danhba run` would create (ACLs, policy), loaded
    // with the backup's tree instead of a generated one.
    auto managed = slapd::ManagedInstanceOptions(config);
    if (!managed.ok()) return managed.take_error();
    slapd::InstanceOptions instance_options = std::move(managed).value();
    instance_options.slapadd_path = options.slapadd_path;
    instance_options.initial_tree = unpacked / kDirectoryFile;
    const bool slapd_dir_existed = fs::exists(config.SlapdDir(), ec);
    auto created = slapd::Instance::Create(std::move(instance_options));
    if (!slapd_dir_existed) written.push_back(config.SlapdDir());
    if (!created.ok()) {
      return Error{created.error().code, "loading the directory into " + config.SlapdDir().string() + ": " +
                                             created.error().detail};
    }
    instance = std::move(created).value();
    if (!live_journal && manifest->has_journal) {
      DANHBA_RETURN_IF_ERROR(restore_private_dir(kJournalDir, journal_dir));
      result.journal_from_archive = true;
    }
    return Ok();
  };
  if (Status done = step(); !done.ok()) {
    undo();
    return Error{done.error().code, done.error().detail + "; nothing was restored"};
  }
  // 5. Last, the only change to a journal that was there: events applied after
  // the backup are queued again and applied now, one at a time in the order
  // they were first applied, so that people hired after the backup get the
  // addresses they had (the daemon's concurrent workers could hand two
  // namesakes each other's address); any result that differs is reported.
  if (!requeue.empty()) {
    std::unordered_map<std::string, std::string> results_before;
    for (const std::string& id : requeue) results_before[id] = live->Lookup(id)->detail;
    if (Status queued = live->Requeue(requeue, "applied again after the restore of a backup taken " +
                                                   manifest->created_at);
        !queued.ok()) {
      return Error{queued.error().code, "the directory was restored, but queuing the " +
                                            std::to_string(requeue.size()) +
                                            " events applied after the backup failed: " + queued.error().detail};
    }
    result.events_requeued = requeue.size();
    auto replayed = ReplayInOrder(config, *instance, *live, requeue);
    if (!replayed.ok()) {
      return Error{replayed.error().code, "the directory was restored and " + std::to_string(requeue.size()) +
                                              " events are queued, but applying them failed (`danhba run` applies "
                                              "them when it starts): " + replayed.error().detail};
    }
    for (const std::string& id : requeue) {
      auto now_info = live->Lookup(id);
      if (!now_info.ok()) continue;
      if (now_info->state == journal::EventState::kApplied) ++result.events_reapplied;
      if (now_info->state != journal::EventState::kApplied || now_info->detail != results_before[id]) {
        result.results_changed.push_back("event " + id + ": before the loss '" + results_before[id] + "', now " +
                                         std::string(journal::ToString(now_info->state)) + " '" + now_info->detail +
                                         "'");
      }
    }
    log->info("{} events applied after the backup were applied again; {} with another result", requeue.size(),
              result.results_changed.size());
  }
  if (Status stopped = instance->Stop(); !stopped.ok()) return stopped.take_error();
  return result;
}

}  // namespace danhba::ops

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
