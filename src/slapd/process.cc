#include "slapd/process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace danhba::slapd {
namespace {

struct Pipe {
  int fds[2] = {-1, -1};
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  void Close(int index) {
    if (fds[index] >= 0) ::close(fds[index]);
    fds[index] = -1;
  }
};

struct SpawnActions {
  posix_spawn_file_actions_t actions;
  SpawnActions() { posix_spawn_file_actions_init(&actions); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
};

}  // namespace

Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, const std::string& input) {
  if (argv.empty()) return Internal("RunProcess: empty command");
  Pipe out;
  Pipe in;
  // stdin is a socket so that a child that stops reading gives EPIPE, not SIGPIPE.
  if (::pipe2(out.fds, O_CLOEXEC) != 0 ||
      ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in.fds) != 0) {
    return Internal(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  SpawnActions spawn;
  posix_spawn_file_actions_adddup2(&spawn.actions, in.fds[0], 0);
  posix_spawn_file_actions_adddup2(&spawn.actions, out.fds[1], 1);
  posix_spawn_file_actions_adddup2(&spawn.actions, out.fds[1], 2);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, argv[0].c_str(), &spawn.actions, nullptr, args.data(), environ);
  if (rc != 0) {
    return ConfigError("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  out.Close(1);
  in.Close(0);
  // Feed stdin and drain stdout together, so that neither side blocks on a full pipe.
  std::size_t written = 0;
  if (input.empty()) in.Close(1);
  ProcessOutput result;
  char buffer[4096];
  while (true) {
    std::array<pollfd, 2> fds{};
    fds[0] = {out.fds[0], POLLIN, 0};
    nfds_t count = 1;
    if (in.fds[1] >= 0) {
      fds[1] = {in.fds[1], POLLOUT, 0};
      count = 2;
    }
    if (::poll(fds.data(), count, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (count == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      ssize_t n = ::send(in.fds[1], input.data() + written, input.size() - written,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 && errno != EAGAIN) written = input.size();
      if (written == input.size()) in.Close(1);
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      ssize_t n = ::read(out.fds[0], buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      result.output.append(buffer, static_cast<std::size_t>(n));
    }
  }
  in.Close(1);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

std::string LastLines(const std::string& text, int lines) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  std::size_t pos = trimmed.size();
  for (int i = 0; i < lines; ++i) {
    std::size_t nl = trimmed.rfind('\n', pos == 0 ? 0 : pos - 1);
    if (nl == std::string::npos || pos == 0) return trimmed;
    pos = nl;
  }
  return trimmed.substr(pos + 1);
}

}  // namespace danhba::slapd
