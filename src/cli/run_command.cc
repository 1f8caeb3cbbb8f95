// `danhba run [--config FILE]`: the daemon. With ldap.managed it creates (first
// time) or reuses a private slapd under <data_dir>/slapd and stops it on exit.
// It restarts that slapd if it exits on its own.
// It serves the public lookup (api/public_api.h) on public_api.listen, tells systemd when it is
// ready and when it stops, and stops cleanly on SIGTERM or SIGINT (exit 0).
// It compacts the journal every journal.compact_interval, and answers the ingest
// API's question "which agency is this person in now?" for scoped senders from
// the directory (the only LDAP reads made on HTTP threads; ops/person_agency.h).
// The parts and their order live in cli/daemon/daemon.h.
#include <signal.h>

#include <chrono>
#include <string>

#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "cli/daemon/daemon.h"
#include "cli/daemon/stop_signals.h"

namespace danhba::cli {
namespace {

int Run(const std::string& config_path) {
  auto log = log::Get("run");
  auto loaded = LoadConfig(config_path);
  if (!loaded.ok()) {
    PrintError(loaded.error());
    return 1;
  }
  if (auto status = InstallStopSignals(); !status.ok()) {
    PrintError(status.error());
    return 1;
  }
  auto daemon = Daemon::Start(std::move(loaded).value());
  if (!daemon.ok()) {
    PrintError(daemon.error());
    return 1;  // what was started has been stopped, in order
  }
  int signal_number = WaitForStopSignal(std::chrono::seconds(1), [&] { (*daemon)->Tick(); });
  log->info("{} received, stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  if (auto stopped = (*daemon)->Stop(); !stopped.ok()) {
    log->error("{}", stopped.error().detail);
    return 1;
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
