#include "cli/daemon/directory_monitor.h"

namespace danhba::cli {

Status DirectoryMonitor::CheckNow() {
  Status status = Check();
  bool was_ready = ready_.exchange(status.ok());
  if (status.ok() && !was_ready) {
    log_->info("directory {} is ready", options_.url);
  } else if (!status.ok() && (was_ready || first_)) {
    log_->warn("directory {} is not ready: {}", options_.url, status.error().detail);
  }
  first_ = false;
  return status;
}

void DirectoryMonitor::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) break;
      lock.unlock();
      (void)CheckNow();
      lock.lock();
    }
  });
}

void DirectoryMonitor::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status DirectoryMonitor::Check() {
  if (!connection_) {
    DANHBA_ASSIGN_OR_RETURN(auto opened, ldap::Connection::Open(options_, credentials_));
    connection_.emplace(std::move(opened));
  }
  auto base = connection_->Read(base_dn_, {"1.1"});
  if (!base.ok()) {
    connection_.reset();  // a fresh connection next time
    return base.take_error();
  }
  if (!base->has_value()) return NotFound("the base entry " + base_dn_ + " does not exist");
  return Ok();
}

}  // namespace danhba::cli
