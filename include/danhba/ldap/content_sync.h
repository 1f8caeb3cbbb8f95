// RFC 4533 content synchronisation: a consumer of slapd's syncprov overlay, for
// keeping an in-memory copy of part of the directory current.
//
// Start() sends the sync request on a connection it then owns; Poll() hands over
// what arrived. In refreshAndPersist mode the refresh phase first sends the
// current content (or, with a cookie, what changed since it), then
// refresh_done() becomes true and changes follow as they happen. Keep cookie()
// to resume later without a full reload.
//
// Not safe for concurrent use; one thread polls.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/ldap/connection.h"
#include "danhba/ldap/entry.h"
#include "danhba/ldap/operations.h"

namespace danhba::ldap {

struct SyncChange {
  enum class Kind {
    kPresent,  // (refresh) still there and unchanged; entry holds the DN only
    kAdd,      // new, or sent in full during a refresh
    kModify,   // changed; entry holds its whole new content
    kDelete,   // gone; entry holds the DN only
  };
  Kind kind = Kind::kAdd;
  // The entry's entryUUID, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx": the key to
  // keep, since deletions may be reported by UUID alone.
  std::string entry_uuid;
  Entry entry;
};

struct SyncHandler {
  // One entry-level change.
  std::function<Status(SyncChange&&)> on_change;
  // A set of entries reported by UUID alone: deleted (`deleted` true), or still
  // present during a refresh (`deleted` false).
  std::function<Status(std::vector<std::string> uuids, bool deleted)> on_uuid_set;
  // A refresh phase ended. `present_phase`: it was a present phase, so every
  // entry the consumer holds that was neither reported present nor changed
  // since the refresh began is gone (RFC 4533 section 3.4.1). `refresh_done`:
  // the whole refresh is over; in refreshAndPersist mode, changes now follow
  // as they happen.
  std::function<Status(bool present_phase, bool refresh_done)> on_phase_end;
};

class ContentSync {
 public:
  enum class Mode { kRefreshOnly, kRefreshAndPersist };

  // Sends the sync request for `request` (base, scope, filter, attributes) on
  // `connection`. `cookie`: from an earlier session, or empty for a full load.
  static Result<ContentSync> Start(Connection connection, const SearchRequest& request,
                                   Mode mode = Mode::kRefreshAndPersist, std::string cookie = {});

  ContentSync(ContentSync&&) noexcept;
  ContentSync& operator=(ContentSync&&) noexcept;
  ~ContentSync();

  // Waits up to `timeout` for the first message, then hands over every message
  // already received. Ok when nothing came. A handler's error stops and is
  // returned. After the server ends the search (refreshOnly done, or an error),
  // finished() is true; a transient error means: reconnect and Start again with
  // cookie().
  Status Poll(std::chrono::milliseconds timeout, const SyncHandler& handler);

  bool refresh_done() const;
  bool finished() const;
  // The latest state cookie the server sent; empty before the first.
  const std::string& cookie() const;

 private:
  struct Impl;
  explicit ContentSync(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace danhba::ldap
