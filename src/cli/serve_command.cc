// `danhba serve [--config FILE]`: the read side alone — the read model and the
// public listener — against any slapd, typically a read-only replica, so that
// several API nodes can run behind a load balancer (deploy/README.md). It
// writes nothing anywhere and starts no slapd.
//
// Credentials: with ldap.managed (the default configuration), the reader
// account of the managed slapd that `danhba run` keeps under data_dir;
// otherwise ldap.bind_dn with ldap.password_file.
#include <signal.h>

#include <systemd/sd-daemon.h>

#include <iostream>

#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "danhba/api/listener_options.h"
#include "danhba/api/public_api.h"
#include "danhba/http/server.h"
#include "danhba/slapd/config.h"
#include "danhba/slapd/secrets.h"

namespace danhba::cli {
namespace {

Result<ldap::Credentials> ReaderCredentials(const config::Config& config) {
  if (config.ldap.managed) {
    auto file = config.SecretsDir() / (std::string(slapd::AccountName(slapd::ServiceAccount::kReader)) + ".password");
    auto password = slapd::ReadSecret(file);
    if (!password.ok()) {
      return ConfigError("the reader account's password (" + file.string() + "): " + password.error().detail +
                         "; run `danhba run` once to create the managed directory, or set ldap.managed: false "
                         "with ldap.bind_dn and ldap.password_file");
    }
    return ldap::Credentials::Simple(slapd::AccountDn(slapd::ServiceAccount::kReader, config.ldap.base_dn),
                                     *password);
  }
  auto password = config::ReadSecretFile(config.ldap.password_file);
  if (!password.ok()) return ConfigError("ldap.password_file: " + password.error().detail);
  return ldap::Credentials::Simple(config.ldap.bind_dn, password->Reveal());
}

int Serve(const std::string& config_path) {
  auto log = log::Get("serve");
  auto loaded = LoadConfig(config_path);
  if (!loaded.ok()) {
    PrintError(loaded.error());
    return 1;
  }
  const config::Config& config = *loaded;
  auto credentials = ReaderCredentials(config);
  if (!credentials.ok()) {
    PrintError(credentials.error());
    return 1;
  }
  // Stop signals are taken by sigwait on this thread: blocked before any
  // thread starts, so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto service = api::PublicService::FromConfig(config);
  if (!service.ok()) {
    PrintError(service.error());
    return 1;
  }
  http::ServerOptions options = api::ListenerOptions("public_api.listen", config.public_api);
  auto server = http::Server::Start(options, (*service)->handler());
  if (!server.ok()) {
    PrintError(server.error());
    return 1;
  }
  log->info("danhba {} serving the public lookup on {} from {} (as {})", DANHBA_VERSION, (*server)->address(),
            config.ldap.url, credentials->dn);
  (*service)->Start(*credentials);
  if ((*service)->follower().WaitUntilLoaded(config.ldap.start_timeout)) {
    log->info("ready: {} people, {} agencies", (*service)->follower().snapshot()->people().size(),
              (*service)->follower().snapshot()->agencies().size());
  } else {
    log->warn("the directory {} has not been loaded yet ({}); /readyz says 503 until it is", config.ldap.url,
              (*service)->follower().state().last_error);
  }
  sd_notify(0, "READY=1");

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  log->info("{} received, stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  sd_notify(0, "STOPPING=1");
  (*server)->Stop();  // lets requests in progress finish
  (*service)->Stop();
  log->info("stopped");
  return 0;
}

void AddServeCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "serve", "Serve the public lookup alone (read model + public listener) against any slapd, e.g. a replica");
  auto config_path = std::make_shared<std::string>();
  command->add_option("--config", *config_path, "Configuration file (default: built-in defaults)");
  command->callback([&exit_code, config_path] { exit_code = Serve(*config_path); });
}

const bool kRegistered = RegisterCommand("serve", &AddServeCommand);

}  // namespace
}  // namespace danhba::cli
