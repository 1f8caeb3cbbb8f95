#include "cli/command_registry.h"

#include <algorithm>

namespace danhba::cli {
namespace {

std::vector<CommandRegistration>& Registry() {
  static std::vector<CommandRegistration> registry;
  return registry;
}

}  // namespace

bool RegisterCommand(std::string name, CommandFactory factory) {
  Registry().push_back({std::move(name), std::move(factory)});
  return true;
}

std::vector<CommandRegistration> RegisteredCommands() {
  auto commands = Registry();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return commands;
}

}  // namespace danhba::cli
