// The ingest API's person_agency hook (api::PersonAgencyFn, docs/ingest.md
// "Agencies"): the agency a person belongs to now, so that a sender limited to
// some agencies may send update, leave and transfer only for their staff.
//
// The directory's view comes first: Directory::FindPerson by the private person
// id, in people or former staff. A person the directory does not know may
// have been hired by an event still waiting in the journal (a hire effective
// next month, then a correction of its title): then the agency named by the
// latest waiting hire (person.agency) or transfer (to_agency) of that person id
// counts. A person unknown to both is nullopt, which the ingest API refuses as
// out of scope, saying the agency is not known.
//
// When the directory cannot be asked (down, timing out), Find() answers the
// directory's error, never a guess: the ingest API then answers that event
// `unavailable`, to be sent again.
//
// Thread safety: Find() may be called from any number of threads. Each call
// takes a directory of its own from a pool (made by `make_directory` when the
// pool is empty, e.g. one LDAP connection each), and puts it back after; so
// concurrent calls never wait on each other's connection, and the pool never
// holds more directories than there were concurrent calls (ingest.threads).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "danhba/base/result.h"
#include "danhba/directory/directory.h"
#include "danhba/journal/journal.h"

namespace danhba::ops {

struct PersonAgencyOptions {
  // Makes a directory for the pool; required. Cheap when the connection is
  // made lazily (directory::MakeLdapDirectories). May return null while the
  // directory cannot be reached yet (Find() then answers a transient error).
  std::function<std::unique_ptr<directory::Directory>()> make_directory;
  // The waiting events, for people not yet in the directory; none when null.
  // Must outlive the lookup.
  const journal::Journal* journal = nullptr;
  // When set and false, the directory is known to be down (e.g. the daemon's
  // readiness check failed): Find() answers a transient error at once instead
  // of making an ingest thread wait for a connection timeout.
  std::function<bool()> directory_ready;
};

class PersonAgencyLookup {
 public:
  explicit PersonAgencyLookup(PersonAgencyOptions options);
  ~PersonAgencyLookup();
  PersonAgencyLookup(const PersonAgencyLookup&) = delete;
  PersonAgencyLookup& operator=(const PersonAgencyLookup&) = delete;

  // The agency code of `person_id` now, nullopt when unknown, or the directory's
  // error (kTransient when it is unreachable). Thread-safe.
  Result<std::optional<std::string>> Find(std::string_view person_id);

  // Find as an api::PersonAgencyFn; the lookup must outlive it.
  std::function<Result<std::optional<std::string>>(std::string_view)> AsHook();

 private:
  std::unique_ptr<directory::Directory> Take();
  void Give(std::unique_ptr<directory::Directory> directory);

  PersonAgencyOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<directory::Directory>> idle_;  // guarded by mutex_
};

// The agency of the latest waiting hire or transfer of `person_id` in `journal`,
// or nullopt.
std::optional<std::string> PendingAgencyOf(const journal::Journal& journal,
                                           std::string_view person_id);

}  // namespace danhba::ops
