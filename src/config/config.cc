#include "danhba/config/config.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "config/values.h"

namespace danhba::config {
namespace {

namespace fs = std::filesystem;
using internal::IsDomainName;
using internal::LooksLikeDn;
using internal::ParseDuration;
using internal::ParseInt;
using internal::ParseSize;
using internal::ParseUnsigned;

constexpr std::array kLogLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};

// Every key danhba.yaml may hold, as a full path; used for "did you mean".
constexpr std::array kKnownKeys = {"domain",
                                   "data_dir",
                                   "log",
                                   "log.level",
                                   "ldap",
                                   "ldap.managed",
                                   "ldap.url",
                                   "ldap.base_dn",
                                   "ldap.bind_dn",
                                   "ldap.password_file",
                                   "ldap.connect_timeout",
                                   "ldap.operation_timeout",
                                   "ldap.start_timeout",
                                   "public_api",
                                   "public_api.listen",
                                   "public_api.threads",
                                   "public_api.max_connections",
                                   "public_api.max_body_bytes",
                                   "public_api.max_header_bytes",
                                   "public_api.request_timeout",
                                   "public_api.idle_timeout",
                                   "public_api.busy_poll_us",
                                   "public_api.cors_origins",
                                   "public_api.rate_limit",
                                   "public_api.rate_burst",
                                   "public_api.max_per_page",
                                   "public_api.publish",
                                   "ingest",
                                   "ingest.listen",
                                   "ingest.threads",
                                   "ingest.max_connections",
                                   "ingest.max_body_bytes",
                                   "ingest.max_header_bytes",
                                   "ingest.request_timeout",
                                   "ingest.idle_timeout",
                                   "ingest.busy_poll_us",
                                   "ingest.senders_file",
                                   "ingest.rate_limit",
                                   "ingest.rate_burst",
                                   "ingest.signature_window",
                                   "naming",
                                   "naming.collision",
                                   "naming.start_number",
                                   "naming.max_length",
                                   "naming.reserved",
                                   "spool",
                                   "spool.dir",
                                   "spool.scan_interval",
                                   "journal",
                                   "journal.compact_after",
                                   "journal.compact_interval",
                                   "ldap.anonymous_read",
                                   "ldap.organization",
                                   "password_policy",
                                   "password_policy.min_length",
                                   "password_policy.max_age",
                                   "password_policy.expire_warning",
                                   "password_policy.grace_logins",
                                   "password_policy.history",
                                   "password_policy.max_failures",
                                   "password_policy.lockout_duration",
                                   "agency_mailbox",
                                   "agency_mailbox.keep_delegates",
                                   "backup",
                                   "backup.enabled",
                                   "backup.dir",
                                   "backup.interval",
                                   "backup.keep",
                                   "webhooks",
                                   "webhooks.max_attempts",
                                   "webhooks.first_backoff",
                                   "webhooks.max_backoff",
                                   "webhooks.timeout",
                                   "digests",
                                   "digests.enabled",
                                   "digests.smtp_relay",
                                   "digests.from",
                                   "digests.interval"};

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Suggestion(std::string_view path) {
  std::string_view best;
  std::size_t best_distance = 3;  // farther than two edits is no longer a typo
  for (std::string_view known : kKnownKeys) {
    std::size_t distance = EditDistance(path, known);
    if (distance < best_distance) {
      best = known;
      best_distance = distance;
    }
  }
  if (best.empty()) return "";
  return " (did you mean " + std::string(best) + "?)";
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

fs::path Resolve(const fs::path& base_dir, const fs::path& path) {
  if (path.empty() || path.is_absolute()) return path.lexically_normal();
  return (base_dir / path).lexically_normal();
}

// Walks the YAML tree once, in file order, and stops at the first error.
class Parser {
 public:
  Parser(std::string source, fs::path base_dir, fs::path source_path = {})
      : source_(std::move(source)),
        base_dir_(std::move(base_dir)),
        source_path_(std::move(source_path)) {}

  Result<Config> Parse(std::string_view text) {
    Config config = Defaults(base_dir_);
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      return Fail(e.mark.line + 1, "", "invalid YAML: " + e.msg);
    } catch (const YAML::Exception& e) {
      return Fail(1, "", std::string("invalid YAML: ") + e.what());
    }
    if (root.IsNull() || !root.IsDefined()) return Finish(std::move(config));
    if (!root.IsMap())
      return Fail(LineOf(root), "", "expected a mapping of keys, got " + Describe(root));
    bool ok = ForEachKey(
        root, "", [&](const std::string& key, const std::string& path, const YAML::Node& value) {
          if (key == "domain")
            return String(value, path, config.domain) &&
                   Check(IsDomainName(config.domain), value, path,
                         "'" + config.domain +
                             "' is not a domain name (lower-case labels joined by dots, e.g. "
                             "dongnai.gov.vn)");
          if (key == "data_dir") return Path(value, path, config.data_dir);
          if (key == "log") return Log(value, path, config.log);
          if (key == "ldap") return Ldap(value, path, config.ldap);
          if (key == "public_api")
            return Http(value, path, config.public_api, nullptr, &config.public_lookup);
          if (key == "ingest") return Http(value, path, config.ingest, &config.ingest_auth);
          if (key == "naming") return Naming(value, path, config.naming);
          if (key == "spool") return Spool(value, path, config.spool);
          if (key == "journal") return Journal(value, path, config.journal);
          if (key == "password_policy") return Policy(value, path, config.password_policy);
          if (key == "agency_mailbox") {
            return Section(value, path,
                           [&](const std::string& k, const std::string& sub, const YAML::Node& v) {
                             if (k == "keep_delegates")
                               return Bool(v, sub, config.agency_mailbox.keep_delegates);
                             return Unknown(v, sub);
                           });
          }
          if (key == "backup") return Backup(value, path, config.backup);
          if (key == "webhooks") return Webhooks(value, path, config.webhooks);
          if (key == "digests") return Digests(value, path, config.digests);
          return Unknown(value, path);
        });
    if (!ok) return *error_;
    return Finish(std::move(config));
  }

 private:
  using KeyHandler =
      std::function<bool(const std::string& key, const std::string& path, const YAML::Node& value)>;

  Result<Config> Finish(Config config) {
    if (!config.ldap.managed) {
      int line = Line("ldap.managed");
      if (config.ldap.bind_dn.empty()) {
        Fail(line, "ldap.bind_dn", "required when ldap.managed is false");
        return *error_;
      }
      if (config.ldap.password_file.empty()) {
        Fail(line, "ldap.password_file", "required when ldap.managed is false");
        return *error_;
      }
    } else {
      auto url = ParseLdapUrl(config.ldap.url);  // already valid
      if (url.ok() && url->scheme != "ldap") {
        Fail(Line("ldap.url"), "ldap.url",
             "a managed slapd listens on an ldap://host:port URL, got '" + config.ldap.url + "'");
        return *error_;
      }
    }
    if (config.public_api.listen == config.ingest.listen) {
      Fail(Line("ingest.listen"), "ingest.listen",
           config.ingest.listen.ToString() +
               " is also public_api.listen; the two APIs need different ports");
      return *error_;
    }
    config.source = source_path_;
    return config;
  }

  // A null value ("domain:" with nothing after it) is marked where the next token
  // starts, so it takes the line of its key instead.
  int LineOf(const YAML::Node& node) const {
    if (node.IsNull()) return last_line_;
    int line = node.Mark().line;
    return line < 0 ? last_line_ : line + 1;
  }

  int Line(const std::string& path) const {
    for (std::string key = path; !key.empty();) {
      if (auto it = lines_.find(key); it != lines_.end()) return it->second;
      auto dot = key.rfind('.');
      key = dot == std::string::npos ? "" : key.substr(0, dot);
    }
    return 1;
  }

  Error Fail(int line, std::string_view path, std::string what) {
    std::string detail = source_ + ":" + std::to_string(line) + ": ";
    if (!path.empty()) detail += std::string(path) + ": ";
    detail += what;
    error_ = ConfigError(std::move(detail));
    return *error_;
  }

  bool FailAt(const YAML::Node& node, std::string_view path, std::string what) {
    Fail(LineOf(node), path, std::move(what));
    return false;
  }

  bool Check(bool condition, const YAML::Node& node, std::string_view path, std::string what) {
    return condition || FailAt(node, path, std::move(what));
  }

  bool ForEachKey(const YAML::Node& map, const std::string& prefix, const KeyHandler& handler) {
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      // Copies: yaml-cpp's it-> yields a temporary pair, so a reference to its
      // members dangles (AddressSanitizer: stack-use-after-scope).
      const YAML::Node key_node = it->first;
      const YAML::Node value_node = it->second;
      last_line_ = LineOf(key_node);
      if (!key_node.IsScalar())
        return FailAt(key_node, prefix, "keys must be plain names, got " + Describe(key_node));
      std::string key = key_node.Scalar();
      std::string path = prefix.empty() ? key : prefix + "." + key;
      if (!seen.insert(key).second) return FailAt(key_node, path, "duplicate key");
      lines_[path] = LineOf(key_node);
      last_line_ = LineOf(key_node);
      if (!handler(key, path, value_node)) return false;
    }
    return true;
  }

