// The daemon's configuration: every key of danhba.yaml with its default, read
// from a file or a string. Every error names the file, the line and the key path
// in one line ("danhba.yaml:7: ldap.url: expected a string, got a sequence").
//
// Relative paths (data_dir, ldap.password_file) are relative to the directory of
// the configuration file, or to the current directory when there is no file, so a
// configuration means the same thing whatever directory danhba is started from.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "danhba/base/result.h"

namespace danhba::config {

// A password or token. Printing it (ostream, fmt, spdlog) shows "***"; only
// Reveal() gives the value, so it cannot reach a log by accident.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

std::ostream& operator<<(std::ostream& out, const Secret& secret);

// Reads a secret from a file: the whole content without the trailing newline.
// The file must not be readable by group or others; an empty file is an error.
Result<Secret> ReadSecretFile(const std::filesystem::path& path);

// "host:port", IPv6 hosts in brackets ("[::1]:8080").
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;

  std::string ToString() const;
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// Parses "host:port" with a port 1-65535.
Result<ListenAddress> ParseListenAddress(std::string_view text);

// The parts of an LDAP URL danhba cares about.
struct LdapUrl {
  std::string scheme;  // "ldap", "ldaps" or "ldapi"
  std::string host;    // for ldapi: the socket path, percent-decoded
  std::uint16_t port = 0;  // 0 for ldapi

  friend bool operator==(const LdapUrl&, const LdapUrl&) = default;
};

// Parses "ldap://host[:port][/]", "ldaps://..." (default ports 389 and 636) or
// "ldapi://%2Fpath%2Fto%2Fsocket".
Result<LdapUrl> ParseLdapUrl(std::string_view text);

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
};

struct LdapConfig {
  // Start and supervise a private slapd under <data_dir>/slapd.
  bool managed = true;
  std::string url = "ldap://127.0.0.1:3890";
  std::string base_dn = "dc=dongnai,dc=gov,dc=vn";
  // Unmanaged mode only: the identity danhba binds as, and the file holding its
  // password (required together when managed is false). Absolute after loading.
  std::string bind_dn;
  std::filesystem::path password_file;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds operation_timeout{30000};
  // Managed mode: how long to wait for the private slapd to answer after start.
  std::chrono::milliseconds start_timeout{30000};
  // ldap.anonymous_read: anonymous binds read the public attributes of people
  // and agencies. Unset: on for a managed (demo) slapd, off otherwise. Written
  // into a managed slapd's ACLs when it is created.
  std::optional<bool> anonymous_read{};
  // ldap.organization: o of the base entry and of every listable entry (mail
  // clients show it as Company).
  std::string organization = "Ủy ban nhân dân tỉnh Đồng Nai";

  bool AnonymousRead() const { return anonymous_read.value_or(managed); }
};

// password_policy: the default ppolicy of people (R13), written into a managed
// slapd's base tree when it is created (deploy/: danhba-slapd-config).
struct PasswordPolicyConfig {
  int min_length = 8;
  std::chrono::milliseconds max_age{std::chrono::hours(24 * 90)};  // regular change (Điều 9)
  std::chrono::milliseconds expire_warning{std::chrono::hours(24 * 14)};
  int grace_logins = 3;   // binds allowed after expiry, to change it
  int history = 5;        // last N passwords refused
  int max_failures = 5;   // bad binds before lockout
  std::chrono::milliseconds lockout_duration{std::chrono::minutes(15)};
};

// One HTTP listener (the public API or the ingest API).
struct HttpConfig {
  ListenAddress listen;
  int threads = 2;
  std::size_t max_connections = 1024;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  // Whole request (headers and body) must arrive within this time.
  std::chrono::milliseconds request_timeout{30000};
  // A keep-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{60000};
  // busy_poll_us: how long a thread keeps polling for the next request before
  // it sleeps (http::ServerOptions::busy_poll); 0: not at all.
  std::chrono::microseconds busy_poll{0};
};

// The ingest API's senders and limits, set in the ingest section beside its listener.
struct IngestAuthConfig {
  // ingest.senders_file: the registered senders with their token hashes
  // (danhba sender add). Empty: <data_dir>/senders.json. Absolute after loading.
  std::filesystem::path senders_file;
  // ingest.rate_limit: requests per second per sender (token bucket); 0: no limit.
  int rate_limit = 50;
  // ingest.rate_burst: how many requests a sender may send at once.
  int rate_burst = 100;
  // ingest.signature_window: how far a signed request's timestamp may be from
  // the server's clock, either way.
  std::chrono::milliseconds signature_window{300000};
};

// The public lookup's own keys, set in the public_api section beside its listener.
struct PublicLookupConfig {
  // public_api.cors_origins: origins whose pages may read the API (agency
  // portals embedding the listing): "https://stttt.dongnai.gov.vn",
  // "https://*.dongnai.gov.vn" (any subdomain) or "*". Empty: none.
  std::vector<std::string> cors_origins;
  // public_api.rate_limit: requests per second per client address (token
  // bucket); 0: no limit. public_api.rate_burst: the bucket's size.
  int rate_limit = 50;
  int rate_burst = 100;
  // public_api.max_per_page: the hard cap on a listing page.
  int max_per_page = 500;
  // public_api.publish: the optional attributes shown ("title", "phone"); the
  // name, address and agency always are, private attributes never.
  std::vector<std::string> publish = {"title", "phone"};
};

// The optional public attributes an operator can publish.
inline constexpr std::string_view kPublishableAttributes[] = {"title", "phone"};

