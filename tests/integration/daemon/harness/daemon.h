// The real `danhba` binary as a black box: a configuration in a directory of
// its own on free loopback ports, senders registered with `danhba sender add`,
// `danhba run` started, crashed (SIGKILL) and restarted on the same data_dir.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "danhba/base/result.h"
#include "danhba/slapd/instance.h"
#include "process.h"

namespace danhba::e2e {

struct DaemonOptions {
  std::filesystem::path binary;  // the danhba executable
  std::filesystem::path dir;     // holds danhba.yaml, var/ (data_dir) and daemon.log
  std::string base_dn = "dc=dongnai,dc=gov,dc=vn";
  std::string domain = "dongnai.gov.vn";
  // Managed mode: a private slapd under <dir>/var on a free port.
  bool managed = true;
  // Unmanaged mode: where slapd is, who danhba binds as, and the password file.
  std::string ldap_url;
  std::string bind_dn;
  std::filesystem::path password_file;
  std::string log_level = "info";
  // Appended to danhba.yaml as is (keys this harness does not know).
  std::string extra_yaml;
  // Added to the public_api section (indented keys, e.g. "  rate_limit: 5\n").
  std::string public_api_yaml;
};

class Daemon {
 public:
  // Writes <dir>/danhba.yaml with free ports. Does not start anything.
  static Result<std::unique_ptr<Daemon>> Create(DaemonOptions options);

  // `danhba sender add NAME [--agencies CODES] --config ...`: returns the bearer
  // token it prints. `agencies` ("stttt,skhcn") limits the sender; empty: none.
  Result<std::string> AddSender(const std::string& name, const std::string& agencies = {});

  // `danhba run --config ...` in the background (output appended to daemon.log).
  Status Start();
  // Polls until /healthz answers 200 on the public API and the ingest listener
  // answers HTTP (any status), or the process exits, or `timeout` passes.
  Status WaitServing(std::chrono::milliseconds timeout);
  // As WaitServing, and /readyz answers 200 (the directory is reachable).
  Status WaitReady(std::chrono::milliseconds timeout);
  // SIGKILL (a crash; the managed slapd dies with it).
  Status Kill();
  // SIGTERM and wait; returns the exit code.
  Result<int> Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  bool Running() { return process_.Running(); }
  pid_t pid() const { return process_.pid(); }

  const DaemonOptions& options() const { return options_; }
  const std::filesystem::path& config_file() const { return config_file_; }
  std::filesystem::path data_dir() const { return options_.dir / "var"; }
  std::filesystem::path journal_dir() const { return data_dir() / "journal"; }
  std::filesystem::path log_file() const { return options_.dir / "daemon.log"; }
  std::string ldap_url() const { return ldap_url_; }
  std::uint16_t public_port() const { return public_port_; }
  std::uint16_t ingest_port() const { return ingest_port_; }
  // Managed mode: the operator's DN and password (from <data_dir>/secrets after
  // the first start).
  std::string operator_dn() const;
  Result<std::string> OperatorPassword() const;
  // The last `lines` lines of daemon.log, for failure messages.
  std::string LogTail(std::size_t lines = 30) const;

  explicit Daemon(DaemonOptions options) : options_(std::move(options)) {}

 private:
  Status WaitFor(std::chrono::milliseconds timeout, bool ready);

  DaemonOptions options_;
  std::filesystem::path config_file_;
  std::string ldap_url_;
  std::uint16_t public_port_ = 0;
  std::uint16_t ingest_port_ = 0;
  ChildProcess process_;
};

// A daemon on a slapd of its own, unmanaged, so that a test can stop the
// directory under it: <dir>/slapd created and started, <dir>/daemon created
// (not started) and bound as the sync account. Members go in reverse order:
// the daemon before its slapd.
struct DaemonOnOwnSlapd {
  std::unique_ptr<slapd::Instance> slapd;
  std::unique_ptr<Daemon> daemon;
};
Result<DaemonOnOwnSlapd> CreateDaemonOnOwnSlapd(const std::filesystem::path& binary,
                                                const std::filesystem::path& dir);

}  // namespace danhba::e2e
