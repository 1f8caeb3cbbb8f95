// Restarts the managed slapd when it exits on its own, waiting longer after
// each failed attempt (1 s doubling up to 30 s). Tick() runs on the main
// thread, the only one that touches the Instance.
#pragma once

#include <chrono>
#include <memory>

#include "danhba/base/log.h"
#include "danhba/slapd/instance.h"

namespace danhba::cli {

class SlapdSupervisor {
 public:
  explicit SlapdSupervisor(slapd::Instance& instance) : instance_(instance) {}

  void Tick();

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kFirstBackoff{1};
  static constexpr std::chrono::seconds kMaxBackoff{30};

  slapd::Instance& instance_;
  std::shared_ptr<spdlog::logger> log_ = log::Get("run");
  Clock::time_point next_attempt_ = Clock::now();
  std::chrono::seconds backoff_ = kFirstBackoff;
};

}  // namespace danhba::cli
