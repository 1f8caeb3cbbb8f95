// `danhba report [--config FILE] --from DATE --to DATE [--agency CODE]
// [--format html|csv|json]`: the six-monthly usage report (R19) on stdout,
// computed from the decision entries and the tree (ops/report.h), with the
// rejected events of the period from the journal.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "cli/directory_connection.h"
#include "danhba/journal/journal.h"
#include "danhba/ldap/connection.h"
#include "danhba/ops/report.h"
#include "danhba/slapd/config.h"
#include "danhba/sync/engine.h"

namespace danhba::cli {
namespace {

struct ReportArgs {
  std::string config_path;
  std::string from;
  std::string to;
  std::string agency;
  std::string format = "html";
};

int MakeReport(const ReportArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  const config::Config& config = *loaded;
  auto from = model::Date::Parse(args.from);
  if (!from.ok()) return PrintError(InvalidInput("--from: " + from.error().detail)), 1;
  auto to = model::Date::Parse(args.to);
  if (!to.ok()) return PrintError(InvalidInput("--to: " + to.error().detail)), 1;
  if (*to < *from) return PrintError(InvalidInput("--from " + args.from + " is after --to " + args.to)), 1;

  std::string bind_dn = config.ldap.bind_dn;
  std::filesystem::path password_file = config.ldap.password_file;
  if (config.ldap.managed) {
    bind_dn = slapd::AccountDn(slapd::ServiceAccount::kOperator, config.ldap.base_dn);
    password_file = config.SecretsDir() / "operator.password";
  }
  auto password = config::ReadSecretFile(password_file);
  if (!password.ok()) return PrintError(ConfigError("the password of " + bind_dn + ": " + password.error().detail)), 1;
  auto connection = OpenDirectory(config, ldap::Credentials::Simple(bind_dn, password->Reveal()));
  if (!connection.ok()) {
    std::string hint = config.ldap.managed ? " (is `danhba run` running?)" : "";
    return PrintError(Error{connection.error().code, "directory " + config.ldap.url + ": " + connection.error().detail + hint}), 1;
  }
  std::unique_ptr<journal::Journal> journal;
  if (std::string dir = sync::JournalDir(config.data_dir.string()); std::filesystem::exists(dir)) {
    auto opened = journal::Journal::Open({.dir = dir, .read_only = true});
    if (!opened.ok()) return PrintError(opened.error()), 1;
    journal = std::move(opened).value();
  }
  auto inputs = ops::LoadReportInputs(*connection, config.ldap.base_dn, journal.get(), *from, *to);
  if (!inputs.ok()) return PrintError(inputs.error()), 1;
  ops::ReportOptions options;
  options.from = *from;
  options.to = *to;
  if (!args.agency.empty()) options.agency = args.agency;
  options.generated_at = std::chrono::system_clock::now();
  auto report = ops::ComputeReport(*inputs, options);
  if (!report.ok()) return PrintError(report.error()), 1;
  if (args.format == "json") {
    std::cout << ops::ReportJson(*report);
  } else if (args.format == "csv") {
    std::cout << ops::ReportCsv(*report);
  } else {
    std::cout << ops::ReportHtml(*report);
  }
  return 0;
}

void AddReportCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("report", "The usage report of a period (R19), per agency and in total, to stdout");
  auto args = std::make_shared<ReportArgs>();
  command->add_option("--config", args->config_path, "Configuration file (default: built-in defaults)");
  command->add_option("--from", args->from, "First day of the period (YYYY-MM-DD)")->required();
  command->add_option("--to", args->to, "Last day of the period (YYYY-MM-DD), included")->required();
  command->add_option("--agency", args->agency, "One agency only (its code)");
  command->add_option("--format", args->format, "html (default), csv or json")
      ->check(CLI::IsMember({"html", "csv", "json"}));
  command->callback([&exit_code, args] { exit_code = MakeReport(*args); });
}

const bool kRegistered = RegisterCommand("report", &AddReportCommand);

}  // namespace
}  // namespace danhba::cli
