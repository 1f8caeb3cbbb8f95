// A task the daemon runs on a thread of its own: first after `first_delay`,
// then every `interval`, until the task is destroyed (or Stop()), which wakes
// the thread at once and joins it.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace danhba::cli {

class PeriodicTask {
 public:
  PeriodicTask() = default;
  PeriodicTask(std::chrono::milliseconds first_delay, std::chrono::milliseconds interval,
               std::function<void()> run);
  PeriodicTask(PeriodicTask&&) = default;
  PeriodicTask& operator=(PeriodicTask&&) = default;
  ~PeriodicTask() = default;  // std::jthread: request_stop, then join

  void Stop();

 private:
  std::jthread thread_;
};

}  // namespace danhba::cli
