// `danhba events list|show ID|retry ID|compact [--config FILE]`: the journal of
// events and its dead letters (rejected events).
//
// list and show open the journal read-only, so they work beside a running
// daemon. retry re-queues a rejected event: directly when no daemon holds the
// journal, else through a request file in <data_dir>/retry-requests that the
// daemon's sync engine picks up (at once when woken, within a minute at most).
// compact drops old payloads now (journal.compact_after); only without a
// running daemon, which compacts on its own every journal.compact_interval.
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "danhba/journal/journal.h"
#include "danhba/sync/engine.h"

namespace danhba::cli {
namespace {

struct EventsArgs {
  std::string config_path;
  std::string state;
  std::string id;
};

std::string FormatTime(journal::TimePoint t) { return base::FormatUtc(t); }

// "30d", "1h", "15m", "30s" or "500ms": the largest unit that divides it.
std::string FormatDuration(std::chrono::milliseconds duration) {
  static constexpr std::pair<const char*, long long> kUnits[] = {
      {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}};
  for (const auto& [name, factor] : kUnits) {
    if (duration.count() > 0 && duration.count() % factor == 0) {
      return std::to_string(duration.count() / factor) + name;
    }
  }
  return std::to_string(duration.count()) + "ms";
}

Result<std::unique_ptr<journal::Journal>> OpenJournal(const config::Config& config,
                                                      bool read_only) {
  journal::JournalOptions options;
  options.dir = sync::JournalDir(config.data_dir.string());
  options.read_only = read_only;
  options.compact_after = std::chrono::ceil<std::chrono::seconds>(config.journal.compact_after);
  if (read_only && !std::filesystem::exists(options.dir)) {
    return NotFound("no journal in " + options.dir +
                    " (has `danhba run` ever run with this data_dir?)");
  }
  return journal::Journal::Open(options);
}

int List(const EventsArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  std::optional<journal::EventState> state;
  if (!args.state.empty()) {
    auto parsed = journal::ParseEventState(args.state);
    if (!parsed.ok()) return PrintError(parsed.error()), 1;
    state = *parsed;
  }
  auto journal = OpenJournal(*loaded, true);
  if (!journal.ok()) return PrintError(journal.error()), 1;
  for (const auto& info : (*journal)->List(state)) {
    std::cout << info.id << "\t" << journal::ToString(info.state) << "\t"
              << FormatTime(info.received_at) << "\t" << info.sender << "\t" << info.detail << "\n";
  }
  return 0;
}

int Show(const EventsArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  auto journal = OpenJournal(*loaded, true);
  if (!journal.ok()) return PrintError(journal.error()), 1;
  auto event = (*journal)->Show(args.id);
  if (!event.ok()) return PrintError(event.error()), 1;
  const journal::EventInfo& info = event->info;
  std::cout << "id: " << info.id << "\n"
            << "state: " << journal::ToString(info.state) << "\n"
            << "detail: " << info.detail << "\n"
            << "sender: " << info.sender << "\n"
            << "received: " << FormatTime(info.received_at) << "\n"
            << "updated: " << FormatTime(info.updated_at) << "\n";
  if (info.not_before) std::cout << "not_before: " << FormatTime(*info.not_before) << "\n";
  if (info.compacted) {
    std::cout << "payload: (removed by compaction)\n";
  } else {
    std::cout << "payload: " << event->payload << "\n";
  }
  return 0;
}

int Retry(const EventsArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  auto journal = OpenJournal(*loaded, false);
  if (journal.ok()) {
    Status retried = (*journal)->Retry(args.id);
    if (!retried.ok()) return PrintError(retried.error()), 1;
    std::cout << "event " << args.id << " queued again; `danhba run` applies it when it starts\n";
    return 0;
  }
  if (journal.error().code != ErrorCode::kConflict) return PrintError(journal.error()), 1;
  // The daemon holds the journal: check what we can read-only, then ask it.
  auto reader = OpenJournal(*loaded, true);
  if (!reader.ok()) return PrintError(reader.error()), 1;
  auto info = (*reader)->Lookup(args.id);
  if (!info.ok()) return PrintError(info.error()), 1;
  if (info->state != journal::EventState::kRejected) {
    PrintError(Conflict("event " + args.id + " is " + std::string(journal::ToString(info->state)) +
                        "; only a rejected event can be retried"));
    return 1;
  }
  const std::string dir = sync::RetryRequestsDir(loaded->data_dir.string());
  Status requested = sync::RequestRetry(dir, args.id);
  if (!requested.ok()) return PrintError(requested.error()), 1;
  std::cout << "the running daemon holds the journal: retry of " << args.id << " requested in "
            << dir << "; it is picked up within a minute (see `danhba events show " << args.id
            << "`)\n";
  return 0;
}

int Compact(const EventsArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  const std::string dir = sync::JournalDir(loaded->data_dir.string());
  if (!std::filesystem::exists(dir)) {
    PrintError(NotFound("no journal in " + dir + " (has `danhba run` ever run with this data_dir?)"));
    return 1;
  }
  auto journal = OpenJournal(*loaded, false);
  if (!journal.ok()) {
    if (journal.error().code == ErrorCode::kConflict) {
      // Two writers would corrupt it, and the daemon compacts on its own.
      PrintError(Conflict("the journal in " + dir + " is held by a running `danhba run`, which " +
                          "compacts it itself every " +
                          FormatDuration(loaded->journal.compact_interval) +
                          " (journal.compact_interval); stop the daemon to compact now"));
      return 1;
    }
    return PrintError(journal.error()), 1;
  }
  auto compacted = (*journal)->Compact();
  if (!compacted.ok()) return PrintError(compacted.error()), 1;
  std::cout << "journal " << dir << " compacted: " << compacted->events_compacted
            << " event payloads older than " << FormatDuration(loaded->journal.compact_after)
            << " dropped (ids and final status kept), " << compacted->segments_removed
            << " segments replaced, " << compacted->bytes_before << " -> "
            << compacted->bytes_after << " bytes\n";
  return 0;
}

void AddEventsCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("events", "The event journal and its dead letters");
  command->require_subcommand(1);
  auto args = std::make_shared<EventsArgs>();

  auto* list = command->add_subcommand("list", "List events, oldest first");
  list->add_option("--config", args->config_path, "Configuration file (danhba.yaml)");
  list->add_option("--state", args->state, "Only events in this state")
      ->check(CLI::IsMember({"queued", "scheduled", "applied", "rejected"}));
  list->callback([args, &exit_code] { exit_code = List(*args); });

  auto* show = command->add_subcommand("show", "One event: status, detail and payload");
  show->add_option("--config", args->config_path, "Configuration file (danhba.yaml)");
  show->add_option("ID", args->id, "Event id")->required();
  show->callback([args, &exit_code] { exit_code = Show(*args); });

  auto* retry =
      command->add_subcommand("retry", "Queue a rejected event again after fixing its cause");
  retry->add_option("--config", args->config_path, "Configuration file (danhba.yaml)");
  retry->add_option("ID", args->id, "Event id")->required();
  retry->callback([args, &exit_code] { exit_code = Retry(*args); });

  auto* compact = command->add_subcommand(
      "compact",
      "Drop the payloads of applied and rejected events older than journal.compact_after now "
      "(not while `danhba run` holds the journal; it compacts on its own)");
  compact->add_option("--config", args->config_path, "Configuration file (danhba.yaml)");
  compact->callback([args, &exit_code] { exit_code = Compact(*args); });
}

const bool kRegistered = RegisterCommand("events", &AddEventsCommand);

}  // namespace
}  // namespace danhba::cli
