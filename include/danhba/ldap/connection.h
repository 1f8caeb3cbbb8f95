// One connection to a directory server over libldap.
//
// What this takes care of: every libldap resource is owned by RAII and released
// on every path; results are copied at once into Entry values; searches page
// (RFC 2696) when asked; requests carry a network and an operation timeout;
// referrals are never chased; failures become danhba errors with the server's
// diagnostic (see error.h). What it does not: reconnect. A Connection that saw a
// transient error (server down, timeout) should be dropped; Client does that.
//
// The first Open() sets SIGPIPE to be ignored when it still has its default
// action (which would kill the process when a server goes away mid-write).
//
// A Connection is not safe for concurrent use; use one per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "danhba/base/result.h"
#include "danhba/ldap/operations.h"

namespace danhba::ldap {

namespace internal {
struct ConnectionAccess;
}  // namespace internal

struct ConnectOptions {
  // ldap://host:port, ldaps://host:port or ldapi://<url-encoded socket path>.
  std::string url;
  // TCP connect (and TLS handshake) time allowed.
  std::chrono::milliseconds network_timeout{5000};
  // Time allowed for each request's answer (for a search, for each page).
  std::chrono::milliseconds operation_timeout{30000};
  // ldaps:// trust anchors; empty: the system's.
  std::string tls_ca_file;
  bool tls_verify_peer = true;
};

struct Credentials {
  enum class Method { kAnonymous, kSimple, kSaslExternal };
  Method method = Method::kAnonymous;
  std::string dn;
  std::string password;

  static Credentials Anonymous() { return {}; }
  static Credentials Simple(std::string dn, std::string password) {
    return {Method::kSimple, std::move(dn), std::move(password)};
  }
  // SASL EXTERNAL: over ldapi:// the server knows the peer's uid/gid.
  static Credentials SaslExternal() { return {Method::kSaslExternal, {}, {}}; }
};

class Connection final : public Operations {
 public:
  // Connects to options.url (eagerly, so an unreachable server is reported here)
  // and binds with `credentials`.
  static Result<Connection> Open(const ConnectOptions& options,
                                 const Credentials& credentials = Credentials::Anonymous());

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection() override;

  // Binds again, possibly as someone else. A simple bind with a DN and an empty
  // password is refused here (servers would treat it as an anonymous bind).
  Status Bind(const Credentials& credentials);

  const ConnectOptions& options() const;

  Status Search(const SearchRequest& request, const EntryVisitor& visit) override;
  Status Add(const Entry& entry) override;
  Status Modify(std::string_view dn, const std::vector<Modification>& modifications) override;
  Status ModRdn(const ModRdnRequest& request) override;
  Status Delete(std::string_view dn) override;
  Result<bool> Compare(std::string_view dn, std::string_view attribute,
                       std::string_view value) override;
  Result<std::string> PasswordModify(std::string_view user_dn, std::string_view old_password,
                                     std::string_view new_password) override;
  Result<std::string> WhoAmI() override;
  Status Apply(const std::vector<Change>& changes) override;

 private:
  friend struct internal::ConnectionAccess;
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace danhba::ldap