  bool Section(const YAML::Node& value, const std::string& path, const KeyHandler& handler) {
    if (value.IsNull()) return true;  // "ldap:" with nothing under it keeps the defaults
    if (!value.IsMap())
      return FailAt(value, path, "expected a mapping of keys, got " + Describe(value));
    return ForEachKey(value, path, handler);
  }

  bool Unknown(const YAML::Node& value, const std::string& path) {
    (void)value;
    Fail(last_line_, path, "unknown key" + Suggestion(path));
    return false;
  }

  bool Scalar(const YAML::Node& value, const std::string& path, std::string_view expected) {
    if (value.IsNull())
      return FailAt(value, path, "missing value (expected " + std::string(expected) + ")");
    if (!value.IsScalar())
      return FailAt(value, path, "expected " + std::string(expected) + ", got " + Describe(value));
    return true;
  }

  bool String(const YAML::Node& value, const std::string& path, std::string& out) {
    if (!Scalar(value, path, "a string")) return false;
    out = value.Scalar();
    return Check(!out.empty(), value, path, "missing value (expected a string)");
  }

  bool Path(const YAML::Node& value, const std::string& path, fs::path& out) {
    std::string text;
    if (!String(value, path, text)) return false;
    out = Resolve(base_dir_, text);
    return true;
  }

