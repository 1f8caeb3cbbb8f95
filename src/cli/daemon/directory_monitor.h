// Whether the directory answers: a read of the base entry, on a thread of its
// own so that HTTP threads never wait on LDAP. /readyz reports the last answer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "danhba/base/log.h"
#include "danhba/ldap/connection.h"

namespace danhba::cli {

class DirectoryMonitor {
 public:
  DirectoryMonitor(ldap::ConnectOptions options, std::string base_dn,
                   std::chrono::milliseconds interval)
      : options_(std::move(options)), base_dn_(std::move(base_dn)), interval_(interval) {}

  ~DirectoryMonitor() { Stop(); }
  DirectoryMonitor(const DirectoryMonitor&) = delete;
  DirectoryMonitor& operator=(const DirectoryMonitor&) = delete;

  // REQUIRES: not started.
  void SetCredentials(ldap::Credentials credentials) { credentials_ = std::move(credentials); }

  // Checks once, on the calling thread. REQUIRES: not started.
  Status CheckNow();

  // Checks every interval on a thread of its own until Stop().
  void Start();
  void Stop();

  // The last answer; safe from any thread.
  bool ready() const { return ready_; }

 private:
  Status Check();

  ldap::ConnectOptions options_;
  ldap::Credentials credentials_;
  std::string base_dn_;
  std::chrono::milliseconds interval_;
  std::shared_ptr<spdlog::logger> log_ = log::Get("run");
  std::optional<ldap::Connection> connection_;  // used by one thread at a time
  std::atomic<bool> ready_{false};
  bool first_ = true;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace danhba::cli
