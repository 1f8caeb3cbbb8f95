// The composition root of `danhba run`: every long-lived part of the daemon is
// a member of Daemon, declared in the order the parts are built.
//
// C++ destroys members in the reverse order of their declaration, so the order
// below is also the order of teardown, on every path: a part is destroyed
// before anything it calls into. The threads (engine, spool, compaction) are
// joined first; then the HTTP listeners, whose threads wake the engine and
// read the monitor, stop; then the spool, the engine and its directory
// connections; then the managed slapd stops; the journal closes last but one.
// A failure at any step of Start() therefore unwinds safely: what was built is
// torn down in order, and what was not is empty.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "cli/daemon/directory_monitor.h"
#include "cli/daemon/periodic_task.h"
#include "cli/daemon/slapd_supervisor.h"
#include "danhba/api/ingest_listener.h"
#include "danhba/api/public_api.h"
#include "danhba/base/clock.h"
#include "danhba/base/log.h"
#include "danhba/config/config.h"
#include "danhba/directory/ldap_directory.h"
#include "danhba/http/router.h"
#include "danhba/http/server.h"
#include "danhba/journal/journal.h"
#include "danhba/ldap/client.h"
#include "danhba/naming/allocation.h"
#include "danhba/ops/backup.h"
#include "danhba/ops/backup_scheduler.h"
#include "danhba/ops/digests.h"
#include "danhba/ops/person_agency.h"
#include "danhba/ops/spool.h"
#include "danhba/ops/webhooks.h"
#include "danhba/slapd/instance.h"
#include "danhba/sync/engine.h"

namespace danhba::cli {

class Daemon {
 public:
  // Builds and starts every part, in order. The error names the step and
  // what went wrong; whatever was started is stopped again before it returns.
  static Result<std::unique_ptr<Daemon>> Start(config::Config config);

  // Builds nothing yet; use Start.
  explicit Daemon(config::Config config);

  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Called about once a second on the main thread: restarts a managed slapd
  // that stopped on its own.
  void Tick();

  // Stops every part in order (as the destructor would), reporting a managed
  // slapd that did not stop cleanly. Idempotent.
  Status Stop();

 private:
  Status StartPublicApi();
  Status OpenJournal();
  Status StartIngest();
  Status StartDirectory();
  Status StartEngine();
  Status StartSpool();
  void StartPeriodicTasks();
  void WakeEngine();

  // --- members, in the order they are built (and the reverse of teardown) ---
  const config::Config config_;
  const base::Clock clock_ = base::SystemClock();  // the one wall clock of the daemon
  std::shared_ptr<spdlog::logger> log_ = log::Get("run");
  ldap::ConnectOptions connect_;

  DirectoryMonitor monitor_;
  std::unique_ptr<journal::Journal> journal_;
  std::unique_ptr<slapd::Instance> instance_;
  std::optional<SlapdSupervisor> supervisor_;
  ldap::Credentials sync_credentials_;

  // Scoped senders' person lookups (ops/person_agency.h), called on ingest
  // threads; bound as the sync account once it is known.
  mutable std::mutex lookup_mutex_;
  std::optional<ldap::Credentials> lookup_credentials_;  // guarded by lookup_mutex_
  std::optional<ops::PersonAgencyLookup> person_agency_;

  std::vector<std::unique_ptr<directory::LdapDirectory>> directories_;
  std::optional<sync::Engine> engine_;
  std::atomic<sync::Engine*> engine_to_wake_{nullptr};  // set once engine_ is valid

  std::optional<naming::Allocator> allocator_;
  std::optional<ldap::Client> spool_client_;
  std::optional<directory::Layout> layout_;
  std::optional<ops::Spool> spool_;

  // The public lookup (read model + API), bound as the reader account; its
  // server answers from it, so it outlives the server.
  ldap::Credentials reader_credentials_;
  std::unique_ptr<api::PublicService> lookup_;
  std::unique_ptr<http::Server> public_server_;
  std::unique_ptr<api::IngestListener> ingest_;

  // Threads last: joined first, while everything they use still exists.
  std::jthread engine_thread_;
  PeriodicTask spool_task_;
  PeriodicTask compaction_task_;
  // Scheduled backups, webhook deliveries and e-mail digests (docs/backup.md,
  // docs/webhooks.md, docs/digests.md), each on a thread of its own.
  std::optional<ops::BackupScheduler> backups_;
  std::atomic<const ops::BackupScheduler*> backups_for_metrics_{
      nullptr};  // set once backups_ is valid
  std::optional<ops::WebhookDispatcher> webhooks_;
  std::optional<ops::DigestSender> digests_;

  bool stopped_ = false;
};

}  // namespace danhba::cli
