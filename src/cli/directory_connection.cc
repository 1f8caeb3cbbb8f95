#include "cli/directory_connection.h"

namespace danhba::cli {

ldap::ConnectOptions DirectoryConnectOptions(const config::Config& config) {
  ldap::ConnectOptions connect;
  connect.url = config.ldap.url;
  connect.network_timeout = config.ldap.connect_timeout;
  connect.operation_timeout = config.ldap.operation_timeout;
  return connect;
}

Result<ldap::Connection> OpenDirectory(const config::Config& config,
                                       const ldap::Credentials& credentials) {
  return ldap::Connection::Open(DirectoryConnectOptions(config), credentials);
}

}  // namespace danhba::cli
