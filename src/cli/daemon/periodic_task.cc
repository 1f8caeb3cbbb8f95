#include "cli/daemon/periodic_task.h"

#include <condition_variable>
#include <mutex>

namespace danhba::cli {

PeriodicTask::PeriodicTask(std::chrono::milliseconds first_delay,
                           std::chrono::milliseconds interval, std::function<void()> run)
    : thread_([first_delay, interval, run = std::move(run)](std::stop_token stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        auto wait = first_delay;
        while (true) {
          {
            std::unique_lock lock(mutex);
            // Returns at once when a stop is requested.
            wake.wait_for(lock, stop, wait, [] { return false; });
          }
          if (stop.stop_requested()) return;
          run();
          wait = interval;
        }
      }) {}

void PeriodicTask::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

}  // namespace danhba::cli
