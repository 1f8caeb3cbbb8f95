// A directory client that survives server restarts: on a transient error
// (server down, connect error, timeout, busy, unavailable, time limit) it drops
// its connection, reconnects, binds again with the same credentials and retries
// the request, with exponential backoff and jitter, bounded in attempts and in
// total time. Final errors (bad credentials, no such object, ...) come back at once.
//
// Requests whose result was lost (the connection broke after the request was
// sent) may have been applied. On retry:
//   - Add that then finds alreadyExists reads the entry back: if it holds every
//     value that was sent, the add is reported as done; otherwise it is a
//     kConflict error (result code 68) whose detail says an earlier attempt was
//     lost. Callers allocating a name (uid) treat that conflict like any other
//     taken name, or read the entry to see whether it is theirs.
//   - Delete that then finds noSuchObject is reported as done.
//   - ModRdn that then finds noSuchObject, with the new DN present, is reported
//     as done.
//   - Modify is retried as sent. Replace is idempotent; an add or delete of values
//     may then fail with typeOrValueExists / noSuchAttribute, with the detail
//     saying an earlier attempt was lost. Callers that need exactness use Replace.
//   - Apply (a transaction) is retried whole; if the commit's result was lost and
//     it had been applied, the retry fails on its first change (e.g. alreadyExists)
//     and the detail says so. Callers make each batch idempotent or check.
//   - PasswordModify with a generated password returns the password of the last
//     attempt, which is the one in force.
// A Search that already handed entries to the visitor is not retried (the visitor
// would see them twice); SearchAll and Read are retried whole.
//
// A Client is not safe for concurrent use; use one per thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "danhba/base/result.h"
#include "danhba/ldap/connection.h"
#include "danhba/ldap/operations.h"

namespace danhba::ldap {

struct RetryPolicy {
  // Attempts per request, the first included (1: no retry).
  int max_attempts = 6;
  // Wait before the first retry; each later wait is `multiplier` times longer, up
  // to max_backoff. Each wait is drawn uniformly from [wait/2, wait] (jitter), so
  // many clients restarting together do not come back in step.
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  double multiplier = 2.0;
  // No retry starts once this much time has passed since the first attempt.
  std::chrono::milliseconds max_total{30000};
};

// Makes a new, bound connection.
using Connector = std::function<Result<std::unique_ptr<Operations>>()>;

// Time, injectable so tests can check the backoff without waiting.
struct RetryClock {
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  static RetryClock Real();
};

class Client final : public Operations {
 public:
  // Connects lazily, on the first request (or Connect()).
  Client(ConnectOptions options, Credentials credentials, RetryPolicy policy = {});
  Client(Connector connector, RetryPolicy policy, RetryClock clock = RetryClock::Real(),
         unsigned random_seed = 0);
  ~Client() override;

  // Connects now (with retries), to fail early at start-up.
  Status Connect();

  // How many connections were made after the first; for metrics and tests.
  int reconnects() const { return reconnects_; }

  Status Search(const SearchRequest& request, const EntryVisitor& visit) override;
  Result<std::vector<Entry>> SearchAll(const SearchRequest& request) override;
  Result<std::optional<Entry>> Read(std::string_view dn,
                                    const std::vector<std::string>& attributes = {}) override;
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
  // Runs `op` on a live connection until it succeeds, fails finally, or the policy
  // is spent. Sets *lost when a failed attempt may have reached the server; no
  // retry starts while *no_retry is true.
  Status Run(const std::function<Status(Operations&)>& op, bool* lost = nullptr,
             const bool* no_retry = nullptr);
  template <class T>
  Result<T> RunFor(const std::function<Result<T>(Operations&)>& op, bool* lost = nullptr);
  std::chrono::milliseconds NextBackoff(int retry);

  Connector connector_;
  RetryPolicy policy_;
  RetryClock clock_;
  std::unique_ptr<Operations> connection_;
  int connections_made_ = 0;
  int reconnects_ = 0;
  unsigned random_state_;
};

}  // namespace danhba::ldap
