// Logging: one named spdlog logger per module ("ldap", "slapd", "sync", ...),
// all writing to one sink, so every line says which module wrote it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "danhba/base/result.h"

namespace danhba::log {

// The logger for `module`, created on first use with the current level and sink.
std::shared_ptr<spdlog::logger> Get(std::string_view module);

// Sets the level of every logger ("trace", "debug", "info", "warn", "error", "off").
// An unknown name is an invalid-input error and changes nothing.
Status SetLevel(std::string_view level);

// Lines for journald and pipes: no colour and no timestamp when stderr is not a
// TTY (journald stamps lines itself); coloured with time when it is.
void InitForConsole();

}  // namespace danhba::log
