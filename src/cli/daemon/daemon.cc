#include "cli/daemon/daemon.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstring>

#include "cli/directory_connection.h"
#include "danhba/api/listener_options.h"
#include "danhba/model/date.h"
#include "danhba/ops/import_runner.h"
#include "danhba/slapd/managed.h"

namespace danhba::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Sync workers, each on its own directory connection. Independent hires are
// applied concurrently; each write waits for its own fsync in slapd, so the
// rate grows with connections up to about 8 (measured by bench/sync).
constexpr std::size_t kSyncWorkers = 8;

// The first compaction waits this long after start (or compact_interval, if
// shorter), so that it does not hold writers off while the daemon catches up.
constexpr std::chrono::seconds kFirstCompactionDelay{10};

// The person lookups of the ingest API (scoped senders) run on the HTTP
// threads: they must answer quickly when the directory is slow or down, and
// the sender retries anyway.
constexpr ldap::RetryPolicy kLookupRetry{.max_attempts = 2,
                                         .initial_backoff = std::chrono::milliseconds(100),
                                         .max_backoff = std::chrono::milliseconds(100),
                                         .multiplier = 1.0,
                                         .max_total = std::chrono::seconds(1)};
constexpr std::chrono::milliseconds kLookupTimeout{5000};

long long Millis(SteadyClock::duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

void NotifySystemd(const char* state) {
  // sd_notify does nothing (and returns 0) when NOTIFY_SOCKET is unset.
  if (int rc = sd_notify(0, state); rc < 0) {
    log::Get("run")->warn("sd_notify({}) failed: {}", state, std::strerror(-rc));
  }
}

// Compacts the journal (journal.compact_after); one log line per run.
void CompactJournal(journal::Journal& journal, std::chrono::milliseconds interval) {
  auto log = log::Get("journal");
  auto began = SteadyClock::now();
  auto compacted = journal.Compact();
  if (!compacted.ok()) {
    log->warn("compacting the journal failed (next try in {} ms): {}", interval.count(),
              compacted.error().detail);
    return;
  }
  log->info(
      "journal compacted in {} ms: {} event payloads dropped, {} segments replaced, {} -> {} "
      "bytes",
      Millis(SteadyClock::now() - began), compacted->events_compacted,
      compacted->segments_removed, compacted->bytes_before, compacted->bytes_after);
}

}  // namespace

Daemon::Daemon(config::Config config)
    : config_(std::move(config)),
      connect_(DirectoryConnectOptions(config_)),
      monitor_(connect_, config_.ldap.base_dn, std::chrono::seconds(2)) {}

Daemon::~Daemon() { (void)Stop(); }

Result<std::unique_ptr<Daemon>> Daemon::Start(config::Config config) {
  auto started = SteadyClock::now();
  auto daemon = std::make_unique<Daemon>(std::move(config));
  const config::Config& c = daemon->config_;
  daemon->log_->info("danhba {} starting: configuration {}, data_dir {}", DANHBA_VERSION,
                     c.source.empty() ? std::string("(defaults)") : c.source.string(),
                     c.data_dir.string());
  if (auto url = config::ParseLdapUrl(c.ldap.url); !url.ok()) {
    return ConfigError("ldap.url: " + url.error().detail);
  }
  // The API port first: a taken port is reported before anything is created.
  DANHBA_RETURN_IF_ERROR(daemon->StartPublicApi());
  // The journal and the ingest API (docs/ingest.md): events are accepted and
  // made durable whether or not the directory answers. The sync engine starts
  // once the directory is there; until then appends have no one to wake.
  DANHBA_RETURN_IF_ERROR(daemon->OpenJournal());
  DANHBA_RETURN_IF_ERROR(daemon->StartIngest());
  DANHBA_RETURN_IF_ERROR(daemon->StartDirectory());
  DANHBA_RETURN_IF_ERROR(daemon->StartEngine());
  DANHBA_RETURN_IF_ERROR(daemon->StartSpool());
  daemon->StartPeriodicTasks();
  // Ready means answering from the directory: the public lookup's first load.
  if (daemon->monitor_.ready() && !daemon->lookup_->follower().WaitUntilLoaded(c.ldap.start_timeout)) {
    daemon->log_->warn("the public lookup has not loaded the directory yet; /readyz says 503 meanwhile");
  }
  daemon->log_->info("ready in {} ms", Millis(SteadyClock::now() - started));
  NotifySystemd("READY=1");
  return daemon;
}

