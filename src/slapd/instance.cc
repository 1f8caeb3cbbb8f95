#include "danhba/slapd/instance.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "danhba/base/strings.h"
#include "danhba/base/unique_fd.h"
#include "danhba/base/log.h"
#include "danhba/slapd/secrets.h"
#include "slapd/process.h"

extern char** environ;

namespace danhba::slapd {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kPollInterval{5};

std::string Errno() { return std::strerror(errno); }

using Fd = UniqueFd;

std::string MissingBinary(const fs::path& path) {
  return path.filename().string() + " not found at " + path.string() +
         ": install the Debian packages 'slapd' and 'ldap-utils'";
}

Status CheckExecutable(const fs::path& path) {
  if (::access(path.c_str(), X_OK) != 0) return ConfigError(MissingBinary(path));
  return Ok();
}

Result<sockaddr_in> LoopbackAddress(const std::string& host, std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return InvalidInput("slapd host '" + host + "' is not an IPv4 address");
  }
  return address;
}

// Whether something listens on host:port: binding there (with SO_REUSEADDR, as
// slapd does, so connections in TIME_WAIT do not count) fails with EADDRINUSE.
Result<bool> PortInUse(const std::string& host, std::uint16_t port) {
  DANHBA_ASSIGN_OR_RETURN(sockaddr_in address, LoopbackAddress(host, port));
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Internal("cannot create a socket: " + Errno());
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    if (errno == EADDRINUSE) return true;
    return ConfigError("cannot bind " + host + ":" + std::to_string(port) + ": " + Errno());
  }
  return false;
}

// A free port below the kernel's ephemeral range, so that a port kept across
// restarts is not taken meanwhile as the local end of some outgoing connection;
// the kernel's choice when none is found.
Result<std::uint16_t> EphemeralPort(const std::string& host);

Result<std::uint16_t> FreePort(const std::string& host) {
  unsigned ephemeral_low = 32768;
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  range >> ephemeral_low;
  constexpr unsigned kLow = 10000;
  if (ephemeral_low > kLow + 1000 && ephemeral_low <= 65535) {
    std::random_device random;
    std::uniform_int_distribution<unsigned> pick(kLow, ephemeral_low - 1);
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto port = static_cast<std::uint16_t>(pick(random));
      Result<bool> in_use = PortInUse(host, port);
      if (in_use.ok() && !*in_use) return port;
    }
  }
  return EphemeralPort(host);
}

Result<std::uint16_t> EphemeralPort(const std::string& host) {
  DANHBA_ASSIGN_OR_RETURN(sockaddr_in address, LoopbackAddress(host, 0));
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Internal("cannot create a socket: " + Errno());
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return ConfigError("cannot bind " + host + " to find a free port: " + Errno());
  }
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &length);
  return ntohs(bound.sin_port);
}

// Reads one BER length at `pos` (short or long form). Returns false on a
// truncated or oversized length.
bool ReadBerLength(const std::string& data, std::size_t& pos, std::size_t& length) {
  if (pos >= data.size()) return false;
  auto first = static_cast<unsigned char>(data[pos++]);
  if (first < 0x80) {
    length = first;
    return true;
  }
  std::size_t bytes = first & 0x7F;
  if (bytes == 0 || bytes > 4 || pos + bytes > data.size()) return false;
  length = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    length = (length << 8) | static_cast<unsigned char>(data[pos++]);
  }
  return true;
}

