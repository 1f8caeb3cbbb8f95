// `danhba run [--config FILE]`: the daemon. With ldap.managed it creates (first
// time) or reuses a private slapd under <data_dir>/slapd and stops it on exit.
// It restarts that slapd if it exits on its own.
// It serves /healthz and /readyz on public_api.listen, tells systemd when it is
// ready and when it stops, and stops cleanly on SIGTERM or SIGINT (exit 0).
// It compacts the journal every journal.compact_interval, and answers the ingest
// API's question "which agency is this person in now?" for scoped senders from
// the directory (the only LDAP reads made on HTTP threads; ops/person_agency.h).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>


#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "danhba/api/ingest.h"
#include "danhba/api/ingest_listener.h"
#include "danhba/directory/ldap_directory.h"
#include "danhba/http/router.h"
#include "danhba/http/server.h"
#include "danhba/journal/journal.h"
#include "danhba/ldap/client.h"
#include "danhba/ldap/connection.h"
#include "danhba/ops/backup.h"
#include "danhba/ops/digests.h"
#include "danhba/ops/import_runner.h"
#include "danhba/ops/person_agency.h"
#include "danhba/ops/spool.h"
#include "danhba/ops/webhooks.h"
#include "danhba/slapd/instance.h"
#include "danhba/sync/engine.h"

namespace danhba::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// SIGTERM and SIGINT are turned into a byte on a pipe (the handler does nothing
// else, as async-signal safety requires). Handlers rather than a blocked mask,
// because a blocked mask would be inherited by the slapd child across exec.
int g_signal_pipe[2] = {-1, -1};

extern "C" void OnStopSignal(int signal_number) {
  int saved = errno;
  auto byte = static_cast<unsigned char>(signal_number);
  [[maybe_unused]] auto written = ::write(g_signal_pipe[1], &byte, 1);
  errno = saved;
}

Status InstallStopSignals() {
  if (g_signal_pipe[0] < 0 && ::pipe2(g_signal_pipe, O_CLOEXEC) != 0) {
    return Internal(std::string("cannot create the signal pipe: ") + std::strerror(errno));
  }
  struct sigaction action {};
  action.sa_handler = &OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal_number : {SIGTERM, SIGINT}) {
    if (::sigaction(signal_number, &action, nullptr) != 0) {
      return Internal(std::string("cannot install a signal handler: ") + std::strerror(errno));
    }
  }
  return Ok();
}

// Blocks until SIGTERM or SIGINT and returns its number; calls `on_tick` every
// `tick` meanwhile.
int WaitForStopSignal(std::chrono::milliseconds tick, const std::function<void()>& on_tick) {
  pollfd descriptor{g_signal_pipe[0], POLLIN, 0};
  while (true) {
    int ready = ::poll(&descriptor, 1, static_cast<int>(tick.count()));
    if (ready == 0) {
      on_tick();
      continue;
    }
    if (ready < 0 && errno == EINTR) continue;
    unsigned char byte = 0;
    if (ready > 0 && ::read(g_signal_pipe[0], &byte, 1) == 1) return byte;
    return SIGTERM;  // the pipe broke: stop rather than spin
  }
}

// Restarts the managed slapd when it exits on its own, waiting longer after
// each failed attempt (1 s doubling up to 30 s). Runs on the main thread, the
// only one that touches the Instance.
class Supervisor {
 public:
  explicit Supervisor(slapd::Instance& instance) : instance_(instance) {}

  void Tick() {
    if (instance_.running()) {
      Status alive = instance_.CheckAlive();
      if (alive.ok()) return;
      log_->error("the managed slapd stopped on its own: {}", alive.error().detail);
      next_attempt_ = Clock::now();
    }
    if (Clock::now() < next_attempt_) return;
    Status started = instance_.Start();
    if (started.ok()) {
      log_->info("restarted the managed slapd (pid {})", instance_.pid());
      backoff_ = kFirstBackoff;
      return;
    }
    log_->error("restarting the managed slapd failed, next try in {} s: {}", backoff_.count(),
                started.error().detail);
    next_attempt_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  }

 private:
  static constexpr std::chrono::seconds kFirstBackoff{1};
  static constexpr std::chrono::seconds kMaxBackoff{30};

