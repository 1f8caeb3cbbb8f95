// Keeps the read model current: loads ou=people and ou=agencies through RFC
// 4533 content synchronisation (refreshAndPersist against slapd's syncprov),
// then follows every change, publishing a new immutable Snapshot after each
// burst of changes. Readers take snapshot() and never wait for the follower.
//
// One thread of its own polls two sync sessions (people and agencies; two
// subtrees so that a person moved to ou=former leaves the people session's
// scope and is reported deleted). When the directory is lost, the last
// snapshot stays served and state() says so; the follower reconnects with
// growing back-off and reloads in full, swapping the new snapshot in only once
// the reload is complete.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "danhba/base/result.h"
#include "danhba/ldap/connection.h"
#include "danhba/readmodel/snapshot.h"

namespace danhba::readmodel {

struct FollowerOptions {
  ldap::ConnectOptions connect;
  ldap::Credentials credentials;  // the reader account, typically
  std::string base_dn = "dc=dongnai,dc=gov,dc=vn";
  std::string domain = "dongnai.gov.vn";
  PublishPolicy publish;
  // Changes arriving within this time of each other make one new snapshot.
  std::chrono::milliseconds batch_delay{20};
  std::chrono::milliseconds retry_initial{200};
  std::chrono::milliseconds retry_max{5000};
};

struct SyncState {
  bool connected = false;  // following the directory now
  bool loaded = false;     // a complete snapshot has been published
  std::uint64_t snapshots = 0;   // snapshots published
  std::uint64_t reconnects = 0;  // sessions lost
  std::uint64_t rejected_entries = 0;  // entries left out of the last load (not publishable)
  // When the snapshot served was last known to match the directory.
  std::chrono::system_clock::time_point current_at{};
  std::string last_error;  // the reason of the last lost session
};

class Follower {
 public:
  // Fails only when the Vietnamese collation is missing (a config error).
  static Result<std::unique_ptr<Follower>> Create(FollowerOptions options);
  ~Follower();  // Stop()
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // REQUIRES: not started. For callers that learn the credentials late.
  void SetCredentials(ldap::Credentials credentials);
  // Starts the thread. REQUIRES: not started.
  void Start();
  // Stops and joins the thread. Idempotent.
  void Stop();

  // The current snapshot; an empty one before the first load. Thread-safe.
  std::shared_ptr<const Snapshot> snapshot() const;
  SyncState state() const;
  // Waits until a first complete snapshot is published (or the timeout).
  bool WaitUntilLoaded(std::chrono::milliseconds timeout) const;

 private:
  class Impl;
  explicit Follower(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace danhba::readmodel
