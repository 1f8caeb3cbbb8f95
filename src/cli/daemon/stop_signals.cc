#include "cli/daemon/stop_signals.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace danhba::cli {
namespace {

int g_signal_pipe[2] = {-1, -1};

extern "C" void OnStopSignal(int signal_number) {
  int saved = errno;
  auto byte = static_cast<unsigned char>(signal_number);
  [[maybe_unused]] auto written = ::write(g_signal_pipe[1], &byte, 1);
  errno = saved;
}

}  // namespace

Status InstallStopSignals() {
  if (g_signal_pipe[0] < 0 && ::pipe2(g_signal_pipe, O_CLOEXEC) != 0) {
    return Internal(std::string("cannot create the signal pipe: ") + std::strerror(errno));
  }
  struct sigaction action {};
  action.sa_handler = &OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal_number : {SIGTERM, SIGINT}) {
    if (::sigaction(signal_number, &action, nullptr) != 0) {
      return Internal(std::string("cannot install a signal handler: ") + std::strerror(errno));
    }
  }
  return Ok();
}

int WaitForStopSignal(std::chrono::milliseconds tick, const std::function<void()>& on_tick) {
  pollfd descriptor{g_signal_pipe[0], POLLIN, 0};
  while (true) {
    int ready = ::poll(&descriptor, 1, static_cast<int>(tick.count()));
    if (ready == 0) {
      on_tick();
      continue;
    }
    if (ready < 0 && errno == EINTR) continue;
    unsigned char byte = 0;
    if (ready > 0 && ::read(g_signal_pipe[0], &byte, 1) == 1) return byte;
    return SIGTERM;  // the pipe broke: stop rather than spin
  }
}

}  // namespace danhba::cli
