#include "process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace danhba::e2e {
namespace {

using Clock = std::chrono::steady_clock;

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::vector<char*> ArgvPointers(std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  for (auto& arg : argv) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  return pointers;
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

sockaddr_in Loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace

ChildProcess::~ChildProcess() {
  if (pid_ > 0) (void)Kill();
}

Status ChildProcess::Start(std::vector<std::string> argv, const std::filesystem::path& log_file) {
  if (pid_ > 0) return Conflict("process " + std::to_string(pid_) + " still runs");
  if (argv.empty()) return InvalidInput("no program to start");
  int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Internal(Errno("cannot open " + log_file.string()));
  auto pointers = ArgvPointers(argv);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return Internal(Errno("fork"));
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(pointers[0], pointers.data());
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
  exit_code_ = -1;
  return Ok();
}

Status ChildProcess::Signal(int signal_number) {
  if (pid_ <= 0) return NotFound("no process to signal");
  if (::kill(pid_, signal_number) != 0) return Internal(Errno("kill " + std::to_string(pid_)));
  return Ok();
}

Status ChildProcess::Kill() {
  if (pid_ <= 0) return Ok();
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_code_ = ExitCodeOf(status);
  pid_ = 0;
  return Ok();
}

Result<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_code_;
  auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = ExitCodeOf(status);
      pid_ = 0;
      return exit_code_;
    }
    if (done < 0 && errno != EINTR) return Internal(Errno("waitpid"));
    if (Clock::now() >= deadline) {
      return Transient("process " + std::to_string(pid_) + " still runs after " +
                       std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Result<int> ChildProcess::Stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  auto waited = Wait(timeout);
  if (waited.ok()) return waited;
  DANHBA_RETURN_IF_ERROR(Kill());
  return exit_code_;
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_code_ = ExitCodeOf(status);
    pid_ = 0;
    return false;
  }
  return true;
}

Result<CommandOutput> RunToCompletion(const std::vector<std::string>& argv_in,
                                      const std::string& input) {
  std::vector<std::string> argv = argv_in;
  if (argv.empty()) return InvalidInput("no program to run");
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    return Internal(Errno("pipe"));
  }
  auto pointers = ArgvPointers(argv);
  pid_t pid = ::fork();
  if (pid < 0) return Internal(Errno("fork"));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::execv(pointers[0], pointers.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  // Feed stdin from a thread so a child that writes a lot before reading cannot deadlock us.
  std::thread feeder([fd = in_pipe[1], &input] {
    std::size_t sent = 0;
    ::signal(SIGPIPE, SIG_IGN);
    while (sent < input.size()) {
      ssize_t n = ::write(fd, input.data() + sent, input.size() - sent);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    ::close(fd);
  });
  CommandOutput output;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buffer[65536];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        (i == 0 ? output.out : output.err).append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  feeder.join();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  output.exit_code = ExitCodeOf(status);
  return output;
}

Result<std::uint16_t> FreePort() {
  static std::mutex mutex;
  static std::set<std::uint16_t> given;
  static std::mt19937 rng(static_cast<unsigned>(::getpid()) ^
                          static_cast<unsigned>(Clock::now().time_since_epoch().count()));
  std::lock_guard lock(mutex);
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto port = static_cast<std::uint16_t>(std::uniform_int_distribution<int>(20000, 31999)(rng));
    if (given.count(port) != 0) continue;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Internal(Errno("socket"));
    sockaddr_in address = Loopback(port);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (free) {
      given.insert(port);
      return port;
    }
  }
  return Internal("no free port on 127.0.0.1 in 20000-31999 after 200 tries");
}

Status WaitPortClosed(std::uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Internal(Errno("socket"));
    sockaddr_in address = Loopback(port);
    bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (!open) return Ok();
    if (Clock::now() >= deadline) {
      return Transient("127.0.0.1:" + std::to_string(port) + " still accepts connections after " +
                       std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<TempDir> TempDir::Make(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) return Internal(Errno("mkdtemp " + pattern));
  std::filesystem::path path(buffer.data());
  std::fprintf(stderr, "[ e2e      ] working directory %s%s\n", path.c_str(),
               std::getenv("DANHBA_KEEP_TEST_DIRS") != nullptr ? " (kept)" : "");
  return TempDir(std::move(path));
}

TempDir::~TempDir() {
  if (path_.empty() || std::getenv("DANHBA_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace danhba::e2e
