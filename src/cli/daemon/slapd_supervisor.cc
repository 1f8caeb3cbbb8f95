#include "cli/daemon/slapd_supervisor.h"

#include <algorithm>

namespace danhba::cli {

void SlapdSupervisor::Tick() {
  if (instance_.running()) {
    Status alive = instance_.CheckAlive();
    if (alive.ok()) return;
    log_->error("the managed slapd stopped on its own: {}", alive.error().detail);
    next_attempt_ = Clock::now();
  }
  if (Clock::now() < next_attempt_) return;
  Status started = instance_.Start();
  if (started.ok()) {
    log_->info("restarted the managed slapd (pid {})", instance_.pid());
    backoff_ = kFirstBackoff;
    return;
  }
  log_->error("restarting the managed slapd failed, next try in {} s: {}", backoff_.count(),
              started.error().detail);
  next_attempt_ = Clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

}  // namespace danhba::cli
