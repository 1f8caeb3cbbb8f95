// Subcommands of `danhba` register themselves here, each from its own
// *_command.cc file, so adding a command touches no other file.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace danhba::cli {

// Adds a subcommand to `app`. The subcommand's callback stores its exit status
// (0 success, 1 user error, 2 usage error) in `exit_code`.
using CommandFactory = std::function<void(CLI::App& app, int& exit_code)>;

struct CommandRegistration {
  std::string name;
  CommandFactory factory;
};

// Returns true so it can initialise a namespace-scope constant:
//   const bool kRegistered = RegisterCommand("address", &AddAddressCommand);
bool RegisterCommand(std::string name, CommandFactory factory);

// Every registered command, sorted by name.
std::vector<CommandRegistration> RegisteredCommands();

}  // namespace danhba::cli
