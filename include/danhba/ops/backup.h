// Backups that restore (R16): one archive holding a consistent copy of the
// directory, the journal position it corresponds to, the senders, the secrets
// and the configuration, with a SHA-256 manifest (docs/backup.md).
//
// Consistency: the journal is copied first, then the directory is dumped with
// slapcat (safe while slapd runs: back-mdb readers see one snapshot). Every
// event marked applied in the copied journal was in the directory before the
// dump began (the engine marks an event applied only after the directory holds
// it), so the copy's applied events are "in the backup". On restore, events the
// live journal has applied since are queued again and applied once more by
// `danhba run`; the engine's application is idempotent, so one that the dump
// happened to contain already is not applied twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/config/config.h"

namespace danhba::ops {

struct BackupOptions {
  // Where the archive goes; empty: config.BackupDir().
  std::filesystem::path to_dir;
  // The time the archive is named after (the injected clock).
  std::chrono::system_clock::time_point now;
  std::filesystem::path slapcat_path = "/usr/sbin/slapcat";
  std::filesystem::path tar_path = "/bin/tar";
};

struct BackupResult {
  std::filesystem::path archive;     // <dir>/danhba-backup-YYYYMMDDTHHMMSSZ.tar.gz
  std::uint64_t archive_bytes = 0;
  std::size_t directory_entries = 0;  // entries in the dump
  std::size_t journal_events = 0;     // events in the journal copy
  std::size_t journal_applied = 0;    // of which applied (the position)
  std::chrono::milliseconds took{0};
};

// Takes a backup of config.data_dir (managed mode: the slapd under
// <data_dir>/slapd; a running daemon is fine). Errors name what failed; a
// half-written archive is never left under the final name.
Result<BackupResult> CreateBackup(const config::Config& config, const BackupOptions& options);

// Removes all but the newest `keep` archives in `dir` (by name, which sorts by
// time); returns the removed paths.
std::vector<std::filesystem::path> PruneBackups(const std::filesystem::path& dir, int keep);

// The newest archive in `dir` and its time, if any.
struct LastBackup {
  std::filesystem::path archive;
  std::chrono::system_clock::time_point taken;
};
std::optional<LastBackup> FindLastBackup(const std::filesystem::path& dir);

struct RestoreOptions {
  std::filesystem::path slapadd_path = "/usr/sbin/slapadd";
  std::filesystem::path tar_path = "/bin/tar";
};

struct RestoreResult {
  std::string taken_at;               // from the manifest (UTC, ISO 8601)
  std::size_t directory_entries = 0;
  std::size_t events_requeued = 0;    // applied after the backup: applied again by the restore
  std::size_t events_reapplied = 0;   // of them, applied
  // Events whose result is not what it was before the loss (e.g. another
  // address), one line each: to be told to the people concerned.
  std::vector<std::string> results_changed;
  bool journal_from_archive = false;  // there was no journal: the archive's was put in place
};

// Verifies the archive against its manifest (every file, its size and
// SHA-256) and restores it into config.data_dir, which must not hold a
// directory, senders or secrets (the journal, if there, is kept, and its events
// applied after the backup are applied again, in journal order, by a private
// run of the sync engine on the restored slapd). A damaged or foreign archive is
// refused with a message naming the file and what is wrong, and nothing is
// changed; so is a data_dir in use or not empty.
Result<RestoreResult> RestoreBackup(const config::Config& config, const std::filesystem::path& archive,
                                    const RestoreOptions& options = {});

// Only the verification: the manifest's summary line on success.
Result<std::string> VerifyBackup(const std::filesystem::path& archive, const RestoreOptions& options = {});

}  // namespace danhba::ops
