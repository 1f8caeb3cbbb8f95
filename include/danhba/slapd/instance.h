// A private slapd in a directory of its own: created once (config, base tree,
// service account secrets), then started, supervised and stopped by this process.
// Used by `danhba run` in managed mode and by the integration-test harness.
//
// Layout of InstanceOptions::directory:
//   slapd.d/      cn=config, written by `slapadd -n0` and checked by `slaptest`
//   data/         the mdb database
//   ldapi         the ldapi:// socket (root access: SASL EXTERNAL as local root)
//   slapd.log     slapd's stderr, appended on each start
//   config.ldif   the generated configuration, as loaded (no secrets in it)
//   secrets/      <account>.password, mode 0600 (unless secrets_dir is set)
//
// slapd runs as the calling user (root is not needed: the port is above 1024
// and the identity of the process owner gets root access over ldapi://).
//
// The slapd child gets SIGTERM when this process dies (PR_SET_PDEATHSIG, set from
// a thread the Instance owns for its whole life), so no slapd outlives danhba.
//
// Thread safety: an Instance is used from one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "danhba/base/result.h"
#include "danhba/slapd/config.h"

namespace danhba::slapd {

struct InstanceOptions {
  std::filesystem::path directory;  // required; created if missing
  std::string base_dn = "dc=dongnai,dc=gov,dc=vn";
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;              // 0: a free port, chosen once at Create and kept
  std::filesystem::path secrets_dir;   // empty: <directory>/secrets
  bool durable = true;                 // false: olcDbNoSync (benchmarks only)
  std::filesystem::path slapd_path = "/usr/sbin/slapd";
  std::filesystem::path slapadd_path = "/usr/sbin/slapadd";
  std::filesystem::path slaptest_path = "/usr/sbin/slaptest";
  // Brings a reused directory's ACLs up to date (ldap-utils).
  std::filesystem::path ldapmodify_path = "/usr/bin/ldapmodify";
  std::string module_path = "/usr/lib/ldap";
  std::string system_schema_dir = "/etc/ldap/schema";
  // slapd's debug level on each start ("none", "stats", ...; its stderr goes to
  // slapd.log), and olcLogLevel (syslog) written at creation.
  std::string log_level = "none";
  std::chrono::milliseconds start_timeout{30000};
  std::chrono::milliseconds stop_timeout{10000};
  // Written into cn=config and the base tree when the instance is created
  // (ConfigOptions::anonymous_read, BaseTreeOptions::policy and organization).
  bool anonymous_read = false;
  bool client_indexes = true;  // ConfigOptions::client_indexes (benchmarks only)
  PasswordPolicy password_policy{};
  std::string organization{};
  // When creating: the LDIF of the whole tree to load (a backup's slapcat
  // output, operational attributes included) instead of the generated base
  // tree. Its service accounts must match the secrets in secrets_dir.
  std::filesystem::path initial_tree;
};

struct AccountSecret {
  std::string dn;                       // cn=<name>,ou=system,<base>
  std::filesystem::path password_file;  // <secrets_dir>/<name>.password
  std::string password;
};

class Instance {
 public:
  // Creates the instance in options.directory the first time (the secrets that
  // already exist in secrets_dir are kept), or reuses what is there after
  // checking it (same base DN, database and secrets present). Does not start slapd.
  // Errors: a missing binary ("slapd not found at /usr/sbin/slapd: install the
  // Debian packages 'slapd' and 'ldap-utils'"), slapadd/slaptest's own message
  // when the configuration is rejected, an unusable directory, a directory that
  // another Instance (in any process) holds (kConflict).
  static Result<std::unique_ptr<Instance>> Create(InstanceOptions options);

  class PrivateKey {
    friend class Instance;
    PrivateKey() = default;
  };
  // Use Create.
  Instance(InstanceOptions options, PrivateKey key);
  ~Instance();  // stops slapd
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // Starts slapd in the foreground as a child and waits until it answers an
  // anonymous bind on the TCP port and the ldapi socket exists (deadline:
  // start_timeout). Errors: "127.0.0.1:3890 is already in use" (kConflict), or
  // slapd's exit with the last lines of its log. Starting a running instance is a no-op.
  Status Start();
  // SIGTERM, then SIGKILL after stop_timeout; the child is reaped. No-op when stopped.
  Status Stop();
  // SIGKILL at once (a crash, for recovery tests); the child is reaped.
  Status Kill();

  // Supervision: whether slapd still runs. When it has exited on its own, reaps
  // it and returns an error (kTransient) with its exit status and the last lines
  // of its log; running() is then false and Start may start it again.
  Status CheckAlive();

  bool running() const { return pid_ > 0; }
  bool created() const { return created_; }  // Create made it (false: reused)
  int pid() const { return pid_; }            // 0 when not running
  std::uint16_t port() const { return port_; }
  const std::string& host() const { return options_.host; }
  const std::string& base_dn() const { return options_.base_dn; }
  const std::filesystem::path& directory() const { return options_.directory; }
  std::filesystem::path config_dir() const;  // <directory>/slapd.d (for slapcat -F)
  std::filesystem::path data_dir() const;    // <directory>/data, the mdb files
  std::filesystem::path log_path() const;
  std::filesystem::path ldapi_socket() const;
  std::string url() const;        // ldap://127.0.0.1:<port>
  std::string ldapi_url() const;  // ldapi://<percent-encoded socket path>
  // The identity with manage access over ldapi:// with SASL EXTERNAL: that of
  // the user who created the instance (kRootIdentity when it was root).
  const std::string& root_identity() const { return root_identity_; }
  const AccountSecret& account(ServiceAccount account) const;
  // How long the last Start took until slapd answered.
  std::chrono::milliseconds last_start_duration() const { return last_start_duration_; }

 private:
  class Launcher;
  Status CreateFiles();
  Status CheckExisting();
  Status StartWithPortRetries();
  Status StartOnce(bool* port_taken);
  // The cn=config options this instance is (or would be) created with.
  ConfigOptions GeneratedConfig(const std::filesystem::path& data_directory) const;
  // instance_access.cc: brings a reused directory's ACLs and limits to what
  // the options generate, once per Instance, after its first start.
  Status UpdateAccess();
  std::filesystem::path access_file() const;

  InstanceOptions options_;
  std::uint16_t port_ = 0;
  bool created_ = false;
  bool access_checked_ = false;
  int pid_ = 0;
  std::chrono::milliseconds last_start_duration_{0};
  std::map<ServiceAccount, AccountSecret> accounts_;
  std::unique_ptr<Launcher> launcher_;
  int lock_fd_ = -1;
  std::string root_identity_;
  std::uintmax_t log_offset_ = 0;  // size of slapd.log when the running slapd started  // flock on <directory>/instance.lock, held for the Instance's life
};

}  // namespace danhba::slapd
