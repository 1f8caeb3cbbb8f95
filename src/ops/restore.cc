#include <fcntl.h>

#include <algorithm>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "danhba/base/log.h"
#include "danhba/directory/ldap_directory.h"
#include "danhba/journal/journal.h"
#include "danhba/ldap/connection.h"
#include "danhba/ops/backup.h"
#include "danhba/slapd/instance.h"
#include "danhba/slapd/managed.h"
#include "danhba/sync/engine.h"
#include "ops/backup_files.h"

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;
using namespace backup_files;

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
  DANHBA_ASSIGN_OR_RETURN(auto options, sync::OptionsFromConfig(config));
  ldap::ConnectOptions connect;
  connect.url = instance.url();
  connect.network_timeout = config.ldap.connect_timeout;
  connect.operation_timeout = config.ldap.operation_timeout;
  const auto& account = instance.account(slapd::ServiceAccount::kSync);
  auto directories = directory::MakeLdapDirectories(
      connect, ldap::Credentials::Simple(account.dn, account.password), sync::DirectoryOptionsFromConfig(config), 1);
  sync::Engine engine(journal, *directories.front(), std::move(options));
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
    DANHBA_ASSIGN_OR_RETURN(auto round, run(start + std::chrono::microseconds(i)));
  }
  // Then whatever is due now (events that waited for an earlier one).
  while (true) {
    DANHBA_ASSIGN_OR_RETURN(auto round, run(std::chrono::time_point_cast<std::chrono::microseconds>(
                                            std::chrono::system_clock::now())));
    if (round.applied + round.rejected == 0 && !round.more) return Ok();
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

Result<std::string> VerifyBackup(const fs::path& archive, const RestoreOptions& options) {
  DANHBA_ASSIGN_OR_RETURN(auto scratch,
                          TempDir::Create(fs::temp_directory_path(), "danhba-verify-"));
  DANHBA_ASSIGN_OR_RETURN(auto manifest, ExtractAndVerify(archive, scratch.path(), options));
  return "backup " + archive.string() + " taken " + manifest.created_at +
         " is intact: " + std::to_string(manifest.files.size()) + " files, " +
         std::to_string(manifest.entries) + " entries, " + std::to_string(manifest.journal_events) +
         " journal events";
}

Result<RestoreResult> RestoreBackup(const config::Config& config, const fs::path& archive,
                                    const RestoreOptions& options) {
  DANHBA_RETURN_IF_ERROR(MustBeManaged(config));
  auto log = log::Get("restore");
  std::error_code ec;
  // 1. Unpack and verify, outside data_dir: a refused archive changes nothing.
  DANHBA_ASSIGN_OR_RETURN(auto scratch,
                          TempDir::Create(fs::temp_directory_path(), "danhba-restore-"));
  const fs::path unpacked = scratch.path();
  DANHBA_ASSIGN_OR_RETURN(auto manifest, ExtractAndVerify(archive, unpacked, options));
  if (manifest.base_dn != config.ldap.base_dn) {
    return ConfigError("backup " + archive.string() + " holds " + manifest.base_dn +
                       ", but ldap.base_dn is " + config.ldap.base_dn + "; nothing was restored");
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
  result.taken_at = manifest.created_at;
  result.directory_entries = manifest.entries;
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
    if (manifest.has_journal) {
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
    DANHBA_ASSIGN_OR_RETURN(slapd::InstanceOptions instance_options,
                            slapd::ManagedInstanceOptions(config));
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
    if (!live_journal && manifest.has_journal) {
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
    if (Status queued = live->Requeue(
            requeue, "applied again after the restore of a backup taken " + manifest.created_at);
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