Status Daemon::StartPublicApi() {
  // The public lookup answers 503 from /readyz until it has loaded the
  // directory, which it follows once slapd is up (StartDirectory).
  DANHBA_ASSIGN_OR_RETURN(auto lookup, api::PublicService::FromConfig(config_));
  lookup_ = std::move(lookup);
  // The backups' metrics, once the scheduler exists (StartPeriodicTasks);
  // Stop() stops this server before the scheduler goes.
  lookup_->AddMetrics([this] {
    const ops::BackupScheduler* backups = backups_for_metrics_.load();
    return backups != nullptr ? backups->Metrics() : ops::BackupMetrics({});
  });
  auto server = http::Server::Start(api::ListenerOptions("public_api.listen", config_.public_api),
                                    lookup_->handler());
  if (!server.ok()) return server.take_error();
  public_server_ = std::move(server).value();
  return Ok();
}

Status Daemon::OpenJournal() {
  auto journal = journal::Journal::Open(
      {.dir = sync::JournalDir(config_.data_dir.string()),
       .compact_after = std::chrono::ceil<std::chrono::seconds>(config_.journal.compact_after)});
  if (!journal.ok()) return journal.take_error();
  journal_ = std::move(journal).value();
  return Ok();
}

Status Daemon::StartIngest() {
  // Scoped senders' update, leave and transfer need the person's agency now
  // (docs/ingest.md "Agencies"): from the directory, over connections of the
  // lookup's own (one per concurrent ingest thread, see ops/person_agency.h);
  // while the directory is not ready, such events are answered `unavailable`.
  ldap::ConnectOptions lookup_connect = connect_;
  lookup_connect.operation_timeout = std::min(connect_.operation_timeout, kLookupTimeout);
  person_agency_.emplace(ops::PersonAgencyOptions{
      .make_directory = [this, lookup_connect]() -> std::unique_ptr<directory::Directory> {
        std::optional<ldap::Credentials> credentials;
        {
          std::lock_guard lock(lookup_mutex_);
          credentials = lookup_credentials_;
        }
        if (!credentials) return nullptr;
        auto made = directory::MakeLdapDirectories(lookup_connect, *credentials,
                                                   sync::DirectoryOptionsFromConfig(config_), 1,
                                                   kLookupRetry);
        return std::move(made.front());
      },
      .journal = journal_.get(),
      .directory_ready = [this] { return monitor_.ready(); },
  });
  api::IngestServices services;
  services.journal = journal_.get();
  services.on_appended = [this] { WakeEngine(); };
  services.person_agency = person_agency_->AsHook();
  auto ingest = api::IngestListener::Start(config_, std::move(services), clock_);
  if (!ingest.ok()) return ingest.take_error();
  ingest_ = std::move(ingest).value();
  return Ok();
}

Status Daemon::StartDirectory() {
  ldap::Credentials credentials;
  std::string bind_dn = config_.ldap.bind_dn;
  if (config_.ldap.managed) {
    auto slapd_started = SteadyClock::now();
    DANHBA_ASSIGN_OR_RETURN(auto options, slapd::ManagedInstanceOptions(config_));
    auto created = slapd::Instance::Create(std::move(options));
    if (!created.ok()) {
      return ConfigError("managed slapd in " + config_.SlapdDir().string() + ": " +
                         created.error().detail);
    }
    instance_ = std::move(created).value();
    const auto& operator_account = instance_->account(slapd::ServiceAccount::kOperator);
    log_->info("{} the managed slapd in {}", instance_->created() ? "created" : "reusing",
               instance_->directory().string());
    log_->info("the operator ({}) password is in {}", operator_account.dn,
               operator_account.password_file.string());
    if (auto status = instance_->Start(); !status.ok()) {
      return ConfigError("ldap.url: " + status.error().detail);
    }
    log_->info("managed slapd (pid {}) answers on {} after {} ms", instance_->pid(),
               instance_->url(), Millis(SteadyClock::now() - slapd_started));
    supervisor_.emplace(*instance_);
    bind_dn = operator_account.dn;
    credentials = ldap::Credentials::Simple(operator_account.dn, operator_account.password);
    const auto& sync_account = instance_->account(slapd::ServiceAccount::kSync);
    sync_credentials_ = ldap::Credentials::Simple(sync_account.dn, sync_account.password);
    const auto& reader = instance_->account(slapd::ServiceAccount::kReader);
    reader_credentials_ = ldap::Credentials::Simple(reader.dn, reader.password);
  } else {
    auto password = config::ReadSecretFile(config_.ldap.password_file);
    if (!password.ok()) {
      return ConfigError("ldap.password_file: " + password.error().detail);
    }
    credentials = ldap::Credentials::Simple(config_.ldap.bind_dn, password->Reveal());
    sync_credentials_ = credentials;
    reader_credentials_ = credentials;
  }
  {
    std::lock_guard lock(lookup_mutex_);
    lookup_credentials_ = sync_credentials_;
  }
  monitor_.SetCredentials(std::move(credentials));
  auto status = monitor_.CheckNow();
  if (status.ok()) {
    log_->info("the directory answers");
  } else if (status.error().code == ErrorCode::kAuth ||
             status.error().code == ErrorCode::kPermission) {
    // Credentials do not mend themselves; a server that is down may come back.
    return ConfigError("binding to " + config_.ldap.url + " as " + bind_dn + ": " +
                       status.error().detail);
  } else if (config_.ldap.managed) {
    log_->error("the managed directory does not answer as expected: {}", status.error().detail);
  } else {
    log_->warn("not ready until the directory answers; /readyz says 503 meanwhile");
  }
  monitor_.Start();
  lookup_->Start(reader_credentials_);
  return Ok();
}

