// `danhba version`: the version, for scripts that cannot parse --version.
#include <iostream>

#include "cli/command_registry.h"

namespace danhba::cli {
namespace {

void AddVersionCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("version", "Print the version of danhba");
  command->callback([&exit_code] {
    std::cout << "danhba " << DANHBA_VERSION << "\n";
    exit_code = 0;
  });
}

const bool kRegistered = RegisterCommand("version", &AddVersionCommand);

}  // namespace
}  // namespace danhba::cli