  slapd::Instance& instance_;
  std::shared_ptr<spdlog::logger> log_ = log::Get("run");
  Clock::time_point next_attempt_ = Clock::now();
  std::chrono::seconds backoff_ = kFirstBackoff;
};

// Sync workers, each on its own directory connection. Independent hires are
// applied concurrently; each write waits for its own fsync in slapd, so the
// rate grows with connections up to about 8 (measured by bench/sync).
constexpr std::size_t kSyncWorkers = 8;

long long Millis(Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

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

// Compacts the journal (journal.compact_after) shortly after start and then
// every `interval`, until `stop` is requested; one log line per run.
void CompactJournalUntilStopped(journal::Journal& journal, std::chrono::milliseconds interval,
                                std::stop_token stop) {
  auto log = log::Get("journal");
  std::mutex mutex;
  std::condition_variable_any wake;
  auto wait = std::min<std::chrono::milliseconds>(interval, kFirstCompactionDelay);
  while (true) {
    {
      std::unique_lock lock(mutex);
      // Wakes at once when the daemon stops.
      wake.wait_for(lock, stop, wait, [] { return false; });
    }
    if (stop.stop_requested()) return;
    wait = interval;
    auto began = Clock::now();
    auto compacted = journal.Compact();
    if (!compacted.ok()) {
      log->warn("compacting the journal failed (next try in {} ms): {}", interval.count(),
                compacted.error().detail);
      continue;
    }
    log->info(
        "journal compacted in {} ms: {} event payloads dropped, {} segments replaced, {} -> {} "
        "bytes",
        Millis(Clock::now() - began), compacted->events_compacted, compacted->segments_removed,
        compacted->bytes_before, compacted->bytes_after);
  }
}

// Whether the directory answers: a read of the base entry, on a thread of its
// own so that HTTP threads never wait on LDAP. /readyz reports the last answer.
class DirectoryMonitor {
 public:
  DirectoryMonitor(ldap::ConnectOptions options, std::string base_dn, std::chrono::milliseconds interval)
      : options_(std::move(options)), base_dn_(std::move(base_dn)), interval_(interval) {}

  ~DirectoryMonitor() { Stop(); }

  // REQUIRES: not started.
  void SetCredentials(ldap::Credentials credentials) { credentials_ = std::move(credentials); }

  // Checks once, on the calling thread.
  Status CheckNow() {
    Status status = Check();
    bool was_ready = ready_.exchange(status.ok());
    if (status.ok() && !was_ready) {
      log_->info("directory {} is ready", options_.url);
    } else if (!status.ok() && (was_ready || first_)) {
      log_->warn("directory {} is not ready: {}", options_.url, status.error().detail);
    }
    first_ = false;
    return status;
  }

  void Start() {
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!stopping_) {
        if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) break;
        lock.unlock();
        (void)CheckNow();
        lock.lock();
      }
    });
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  bool ready() const { return ready_; }

 private:
  Status Check() {
    if (!connection_) {
      auto opened = ldap::Connection::Open(options_, credentials_);
      if (!opened.ok()) return opened.take_error();
      connection_.emplace(std::move(opened).value());
    }
    auto base = connection_->Read(base_dn_, {"1.1"});
    if (!base.ok()) {
      connection_.reset();  // a fresh connection next time
      return base.take_error();
    }
    if (!base->has_value()) return NotFound("the base entry " + base_dn_ + " does not exist");
    return Ok();
  }

  ldap::ConnectOptions options_;
  ldap::Credentials credentials_;
  std::string base_dn_;
  std::chrono::milliseconds interval_;
  std::shared_ptr<spdlog::logger> log_ = log::Get("run");
  std::optional<ldap::Connection> connection_;  // used by one thread at a time
  std::atomic<bool> ready_{false};
  bool first_ = true;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

http::Router MakePublicRouter(const DirectoryMonitor& monitor) {
  http::Router router({.read_only = true});
  router.Get("/healthz", [](const http::Request&, const http::PathParams&) {
    return http::Response::Json(200, R"({"status":"ok"})");
  });
  router.Get("/readyz", [&monitor](const http::Request&, const http::PathParams&) {
    if (monitor.ready()) return http::Response::Json(200, R"({"status":"ready"})");
    return http::Response::Error(503, "not_ready", "the directory is not reachable");
  });
  return router;
}

