// danhba: the electronic directory of the Đồng Nai government mail system.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command_registry.h"
#include "danhba/base/log.h"

int main(int argc, char** argv) {
  danhba::log::InitForConsole();
  CLI::App app{"danhba: the electronic directory of the Đồng Nai government mail system"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "danhba " DANHBA_VERSION);
  int exit_code = 0;
  for (const auto& command : danhba::cli::RegisteredCommands()) command.factory(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 answers --help with success; any other parse error is a usage error (2).
    int status = app.exit(e);
    return status == 0 ? 0 : 2;
  }
  return exit_code;
}
