// `danhba subscribe add NAME --url URL [--agencies a,b] [--ca-file FILE]`, `subscribe list`,
// `subscribe remove NAME`, `subscribe retry NAME` [--config FILE]: webhook
// subscribers of the change feed (ops/webhooks.h, docs/webhooks.md). The
// signing secret is printed once by add. A running daemon picks changes up
// within a second.
#include <chrono>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/command_registry.h"
#include "cli/config_option.h"
#include "danhba/ops/webhooks.h"

namespace danhba::cli {
namespace {

struct SubscribeArgs {
  std::string config_path;
  std::string name;
  std::string url;
  std::string agencies;
  std::string ca_file;
};

std::vector<std::string> SplitCodes(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string code;
  while (std::getline(in, code, ',')) {
    if (!code.empty()) out.push_back(code);
  }
  return out;
}

int Add(const SubscribeArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  auto added = ops::AddSubscriber(*loaded, args.name, args.url, SplitCodes(args.agencies),
                                  std::chrono::system_clock::now(), args.ca_file);
  if (!added.ok()) return PrintError(added.error()), 1;
  std::cout << added->secret << "\n";
  std::cerr << "danhba: subscriber " << added->name << " added; each change is POSTed to " << added->url
            << " signed with the secret above (X-Danhba-Signature: sha256=HMAC(secret, timestamp + \"\\n\" + body)); "
               "it is not shown again\n";
  return 0;
}

int List(const SubscribeArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  auto subscribers = ops::LoadSubscribers(*loaded);
  if (!subscribers.ok()) return PrintError(subscribers.error()), 1;
  for (const ops::Subscriber& s : *subscribers) {
    auto state = ops::LoadSubscriberState(*loaded, s.name);
    std::string agencies;
    for (const auto& code : s.agencies) agencies += (agencies.empty() ? "" : ",") + code;
    std::cout << s.name << "\t" << s.url << "\t" << (agencies.empty() ? "*" : agencies) << "\t";
    if (!state.ok()) {
      std::cout << "state unreadable: " << state.error().detail << "\n";
      continue;
    }
    if (state->dead) {
      std::cout << "dead\tchange " << state->failing << " failed " << state->attempts << " times: "
                << state->last_error << " (danhba subscribe retry " << s.name << ")";
    } else if (state->attempts > 0) {
      std::cout << "retrying\tchange " << state->failing << ", try " << state->attempts << ", next at "
                << state->next_attempt_at << ": " << state->last_error;
    } else {
      std::cout << "ok\t" << state->delivered << " delivered"
                << (state->last_delivered.empty() ? "" : ", last " + state->last_delivered);
    }
    std::cout << "\n";
  }
  return 0;
}

int Remove(const SubscribeArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  if (Status removed = ops::RemoveSubscriber(*loaded, args.name); !removed.ok()) return PrintError(removed.error()), 1;
  std::cerr << "danhba: subscriber " << args.name << " removed\n";
  return 0;
}

int Retry(const SubscribeArgs& args) {
  auto loaded = LoadConfig(args.config_path);
  if (!loaded.ok()) return PrintError(loaded.error()), 1;
  if (Status asked = ops::RequestRetry(*loaded, args.name); !asked.ok()) return PrintError(asked.error()), 1;
  std::cerr << "danhba: subscriber " << args.name << " will be tried again now (by the running daemon)\n";
  return 0;
}

void AddSubscribeCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("subscribe", "Webhook subscribers of the change feed");
  command->require_subcommand(1);
  auto args = std::make_shared<SubscribeArgs>();
  auto* add = command->add_subcommand("add", "Add a subscriber; prints its signing secret once");
  add->add_option("NAME", args->name, "Subscriber name")->required();
  add->add_option("--url", args->url, "Where changes are POSTed (http[s]://host[:port]/path)")->required();
  add->add_option("--agencies", args->agencies, "Only changes of these agencies (codes, comma-separated)");
  add->add_option("--ca-file", args->ca_file,
                  "https: PEM file of the CA the receiver's certificate chains to (default: the system's CAs)");
  add->add_option("--config", args->config_path, "Configuration file");
  add->callback([&exit_code, args] { exit_code = Add(*args); });
  auto* list = command->add_subcommand("list", "Subscribers and their delivery state");
  list->add_option("--config", args->config_path, "Configuration file");
  list->callback([&exit_code, args] { exit_code = List(*args); });
  auto* remove = command->add_subcommand("remove", "Remove a subscriber");
  remove->add_option("NAME", args->name, "Subscriber name")->required();
  remove->add_option("--config", args->config_path, "Configuration file");
  remove->callback([&exit_code, args] { exit_code = Remove(*args); });
  auto* retry = command->add_subcommand("retry", "Try a dead or backing-off subscriber again now");
  retry->add_option("NAME", args->name, "Subscriber name")->required();
  retry->add_option("--config", args->config_path, "Configuration file");
  retry->callback([&exit_code, args] { exit_code = Retry(*args); });
}

const bool kRegistered = RegisterCommand("subscribe", &AddSubscribeCommand);

}  // namespace
}  // namespace danhba::cli
