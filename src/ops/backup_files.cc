#include "ops/backup_files.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include <openssl/evp.h>

#include "danhba/base/clock.h"
#include "danhba/base/strings.h"
#include "danhba/base/unique_fd.h"
#include "slapd/process.h"

namespace danhba::ops::backup_files {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::string Errno() { return std::strerror(errno); }

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
  if (bytes != nullptr) *bytes = total;
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

Status SyncPath(const fs::path& path, int flags) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (!fd.valid()) return Internal("cannot open " + path.string() + ": " + Errno());
  if (::fsync(fd.get()) != 0) return Internal("fsync " + path.string() + ": " + Errno());
  return Ok();
}

Status CopyFile(const fs::path& from, const fs::path& to, fs::perms mode) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Internal("cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
  fs::permissions(to, mode, ec);
  return Ok();
}

Status RunTool(const std::vector<std::string>& argv, std::string_view what) {
  DANHBA_ASSIGN_OR_RETURN(auto run, slapd::RunProcess(argv));
  if (run.exit_code != 0) {
    return Internal(std::string(what) + " failed (" + argv[0] + " exit " +
                    std::to_string(run.exit_code) + "): " + slapd::LastLines(run.output, 6));
  }
  return Ok();
}

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

Status SyncPath(const fs::path& path) { return SyncPath(path, O_RDONLY); }

Result<TempDir> TempDir::Create(const fs::path& parent, std::string_view stem) {
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

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
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
  DANHBA_ASSIGN_OR_RETURN(
      auto run, slapd::RunProcess({options.tar_path.string(), "-xzf", archive.string(), "-C",
                                   into.string(), "--no-same-owner"}));
  if (run.exit_code != 0) {
    return InvalidInput("backup " + archive.string() + " is damaged (it does not unpack: " +
                        slapd::LastLines(run.output, 2) + "); nothing was restored");
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

}  // namespace danhba::ops::backup_files