// Whether `data` holds a complete BindResponse with resultCode success:
// SEQUENCE { INTEGER msgid, [APPLICATION 1] { ENUMERATED resultCode, ... } }.
enum class BindAnswer { kIncomplete, kSuccess, kFailure };
BindAnswer ParseBindResponse(const std::string& data) {
  std::size_t pos = 0;
  std::size_t length = 0;
  if (data.empty()) return BindAnswer::kIncomplete;
  if (static_cast<unsigned char>(data[pos++]) != 0x30) return BindAnswer::kFailure;
  if (!ReadBerLength(data, pos, length)) return BindAnswer::kIncomplete;
  if (data.size() < pos + length) return BindAnswer::kIncomplete;
  if (static_cast<unsigned char>(data[pos++]) != 0x02) return BindAnswer::kFailure;
  if (!ReadBerLength(data, pos, length)) return BindAnswer::kFailure;
  pos += length;
  if (pos >= data.size() || static_cast<unsigned char>(data[pos++]) != 0x61) {
    return BindAnswer::kFailure;
  }
  if (!ReadBerLength(data, pos, length)) return BindAnswer::kFailure;
  if (pos + 3 > data.size() || static_cast<unsigned char>(data[pos]) != 0x0A ||
      static_cast<unsigned char>(data[pos + 1]) != 0x01) {
    return BindAnswer::kFailure;
  }
  return data[pos + 2] == 0 ? BindAnswer::kSuccess : BindAnswer::kFailure;
}

// An anonymous simple bind over TCP; true when slapd answers success.
bool AnswersAnonymousBind(const sockaddr_in& address, milliseconds timeout) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return false;
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return false;
  }
  // BindRequest, messageID 1, version 3, empty name, simple empty password.
  static constexpr unsigned char kBind[] = {0x30, 0x0C, 0x02, 0x01, 0x01, 0x60, 0x07,
                                            0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00};
  if (::send(fd.get(), kBind, sizeof kBind, MSG_NOSIGNAL) != sizeof kBind) return false;
  std::string answer;
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    pollfd waiting{fd.get(), POLLIN, 0};
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (::poll(&waiting, 1, static_cast<int>(std::max<milliseconds::rep>(left.count(), 1))) <= 0) {
      continue;
    }
    char buffer[256];
    ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    answer.append(buffer, static_cast<std::size_t>(n));
    switch (ParseBindResponse(answer)) {
      case BindAnswer::kSuccess: return true;
      case BindAnswer::kFailure: return false;
      case BindAnswer::kIncomplete: break;
    }
  }
  return false;
}

bool IsSocket(const fs::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

std::string ReadFrom(const fs::path& file, std::uintmax_t offset) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  in.seekg(static_cast<std::streamoff>(offset));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

Status WriteFile(const fs::path& file, const std::string& content, mode_t mode) {
  Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (fd.get() < 0) return ConfigError("cannot write " + file.string() + ": " + Errno());
  if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    return ConfigError("cannot write " + file.string() + ": " + Errno());
  }
  return Ok();
}

// Runs an OpenLDAP tool; a non-zero exit is a configuration error quoting its output.
Status RunTool(const std::vector<std::string>& argv, std::string_view what) {
  DANHBA_ASSIGN_OR_RETURN(ProcessOutput run, RunProcess(argv));
  if (run.exit_code != 0) {
    return ConfigError(std::string(what) + " failed (" + argv[0] + " exit " +
                       std::to_string(run.exit_code) + "): " + LastLines(run.output, 8));
  }
  return Ok();
}

std::string StatusText(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + ::strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

// Forks slapd from one thread that lives as long as the Instance: the kernel
// sends PR_SET_PDEATHSIG when the *thread* that forked exits, so forking from a
// caller's short-lived thread would kill slapd with it.
class Instance::Launcher {
 public:
  Launcher() : thread_([this] { Loop(); }) {}
  ~Launcher() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  // Runs `task` on the launcher thread and returns its result.
  Result<int> Run(std::function<Result<int>()> task) {
    std::packaged_task<Result<int>()> packaged(std::move(task));
    std::future<Result<int>> result = packaged.get_future();
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(packaged));
    }
    wake_.notify_all();
    return result.get();
  }

 private:
  void Loop() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return done_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      std::packaged_task<Result<int>()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::packaged_task<Result<int>()>> tasks_;
  bool done_ = false;
  std::thread thread_;
};

Instance::Instance(InstanceOptions options, PrivateKey /*key*/)
    : options_(std::move(options)), launcher_(std::make_unique<Launcher>()) {}

