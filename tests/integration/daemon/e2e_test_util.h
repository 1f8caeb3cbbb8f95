// Shared by the daemon end-to-end tests: the sample province, environment
// knobs, and polling helpers.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include "province.h"

namespace danhba::e2e {

inline std::size_t EnvSize(const char* name, std::size_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return static_cast<std::size_t>(std::strtoull(value, nullptr, 10));
}

inline province::Province MakeProvince(std::size_t people, std::uint64_t seed) {
  province::Options options;
  options.shared_dir = DANHBA_SHARED_DIR;
  options.people = people;
  options.seed = seed;
  auto generated = province::Generate(options);
  if (!generated.ok()) {
    ADD_FAILURE() << "the sample province: " << generated.error().detail;
    return {};
  }
  return std::move(generated).value();
}

// Calls `check` until it returns true or `timeout` passes; returns its last answer.
inline bool PollUntil(std::chrono::milliseconds timeout, const std::function<bool()>& check,
                      std::chrono::milliseconds interval = std::chrono::milliseconds(100)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (check()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace danhba::e2e
