#include "danhba/ops/backup_scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "danhba/base/files.h"
#include "danhba/base/log.h"
#include "danhba/ops/backup.h"
#include "ops/backup_files.h"

namespace danhba::ops {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using TimePoint = std::chrono::system_clock::time_point;

// Never wait longer than this after start for an overdue (or a first) backup.
constexpr std::chrono::minutes kMaxFirstDelay{10};

double UnixSeconds(const std::optional<TimePoint>& at) {
  if (!at) return 0;
  return std::chrono::duration<double>(at->time_since_epoch()).count();
}

std::int64_t UnixSecondsOf(TimePoint at) {
  return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}

// <backup.dir>/last-attempt.json, replaced whole (temporary file, rename).
Status WriteLastAttempt(const config::Config& config, TimePoint at, const std::string& error,
                        const fs::path& archive) {
  Json json = {{"at", backup_files::Iso(at)}, {"at_unix", UnixSecondsOf(at)}, {"ok", error.empty()}};
  if (error.empty()) {
    json["archive"] = archive.filename().string();
  } else {
    json["error"] = error;
  }
  std::error_code ec;
  fs::create_directories(config.BackupDir(), ec);
  return WriteFileAtomically(LastAttemptFile(config), json.dump(2) + "\n", 0600);
}

std::string Ago(std::chrono::system_clock::duration age) {
  auto minutes = std::chrono::duration_cast<std::chrono::minutes>(age).count();
  if (minutes < 120) return std::to_string(std::max<long long>(minutes, 0)) + " min ago";
  auto hours = minutes / 60;
  if (hours < 48) return std::to_string(hours) + " h ago";
  return std::to_string(hours / 24) + " days ago";
}

}  // namespace

fs::path LastAttemptFile(const config::Config& config) { return config.BackupDir() / "last-attempt.json"; }

std::string BackupMetrics(const BackupScheduler::State& state) {
  std::string out;
  auto metric = [&out](std::string_view name, std::string_view type, std::string_view help, auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
  };
  metric("danhba_backup_scheduled", "gauge", "1 when `danhba run` takes backups (backup.enabled, managed slapd).",
         state.scheduled ? 1 : 0);
  metric("danhba_backup_last_success_timestamp_seconds", "gauge",
         "Unix time of the newest backup archive (0: none yet).", fmt::format("{:.3f}", UnixSeconds(state.last_success)));
  metric("danhba_backup_last_attempt_timestamp_seconds", "gauge",
         "Unix time of the last backup attempt since start (0: none yet).",
         fmt::format("{:.3f}", UnixSeconds(state.last_attempt)));
  metric("danhba_backup_last_failure_timestamp_seconds", "gauge",
         "Unix time of the last failed backup since start (0: none).",
         fmt::format("{:.3f}", UnixSeconds(state.last_failure)));
  metric("danhba_backup_successes_total", "counter", "Backups taken since start.", state.successes);
  metric("danhba_backup_failures_total", "counter", "Backups that failed since start.", state.failures);
  metric("danhba_backup_last_duration_seconds", "gauge", "Time the last backup taken since start took.",
         fmt::format("{:.3f}", std::chrono::duration<double>(state.last_duration).count()));
  metric("danhba_backup_last_size_bytes", "gauge", "Size of the archive of the last backup taken since start.",
         state.last_bytes);
  return out;
}

BackupHealth AssessBackups(const config::Config& config, TimePoint now) {
  BackupHealth health;
  auto last = FindLastBackup(config.BackupDir());
  if (last) {
    health.summary = "last success " + last->archive.filename().string() + ", " + Ago(now - last->taken);
    health.level = now - last->taken > 2 * config.backup.interval ? BackupHealth::Level::kStale
                                                                  : BackupHealth::Level::kOk;
  } else {
    health.summary = "none yet in " + config.BackupDir().string();
  }
  // The scheduler's last attempt, when it failed after the newest archive.
  std::ifstream in(LastAttemptFile(config));
  if (!in) return health;
  try {
    Json json = Json::parse(in);
    if (json.at("ok").get<bool>()) return health;
    TimePoint at{std::chrono::seconds(json.at("at_unix").get<std::int64_t>())};
    if (last && at <= last->taken) return health;
    health.failing = "the last attempt, " + Ago(now - at) + " (" + json.at("at").get<std::string>() +
                     "), failed: " + json.value("error", std::string("(no reason recorded)"));
  } catch (const std::exception& e) {
    health.failing = LastAttemptFile(config).string() + " does not read back: " + e.what();
  }
  return health;
}


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
  {
    std::lock_guard lock(mutex_);
    state_.scheduled = true;
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

std::string BackupScheduler::Metrics() const { return BackupMetrics(state()); }

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
    if (Status noted = WriteLastAttempt(config_, options.now, made.ok() ? std::string() : made.error().detail,
                                        made.ok() ? made->archive : std::filesystem::path());
        !noted.ok()) {
      log->warn("{} (`danhba check` reads it)", noted.error().detail);
    }
    lock.lock();
    state_.last_attempt = options.now;
    if (made.ok()) {
      state_.last_success = options.now;
      state_.last_archive = made->archive;
      state_.last_duration = made->took;
      state_.last_bytes = made->archive_bytes;
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
