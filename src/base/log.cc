#include "danhba/base/log.h"

#include <unistd.h>

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace danhba::log {
namespace {

struct Registry {
  std::mutex mutex;
  spdlog::sink_ptr sink;
  spdlog::level::level_enum level = spdlog::level::info;
};

Registry& GetRegistry() {
  static Registry registry;
  return registry;
}

spdlog::sink_ptr MakeConsoleSink() {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::automatic);
  if (::isatty(STDERR_FILENO)) {
    sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
  } else {
    sink->set_pattern("%l [%n] %v");
  }
  return sink;
}

}  // namespace

std::shared_ptr<spdlog::logger> Get(std::string_view module) {
  Registry& registry = GetRegistry();
  std::lock_guard lock(registry.mutex);
  std::string name(module);
  if (auto existing = spdlog::get(name)) return existing;
  if (!registry.sink) registry.sink = MakeConsoleSink();
  auto logger = std::make_shared<spdlog::logger>(name, registry.sink);
  logger->set_level(registry.level);
  spdlog::register_logger(logger);
  return logger;
}

Status SetLevel(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  // from_str answers "off" for any name it does not know.
  if (parsed == spdlog::level::off && level != "off") {
    return InvalidInput("unknown log level '" + std::string(level) +
                        "' (expected trace, debug, info, warn, error or off)");
  }
  Registry& registry = GetRegistry();
  std::lock_guard lock(registry.mutex);
  registry.level = parsed;
  spdlog::apply_all([parsed](const std::shared_ptr<spdlog::logger>& logger) { logger->set_level(parsed); });
  return Ok();
}

void InitForConsole() {
  Registry& registry = GetRegistry();
  std::lock_guard lock(registry.mutex);
  registry.sink = MakeConsoleSink();
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& logger) {
    logger->sinks().assign(1, registry.sink);
  });
}

}  // namespace danhba::log
