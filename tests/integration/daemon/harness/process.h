// A child process for end-to-end tests and benchmarks: started with fork/exec,
// its stdout and stderr appended to a log file, stopped with SIGTERM or killed
// with SIGKILL (a crash), and always reaped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "danhba/base/result.h"

namespace danhba::e2e {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // SIGKILL and reap when still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv[0] (a path) with argv; stdout and stderr are appended to
  // `log_file`. The child dies with this process (PR_SET_PDEATHSIG), so an
  // aborted test leaves nothing behind. REQUIRES: not running.
  Status Start(std::vector<std::string> argv, const std::filesystem::path& log_file);

  // Sends `signal_number`; does not wait.
  Status Signal(int signal_number);
  // SIGKILL and reap.
  Status Kill();
  // SIGTERM, then waits up to `timeout` for the exit; SIGKILL after that.
  // Returns the exit code (128 + signal when killed by one).
  Result<int> Stop(std::chrono::milliseconds timeout);
  // Waits for the child to exit on its own, up to `timeout`; a kTransient error
  // when it still runs then. Returns the exit code as Stop does.
  Result<int> Wait(std::chrono::milliseconds timeout);
  // Whether it still runs (reaps it when it has exited).
  bool Running();

  pid_t pid() const { return pid_; }
  int last_exit_code() const { return exit_code_; }

 private:
  pid_t pid_ = 0;
  int exit_code_ = -1;
};

// Runs argv (argv[0] a path) to completion with `input` on stdin.
struct CommandOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};
Result<CommandOutput> RunToCompletion(const std::vector<std::string>& argv, const std::string& input = {});

// A TCP port on 127.0.0.1 that nothing listens on now, from a range below the
// usual ephemeral one (so that it stays free while a test restarts servers on it).
// Distinct within this process.
Result<std::uint16_t> FreePort();

// Polls until nothing accepts TCP connections on 127.0.0.1:`port` (a server
// that was killed has finished exiting), or `timeout` passes (kTransient).
Status WaitPortClosed(std::uint16_t port, std::chrono::milliseconds timeout);

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on
// destruction unless DANHBA_KEEP_TEST_DIRS is set (its path is printed then).
class TempDir {
 public:
  static Result<TempDir> Make(const std::string& prefix);
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace danhba::e2e
