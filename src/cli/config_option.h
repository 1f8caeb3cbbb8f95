// The --config option shared by the commands that read danhba.yaml.
#pragma once

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "danhba/base/log.h"
#include "danhba/config/config.h"

namespace danhba::cli {

// The configuration of `path`, or the defaults (relative to the current
// directory) when `path` is empty. Also applies log.level.
inline Result<config::Config> LoadConfig(const std::string& path) {
  Result<config::Config> loaded = path.empty() ? Result<config::Config>(config::Defaults())
                                               : config::LoadFile(path);
  if (!loaded.ok()) return loaded;
  DANHBA_RETURN_IF_ERROR(log::SetLevel(loaded->log.level));
  return loaded;
}

// Prints "danhba: <detail>" on stderr: the one line a user error gets.
inline void PrintError(const Error& error) { std::cerr << "danhba: " << error.detail << "\n"; }

}  // namespace danhba::cli