Status Daemon::StartEngine() {
  // The sync engine: applies journaled events to the directory, one worker per
  // connection (docs/lifecycle.md).
  DANHBA_ASSIGN_OR_RETURN(auto options, sync::OptionsFromConfig(config_));
  options.clock = clock_;
  directories_ = directory::MakeLdapDirectories(
      connect_, sync_credentials_, sync::DirectoryOptionsFromConfig(config_), kSyncWorkers);
  std::vector<directory::Directory*> workers;
  for (auto& each : directories_) workers.push_back(each.get());
  engine_.emplace(*journal_, std::move(workers), std::move(options));
  DANHBA_RETURN_IF_ERROR(engine_->Validate());
  engine_to_wake_.store(&*engine_);
  engine_thread_ = std::jthread([this](std::stop_token stop) { engine_->Run(stop); });
  return Ok();
}

Status Daemon::StartSpool() {
  // The spool directory (docs/import.md): dropped event files and staff lists
  // are journaled like ingested events, on a thread and a connection of their own.
  DANHBA_ASSIGN_OR_RETURN(auto naming_policy, ops::NamingPolicyOf(config_));
  auto allocator = naming::Allocator::Create(naming_policy);
  if (!allocator.ok()) return allocator.take_error();
  allocator_.emplace(std::move(allocator).value());
  spool_client_.emplace(connect_, sync_credentials_);
  layout_.emplace(directory::Layout::ForBase(config_.ldap.base_dn));
  ops::SpoolServices services;
  services.journal = journal_.get();
  services.snapshot = [this] { return ops::LoadSnapshot(*spool_client_, *layout_); };
  services.on_appended = [this] { WakeEngine(); };
  services.today = [clock = clock_] { return model::ProvinceDate(clock()); };
  spool_.emplace(ops::SpoolOptions{.dir = config_.SpoolDir(), .allocator = &*allocator_},
                 std::move(services));
  if (auto prepared = spool_->Prepare(); !prepared.ok()) {
    return ConfigError("spool.dir " + config_.SpoolDir().string() + ": " +
                       prepared.error().detail);
  }
  log_->info("taking in files dropped in {}", (config_.SpoolDir() / "incoming").string());
  return Ok();
}

void Daemon::StartPeriodicTasks() {
  spool_task_ = PeriodicTask(std::chrono::milliseconds(0), config_.spool.scan_interval, [this] {
    // Each processed file is logged by the spool itself.
    auto scanned = spool_->ScanOnce();
    if (!scanned.ok()) {
      log::Get("spool")->warn("{} (the file stays in incoming/ for the next scan)",
                              scanned.error().detail);
    }
  });
  // Journal compaction (docs/journal-format.md "When it runs").
  const std::chrono::milliseconds interval = config_.journal.compact_interval;
  compaction_task_ = PeriodicTask(std::min<std::chrono::milliseconds>(interval, kFirstCompactionDelay),
                                  interval, [this, interval] { CompactJournal(*journal_, interval); });
  backups_.emplace(config_);
  backups_->Start();
  backups_for_metrics_.store(&*backups_);
  webhooks_.emplace(config_, *journal_);
  webhooks_->Start();
  digests_.emplace(config_, *journal_);
  digests_->Start();
}

void Daemon::WakeEngine() {
  if (sync::Engine* engine = engine_to_wake_.load()) engine->Notify();
}

void Daemon::Tick() {
  if (supervisor_) supervisor_->Tick();
}

Status Daemon::Stop() {
  if (stopped_) return Ok();
  stopped_ = true;
  NotifySystemd("STOPPING=1");
  // Intake first, so that nothing new arrives while the rest stops; done
  // explicitly so that a slapd that does not stop cleanly can be reported.
  // Every part stays alive until the destructor, so any order here is safe.
  if (ingest_) ingest_->Stop();
  if (public_server_) public_server_->Stop();
  if (lookup_) lookup_->Stop();
  spool_task_.Stop();
  compaction_task_.Stop();
  if (digests_) digests_->Stop();
  if (webhooks_) webhooks_->Stop();
  if (backups_) backups_->Stop();
  if (engine_thread_.joinable()) {
    engine_thread_.request_stop();
    engine_thread_.join();
  }
  monitor_.Stop();
  if (instance_) {
    if (auto stopped = instance_->Stop(); !stopped.ok()) {
      return Internal("stopping the managed slapd: " + stopped.error().detail);
    }
  }
  return Ok();
}

}  // namespace danhba::cli
