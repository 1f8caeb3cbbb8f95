// `danhba check [--config FILE] [--config-only]`: validates the configuration
// and, unless --config-only, checks the directory it names: reachable with
// danhba's credentials, our schema loaded, the base entries present. One line
// per check ("ok    ..." or "FAIL  ...: reason"; "note" and "warn" lines do not
// fail); exit 0 only when all pass. The backups are checked first, from
// backup.dir alone, so that they are reported also with the daemon stopped.
// Creates nothing.
#include <chrono>
#include <iostream>
#include <vector>

#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "cli/directory_connection.h"
#include "danhba/ldap/connection.h"
#include "danhba/ldap/operations.h"
#include "danhba/ops/backup_scheduler.h"
#include "danhba/slapd/config.h"
#include "danhba/slapd/instance.h"
#include "danhba/slapd/schema.h"

namespace danhba::cli {
namespace {

struct CheckOptions {
  std::string config_path;
  bool config_only = false;
};

class Report {
 public:
  void Ok(const std::string& what) { std::cout << "ok    " << what << "\n"; }
  void Fail(const std::string& what, const std::string& reason) {
    std::cout << "FAIL  " << what << ": " << reason << "\n";
    failed_ = true;
  }
  bool failed() const { return failed_; }

 private:
  bool failed_ = false;
};

// The backups in backup.dir: the newest archive's age against
// backup.interval, and the scheduler's last attempt if it failed since. Read
// from files alone, so it is said also when the directory does not answer.
void CheckBackups(const config::Config& config, Report& report) {
  if (!config.ldap.managed || !config.backup.enabled) return;
  ops::BackupHealth health = ops::AssessBackups(config, std::chrono::system_clock::now());
  switch (health.level) {
    case ops::BackupHealth::Level::kNone:
      std::cout << "note  backup: " << health.summary << " (`danhba run` takes one; `danhba backup` now)\n";
      break;
    case ops::BackupHealth::Level::kOk:
      report.Ok("backup: " + health.summary);
      break;
    case ops::BackupHealth::Level::kStale:
      report.Fail("backup: " + health.summary, "older than twice backup.interval; see the daemon's log (\"backup failed\")");
      break;
  }
  if (health.failing) std::cout << "warn  backup: " << *health.failing << "\n";
}

int Check(const CheckOptions& options) {
  auto loaded = LoadConfig(options.config_path);
  if (!loaded.ok()) {
    PrintError(loaded.error());
    return 1;
  }
  const config::Config& config = *loaded;
  Report report;
  report.Ok("configuration " + (options.config_path.empty() ? std::string("(defaults)") : options.config_path));
  if (options.config_only) return 0;
  CheckBackups(config, report);

  // The identity `danhba run` would use.
  std::string bind_dn;
  std::filesystem::path password_file;
  if (config.ldap.managed) {
    bind_dn = slapd::AccountDn(slapd::ServiceAccount::kOperator, config.ldap.base_dn);
    password_file = config.SecretsDir() / (std::string(slapd::AccountName(slapd::ServiceAccount::kOperator)) + ".password");
  } else {
    bind_dn = config.ldap.bind_dn;
    password_file = config.ldap.password_file;
  }
  auto password = config::ReadSecretFile(password_file);
  if (!password.ok()) {
    std::string reason = password.error().detail;
    if (config.ldap.managed) reason += " (`danhba run` creates it on its first start)";
    report.Fail("credentials of " + bind_dn, reason);
    return 1;
  }
  report.Ok("credentials of " + bind_dn + " in " + password_file.string());

  auto connection = OpenDirectory(config, ldap::Credentials::Simple(bind_dn, password->Reveal()));
  if (!connection.ok()) {
    std::string reason = connection.error().detail;
    if (connection.error().transient()) {
      reason = "unreachable: " + reason;
      if (config.ldap.managed) reason += " (is `danhba run` running?)";
    }
    report.Fail("directory " + config.ldap.url, reason);
    return 1;
  }
  report.Ok("directory " + config.ldap.url + " answers, bound as " + bind_dn);

  for (std::string_view object_class :
       {slapd::object_class::kPerson, slapd::object_class::kAgency, slapd::object_class::kDecision}) {
    std::string what = "schema: objectClass " + std::string(object_class);
    auto has = ldap::HasObjectClass(*connection, object_class);
    if (!has.ok()) {
      report.Fail(what, has.error().detail);
    } else if (!*has) {
      report.Fail(what, "not defined (the danhba schema is not loaded; see schema/)");
    } else {
      report.Ok(what);
    }
  }

  const std::string& base = config.ldap.base_dn;
  for (const std::string& dn : {base, slapd::AgenciesDn(base), slapd::PeopleDn(base), slapd::FormerDn(base),
                                slapd::DecisionsDn(base), slapd::SystemDn(base)}) {
    auto entry = connection->Read(dn, {"1.1"});
    if (!entry.ok()) {
      report.Fail("entry " + dn, entry.error().detail);
    } else if (!entry->has_value()) {
      report.Fail("entry " + dn, "missing");
    } else {
      report.Ok("entry " + dn);
    }
  }
  return report.failed() ? 1 : 0;
}

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("check", "Check the configuration and the directory it names");
  auto options = std::make_shared<CheckOptions>();
  command->add_option("--config", options->config_path, "Configuration file (default: built-in defaults)");
  command->add_flag("--config-only", options->config_only, "Check the configuration file only, not the directory");
  command->callback([&exit_code, options] { exit_code = Check(*options); });
}

const bool kRegistered = RegisterCommand("check", &AddCheckCommand);

}  // namespace
}  // namespace danhba::cli
