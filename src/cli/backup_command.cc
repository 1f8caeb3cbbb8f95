// `danhba backup [--config FILE] [--to DIR]`: an online backup archive of the
// data_dir (directory, journal position, senders, secrets, configuration) with
// a SHA-256 manifest (ops/backup.h, docs/backup.md). Works beside a running daemon.
//
// `danhba restore ARCHIVE [--config FILE] [--data-dir DIR] [--verify-only]`:
// verifies an archive, loads it into an empty data_dir and applies again the
// journal's events applied after the backup.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "danhba/ops/backup.h"

namespace danhba::cli {
namespace {

struct BackupArgs {
  std::string config_path;
  std::string to_dir;
};

struct RestoreArgs {
  std::string config_path;
  std::string archive;
  std::string data_dir;
  bool verify_only = false;
};

int Backup(const BackupArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  ops::BackupOptions options;
  options.to_dir = args.to_dir;
  options.now = std::chrono::system_clock::now();
  auto made = ops::CreateBackup(*loaded, options);
  if (!made.ok()) return PrintError(made.error()), 1;
  std::cout << made->archive.string() << "\n";
  std::cerr << "danhba: backup of " << made->directory_entries << " entries and " << made->journal_events
            << " journal events (" << made->journal_applied << " applied) in " << made->archive_bytes
            << " bytes, " << made->took.count() << " ms\n";
  return 0;
}

int Restore(const RestoreArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  config::Config config = *std::move(loaded);
  if (!args.data_dir.empty()) config.data_dir = std::filesystem::absolute(args.data_dir);
  if (args.verify_only) {
    auto verified = ops::VerifyBackup(args.archive);
    if (!verified.ok()) return PrintError(verified.error()), 1;
    std::cout << *verified << "\n";
    return 0;
  }
  auto restored = ops::RestoreBackup(config, args.archive);
  if (!restored.ok()) return PrintError(restored.error()), 1;
  std::cout << "restored the backup taken " << restored->taken_at << " into " << config.data_dir.string() << ": "
            << restored->directory_entries << " entries";
  if (restored->journal_from_archive) {
    std::cout << "; there was no journal, the backup's was put in place (events acknowledged after the backup "
                 "must be sent again)";
  } else {
    std::cout << "; " << restored->events_requeued << " events applied after the backup were applied again ("
              << restored->events_reapplied << " applied)";
  }
  std::cout << "\n";
  if (!restored->results_changed.empty()) {
    std::cerr << "danhba: " << restored->results_changed.size()
              << " events have another result than before the loss; tell the people concerned:\n";
    for (const std::string& line : restored->results_changed) std::cerr << "  " << line << "\n";
  }
  return 0;
}

void AddBackupCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("backup", "Take a backup archive of the directory, journal position, senders, "
                                               "secrets and configuration");
  auto args = std::make_shared<BackupArgs>();
  command->add_option("--config", args->config_path, "Configuration file (default: built-in defaults)");
  command->add_option("--to", args->to_dir, "Directory for the archive (default: backup.dir, <data_dir>/backups)");
  command->callback([&exit_code, args] { exit_code = Backup(*args); });
}

void AddRestoreCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("restore", "Verify a backup archive and load it into an empty data_dir");
  auto args = std::make_shared<RestoreArgs>();
  command->add_option("ARCHIVE", args->archive, "The archive (danhba-backup-*.tar.gz)")->required();
  command->add_option("--config", args->config_path, "Configuration file (default: built-in defaults)");
  command->add_option("--data-dir", args->data_dir, "Restore into this data_dir instead of the configuration's");
  command->add_flag("--verify-only", args->verify_only, "Only verify the archive against its manifest");
  command->callback([&exit_code, args] { exit_code = Restore(*args); });
}

const bool kBackupRegistered = RegisterCommand("backup", &AddBackupCommand);
const bool kRestoreRegistered = RegisterCommand("restore", &AddRestoreCommand);

}  // namespace
}  // namespace danhba::cli
