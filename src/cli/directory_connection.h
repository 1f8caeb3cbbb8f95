// How a command reaches the directory that config.ldap names: one place for
// the URL and the timeouts, so that every command connects the same way.
#pragma once

#include "danhba/base/result.h"
#include "danhba/config/config.h"
#include "danhba/ldap/connection.h"

namespace danhba::cli {

// config.ldap's URL, connect timeout and operation timeout.
ldap::ConnectOptions DirectoryConnectOptions(const config::Config& config);

// A connection to config.ldap.url bound with `credentials`. The error is the
// connection's own: each command words it for its user (it names the URL,
// hints at `danhba run`, ...).
Result<ldap::Connection> OpenDirectory(const config::Config& config,
                                       const ldap::Credentials& credentials);

}  // namespace danhba::cli
