// `danhba import [--config FILE] --agency CODE [--dry-run] FILE`: an agency's
// staff list through the journal and the sync engine (docs/import.md).
#include <iostream>
#include <memory>

#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "danhba/ops/import_runner.h"

namespace danhba::cli {
namespace {

struct ImportArgs {
  std::string config_path;
  std::string agency;
  std::string file;
  bool dry_run = false;
  bool json = false;
  std::string encoding = "auto";
  bool remove_missing = false;
  double max_remove_share = 0.2;
  bool transfer = false;
  std::string decision_number;
  std::string decision_date;
  std::string decision_issuer;
  int timeout_seconds = 1800;
  int workers = 8;
};

int RunImportCommand(const ImportArgs& args) {
  auto config = LoadConfig(args.config_path);
  if (!config.ok()) {
    PrintError(config.error());
    return 1;
  }
  ops::ImportRequest request;
  request.agency = args.agency;
  request.file = args.file;
  request.dry_run = args.dry_run;
  auto encoding = text::ParseEncoding(args.encoding);
  if (!encoding.ok()) {
    PrintError(Error{encoding.error().code, "--encoding: " + encoding.error().detail});
    return 1;
  }
  request.encoding = *encoding;
  request.remove_missing = args.remove_missing;
  request.max_remove_share = args.max_remove_share;
  request.transfer = args.transfer;
  if (!args.decision_number.empty()) request.decision_number = args.decision_number;
  if (!args.decision_issuer.empty()) request.decision_issuer = args.decision_issuer;
  if (!args.decision_date.empty()) {
    auto date = model::Date::Parse(args.decision_date);
    if (!date.ok()) {
      PrintError(Error{date.error().code, "--decision-date: " + date.error().detail});
      return 1;
    }
    request.decision_date = *date;
  }
  request.apply_timeout = std::chrono::seconds(args.timeout_seconds);
  request.workers = static_cast<std::size_t>(args.workers);

  auto result = ops::RunImport(*config, request);
  if (!result.ok()) {
    PrintError(result.error());
    return 1;
  }
  if (args.json) {
    std::cout << ops::PlanToJson(result->plan, args.dry_run, result->statuses) << "\n";
  } else {
    for (const auto& note : result->notes) std::cerr << "danhba: " << note << "\n";
    if (args.dry_run) {
      std::cout << ops::FormatPlan(result->plan, true);
    } else {
      std::cout << ops::FormatStatuses(result->plan, result->statuses);
      std::size_t pending = 0;
      std::size_t rejected = 0;
      for (const auto& s : result->statuses) {
        if (s.state == "rejected") ++rejected;
        if (s.state != "applied" && s.state != "rejected") ++pending;
      }
      std::cout << result->statuses.size() << " event(s): " << (result->statuses.size() - pending - rejected)
                << " applied, " << rejected << " rejected, " << pending << " still queued\n";
    }
  }
  // Row errors and refused events are the user's to fix: exit 1 so scripts notice.
  return result->plan.counts.errors == 0 && result->complete ? 0 : 1;
}

void AddImportCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ImportArgs>();
  auto* command = app.add_subcommand(
      "import", "Reconcile an agency with its staff list (CSV or XLSX): create, update, report");
  command->add_option("--config", args->config_path, "Configuration file (default: built-in defaults)");
  command->add_option("--agency", args->agency, "Agency code the list is of")->required();
  command->add_flag("--dry-run", args->dry_run, "Print the changes (and addresses) without making them");
  command->add_flag("--json", args->json, "Print the result as one JSON object");
  command->add_option("--encoding", args->encoding, "auto|utf-8|tcvn3|vni|viscii|cp1258 (default: auto)");
  command->add_flag("--remove-missing", args->remove_missing,
                    "Turn people of the agency who are not on the list into leave events");
  command->add_option("--max-remove-share", args->max_remove_share,
                      "Refuse --remove-missing beyond this share of the agency (default 0.2)")
      ->check(CLI::Range(0.0, 1.0));
  command->add_flag("--transfer", args->transfer,
                    "Move people on the list found in another agency here (transfer events)");
  command->add_option("--decision-number", args->decision_number,
                      "Number of the decision behind the changes (default import-<agency>-<date>)");
  command->add_option("--decision-date", args->decision_date, "Its date, YYYY-MM-DD (default today)");
  command->add_option("--decision-issuer", args->decision_issuer, "Who issued it (default \"danhba import\")");
  command->add_option("--timeout", args->timeout_seconds, "Seconds to wait for the changes to apply (default 1800)")
      ->check(CLI::PositiveNumber);
  command->add_option("--workers", args->workers, "Directory connections applying changes (default 8)")
      ->check(CLI::Range(1, 64));
  command->add_option("FILE", args->file, "The staff list (CSV or XLSX)")->required();
  command->callback([&exit_code, args] { exit_code = RunImportCommand(*args); });
}

const bool kRegistered = RegisterCommand("import", &AddImportCommand);

}  // namespace
}  // namespace danhba::cli