Instance::~Instance() {
  Status stopped = Stop();
  if (!stopped.ok()) log::Get("slapd")->error("{}", stopped.error().detail);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::unique_ptr<Instance>> Instance::Create(InstanceOptions options) {
  if (options.directory.empty()) return InvalidInput("slapd instance directory is not set");
  DANHBA_RETURN_IF_ERROR(ValidateBaseDn(options.base_dn));
  DANHBA_RETURN_IF_ERROR(CheckExecutable(options.slapd_path));
  DANHBA_RETURN_IF_ERROR(CheckExecutable(options.slapadd_path));
  DANHBA_RETURN_IF_ERROR(CheckExecutable(options.slaptest_path));
  std::error_code ec;
  options.directory = fs::absolute(options.directory, ec).lexically_normal();
  if (options.directory.filename().empty()) options.directory = options.directory.parent_path();
  if (options.secrets_dir.empty()) options.secrets_dir = options.directory / "secrets";
  options.secrets_dir = fs::absolute(options.secrets_dir, ec).lexically_normal();
  if (std::string socket = (options.directory / "ldapi").string();
      socket.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return ConfigError("the ldapi socket path " + socket + " is longer than " +
                       std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                       " bytes; choose a shorter slapd directory");
  }
  DANHBA_RETURN_IF_ERROR(LoopbackAddress(options.host, options.port));

  auto instance = std::make_unique<Instance>(std::move(options), PrivateKey());
  instance->port_ = instance->options_.port;
  if (instance->port_ == 0) {
    Result<std::uint16_t> port = FreePort(instance->options_.host);
    if (!port.ok()) return port.take_error();
    instance->port_ = *port;
  }
  // One Instance per directory: two slapds on one database would corrupt it.
  const fs::path& dir = instance->options_.directory;
  fs::create_directories(dir, ec);
  if (ec) return ConfigError("cannot create slapd directory " + dir.string() + ": " + ec.message());
  instance->lock_fd_ = ::open((dir / "instance.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (instance->lock_fd_ < 0) {
    return ConfigError("cannot open " + (dir / "instance.lock").string() + ": " + Errno());
  }
  if (::flock(instance->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Conflict("slapd directory " + dir.string() + " is in use by another danhba process");
  }
  instance->root_identity_ = PeercredIdentity(::geteuid(), ::getegid());
  for (ServiceAccount account : kServiceAccounts) {
    instance->accounts_[account] = AccountSecret{
        AccountDn(account, instance->options_.base_dn),
        instance->options_.secrets_dir / (std::string(AccountName(account)) + ".password"), {}};
  }
  if (fs::exists(instance->options_.directory / "slapd.d", ec)) {
    DANHBA_RETURN_IF_ERROR(instance->CheckExisting());
  } else {
    auto started = Clock::now();
    DANHBA_RETURN_IF_ERROR(instance->CreateFiles());
    instance->created_ = true;
    log::Get("slapd")->info(
        "created a directory for {} in {} ({} ms)", instance->options_.base_dn,
        instance->options_.directory.string(),
        std::chrono::duration_cast<milliseconds>(Clock::now() - started).count());
  }
  return instance;
}

Status Instance::CheckExisting() {
  const fs::path& dir = options_.directory;
  std::error_code ec;
  if (!fs::exists(dir / "data" / "data.mdb", ec)) {
    return ConfigError("slapd directory " + dir.string() + " has a configuration (slapd.d) but " +
                       "no database (data/data.mdb); move it away to create a new one");
  }
  // slapd folds long lines of the LDIF it writes; unfold them before matching.
  std::string database = ReadFrom(dir / "slapd.d" / "cn=config" / "olcDatabase={1}mdb.ldif", 0);
  for (std::size_t fold = database.find("\n "); fold != std::string::npos;
       fold = database.find("\n ", fold)) {
    database.erase(fold, 2);
  }
  std::string suffix_line = LdifLine("olcSuffix", options_.base_dn);
  if (database.empty()) {
    return ConfigError("slapd directory " + dir.string() + " has no database configuration " +
                       "(slapd.d/cn=config/olcDatabase={1}mdb.ldif)");
  }
  if (database.find(suffix_line) == std::string::npos) {
    std::size_t at = database.find("olcSuffix: ");
    std::string found = at == std::string::npos
                            ? "another base DN"
                            : database.substr(at + 11, database.find('\n', at) - at - 11);
    return ConfigError("slapd directory " + dir.string() + " holds " + found + ", not " +
                       options_.base_dn + "; use another directory or base DN");
  }
  // The root identity is the one the instance was created for.
  if (std::size_t at = database.find("\nolcRootDN: "); at != std::string::npos) {
    at += 12;
    std::string root = database.substr(at, database.find('\n', at) - at);
    if (root != root_identity_) {
      log::Get("slapd")->warn("slapd directory {} gives root access to {}, not to this process ({})",
                              dir.string(), root, root_identity_);
      root_identity_ = root;
    }
  }
  for (auto& [account, secret] : accounts_) {
    Result<std::string> password = ReadSecret(secret.password_file);
    if (!password.ok()) {
      return ConfigError("the directory in " + dir.string() + " exists but the password of " +
                         secret.dn + " is missing (" + password.error().detail +
                         "); restore that file from a backup");
    }
    secret.password = *std::move(password);
  }
  return Ok();
}

Status Instance::CreateFiles() {
  const fs::path& dir = options_.directory;
  const fs::path data = dir / "data";
  const fs::path staging = dir / "slapd.d.new";
  std::error_code ec;
  if (fs::exists(data / "data.mdb", ec)) {
    return ConfigError("slapd directory " + dir.string() + " has a database (data/data.mdb) " +
                       "but no configuration (slapd.d); refusing to overwrite it");
  }
  fs::create_directories(dir, ec);
  if (ec) return ConfigError("cannot create slapd directory " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  fs::remove_all(staging, ec);
  fs::remove_all(data, ec);
  fs::create_directories(staging, ec);
  fs::create_directories(data, ec);
  if (ec) return ConfigError("cannot create " + data.string() + ": " + ec.message());

  BaseTreeOptions tree;
  tree.base_dn = options_.base_dn;
  tree.policy = options_.password_policy;
  tree.organization = options_.organization;
  for (auto& [account, secret] : accounts_) {
    Result<std::string> password = LoadOrCreateSecret(secret.password_file);
    if (!password.ok()) return password.take_error();
    secret.password = *std::move(password);
    DANHBA_ASSIGN_OR_RETURN(std::string hash, SshaHash(secret.password));
    tree.password_hashes[account] = std::move(hash);
  }

  const ConfigOptions config = GeneratedConfig(data);
  DANHBA_ASSIGN_OR_RETURN(std::string config_ldif, ConfigLdif(config));
  Result<std::string> tree_ldif = BaseTreeLdif(tree);
  if (!tree_ldif.ok()) return tree_ldif.take_error();

  const fs::path config_file = dir / "config.ldif";
  const fs::path tree_file = dir / "base-tree.ldif";
  auto failed = [&](Error error) -> Status {
    fs::remove_all(staging, ec);
    fs::remove_all(data, ec);
    fs::remove(tree_file, ec);
    return error;
  };
  if (Status s = WriteFile(config_file, config_ldif, 0644); !s.ok()) return failed(s.take_error());
  if (Status s = WriteFile(tree_file, *tree_ldif, 0600); !s.ok()) return failed(s.take_error());
  // What a later start compares the configuration's ACLs with (UpdateAccess).
  if (Status s = WriteFile(access_file(), AccessChangeLdif(config), 0644); !s.ok()) {
    return failed(s.take_error());
  }
  if (Status s = RunTool({options_.slapadd_path.string(), "-n0", "-F", staging.string(), "-l",
                          config_file.string()},
                         "loading the slapd configuration " + config_file.string());
      !s.ok()) {
    return failed(s.take_error());
  }
  const fs::path& tree_to_load = options_.initial_tree.empty() ? tree_file : options_.initial_tree;
  if (Status s = RunTool({options_.slapadd_path.string(), "-q", "-n1", "-F", staging.string(),
                          "-l", tree_to_load.string()},
                         "loading the tree " + tree_to_load.string());
      !s.ok()) {
    return failed(s.take_error());
  }
  if (Status s = RunTool({options_.slaptest_path.string(), "-Q", "-F", staging.string()},
                         "checking the slapd configuration with slaptest");
      !s.ok()) {
    return failed(s.take_error());
  }
  fs::remove(tree_file, ec);
  // The configuration appears under its final name last: an instance with
  // slapd.d/ is complete.
  fs::rename(staging, dir / "slapd.d", ec);
  if (ec) return failed(ConfigError("cannot rename " + staging.string() + ": " + ec.message()));
  return Ok();
}

fs::path Instance::config_dir() const { return options_.directory / "slapd.d"; }
fs::path Instance::data_dir() const { return options_.directory / "data"; }
fs::path Instance::log_path() const { return options_.directory / "slapd.log"; }
fs::path Instance::ldapi_socket() const { return options_.directory / "ldapi"; }
std::string Instance::url() const {
  return "ldap://" + options_.host + ":" + std::to_string(port_);
}
std::string Instance::ldapi_url() const { return "ldapi://" + PercentEncode(ldapi_socket().string()); }

const AccountSecret& Instance::account(ServiceAccount account) const {
  return accounts_.at(account);
}

ConfigOptions Instance::GeneratedConfig(const fs::path& data_directory) const {
  ConfigOptions config;
  config.base_dn = options_.base_dn;
  config.data_directory = data_directory.string();
  config.module_path = options_.module_path;
  config.system_schema_dir = options_.system_schema_dir;
  config.durable = options_.durable;
  config.log_level = options_.log_level;
  config.root_identity = root_identity_;
  config.anonymous_read = options_.anonymous_read;
  config.client_indexes = options_.client_indexes;
  return config;
}

Status Instance::Start() {
  if (running()) return Ok();
  Status started = StartWithPortRetries();
  if (!started.ok() || access_checked_) return started;
  access_checked_ = true;
  return UpdateAccess();
}

Status Instance::StartWithPortRetries() {
  bool port_taken = false;
  Status started = StartOnce(&port_taken);
  // A port chosen by us can be taken by someone else between choosing and
  // binding; choose again then, but never move a port the caller asked for.
  for (int attempt = 0; !started.ok() && port_taken && options_.port == 0 && attempt < 3;
       ++attempt) {
    DANHBA_ASSIGN_OR_RETURN(std::uint16_t port, FreePort(options_.host));
    port_ = port;
    started = StartOnce(&port_taken);
  }
  return started;
}

Status Instance::StartOnce(bool* port_taken) {
  *port_taken = false;
  auto begin = Clock::now();
  const std::string where = options_.host + ":" + std::to_string(port_);
  DANHBA_ASSIGN_OR_RETURN(bool in_use, PortInUse(options_.host, port_));
  if (in_use) {
    *port_taken = true;
    return Conflict(where + " is already in use");
  }
  DANHBA_RETURN_IF_ERROR(CheckExecutable(options_.slapd_path));

  Fd log_fd(::open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (log_fd.get() < 0) return ConfigError("cannot open " + log_path().string() + ": " + Errno());
  std::error_code ec;
  std::uintmax_t log_offset = fs::file_size(log_path(), ec);
  if (ec) log_offset = 0;
  Fd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  // A socket left by a killed slapd would pass the readiness check below; no
  // other slapd uses it, since this Instance holds the directory's lock.
  fs::remove(ldapi_socket(), ec);

  // Everything the child needs is prepared before fork: after fork only
  // async-signal-safe calls are allowed.
  // "-d" keeps slapd in the foreground; level "none" still prints the messages
  // logged at any level, such as "bind(6) failed errno=98 (Address already in use)".
  std::vector<std::string> args = {options_.slapd_path.string(),
                                   "-d",
                                   options_.log_level,
                                   "-F",
                                   (options_.directory / "slapd.d").string(),
                                   "-h",
                                   url() + " " + ldapi_url()};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int log_raw = log_fd.get();
  const int null_raw = null_fd.get();

  Result<int> forked = launcher_->Run([&]() -> Result<int> {
    pid_t parent = ::getpid();
    pid_t child = ::fork();
    if (child < 0) return Internal("cannot fork slapd: " + Errno());
    if (child == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
      sigset_t none;
      ::sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
      ::dup2(null_raw, 0);
      ::dup2(log_raw, 1);
      ::dup2(log_raw, 2);
      ::close_range(3, ~0U, 0);
      ::execve(argv[0], argv.data(), environ);
      static constexpr char kFailed[] = "danhba: cannot execute slapd\n";
      [[maybe_unused]] ssize_t ignored = ::write(2, kFailed, sizeof kFailed - 1);
      ::_exit(127);
    }
    return child;
  });
  if (!forked.ok()) return forked.take_error();
  pid_ = *forked;
  log_offset_ = log_offset;
  log_fd.reset();

  Result<sockaddr_in> address = LoopbackAddress(options_.host, port_);
  if (!address.ok()) return address.take_error();
  const auto deadline = begin + options_.start_timeout;
  while (true) {
    int status = 0;
    pid_t waited = ::waitpid(pid_, &status, WNOHANG);
    if (waited == pid_) {
      pid_ = 0;
      std::string output = ReadFrom(log_path(), log_offset);
      if (output.find("Address already in use") != std::string::npos) {
        *port_taken = true;
        return Conflict(where + " is already in use");
      }
      return ConfigError("slapd exited during start-up (" + StatusText(status) + "); " +
                         log_path().string() + " ends with:\n" + LastLines(output, 10));
    }
    if (IsSocket(ldapi_socket()) && AnswersAnonymousBind(*address, milliseconds(1000))) break;
    if (Clock::now() >= deadline) {
      std::string output = ReadFrom(log_path(), log_offset);
      Status killed = Kill();
      (void)killed;
      return Transient("slapd did not answer on " + url() + " within " +
                       std::to_string(options_.start_timeout.count()) + " ms; " +
                       log_path().string() + " ends with:\n" + LastLines(output, 10));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  last_start_duration_ = std::chrono::duration_cast<milliseconds>(Clock::now() - begin);
  log::Get("slapd")->info("slapd (pid {}) answers on {} and {} after {} ms", pid_, url(),
                          ldapi_url(), last_start_duration_.count());
  return Ok();
}

Status Instance::CheckAlive() {
  if (!running()) return Transient("slapd is not running");
  int status = 0;
  pid_t waited = ::waitpid(pid_, &status, WNOHANG);
  if (waited == 0) return Ok();
  int pid = pid_;
  pid_ = 0;
  std::string output = ReadFrom(log_path(), log_offset_);
  std::string how = waited == pid ? StatusText(status) : "already reaped";
  return Transient("slapd (pid " + std::to_string(pid) + ") exited (" + how + "); " +
                   log_path().string() + " ends with:\n" + LastLines(output, 10));
}

Status Instance::Stop() {
  if (!running()) return Ok();
  if (::kill(pid_, SIGTERM) != 0 && errno != ESRCH) {
    return Internal("cannot signal slapd (pid " + std::to_string(pid_) + "): " + Errno());
  }
  const auto deadline = Clock::now() + options_.stop_timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    pid_t waited = ::waitpid(pid_, &status, WNOHANG);
    if (waited == pid_ || (waited < 0 && errno == ECHILD)) {
      pid_ = 0;
      return Ok();
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  log::Get("slapd")->warn("slapd (pid {}) did not stop within {} ms; killing it", pid_,
                          options_.stop_timeout.count());
  return Kill();
}

Status Instance::Kill() {
  if (!running()) return Ok();
  if (::kill(pid_, SIGKILL) != 0 && errno != ESRCH) {
    return Internal("cannot kill slapd (pid " + std::to_string(pid_) + "): " + Errno());
  }
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = 0;
  return Ok();
}

}  // namespace danhba::slapd