struct NamingConfig {
  // The operator's policy for taken addresses (R2); one of kCollisionPolicies.
  std::string collision = "numeric";
  // The first number of a numeric suffix: 1 gives annv, annv1, annv2, ...
  int start_number = 1;
  // Longest local part allocated (RFC 5321 allows 64).
  int max_length = 64;
  // Local parts never given to a person, besides the built-in role and system
  // mailboxes (postmaster, abuse, webmaster, root, admin, noreply, info, ... RFC 2142).
  std::vector<std::string> reserved;
};

// The spool directory: files dropped in <dir>/incoming are taken in by the
// daemon (docs/import.md).
struct SpoolConfig {
  std::filesystem::path dir;  // empty: <data_dir>/spool
  // How often the daemon looks for new files.
  std::chrono::milliseconds scan_interval{2000};
};

// The event journal under <data_dir>/journal (docs/journal-format.md).
struct JournalConfig {
  // Compaction drops the payload of applied and rejected events whose last
  // change is older than this, keeping their ids (idempotency) and final status.
  std::chrono::milliseconds compact_after{std::chrono::hours(24 * 30)};
  // How often `danhba run` compacts (and once shortly after it starts).
  std::chrono::milliseconds compact_interval{std::chrono::hours(1)};
};

// agency_mailbox: how an agency mailbox's management follows its head (R20).
struct AgencyMailboxConfig {
  // agency.head without delegates keeps the old head's delegates (true) or
  // clears them so that the new head delegates anew (false).
  bool keep_delegates = false;
};

// Scheduled backups taken by `danhba run` (`danhba backup` takes one on demand).
struct BackupConfig {
  bool enabled = true;
  std::filesystem::path dir;  // empty: <data_dir>/backups
  // The time between two backups; the first is taken this long after the last
  // archive in dir (at most 10 minutes after start when there is none, or it is older).
  std::chrono::milliseconds interval{std::chrono::hours(24)};
  // How many archives to keep in dir; older ones are removed after a success.
  int keep = 7;
};

// Webhook deliveries of the change feed (`danhba subscribe`, docs/webhooks.md).
struct WebhooksConfig {
  int max_attempts = 8;  // tries of one change before the subscriber is dead
  std::chrono::milliseconds first_backoff{1000};  // doubled after each failed try
  std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
  std::chrono::milliseconds timeout{10000};  // per POST
};

// E-mail digests to agency mailboxes (docs/digests.md): the people hired,
// moved or gone since the last digest, with their addresses.
struct DigestsConfig {
  bool enabled = false;
  ListenAddress smtp_relay{"127.0.0.1", 25};  // digests.smtp_relay: host:port, no TLS, no auth
  std::string from;                            // empty: danhba@<domain>
  std::chrono::milliseconds interval{std::chrono::hours(24)};
};

// The collision policies an operator can choose.
inline constexpr std::string_view kCollisionPolicies[] = {"numeric", "birth_year", "agency"};

struct Config {
  std::string domain = "dongnai.gov.vn";
  // Absolute after loading (see the header comment).
  std::filesystem::path data_dir = "var";
  LdapConfig ldap;
  // The public API polls briefly between requests: portals' lookups come one
  // after another on a kept-alive connection.
  HttpConfig public_api{.listen = {"127.0.0.1", 8080}, .busy_poll = std::chrono::microseconds(50)};
  HttpConfig ingest{.listen = {"127.0.0.1", 8081}};
  IngestAuthConfig ingest_auth;
  PublicLookupConfig public_lookup;
  NamingConfig naming;
  SpoolConfig spool;
  JournalConfig journal;
  PasswordPolicyConfig password_policy;
  AgencyMailboxConfig agency_mailbox;
  BackupConfig backup;
  WebhooksConfig webhooks;
  DigestsConfig digests;
  LogConfig log;
  // The file this configuration came from; empty for defaults or a string.
  std::filesystem::path source;

  // <data_dir>/secrets, <data_dir>/slapd.
  std::filesystem::path SecretsDir() const { return data_dir / "secrets"; }
  std::filesystem::path SlapdDir() const { return data_dir / "slapd"; }
  // spool.dir, or <data_dir>/spool.
  std::filesystem::path SpoolDir() const { return spool.dir.empty() ? data_dir / "spool" : spool.dir; }
  // backup.dir, or <data_dir>/backups.
  std::filesystem::path BackupDir() const { return backup.dir.empty() ? data_dir / "backups" : backup.dir; }
  // ingest_auth.senders_file, or <data_dir>/senders.json.
  std::filesystem::path SendersFile() const {
    return ingest_auth.senders_file.empty() ? data_dir / "senders.json" : ingest_auth.senders_file;
  }
};

// The defaults, with relative paths resolved against `base_dir`.
Config Defaults(const std::filesystem::path& base_dir = std::filesystem::current_path());

// Reads and validates `path`. Errors are ConfigError (file unreadable or invalid),
// with the detail "<path>:<line>: <key path>: <what is wrong>".
Result<Config> LoadFile(const std::filesystem::path& path);

// Validates `yaml`. `source_name` prefixes error messages; relative paths are
// resolved against `base_dir`.
Result<Config> ParseString(std::string_view yaml, std::string_view source_name = "<config>",
                           const std::filesystem::path& base_dir = std::filesystem::current_path());

}  // namespace danhba::config

template <>
struct fmt::formatter<danhba::config::Secret> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const danhba::config::Secret&, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
