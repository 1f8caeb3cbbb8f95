#include "danhba/slapd/managed.h"

#include <chrono>

namespace danhba::slapd {
namespace {

std::int64_t Seconds(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<std::chrono::seconds>(duration).count();
}

}  // namespace

PasswordPolicy PolicyOf(const config::PasswordPolicyConfig& policy) {
  PasswordPolicy out;
  out.min_length = policy.min_length;
  out.max_age_seconds = Seconds(policy.max_age);
  out.expire_warning_seconds = Seconds(policy.expire_warning);
  out.grace_logins = policy.grace_logins;
  out.history = policy.history;
  out.max_failures = policy.max_failures;
  // At least a second: 0 would mean "locked until the operator unlocks".
  out.lockout_seconds = std::max<std::int64_t>(1, Seconds(policy.lockout_duration));
  return out;
}

void ApplyDirectorySettings(const config::Config& config, InstanceOptions& options) {
  options.anonymous_read = config.ldap.AnonymousRead();
  options.organization = config.ldap.organization;
  options.password_policy = PolicyOf(config.password_policy);
}

Result<InstanceOptions> ManagedInstanceOptions(const config::Config& config) {
  auto url = config::ParseLdapUrl(config.ldap.url);
  if (!url.ok()) return ConfigError("ldap.url: " + url.error().detail);
  InstanceOptions options;
  options.directory = config.SlapdDir();
  options.base_dn = config.ldap.base_dn;
  options.host = url->host;
  options.port = url->port;
  options.secrets_dir = config.SecretsDir();
  options.start_timeout = config.ldap.start_timeout;
  ApplyDirectorySettings(config, options);
  return options;
}

}  // namespace danhba::slapd