http::ServerOptions ServerOptionsFor(std::string name, const config::HttpConfig& http) {
  http::ServerOptions options;
  options.name = std::move(name);
  options.host = http.listen.host;
  options.port = http.listen.port;
  options.threads = http.threads;
  options.max_connections = http.max_connections;
  options.max_body_bytes = http.max_body_bytes;
  options.max_header_bytes = http.max_header_bytes;
  options.request_timeout = http.request_timeout;
  options.idle_timeout = http.idle_timeout;
  return options;
}

void Notify(const char* state) {
  // sd_notify does nothing (and returns 0) when NOTIFY_SOCKET is unset.
  if (int rc = sd_notify(0, state); rc < 0) {
    log::Get("run")->warn("sd_notify({}) failed: {}", state, std::strerror(-rc));
  }
}

int Run(const std::string& config_path) {
  auto started = Clock::now();
  auto log = log::Get("run");
  auto loaded = LoadConfig(config_path);
  if (!loaded.ok()) {
    PrintError(loaded.error());
    return 1;
  }
  const config::Config& config = *loaded;
  if (auto status = InstallStopSignals(); !status.ok()) {
    PrintError(status.error());
    return 1;
  }
  log->info("danhba {} starting: configuration {}, data_dir {}", DANHBA_VERSION,
            config.source.empty() ? std::string("(defaults)") : config.source.string(), config.data_dir.string());

  auto url = config::ParseLdapUrl(config.ldap.url);
  if (!url.ok()) {
    PrintError(ConfigError("ldap.url: " + url.error().detail));
    return 1;
  }
  ldap::ConnectOptions connect;
  connect.url = config.ldap.url;
  connect.network_timeout = config.ldap.connect_timeout;
  connect.operation_timeout = config.ldap.operation_timeout;
  DirectoryMonitor monitor(connect, config.ldap.base_dn, std::chrono::seconds(2));

  // The API port first: a taken port is reported before anything is created.
  http::Router router = MakePublicRouter(monitor);
  auto server = http::Server::Start(ServerOptionsFor("public_api.listen", config.public_api), router.AsHandler());
  if (!server.ok()) {
    PrintError(server.error());
    return 1;
  }

  // The journal and the ingest API (docs/ingest.md): events are accepted and
  // made durable whether or not the directory answers. The sync engine starts
  // once the directory is there; until then appends have no one to wake.
  auto engine_slot = std::make_shared<std::atomic<sync::Engine*>>(nullptr);
  auto wake_engine = [engine_slot] {
    if (sync::Engine* engine = engine_slot->load()) engine->Notify();
  };
  auto journal = journal::Journal::Open(
      {.dir = sync::JournalDir(config.data_dir.string()),
       .compact_after = std::chrono::ceil<std::chrono::seconds>(config.journal.compact_after)});
  if (!journal.ok()) {
    PrintError(journal.error());
    return 1;
  }
  // Scoped senders' update, leave and transfer need the person's agency now
  // (docs/ingest.md "Agencies"): from the directory, over connections of the
  // lookup's own (one per concurrent ingest thread, see ops/person_agency.h),
  // bound as the sync account once it is known; while the directory is not
  // ready, such events are answered `unavailable` at once.
  std::mutex lookup_mutex;
  std::optional<ldap::Credentials> lookup_credentials;  // guarded by lookup_mutex
  ldap::ConnectOptions lookup_connect = connect;
  lookup_connect.operation_timeout = std::min(connect.operation_timeout, kLookupTimeout);
  ops::PersonAgencyLookup person_agency({
      .make_directory = [&]() -> std::unique_ptr<directory::Directory> {
        std::optional<ldap::Credentials> credentials;
        {
          std::lock_guard lock(lookup_mutex);
          credentials = lookup_credentials;
        }
        if (!credentials) return nullptr;
        auto made = directory::MakeLdapDirectories(
            lookup_connect, *credentials, sync::DirectoryOptionsFromConfig(config), 1, kLookupRetry);
        return std::move(made.front());
      },
      .journal = journal->get(),
      .directory_ready = [&monitor] { return monitor.ready(); },
  });
  api::IngestServices ingest_services;
  ingest_services.journal = journal->get();
  ingest_services.on_appended = wake_engine;
  ingest_services.person_agency = person_agency.AsHook();
  auto ingest = api::IngestListener::Start(config, std::move(ingest_services));
  if (!ingest.ok()) {
    PrintError(ingest.error());
    return 1;
  }

  std::unique_ptr<slapd::Instance> instance;
  ldap::Credentials credentials;
  ldap::Credentials sync_credentials;
  std::string bind_dn = config.ldap.bind_dn;
  auto slapd_started = Clock::now();
  if (config.ldap.managed) {
    slapd::InstanceOptions options;
    options.directory = config.SlapdDir();
    options.base_dn = config.ldap.base_dn;
    options.host = url->host;
    options.port = url->port;
    options.secrets_dir = config.SecretsDir();
    options.start_timeout = config.ldap.start_timeout;
    auto created = slapd::Instance::Create(std::move(options));
    if (!created.ok()) {
      PrintError(ConfigError("managed slapd in " + config.SlapdDir().string() + ": " + created.error().detail));
      return 1;
    }
    instance = std::move(created).value();
    const auto& operator_account = instance->account(slapd::ServiceAccount::kOperator);
    log->info("{} the managed slapd in {}", instance->created() ? "created" : "reusing",
              instance->directory().string());
    log->info("the operator ({}) password is in {}", operator_account.dn, operator_account.password_file.string());
    if (auto status = instance->Start(); !status.ok()) {
      PrintError(ConfigError("ldap.url: " + status.error().detail));
      return 1;
    }
    log->info("managed slapd (pid {}) answers on {} after {} ms", instance->pid(), instance->url(),
              Millis(Clock::now() - slapd_started));
    bind_dn = operator_account.dn;
    credentials = ldap::Credentials::Simple(operator_account.dn, operator_account.password);
    const auto& sync_account = instance->account(slapd::ServiceAccount::kSync);
    sync_credentials = ldap::Credentials::Simple(sync_account.dn, sync_account.password);
  } else {
    auto password = config::ReadSecretFile(config.ldap.password_file);
    if (!password.ok()) {
      PrintError(ConfigError("ldap.password_file: " + password.error().detail));
      return 1;
    }
    credentials = ldap::Credentials::Simple(config.ldap.bind_dn, password->Reveal());
    sync_credentials = credentials;
  }

  {
    std::lock_guard lock(lookup_mutex);
    lookup_credentials = sync_credentials;
  }
  monitor.SetCredentials(std::move(credentials));
  auto status = monitor.CheckNow();
  if (status.ok()) {
    log->info("ready in {} ms", Millis(Clock::now() - started));
  } else if (status.error().code == ErrorCode::kAuth || status.error().code == ErrorCode::kPermission) {
    // Credentials do not mend themselves; a server that is down may come back.
    PrintError(ConfigError("binding to " + config.ldap.url + " as " + bind_dn + ": " + status.error().detail));
    return 1;
  } else if (config.ldap.managed) {
    log->error("the managed directory does not answer as expected: {}", status.error().detail);
  } else {
    log->warn("not ready until the directory answers; /readyz says 503 meanwhile");
  }
  monitor.Start();

  // The sync engine: applies journaled events to the directory, one worker per
  // connection (docs/lifecycle.md).
  auto engine_options = sync::OptionsFromConfig(config);
  if (!engine_options.ok()) {
    PrintError(engine_options.error());
    return 1;
  }
  // Effective dates begin at 00:00 in the province, as the ingest API schedules them.
  engine_options->start_of_day = [](const model::Date& date) { return api::StartOfDay(date); };
  auto directories = directory::MakeLdapDirectories(
      connect, sync_credentials, sync::DirectoryOptionsFromConfig(config), kSyncWorkers);
  std::vector<directory::Directory*> workers;
  for (auto& each : directories) workers.push_back(each.get());
  sync::Engine engine(**journal, std::move(workers), std::move(engine_options).value());
  if (auto valid = engine.Validate(); !valid.ok()) {
    PrintError(valid.error());
    return 1;
  }
  engine_slot->store(&engine);
  std::jthread engine_thread([&engine](std::stop_token stop) { engine.Run(stop); });

  // The spool directory (docs/import.md): dropped event files and staff lists
  // are journaled like ingested events, on a thread and a connection of their own.
  auto naming_policy = ops::NamingPolicyOf(config);
  auto allocator = naming_policy.ok() ? naming::Allocator::Create(*naming_policy)
                                      : Result<naming::Allocator>(naming_policy.error());
  if (!allocator.ok()) {
    PrintError(allocator.error());
    return 1;
  }
  ldap::Client spool_client(connect, sync_credentials);
  const auto layout = directory::Layout::ForBase(config.ldap.base_dn);
  ops::SpoolServices spool_services;
  spool_services.journal = journal->get();
  spool_services.snapshot = [&spool_client, &layout] { return ops::LoadSnapshot(spool_client, layout); };
  spool_services.on_appended = wake_engine;
  spool_services.today = [] {
    auto now = std::chrono::system_clock::now() + api::kProvinceUtcOffset;
    return model::Date::FromSysDays(std::chrono::floor<std::chrono::days>(now));
  };
  ops::Spool spool({.dir = config.SpoolDir(), .allocator = &*allocator}, std::move(spool_services));
  if (auto prepared = spool.Prepare(); !prepared.ok()) {
    PrintError(ConfigError("spool.dir " + config.SpoolDir().string() + ": " + prepared.error().detail));
    return 1;
  }
  log->info("taking in files dropped in {}", (config.SpoolDir() / "incoming").string());
  std::jthread spool_thread([&spool, interval = config.spool.scan_interval](std::stop_token stop) {
    auto spool_log = log::Get("spool");
    std::mutex mutex;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      // Each processed file is logged by the spool itself.
      auto scanned = spool.ScanOnce();
      if (!scanned.ok()) {
        spool_log->warn("{} (the file stays in incoming/ for the next scan)", scanned.error().detail);
      }
      std::unique_lock lock(mutex);
      wake.wait_for(lock, stop, interval, [] { return false; });
    }
  });
  // Journal compaction (docs/journal-format.md "When it runs"), on a thread of its own.
  std::jthread compact_thread(
      [&journal = **journal, interval = config.journal.compact_interval](std::stop_token stop) {
        CompactJournalUntilStopped(journal, interval, stop);
      });
  // Scheduled backups (backup.*, docs/backup.md), on a thread of their own.
  ops::BackupScheduler backups(config);
  backups.Start();
  // Webhook deliveries of the change feed (docs/webhooks.md), on a thread of their own.
  ops::WebhookDispatcher webhooks(config, **journal);
  webhooks.Start();
  ops::DigestSender digests(config, **journal);  // e-mail digests (digests.*, docs/digests.md)
  digests.Start();
  Notify("READY=1");

  std::optional<Supervisor> supervisor;
  if (instance) supervisor.emplace(*instance);
  int signal_number = WaitForStopSignal(std::chrono::seconds(1), [&] {
    if (supervisor) supervisor->Tick();
  });
  log->info("{} received, stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  Notify("STOPPING=1");
  (*ingest)->Stop();
  (*server)->Stop();
  spool_thread.request_stop();
  compact_thread.request_stop();
  spool_thread.join();
  compact_thread.join();
  engine_slot->store(nullptr);
  engine_thread.request_stop();
  engine.Notify();
  engine_thread.join();
  monitor.Stop();
  if (instance) {
    if (auto stopped = instance->Stop(); !stopped.ok()) {
      log->error("stopping the managed slapd: {}", stopped.error().detail);
      return 1;
    }
  }
  log->info("stopped");
  return 0;
}

void AddRunCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("run", "Run the daemon (and, with ldap.managed, its private slapd)");
  auto config_path = std::make_shared<std::string>();
  command->add_option("--config", *config_path, "Configuration file (default: built-in defaults)");
  command->callback([&exit_code, config_path] { exit_code = Run(*config_path); });
}

const bool kRegistered = RegisterCommand("run", &AddRunCommand);

}  // namespace
}  // namespace danhba::cli
