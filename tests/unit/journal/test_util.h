// Helpers shared by the journal tests: a temporary directory, and small
// builders for events.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "danhba/journal/journal.h"

namespace danhba::journal::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("danhba-journal-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path() const { return path_.string(); }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline NewEvent MakeEvent(const std::string& id, std::string payload = {}) {
  if (payload.empty()) payload = R"({"id":")" + id + R"(","type":"hire"})";
  return NewEvent{id, "hr-test", std::move(payload), std::nullopt};
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

inline std::string SegmentPath(const std::string& dir, int number) {
  char name[32];
  std::snprintf(name, sizeof name, "%08d.seg", number);
  return dir + "/" + name;
}

// Polls `condition` until it holds or `timeout` passes; answers whether it held.
template <class F>
bool WaitFor(F condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace danhba::journal::testing
