// What the configuration says about a managed slapd's content: its ACLs
// (ldap.anonymous_read), the base entry's organization and the default
// password policy (password_policy.*), applied to an Instance's options.
#pragma once

#include "danhba/config/config.h"
#include "danhba/slapd/config.h"
#include "danhba/slapd/instance.h"

namespace danhba::slapd {

// password_policy.* in the units of slapo-ppolicy.
PasswordPolicy PolicyOf(const config::PasswordPolicyConfig& policy);

// Sets anonymous_read, organization and password_policy of `options` from `config`.
void ApplyDirectorySettings(const config::Config& config, InstanceOptions& options);

// Everything a managed slapd takes from the configuration: where it lives
// (<data_dir>/slapd, secrets), where it listens (ldap.url), its base DN and
// start timeout, and the settings above. A bad ldap.url is a config error
// naming the key.
Result<InstanceOptions> ManagedInstanceOptions(const config::Config& config);

}  // namespace danhba::slapd