  bool Bool(const YAML::Node& value, const std::string& path, bool& out) {
    if (!Scalar(value, path, "true or false")) return false;
    const std::string& text = value.Scalar();
    if (text == "true" || text == "yes" || text == "on") {
      out = true;
    } else if (text == "false" || text == "no" || text == "off") {
      out = false;
    } else {
      return FailAt(value, path, "expected true or false, got " + Describe(value));
    }
    return true;
  }

  bool Int(const YAML::Node& value, const std::string& path, int min, int max, int& out) {
    if (!Scalar(value, path, "an integer")) return false;
    auto parsed = ParseInt(value.Scalar());
    if (!parsed) return FailAt(value, path, "expected an integer, got " + Describe(value));
    if (*parsed < min || *parsed > max) {
      return FailAt(value, path,
                    "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                        ", got " + value.Scalar());
    }
    out = *parsed;
    return true;
  }

  bool Count(const YAML::Node& value, const std::string& path, std::size_t& out) {
    int parsed = 0;
    if (!Int(value, path, 1, 1'000'000, parsed)) return false;
    out = static_cast<std::size_t>(parsed);
    return true;
  }

  bool Size(const YAML::Node& value, const std::string& path, std::size_t& out) {
    if (!Scalar(value, path, "a size such as 1048576, 64KiB or 1MiB")) return false;
    auto parsed = ParseSize(value.Scalar());
    if (!parsed)
      return FailAt(value, path,
                    "expected a size such as 1048576, 64KiB or 1MiB, got " + Describe(value));
    if (*parsed == 0) return FailAt(value, path, "must be greater than zero");
    out = *parsed;
    return true;
  }

  bool Duration(const YAML::Node& value, const std::string& path, std::chrono::milliseconds& out) {
    if (!Scalar(value, path, "a duration such as 500ms, 30s or 2m")) return false;
    auto parsed = ParseDuration(value.Scalar());
    if (!parsed)
      return FailAt(value, path,
                    "expected a duration such as 500ms, 30s or 2m, got " + Describe(value));
    if (parsed->count() == 0) return FailAt(value, path, "must be greater than zero");
    out = *parsed;
    return true;
  }

  bool Listen(const YAML::Node& value, const std::string& path, ListenAddress& out) {
    if (!Scalar(value, path, "host:port")) return false;
    auto parsed = ParseListenAddress(value.Scalar());
    if (!parsed) return FailAt(value, path, parsed.error().detail);
    out = std::move(*parsed);
    return true;
  }

  bool Log(const YAML::Node& value, const std::string& path, LogConfig& log) {
    return Section(
        value, path, [&](const std::string& key, const std::string& sub, const YAML::Node& v) {
          if (key == "level") {
            if (!String(v, sub, log.level)) return false;
            bool known =
                std::find(kLogLevels.begin(), kLogLevels.end(), log.level) != kLogLevels.end();
            return Check(known, v, sub,
                         "unknown level '" + log.level +
                             "' (expected trace, debug, info, warn, error, critical or off)");
          }
          return Unknown(v, sub);
        });
  }

  bool Ldap(const YAML::Node& value, const std::string& path, LdapConfig& ldap) {
    return Section(
        value, path, [&](const std::string& key, const std::string& sub, const YAML::Node& v) {
          if (key == "managed") return Bool(v, sub, ldap.managed);
          if (key == "url") {
            if (!String(v, sub, ldap.url)) return false;
            auto url = ParseLdapUrl(ldap.url);
            return Check(url.ok(), v, sub, url.ok() ? "" : url.error().detail);
          }
          if (key == "base_dn") {
            return String(v, sub, ldap.base_dn) &&
                   Check(LooksLikeDn(ldap.base_dn), v, sub,
                         "'" + ldap.base_dn + "' is not a DN (e.g. dc=dongnai,dc=gov,dc=vn)");
          }
          if (key == "bind_dn") {
            return String(v, sub, ldap.bind_dn) &&
                   Check(LooksLikeDn(ldap.bind_dn), v, sub, "'" + ldap.bind_dn + "' is not a DN");
          }
          if (key == "password_file") return Path(v, sub, ldap.password_file);
          if (key == "password") {
            Fail(LineOf(v), sub,
                 "secrets are not kept in this file; put the password in a file (mode 0600) and "
                 "name it in ldap.password_file");
            return false;
          }
          if (key == "connect_timeout") return Duration(v, sub, ldap.connect_timeout);
          if (key == "operation_timeout") return Duration(v, sub, ldap.operation_timeout);
          if (key == "start_timeout") return Duration(v, sub, ldap.start_timeout);
          if (key == "anonymous_read") {
            bool on = false;
            if (!Bool(v, sub, on)) return false;
            ldap.anonymous_read = on;
            return true;
          }
          if (key == "organization") return String(v, sub, ldap.organization);
          return Unknown(v, sub);
        });
  }

  // `auth`: the ingest section's own keys besides those of a listener.
  bool Http(const YAML::Node& value, const std::string& path, HttpConfig& http,
            IngestAuthConfig* auth = nullptr, PublicLookupConfig* lookup = nullptr) {
    return Section(
        value, path, [&](const std::string& key, const std::string& sub, const YAML::Node& v) {
          if (lookup != nullptr) {
            if (key == "cors_origins")
              return Strings(v, sub, "an origin such as https://stttt.dongnai.gov.vn",
                             lookup->cors_origins);
            if (key == "rate_limit") return Int(v, sub, 0, 1'000'000, lookup->rate_limit);
            if (key == "rate_burst") return Int(v, sub, 1, 1'000'000, lookup->rate_burst);
            if (key == "max_per_page") return Int(v, sub, 1, 100'000, lookup->max_per_page);
            if (key == "publish") {
              if (!Strings(v, sub, "an attribute name", lookup->publish)) return false;
              for (const auto& name : lookup->publish) {
                bool known =
                    std::find(std::begin(kPublishableAttributes), std::end(kPublishableAttributes),
                              name) != std::end(kPublishableAttributes);
                if (!known)
                  return FailAt(v, sub,
                                "'" + name + "' cannot be published (expected title or phone)");
              }
              return true;
            }
          }
          if (auth != nullptr) {
            if (key == "senders_file") return Path(v, sub, auth->senders_file);
            if (key == "rate_limit") return Int(v, sub, 0, 1'000'000, auth->rate_limit);
            if (key == "rate_burst") return Int(v, sub, 1, 1'000'000, auth->rate_burst);
            if (key == "signature_window") return Duration(v, sub, auth->signature_window);
          }
          if (key == "listen") return Listen(v, sub, http.listen);
          if (key == "threads") return Int(v, sub, 1, 256, http.threads);
          if (key == "max_connections") return Count(v, sub, http.max_connections);
          if (key == "max_body_bytes") return Size(v, sub, http.max_body_bytes);
          if (key == "max_header_bytes") return Size(v, sub, http.max_header_bytes);
          if (key == "request_timeout") return Duration(v, sub, http.request_timeout);
          if (key == "idle_timeout") return Duration(v, sub, http.idle_timeout);
          if (key == "busy_poll_us") {
            int us = 0;
            if (!Int(v, sub, 0, 10'000, us)) return false;
            http.busy_poll = std::chrono::microseconds(us);
            return true;
          }
          return Unknown(v, sub);
        });
  }

  // A sequence of non-empty strings (null: empty).
  bool Strings(const YAML::Node& v, const std::string& sub, std::string_view what,
               std::vector<std::string>& out) {
    out.clear();
    if (v.IsNull()) return true;
    if (!v.IsSequence()) return FailAt(v, sub, "expected a sequence, got " + Describe(v));
    for (const auto& item : v) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        return FailAt(item, sub, "expected " + std::string(what) + ", got " + Describe(item));
      }
      out.push_back(item.Scalar());
    }
    return true;
  }

  bool Spool(const YAML::Node& value, const std::string& path, SpoolConfig& spool) {
    return Section(value, path,
                   [&](const std::string& key, const std::string& sub, const YAML::Node& v) {
                     if (key == "dir") return Path(v, sub, spool.dir);
                     if (key == "scan_interval") return Duration(v, sub, spool.scan_interval);
                     return Unknown(v, sub);
                   });
  }

  bool Journal(const YAML::Node& value, const std::string& path, JournalConfig& journal) {
    return Section(value, path,
                   [&](const std::string& key, const std::string& sub, const YAML::Node& v) {
                     if (key == "compact_after") return Duration(v, sub, journal.compact_after);
                     if (key == "compact_interval")
                       return Duration(v, sub, journal.compact_interval);
                     return Unknown(v, sub);
                   });
  }

  bool Policy(const YAML::Node& value, const std::string& path, PasswordPolicyConfig& policy) {
    return Section(value, path,
                   [&](const std::string& key, const std::string& sub, const YAML::Node& v) {
                     if (key == "min_length") return Int(v, sub, 1, 128, policy.min_length);
                     if (key == "max_age") return Duration(v, sub, policy.max_age);
                     if (key == "expire_warning") return Duration(v, sub, policy.expire_warning);
                     if (key == "grace_logins") return Int(v, sub, 0, 100, policy.grace_logins);
                     if (key == "history") return Int(v, sub, 0, 24, policy.history);
                     if (key == "max_failures") return Int(v, sub, 1, 1000, policy.max_failures);
                     if (key == "lockout_duration")
                       return Duration(v, sub, policy.lockout_duration);
                     return Unknown(v, sub);
                   });
  }

  bool Backup(const YAML::Node& value, const std::string& path, BackupConfig& backup) {
    return Section(value, path,
                   [&](const std::string& key, const std::string& sub, const YAML::Node& v) {
                     if (key == "enabled") return Bool(v, sub, backup.enabled);
                     if (key == "dir") return Path(v, sub, backup.dir);
                     if (key == "interval") return Duration(v, sub, backup.interval);
                     if (key == "keep") return Int(v, sub, 1, 100'000, backup.keep);
                     return Unknown(v, sub);
                   });
  }

  bool Webhooks(const YAML::Node& value, const std::string& path, WebhooksConfig& webhooks) {
    return Section(value, path,
                   [&](const std::string& key, const std::string& sub, const YAML::Node& v) {
                     if (key == "max_attempts") return Int(v, sub, 1, 1000, webhooks.max_attempts);
                     if (key == "first_backoff") return Duration(v, sub, webhooks.first_backoff);
                     if (key == "max_backoff") return Duration(v, sub, webhooks.max_backoff);
                     if (key == "timeout") return Duration(v, sub, webhooks.timeout);
                     return Unknown(v, sub);
                   });
  }

  bool Digests(const YAML::Node& value, const std::string& path, DigestsConfig& digests) {
    return Section(value, path,
                   [&](const std::string& key, const std::string& sub, const YAML::Node& v) {
                     if (key == "enabled") return Bool(v, sub, digests.enabled);
                     if (key == "smtp_relay") return Listen(v, sub, digests.smtp_relay);
                     if (key == "from") return String(v, sub, digests.from);
                     if (key == "interval") return Duration(v, sub, digests.interval);
                     return Unknown(v, sub);
                   });
  }

  bool Naming(const YAML::Node& value, const std::string& path, NamingConfig& naming) {
    return Section(
        value, path, [&](const std::string& key, const std::string& sub, const YAML::Node& v) {
          if (key == "collision") {
            if (!String(v, sub, naming.collision)) return false;
            bool known = std::find(std::begin(kCollisionPolicies), std::end(kCollisionPolicies),
                                   naming.collision) != std::end(kCollisionPolicies);
            return Check(known, v, sub,
                         "unknown policy '" + naming.collision +
                             "' (expected numeric, birth_year or agency)");
          }
          if (key == "start_number") return Int(v, sub, 0, 1'000'000, naming.start_number);
          if (key == "max_length") return Int(v, sub, 1, 64, naming.max_length);
          if (key == "reserved") {
            if (v.IsNull()) {
              naming.reserved.clear();
              return true;
            }
            if (!v.IsSequence())
              return FailAt(v, sub, "expected a sequence of local parts, got " + Describe(v));
            naming.reserved.clear();
            for (const auto& item : v) {
              if (!item.IsScalar() || item.Scalar().empty()) {
                return FailAt(item, sub, "expected a local part, got " + Describe(item));
              }
              naming.reserved.push_back(item.Scalar());
            }
            return true;
          }
          return Unknown(v, sub);
        });
  }

 private:
  std::string source_;
  fs::path base_dir_;
  fs::path source_path_;
  std::optional<Error> error_;
  std::map<std::string, int> lines_;
  int last_line_ = 1;
};

}  // namespace

std::ostream& operator<<(std::ostream& out, const Secret&) { return out << "***"; }

Result<Secret> ReadSecretFile(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return ConfigError(path.string() + ": cannot read secret: " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) return ConfigError(path.string() + ": secret is not a regular file");
  if ((info.st_mode & 077) != 0) {
    return ConfigError(path.string() + ": secret is readable by group or others (chmod 600 it)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ConfigError(path.string() + ": cannot read secret: " + std::strerror(errno));
  std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) return ConfigError(path.string() + ": secret file is empty");
  return Secret(std::move(value));
}

Config Defaults(const std::filesystem::path& base_dir) {
  Config config;
  config.data_dir = Resolve(base_dir, config.data_dir);
  return config;
}

Result<Config> LoadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ConfigError(path.string() + ": cannot read: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return ConfigError(path.string() + ": cannot read: " + std::strerror(errno));
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) absolute = path;
  Parser parser(path.string(), absolute.parent_path(), absolute);
  return parser.Parse(text.str());
}

Result<Config> ParseString(std::string_view yaml, std::string_view source_name,
                           const std::filesystem::path& base_dir) {
  Parser parser(std::string(source_name), base_dir);
  return parser.Parse(yaml);
}

}  // namespace danhba::config
